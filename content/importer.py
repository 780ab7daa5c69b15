"""Turn an article copied from a web page into the pieces of a draft lesson module.

Pure functions only: bytes and strings in, dataclasses and StreamField data out. No database.
The service in content/article_import.py saves the result as a draft ModulePage.

The input is whatever someone copied or saved from a browser: plain text with menus, share
buttons, comment forms and captchas left in; Markdown with WordPress shortcodes; or a saved HTML
page. The parser keeps the article's own words (an instructor rewrites the draft) and drops the
page furniture around them.
"""

from __future__ import annotations

import html as htmllib
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import PurePath

MAX_ARTICLE_BYTES = 1024 * 1024
EXTENSION_KINDS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}
SUPPORTED_EXTENSIONS = tuple(EXTENSION_KINDS)
TITLE_MAX = 200
HEADING_MAX = 200
ANCHOR_MAX = 80


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


# --------------------------------------------------------------------------- entry point


def parse_article(raw: bytes, file_name: str) -> ParsedArticle:
    """Validate, decode and parse raw upload bytes. Raises ArticleError with a readable message."""
    file_name = PurePath(file_name.replace("\\", "/")).name
    kind = input_kind(file_name)
    check_size(len(raw))
    text = decode_article(raw)
    if kind == "text" and _looks_like_html(text):
        kind = "html"
    meta = _Meta()
    if kind == "html":
        pieces = _html_pieces(text, meta, split_lines=False)
    elif kind == "markdown":
        pieces = _html_pieces(_markdown_to_html(text), meta, split_lines=True)
    else:
        pieces = _text_pieces(text)
    pieces = _drop_cruft(pieces, meta)
    title, pieces = _take_title(pieces, meta)
    pieces = _classify_headings(pieces)
    if not any(p.kind != "heading" for p in pieces):
        raise ArticleError("Nothing to import: no article text is left after removing the web-page clutter.")
    title = _clip(title or _title_from_file_name(file_name), TITLE_MAX)
    return ParsedArticle(
        title=title,
        file_name=file_name,
        kind=kind,
        pieces=tuple(pieces),
        author=_clip(meta.author, 200),
        url=meta.url,
    )


def input_kind(file_name: str) -> str:
    suffix = PurePath(file_name).suffix.lower()
    if suffix not in EXTENSION_KINDS:
        allowed = ", ".join(SUPPORTED_EXTENSIONS)
        shown = suffix or "no extension"
        raise ArticleError(f"Unsupported file type ({shown}). Use one of: {allowed}.")
    return EXTENSION_KINDS[suffix]


def check_size(size: int) -> None:
    if size > MAX_ARTICLE_BYTES:
        raise ArticleError(
            f"The file is too large ({-(-size // 1024):,} KB); the limit is "
            f"{MAX_ARTICLE_BYTES // (1024 * 1024)} MB ({MAX_ARTICLE_BYTES // 1024:,} KB) of text."
        )


_CONTROL_CHARS = re.compile(r"[\x01-\x08\x0b\x0e-\x1f\x7f]")


