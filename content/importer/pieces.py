"""The importer's vocabulary: the error it raises, the pieces an article is cut into, and the text
helpers every stage shares. Pure: no database, no parser."""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass
from pathlib import PurePath

TITLE_MAX = 200
HEADING_MAX = 200
ANCHOR_MAX = 80
LINE_BREAK = "\u2028"  # a <br> inside a paragraph, kept apart from the newlines of the source


class ArticleError(ValueError):
    """The input cannot become an article; the message is shown to the person importing."""


@dataclass(frozen=True)
class Piece:
    """One unit of the article body. ``html`` and ``items`` hold escaped inline HTML."""

    kind: str  # "heading" | "para" | "caption" | "ul" | "ol"
    html: str = ""
    items: tuple[str, ...] = ()
    single_line: bool = True
    standalone: bool = True
    label: str = ""  # the image title of a caption

    @property
    def text(self) -> str:
        if self.kind in ("ul", "ol"):
            return " ".join(plain(item) for item in self.items)
        if self.kind == "caption":
            return f"{plain(self.label)} {plain(self.html)}".strip()
        return plain(self.html)


@dataclass(frozen=True)
class ParsedArticle:
    title: str
    file_name: str
    kind: str
    pieces: tuple[Piece, ...]
    author: str = ""
    url: str = ""


@dataclass
class ArticleMeta:
    """What the page says about itself (title, author, canonical URL), filled in while parsing."""

    title: str = ""
    author: str = ""
    url: str = ""
    title_is_explicit: bool = False


# --------------------------------------------------------------------------- text helpers

WS = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_TAG = re.compile(r"<[^>]+>")
_SENTENCE_END = (".", "!", "?", "…")
_CLOSERS = "\"'”’»)]*"
SMALL_WORDS = {
    "a",
    "an",
    "and",
    "as",
    "at",
    "but",
    "by",
    "for",
    "from",
    "in",
    "into",
    "is",
    "nor",
    "of",
    "on",
    "or",
    "the",
    "to",
    "vs",
    "via",
    "with",
}


def plain(fragment: str) -> str:
    """Inline HTML -> visible text."""
    return htmllib.unescape(_TAG.sub("", fragment)).strip()


def clean_line(line: str) -> str:
    line = INVISIBLE.sub("", line)
    return WS.sub(" ", line).strip()


def words(text: str) -> list[str]:
    return re.findall(r"[\w'’-]+", text)


def ends_sentence(text: str) -> bool:
    return text.rstrip(_CLOSERS + " ").endswith(_SENTENCE_END) or text.rstrip().endswith(_SENTENCE_END)


def terminal(text: str) -> str:
    stripped = text.rstrip(_CLOSERS + " ")
    return stripped[-1:] if stripped else ""


def is_title_case(text: str) -> bool:
    words = list(re.findall(r"[A-Za-z][\w'’-]*", text))
    significant = [w for w in words if w.lower() not in SMALL_WORDS]
    if not significant:
        return False
    capitalised = sum(1 for w in significant if w[0].isupper())
    return capitalised / len(significant) >= 0.75


def starts_like_heading(text: str) -> bool:
    first = text.lstrip("\"'“‘(«¿¡")[:1]
    return bool(first) and (first.isupper() or first.isdigit())


def clip(text: str, limit: int) -> str:
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:-– ") + "…"


def title_from_file_name(file_name: str) -> str:
    stem = PurePath(file_name).stem
    return re.sub(r"[_\-]+", " ", stem).strip().capitalize() or "Imported article"


def short_label(text: str) -> bool:
    """A short line with no sentence punctuation: a heading, menu item or image title."""
    return (
        0 < len(words(text)) <= 10
        and len(text) <= 100
        and terminal(text) not in {".", "!", "?", "…", ",", ";", ":"}
    )