def decode_article(raw: bytes) -> str:
    if b"\x00" in raw:
        raise ArticleError("This looks like a binary file, not text. Save the article as UTF-8 text first.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(
            f"The file is not UTF-8 text (undecodable byte at position {exc.start}). "
            "Re-save it as UTF-8 and import it again."
        ) from None
    controls = len(_CONTROL_CHARS.findall(text))
    if controls > max(8, len(text) // 100):
        raise ArticleError("This looks like a binary file, not text. Save the article as UTF-8 text first.")
    if not text.strip():
        raise ArticleError("The file is empty.")
    return text


# --------------------------------------------------------------------------- text helpers

_WS = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
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


def _clean_line(line: str) -> str:
    line = _INVISIBLE.sub("", line)
    return _WS.sub(" ", line).strip()


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'’-]+", text)


def _ends_sentence(text: str) -> bool:
    return text.rstrip(_CLOSERS + " ").endswith(_SENTENCE_END) or text.rstrip().endswith(_SENTENCE_END)


def _terminal(text: str) -> str:
    stripped = text.rstrip(_CLOSERS + " ")
    return stripped[-1:] if stripped else ""


def _is_title_case(text: str) -> bool:
    words = list(re.findall(r"[A-Za-z][\w'’-]*", text))
    significant = [w for w in words if w.lower() not in SMALL_WORDS]
    if not significant:
        return False
    capitalised = sum(1 for w in significant if w[0].isupper())
    return capitalised / len(significant) >= 0.75


def _starts_like_heading(text: str) -> bool:
    first = text.lstrip("\"'“‘(«¿¡")[:1]
    return bool(first) and (first.isupper() or first.isdigit())


def _clip(text: str, limit: int) -> str:
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:-– ") + "…"


def _title_from_file_name(file_name: str) -> str:
    stem = PurePath(file_name).stem
    return re.sub(r"[_\-]+", " ", stem).strip().capitalize() or "Imported article"


def _short_label(text: str) -> bool:
    """A short line with no sentence punctuation: a heading, menu item or image title."""
    return (
        0 < len(_words(text)) <= 10
        and len(text) <= 100
        and _terminal(text) not in {".", "!", "?", "…", ",", ";", ":"}
    )


# --------------------------------------------------------------------------- cruft

# Shortcodes such as [easyazon_infoblock align="none" ...], [caption id=...], [/caption].
_SHORTCODE = re.compile(r"\[(/?)([a-zA-Z][\w-]*)((?:\s[^\[\]\n]*)?)\]")
_KNOWN_SHORTCODES = {
    "caption",
    "gallery",
    "embed",
    "video",
    "audio",
    "playlist",
    "contact-form",
    "contact-form-7",
    "wpforms",
    "gravityform",
    "mc4wp_form",
    "et_pb_section",
    "vc_row",
    "vc_column",
    "su_button",
    "shortcode",
    "ad",
    "adsense",
    "adrotate",
    "social_warfare",
    "ssba",
    "addtoany",
    "easyazon",
}


# Affiliate and button shortcodes wrap link text that means nothing without the link.
_ENCLOSING_AD_SHORTCODE = re.compile(
    r"\[((?:easyazon|amazon|affiliate|adrotate|su_button|button)[\w-]*)\b[^\[\]\n]*\].{0,2000}?\[/\1\]",
    re.IGNORECASE | re.DOTALL,
)


def strip_shortcodes(text: str) -> str:
    text = _ENCLOSING_AD_SHORTCODE.sub(" ", text)

    def replace_code(match: re.Match) -> str:
        closing, name, attrs = match.groups()
        lowered = name.lower()
        is_code = (
            closing
            or "_" in name
            or "=" in attrs
            or lowered in _KNOWN_SHORTCODES
            or lowered.startswith(("easyazon", "et_pb", "vc_", "su_", "wp"))
        )
        return " " if is_code else match.group(0)

    return _SHORTCODE.sub(replace_code, text)


_NAV_WORDS = {
    "home",
    "about",
    "about us",
    "about me",
    "services",
    "our services",
    "contact",
    "contact us",
    "contact me",
    "blog",
    "shop",
    "store",
    "cart",
    "my account",
    "menu",
    "main menu",
    "search",
    "faq",
    "faqs",
    "pricing",
    "prices",
    "rates",
    "testimonials",
    "reviews",
    "gallery",
    "login",
    "log in",
    "sign in",
    "sign up",
    "register",
    "book now",
    "book online",
    "book a session",
    "appointments",
    "gift cards",
    "gift certificates",
    "specials",
    "locations",
    "our team",
    "team",
    "careers",
    "resources",
    "news",
    "events",
    "privacy policy",
    "privacy",
    "terms",
    "sitemap",
    "skip to content",
    "skip to main content",
    "toggle navigation",
    "close menu",
    "open menu",
    "massage",
    "massage therapy",
    "therapies",
    "treatments",
    "classes",
    "courses",
    "membership",
    "new clients",
    "intake forms",
    "policies",
    "accessibility",
    "wishlist",
    "checkout",
}
_SOCIAL_WORDS = {
    "share",
    "share this",
    "share this:",
    "share on facebook",
    "share on twitter",
    "share on x",
    "share on pinterest",
    "share on linkedin",
    "tweet",
    "pin",
    "pin it",
    "facebook",
    "twitter",
    "x",
    "pinterest",
    "linkedin",
    "email",
    "e-mail",
    "print",
    "whatsapp",
    "reddit",
    "tumblr",
    "pocket",
    "telegram",
    "copy link",
    "like",
    "like this",
    "like this:",
    "instagram",
    "youtube",
    "tiktok",
    "follow us",
    "follow",
    "mail",
    "sms",
    "messenger",
    "threads",
    "bluesky",
}
_CRUFT_PHRASES = re.compile(
    r"""^(?:
        close\ this\ search\ box | search\ for: | search\ this\ (?:site|website|blog) | search\ \.\.\.
        | search… | type\ (?:your\ search|here\ to\ search).* | skip\ to\ (?:main\ )?content
        | toggle\ navigation | (?:main|primary|mobile|footer)\ menu | open\ menu | close\ menu
        | your\ email\ address\ will\ not\ be\ published.* | required\ fields\ are\ marked.*
        | save\ my\ name,?\ email.* | notify\ me\ of\ .* | (?:post|submit)\ comment | cancel\ reply
        | this\ site\ uses\ akismet.* | learn\ how\ your\ comment\ data\ is\ processed.*
        | comments?\ \*? | name\ ?\*? | e-?mail\ ?\*? | website | reply | log\ in\ to\ reply
        | comments\ are\ closed.* | you\ must\ be\ logged\ in\ to\ post\ a\ comment.*
        | share\ (?:this|on)\b.* | follow\ us\b.* | like\ this:? | like\ loading.* | loading\.\.\.
        | read\ more.* | continue\ reading.* | (?:previous|next)\ (?:post|article)\b.*
        | post\ navigation | recent\ posts | recent\ comments | categories:?.* | archives
        | tags?:.* | tagged\ (?:with\ )?.* | posted\ in\ .* | filed\ under\ .* | posted\ (?:on|by)\ .*
        | (?:subscribe|sign\ up)\ (?:to|for)\ (?:our|my)\ (?:newsletter|mailing\ list).*
        | (?:image|photo|picture)\ (?:credit|source|courtesy):?.* | advertisement | sponsored
        | all\ rights\ reserved.* | powered\ by\ .* | privacy\ policy.* | terms\ (?:of|and)\ .*
        | copyright\b.* | ©.* | back\ to\ top | scroll\ to\ top | link\ in\ bio.*
        | (?:phone|tel|telephone|call|text|fax|e-?mail|hours|address)\s*:.*
        | (?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\s*[-–:].*\d.*
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_END_MARKERS = re.compile(
    r"""^(?:
        leave\ a\ (?:reply|comment|response) | more\ to\ explore | related\ (?:posts|articles|reading)
        | you\ (?:may|might)\ also\ (?:like|enjoy) | \d+\ (?:comments?|responses?|thoughts?)\b.*
        | (?:one|two|three)\ (?:comments?|responses?|thoughts?)\ (?:on|to)\b.* | comments
        | join\ the\ discussion | what\ do\ you\ think\?? | add\ a\ comment
    )\W*$""",
    re.IGNORECASE | re.VERBOSE,
)
_NUMBER = (
    r"(?:\d+|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|[a-z]+teen"
    r"|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
)
_CAPTCHA = re.compile(
    rf"^\W*(?:captcha\W*|solve\W*|please\s+solve\W*)?{_NUMBER}?\s*[+\-−×x*÷/]\s*{_NUMBER}?\s*=\s*{_NUMBER}?\s*\??\W*$",
    re.IGNORECASE,
)
_STREET = re.compile(
    r"^\d{1,6}\s+(?:[NSEW]\.?\s+|north\s+|south\s+|east\s+|west\s+)?[\w.'’ -]{1,40}?\s"
    r"(?:st|street|ave|avenue|rd|road|blvd|boulevard|dr|drive|ln|lane|way|ct|court|pkwy|parkway|"
    r"hwy|highway|pl|place|sq|square|ter|terrace|cir|circle|trl|trail|pike|plaza)\b\.?"
    r"(?:\s*,?\s*(?:suite|ste|unit|apt|floor|fl|#)\.?\s*#?\s*[\w-]+)?"
    r"(?:\s*,\s*[\w .'’-]+)?(?:\s*,?\s*[A-Z]{2}\s+\d{5}(?:-\d{4})?)?\W*$",
    re.IGNORECASE,
)
_CITY_STATE_ZIP = re.compile(r"^[A-Z][\w .'’-]{1,40},?\s+[A-Z]{2}\.?,?\s+\d{5}(?:-\d{4})?\W*$")
_PHONE = re.compile(r"^\W*(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}\W*$")
_EMAIL_ONLY = re.compile(r"^\s*[\w.+-]+@[\w-]+\.[\w.-]+\s*$")
_URL_ONLY = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$", re.IGNORECASE)
_DATE_ONLY = re.compile(
    r"^(?:(?:posted|published|updated)(?:\s+on)?:?\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\W*$|^\d{1,2}/\d{1,2}/\d{2,4}$",
    re.IGNORECASE,
)
_LINK_STUB = re.compile(
    r"\bclick\s+(?:here|this\s+link|below|the\s+link)\b|\bfor\s+the\s+link\b|\blink\s+(?:below|above)\b"
    r"|^\W*(?:check\s+out|watch|see|view)\s+(?:this|our|the|my)\b.{0,80}\b(?:video|link|post|clip|podcast)\b",
    re.IGNORECASE,
)
_PITCH = re.compile(
    r"\b(?:book(?:ing)?|schedul\w*|call|contact|text|e-?mail|reserve)\b.{0,60}"
    r"\b(?:appointments?|sessions?|massages?|today|online|now|consultations?|visit)\b"
    r"|^\W*(?:contact|call|email|text)\s+(?:me|us)\b|\bgift\s+cards?\b|\bbook\s+now\b",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^(?:by|written\s+by|posted\s+by|author:?|article\s+by)\s+(?P<name>.+)$", re.IGNORECASE)
_NAME = re.compile(
    r"(?P<name>[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|de|van|von|da|del|la))"
    r"{0,3}"
    r"(?:,\s*[A-Z][A-Z]{1,5}\b\.?)*)"
)
_TRAILING_BYLINE = re.compile(r"\bby\s+" + _NAME.pattern + r"\s*$")
_SENTENCES = re.compile(r"[^.!?…]+(?:[.!?…]+[\"'”’)]*|$)")


def _split_tokens(text: str) -> list[str]:
    return [t.strip(" :").lower() for t in re.split(r"\s*[|•·»/]\s*|\s{2,}", text) if t.strip(" :")]


def _is_menu(text: str) -> bool:
    tokens = _split_tokens(text)
    return bool(tokens) and all(t in _NAV_WORDS for t in tokens)


def _is_social(text: str) -> bool:
    tokens = _split_tokens(text)
    return bool(tokens) and all(t in _SOCIAL_WORDS for t in tokens)


def _is_pitch_only(text: str) -> bool:
    """A standalone booking pitch: every sentence sells an appointment or is a teaser ("Ready?")."""
    if len(_words(text)) > 40 or not _PITCH.search(text):
        return False
    sentences = [s.strip() for s in _SENTENCES.findall(text) if s.strip()]
    pitches = [s for s in sentences if _PITCH.search(s)]
    teasers = [s for s in sentences if len(_words(s)) <= 5 and _terminal(s) in {"?", "!"}]
    return bool(pitches) and all(s in pitches or s in teasers for s in sentences)


def is_cruft(text: str) -> bool:
    """Is this whole line or paragraph page furniture rather than article text?"""
    text = _clean_line(text).strip("*_=~#>- ")
    if not text:
        return True
    if not re.search(r"\w", text):
        return True  # decoration: "* * *", "———"
    if _CRUFT_PHRASES.match(text) or _CRUFT_PHRASES.match(text.rstrip(" .…!")):
        return True
    n_words = len(_words(text))
    if n_words > 40:  # the rules below are all about short lines
        return False
    return bool(
        _CAPTCHA.match(text)
        or (n_words <= 8 and (_is_menu(text) or _is_social(text)))
        or (n_words <= 16 and (_STREET.match(text) or _CITY_STATE_ZIP.match(text)))
        or _PHONE.match(text)
        or _EMAIL_ONLY.match(text)
        or _URL_ONLY.match(text)
        or _DATE_ONLY.match(text)
        or (n_words <= 30 and _LINK_STUB.search(text))
        or _is_pitch_only(text)
    )


def is_end_marker(text: str) -> bool:
    """Comment sections and 'related posts' blocks: everything from here on is page furniture."""
    return bool(_END_MARKERS.match(_clean_line(text).strip("*_=#>- ")))


def byline_author(text: str) -> str:
    """'By Erin Brummett, LMT – Founder' -> 'Erin Brummett, LMT'; '' when the line is no byline."""
    text = _clean_line(text).strip("*_ ")
    match = _BYLINE.match(text)
    if not match or len(_words(text)) > 20:
        return ""
    name = re.split(r"\s+[-–—|]\s+|\s+on\s+\w+\s+\d", match.group("name"))[0].strip(" ,.")
    found = _NAME.match(name)
    if not found or found.group("name").lower() in {"admin", "administrator", "staff", "editor"}:
        return ""
    return found.group("name").strip(" ,")


def trailing_byline_author(text: str) -> str:
    """'Massage therapy in Kansas City, MO by Aaron Harris, BCTMB' -> 'Aaron Harris, BCTMB'."""
    match = _TRAILING_BYLINE.search(_clean_line(text))
    return match.group("name").strip(" ,") if match else ""


# --------------------------------------------------------------------------- plain text


_BULLET = re.compile(
    r"^(?:(?P<ul>[•●▪◦‣∙·○■□➢➤►▸✓✔\-–—+]|\*(?!\*))|(?P<ol>\d{1,3}(?:\.\)|[.)])|\(\d{1,3}\)))\s+(?P<text>\S.*)$"
)


def _text_pieces(text: str) -> list[Piece]:
    groups: list[list[str]] = [[]]
    for raw_line in strip_shortcodes(text.replace("\r\n", "\n").replace("\r", "\n")).split("\n"):
        line = _clean_line(raw_line)
        if is_end_marker(line):
            break
        if not line:
            if groups[-1]:
                groups.append([])
            continue
        line = _strip_emphasis_marks(line)
        if not is_cruft(line) or _BULLET.match(line):
            groups[-1].append(htmllib.escape(line, quote=False))
        elif byline_author(line):
            groups[-1].append(htmllib.escape(line, quote=False))  # kept for author extraction
    groups = [g for g in groups if g]
    return _pieces_from_groups(groups, blank_separated=len(groups) > 1)


def _strip_emphasis_marks(line: str) -> str:
    """Leading '***' or '###' decoration that a copy from a web page leaves behind."""
    if re.match(r"^#{1,6}\s", line):
        return line
    return re.sub(r"^(?:\*{2,}|_{2,}|#{2,})\s*(?=\w)|(?<=[\w.!?])\s*(?:\*{2,}|_{2,})$", "", line)


def _pieces_from_groups(groups: list[list[str]], *, blank_separated: bool) -> list[Piece]:
    pieces: list[Piece] = []
    after_colon = False
    for group in groups:
        pieces.extend(_group_pieces(group, after_colon=after_colon, blank_separated=blank_separated))
        after_colon = plain(group[-1]).endswith(":")
    return pieces


def _group_pieces(lines: list[str], *, after_colon: bool, blank_separated: bool) -> list[Piece]:
    """Lines between two blank lines (or one HTML paragraph) -> pieces. Lines are inline HTML."""
    texts = [plain(line) for line in lines]
    if after_colon and len(lines) >= 2 and all(_short_label(t) and not _BULLET.match(t) for t in texts):
        return [Piece("ul", items=tuple(lines))]  # "You will need:" followed by bare items
    units: list[dict] = []
    for line, text in zip(lines, texts):
        bullet = _BULLET.match(text)
        last = units[-1] if units else None
        hashes = _ATX_HEADING.match(line)
        if hashes:  # "## Where it attaches" typed into a plain-text file
            units.append({"kind": "heading", "line": hashes.group(1)})
        elif bullet:
            kind = "ol" if bullet.group("ol") else "ul"
            item = _strip_bullet(line)
            if last and last["kind"] == kind:
                last["items"].append(item)
            else:
                units.append({"kind": kind, "items": [item]})
        elif last and last["kind"] in ("ul", "ol") and text[:1].islower():
            last["items"][-1] += " " + line
        elif last and last["kind"] == "para" and _continues(plain(last["lines"][-1]), text):
            last["lines"].append(line)  # a hard-wrapped paragraph
        else:
            units.append({"kind": "para", "lines": [line]})
    pieces: list[Piece] = []
    index = 0
    standalone = len(units) == 1 or not blank_separated
    while index < len(units):
        unit = units[index]
        following = units[index + 1] if index + 1 < len(units) else None
        heads_a_list = (  # "Common Patterns We See" directly above its bullets
            bool(following)
            and following["kind"] in ("ul", "ol")
            and not plain(unit.get("lines", [""])[-1]).endswith(":")
        )
        if unit["kind"] == "heading":
            pieces.append(Piece("heading", html=unit["line"]))
        elif unit["kind"] != "para":
            pieces.append(Piece(unit["kind"], items=tuple(unit["items"])))
        elif (
            blank_separated
            and following
            and following["kind"] == "para"
            and len(unit["lines"]) == 1
            and _short_label(plain(unit["lines"][0]))
            and not _short_label(plain(" ".join(following["lines"])))
        ):
            # An image's title directly above its caption, as a copy from a web page leaves them.
            pieces.append(Piece("caption", html=" ".join(following["lines"]), label=unit["lines"][0]))
            index += 1
        else:
            pieces.append(
                Piece(
                    "para",
                    html=" ".join(unit["lines"]),
                    single_line=len(unit["lines"]) == 1,
                    standalone=standalone or heads_a_list,
                )
            )
        index += 1
    return pieces


_ATX_HEADING = re.compile(r"^#{1,6}\s+(.+?)(?:\s+#+)?\s*$")


def _continues(previous: str, text: str) -> bool:
    """Is ``text`` the next line of a hard-wrapped paragraph rather than a new one?"""
    if _ends_sentence(previous) or previous.endswith(":"):
        return False
    if text[:1].islower():
        return True
    return len(previous) >= 50 and not _short_label(previous) and not _short_label(text)


def _strip_bullet(line: str) -> str:
    """Remove the bullet from an inline-HTML line, keeping any markup after it."""
    return re.sub(
        r"^((?:<[^>]+>)*)\s*(?:[•●▪◦‣∙·○■□➢➤►▸✓✔\-–—+*]|\d{1,3}(?:\.\)|[.)])|\(\d{1,3}\))\s+",
        r"\1",
        line,
        count=1,
    )


# --------------------------------------------------------------------------- HTML and Markdown


@dataclass
class _Meta:
    title: str = ""
    author: str = ""
    url: str = ""
    title_is_explicit: bool = False


_DROP_TAGS = [
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "svg",
    "form",
    "button",
    "input",
    "select",
    "textarea",
    "nav",
    "footer",
    "aside",
    "object",
    "embed",
    "canvas",
    "video",
    "audio",
    "map",
    "dialog",
    "menu",
    "label",
    "picture",
    "link",
    "meta",
    "head",
]
_DROP_CLASS = re.compile(
    r"(?:^|[-_\s])(?:nav|navbar|navigation|menu|breadcrumbs?|share|sharing|sharedaddy|social|"
    r"comments?|comment-respond|respond|sidebar|widgets?|cookies?|newsletter|subscribe|ads?|advert\w*|"
    r"sponsor\w*|popup|modal|search\w*|skip-link|screen-reader-text|site-header|masthead|site-footer|"
    r"footer|related|jp-relatedposts|author-box|post-navigation|pagination|captcha|yarpp|addtoany|"
    r"wpcf7|akismet|easyazon\w*|promo|cta)(?:$|[-_\s])",
    re.IGNORECASE,
)
_DROP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "form"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCKS = _HEADINGS | {
    "p",
    "ul",
    "ol",
    "li",
    "div",
    "section",
    "article",
    "main",
    "blockquote",
    "figure",
    "figcaption",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "pre",
    "hr",
    "dl",
    "dt",
    "dd",
    "header",
    "address",
    "body",
    "html",
    "center",
}
_LINE_BREAK = "\u2028"


def _markdown_to_html(text: str) -> str:
    import markdown

    text = strip_shortcodes(text.replace("\r\n", "\n").replace("\r", "\n"))
    return markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html", "<head", "<body", "<article"))


def _html_pieces(source: str, meta: _Meta, *, split_lines: bool) -> list[Piece]:
    from bs4 import BeautifulSoup, Comment

    soup = BeautifulSoup(source, "html.parser")
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    _read_meta(soup, meta)
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    page_chars = len((soup.body or soup).get_text(" ", strip=True))
    for tag in soup.find_all(True):
        if tag.decomposed:
            continue
        if (
            tag.name == "header"
            and not tag.find_parent(["article", "main"])
            and not tag.find("h1")
            or _is_hidden_or_furniture(tag)
            and not _wraps_the_article(tag, page_chars)
        ):
            tag.decompose()
    root = _content_root(soup)
    walker = _HtmlWalker(split_lines=split_lines)
    walker.walk(root)
    return walker.finish()


def _read_meta(soup, meta: _Meta) -> None:
    h1 = soup.find("h1")
    if h1 and h1.get_text(strip=True):
        meta.title = _clean_line(h1.get_text().replace("\n", " "))
        meta.title_is_explicit = True
    elif soup.title and soup.title.get_text(strip=True):
        meta.title = re.split(r"\s+[|–—]\s+|\s+-\s+", _clean_line(soup.title.get_text()))[0]
        meta.title_is_explicit = True
    canonical = soup.find("link", rel="canonical") or soup.find("meta", property="og:url")
    if canonical:
        url = canonical.get("href") or canonical.get("content") or ""
        if url.startswith(("http://", "https://")):
            meta.url = url[:200]
    author = soup.find("meta", attrs={"name": "author"})
    if author and author.get("content"):
        meta.author = _clean_line(author["content"])
    else:
        byline = soup.find(attrs={"rel": "author"}) or soup.find(class_=re.compile(r"\b(?:author|byline)\b"))
        if byline:
            text = _clean_line(byline.get_text(" "))
            meta.author = byline_author(text) or byline_author(f"By {text}") or ""


def _is_hidden_or_furniture(tag) -> bool:
    attrs = tag.attrs or {}
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    if re.search(r"display\s*:\s*none|visibility\s*:\s*hidden", attrs.get("style", ""), re.I):
        return True
    if attrs.get("role") in _DROP_ROLES:
        return True
    if tag.name in ("article", "main", "body", "html", "h1"):
        return False
    names = " ".join(
        attrs.get("class", []) if isinstance(attrs.get("class"), list) else [str(attrs.get("class", ""))]
    )
    names += " " + str(attrs.get("id", ""))
    return bool(names.strip()) and bool(_DROP_CLASS.search(names))


def _wraps_the_article(tag, page_chars: int) -> bool:
    """Page builders put the article itself in "...-widget" boxes: never drop most of the page."""
    if tag.attrs.get("role") in _DROP_ROLES or tag.attrs.get("hidden") is not None:
        return False
    return bool(tag.find(["h1", "article", "main"])) or len(tag.get_text(" ", strip=True)) > 0.6 * page_chars


def _content_root(soup):
    articles = soup.find_all("article")
    if articles:
        return max(articles, key=lambda a: len(a.get_text(" ", strip=True)))
    return soup.find("main") or soup.find(attrs={"role": "main"}) or soup.body or soup


class _HtmlWalker:
    """Walk the content root in document order and emit pieces."""

    def __init__(self, *, split_lines: bool):
        self.split_lines = split_lines
        self.pieces: list[Piece] = []
        self.buffer: list[str] = []  # inline HTML outside any block element
        self.after_colon = False

    def finish(self) -> list[Piece]:
        self.flush()
        return self.pieces

    def walk(self, node) -> None:
        from bs4 import NavigableString, Tag

        for child in list(node.children):
            if isinstance(child, NavigableString):
                self.buffer.append(_inline_text(str(child), keep_newlines=self.split_lines))
            elif isinstance(child, Tag):
                self.element(child)

    def element(self, tag) -> None:
        name = tag.name
        if name not in _BLOCKS:
            if name == "br":
                self.buffer.append(_LINE_BREAK)
            elif name != "img":
                self.buffer.append(_inline(tag, keep_newlines=self.split_lines))
            return
        self.flush()
        if name in _HEADINGS:
            text = _clean_line(tag.get_text().replace("\n", " "))
            if text:
                self.pieces.append(Piece("heading", html=htmllib.escape(text, quote=False)))
                self.after_colon = False
        elif name in ("p", "pre", "address", "dt", "dd", "figcaption", "td", "th"):
            self.paragraph(
                _inline_children(tag, keep_newlines=self.split_lines or name == "pre"),
                caption=name == "figcaption",
            )
        elif name in ("ul", "ol"):
            self.list(tag)
        elif name == "hr":
            return
        else:  # containers: div, section, blockquote, figure, table, li outside a list ...
            self.walk(tag)
            self.flush()

    def paragraph(self, fragment: str, *, caption: bool = False) -> None:
        lines = [_squash(line) for line in fragment.split(_LINE_BREAK)]
        lines = [_strip_emphasis_marks(line) for line in lines if plain(line)]
        lines = [
            line
            for line in lines
            if not is_cruft(plain(line))
            or byline_author(plain(line))
            or _BULLET.match(plain(line))
            or is_end_marker(plain(line))
        ]
        if not lines:
            return
        if caption:
            self.pieces.append(Piece("caption", html=" ".join(lines)))
        else:
            self.pieces.extend(_group_pieces(lines, after_colon=self.after_colon, blank_separated=True))
        self.after_colon = plain(lines[-1]).endswith(":")

    def list(self, tag) -> None:
        items = []
        for li in tag.find_all("li"):
            own = [c for c in li.children if getattr(c, "name", None) not in ("ul", "ol")]
            fragment = "".join(_inline(c) if getattr(c, "name", None) else _inline_text(str(c)) for c in own)
            fragment = _squash(fragment.replace(_LINE_BREAK, " "))
            if plain(fragment) and not is_cruft(plain(fragment)):
                items.append(fragment)
        if items and not all(_is_menu(plain(i)) or _is_social(plain(i)) for i in items):
            self.pieces.append(Piece("ol" if tag.name == "ol" else "ul", items=tuple(items)))
            self.after_colon = False

    def flush(self) -> None:
        fragment = "".join(self.buffer)
        self.buffer = []
        if plain(fragment.replace(_LINE_BREAK, " ")):
            self.paragraph(fragment)


def _squash(fragment: str) -> str:
    return re.sub(r"[ \t]+", " ", fragment).strip()


def _inline_text(text: str, *, keep_newlines: bool = False) -> str:
    text = _INVISIBLE.sub("", text)
    text = text.replace("\r", "")
    if keep_newlines:
        text = re.sub(r"[ \t]*\n[ \t]*", _LINE_BREAK, text)
    text = _WS.sub(" ", text.replace("\n", " "))
    return htmllib.escape(text, quote=False)


def _inline_children(tag, *, keep_newlines: bool = False) -> str:
    from bs4 import NavigableString

    parts = []
    for child in tag.children:
        if isinstance(child, NavigableString):
            parts.append(_inline_text(str(child), keep_newlines=keep_newlines))
        elif child.name == "br":
            parts.append(_LINE_BREAK)
        else:
            parts.append(_inline(child))
    return "".join(parts)


def _inline(tag, *, keep_newlines: bool = False) -> str:
    """Inline HTML kept in Wagtail's rich-text vocabulary: bold, italic and plain links."""
    from bs4 import NavigableString

    if isinstance(tag, NavigableString):
        return _inline_text(str(tag), keep_newlines=keep_newlines)
    if tag.name == "br":
        return _LINE_BREAK
    if tag.name in ("img", "sup") or tag.name in _DROP_TAGS:
        return ""
    inner = "".join(_inline(c) for c in tag.children)
    if not plain(inner.replace(_LINE_BREAK, " ")):
        return inner
    if tag.name in ("b", "strong"):
        return f"<b>{inner}</b>"
    if tag.name in ("i", "em", "cite"):
        return f"<i>{inner}</i>"
    if tag.name == "a":
        href = (tag.get("href") or "").strip()
        if re.match(r"^(?:https?://|mailto:)", href, re.IGNORECASE):
            return f'<a href="{htmllib.escape(href)}">{inner}</a>'
    return inner


# --------------------------------------------------------------------------- cleaning and title


def _drop_cruft(pieces: list[Piece], meta: _Meta) -> list[Piece]:
    kept: list[Piece] = []
    for piece in pieces:
        text = piece.text
        if piece.kind != "caption" and is_end_marker(text):
            break
        author = byline_author(text) if piece.kind in ("para", "heading") else ""
        if author:
            meta.author = meta.author or author
            continue
        if piece.kind in ("ul", "ol"):
            items = tuple(i for i in piece.items if not is_cruft(plain(i)))
            if items:
                kept.append(replace(piece, items=items))
        elif piece.kind == "caption":
            if not is_cruft(plain(piece.html)):
                label_is_cruft = piece.label and is_cruft(plain(piece.label))
                kept.append(replace(piece, kind="para", label="") if label_is_cruft else piece)
        elif not is_cruft(text):
            kept.append(piece)
    return kept


def _take_title(pieces: list[Piece], meta: _Meta) -> tuple[str, list[Piece]]:
    if meta.title_is_explicit and meta.title:
        return meta.title, _drop_before_title(pieces, meta)
    return _title_from_header(pieces, meta)


def _drop_before_title(pieces: list[Piece], meta: _Meta) -> list[Piece]:
    """Drop the h1 that became the title, and short site lines above it."""
    wanted = meta.title.casefold()
    for index, piece in enumerate(pieces[:12]):
        if piece.text.casefold() == wanted:
            before = pieces[:index]
            if all(len(_words(p.text)) <= 20 for p in before):
                _author_from_header(before, meta)
                return pieces[index + 1 :]
            return pieces[:index] + pieces[index + 1 :]
    return pieces


def _title_from_header(pieces: list[Piece], meta: _Meta) -> tuple[str, list[Piece]]:
    """Plain text has no <h1>: the title is the last heading-like line in the short lines on top.

    Copied pages open with the site name, tagline and menu leftovers before the article title;
    the article itself starts with the first real sentence.
    """
    header: list[int] = []
    for index, piece in enumerate(pieces[:6]):
        if (
            piece.kind in ("ul", "ol")
            or len(_words(piece.text)) > 20
            or (piece.kind == "para" and _terminal(piece.text) == ".")
        ):
            break
        header.append(index)
    candidates = [
        i
        for i in header
        if pieces[i].kind in ("para", "heading") and _terminal(pieces[i].text) not in {".", ",", ";", ":"}
    ]
    if candidates:
        chosen = candidates[-1]
        _author_from_header(pieces[:chosen], meta)
        title = pieces[chosen].text
        rest = list(pieces[chosen + 1 :])
        while rest and rest[0].kind in ("para", "heading") and rest[0].text.casefold() == title.casefold():
            rest.pop(0)
        return title, rest
    first = next((p for p in pieces if p.kind == "para"), None)
    sentences = _SENTENCES.findall(first.text) if first else []
    if sentences and 2 <= len(_words(sentences[0])) <= 15:
        return sentences[0].strip().rstrip("."), pieces
    return "", pieces


def _author_from_header(pieces: Iterable[Piece], meta: _Meta) -> None:
    for piece in pieces:
        found = trailing_byline_author(piece.text) or byline_author(piece.text)
        if found and not meta.author:
            meta.author = found


def _classify_headings(pieces: list[Piece]) -> list[Piece]:
    """Plain-text headings: a short standalone line, heading-shaped, with content after it."""
    result = []
    for index, piece in enumerate(pieces):
        has_next = index + 1 < len(pieces)
        if (
            piece.kind == "para"
            and piece.single_line
            and piece.standalone
            and has_next
            and _looks_like_heading(piece.text)
        ):
            text = piece.text.rstrip(": ").rstrip()
            result.append(Piece("heading", html=htmllib.escape(text, quote=False)))
        else:
            result.append(piece)
    return result


def _looks_like_heading(text: str) -> bool:
    n_words = len(_words(text))
    if not (1 <= n_words <= 12 and len(text) <= 120 and _starts_like_heading(text)):
        return False
    end = _terminal(text)
    if end in {",", ";"}:
        return False
    if end in {".", "!", "?", ":", "…"}:
        return n_words <= 10 and _is_title_case(text) and text.count(". ") <= 1
    return True


# --------------------------------------------------------------------------- muscles and body


def muscle_terms(muscles: Iterable[tuple[str, str, Iterable[str]]]) -> dict[str, str]:
    """(slug, name, aliases) rows -> {lowercased term: slug}; aliases shared by two muscles are left out."""
    owners: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for slug, name, aliases in muscles:
        names[_term_key(name)] = slug
        for alias in aliases or ():
            if alias and alias.strip():
                owners.setdefault(_term_key(alias), set()).add(slug)
    terms = {term: next(iter(slugs)) for term, slugs in owners.items() if len(slugs) == 1}
    terms.update(names)  # a muscle's own name always wins over someone's alias
    return terms


def _term_key(term: str) -> str:
    return " ".join(term.casefold().split())


def muscle_pattern(terms: dict[str, str]) -> re.Pattern | None:
    if not terms:
        return None
    ordered = sorted(terms, key=len, reverse=True)
    alternatives = "|".join(r"\s+".join(re.escape(part) for part in term.split()) for term in ordered)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


def link_muscles(
    fragment: str,
    terms: dict[str, str],
    url_for: Callable[[str], str] = lambda slug: f"/anatomy/{slug}/",
    pattern: re.Pattern | None = None,
) -> str:
    """Link the first mention of each muscle in a rich-text fragment, never inside an existing link."""
    pattern = pattern or muscle_pattern(terms)
    if pattern is None:
        return fragment
    linked: set[str] = set()
    depth = 0
    parts = re.split(r"(<[^>]+>)", fragment)
    for index, part in enumerate(parts):
        if part.startswith("<"):
            if re.match(r"<a[\s>]", part, re.IGNORECASE):
                depth += 1
            elif re.match(r"</a\s*>", part, re.IGNORECASE):
                depth = max(0, depth - 1)
            continue
        if depth or not part:
            continue

        def replace_match(match: re.Match) -> str:
            slug = terms.get(_term_key(match.group(0)))
            if not slug or slug in linked:
                return match.group(0)
            linked.add(slug)
            return f'<a href="{htmllib.escape(url_for(slug))}">{match.group(0)}</a>'

        parts[index] = pattern.sub(replace_match, part)
    return "".join(parts)


def article_body(
    article: ParsedArticle,
    terms: dict[str, str] | None = None,
    url_for: Callable[[str], str] = lambda slug: f"/anatomy/{slug}/",
) -> list[dict]:
    """StreamField data for ModulePage.body: the citation, then headings and rich-text sections."""
    terms = terms or {}
    pattern = muscle_pattern(terms)
    blocks = [
        _block(
            "source_citation",
            {
                "title": _clip(article.title, 300),
                "author": article.author,
                "file_name": _clip(article.file_name, 200),
                "url": article.url,
                "note": "",
            },
        )
    ]
    section: list[str] = []
    anchors: set[str] = set()

    def flush() -> None:
        if section:
            html = link_muscles("".join(section), terms, url_for, pattern)
            blocks.append(_block("rich_text", html))
            section.clear()

    for piece in article.pieces:
        if piece.kind == "heading":
            flush()
            text = _clip(plain(piece.html), HEADING_MAX)
            blocks.append(_block("heading", {"text": text, "anchor": _unique_anchor(text, anchors)}))
        else:
            section.append(piece_html(piece))
    flush()
    return blocks


def piece_html(piece: Piece) -> str:
    if piece.kind in ("ul", "ol"):
        items = "".join(f"<li>{_rich(item)}</li>" for item in piece.items)
        return f"<{piece.kind}>{items}</{piece.kind}>"
    if piece.kind == "caption":
        label = plain(piece.label)
        lead = f"Image: {htmllib.escape(label, quote=False)} — " if label else "Image: "
        return f"<p><i>{lead}{_rich(piece.html)}</i></p>"
    return f"<p>{_rich(piece.html)}</p>"


def _rich(fragment: str) -> str:
    return fragment.replace(_LINE_BREAK, "<br/>").strip()


def article_summary(article: ParsedArticle, limit: int = 300) -> str:
    first = next((p for p in article.pieces if p.kind == "para"), None)
    return _clip(first.text, limit) if first else ""


def _unique_anchor(text: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[: ANCHOR_MAX - 4] or "section"
    anchor, n = base, 2
    while anchor in taken:
        anchor, n = f"{base}-{n}", n + 1
    taken.add(anchor)
    return anchor


def _block(block_type: str, value) -> dict:
    return {"type": block_type, "value": value, "id": str(uuid.uuid4())}
