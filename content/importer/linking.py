"""Parsed article -> StreamField data for ModulePage.body, with the first mention of each muscle linked
to its glossary page (content/muscle_names.py decides what counts as a mention)."""

from __future__ import annotations

import html as htmllib
import re
import uuid
from collections.abc import Callable, Iterable

from content.muscle_names import MuscleNames, muscle_names_from_rows

from .pieces import ANCHOR_MAX, HEADING_MAX, LINE_BREAK, ParsedArticle, Piece, clip, plain

_TAG_OR_TEXT = re.compile(r"(<[^>]+>)")
_LINK_OPEN = re.compile(r"<a[\s>]", re.IGNORECASE)
_LINK_CLOSE = re.compile(r"</a\s*>", re.IGNORECASE)


def glossary_url(slug: str) -> str:
    return f"/anatomy/{slug}/"


def muscle_terms(rows: Iterable[tuple[str, str, Iterable[str]]]) -> MuscleNames:
    """(slug, name, aliases) rows, e.g. from ``Muscle.objects.values_list``, -> the shared muscle matcher."""
    return muscle_names_from_rows(rows)


def link_muscles(fragment: str, names: MuscleNames, url_for: Callable[[str], str] = glossary_url) -> str:
    """Link the first mention of each muscle in a rich-text fragment, never inside an existing link.

    A term several muscles share ("hamstrings") is left unlinked: a link to one of them would mislead.
    """
    linked: set[str] = set()
    parts = _TAG_OR_TEXT.split(fragment)
    inside_link = 0
    for index, part in enumerate(parts):
        if part.startswith("<"):
            inside_link = _link_depth(part, inside_link)
        elif part and not inside_link:
            parts[index] = _link_text(part, names, url_for, linked)
    return "".join(parts)


def _link_depth(tag: str, depth: int) -> int:
    if _LINK_OPEN.match(tag):
        return depth + 1
    if _LINK_CLOSE.match(tag):
        return max(0, depth - 1)
    return depth


def _link_text(text: str, names: MuscleNames, url_for: Callable[[str], str], linked: set[str]) -> str:
    out, position = [], 0
    for match, term in names.mentions(text):
        if term.is_shared or term.key in linked:
            continue
        linked.add(term.key)
        href = htmllib.escape(url_for(term.muscles[0].slug))
        out += [text[position : match.start()], f'<a href="{href}">{match.group(0)}</a>']
        position = match.end()
    return "".join(out) + text[position:]


def article_body(
    article: ParsedArticle,
    names: MuscleNames | None = None,
    url_for: Callable[[str], str] = glossary_url,
) -> list[dict]:
    """StreamField data for ModulePage.body: the citation, then headings and rich-text sections."""
    names = names or MuscleNames.build(())
    blocks = [
        _block(
            "source_citation",
            {
                "title": clip(article.title, 300),
                "author": article.author,
                "file_name": clip(article.file_name, 200),
                "url": article.url,
                "note": "",
            },
        )
    ]
    section: list[str] = []
    anchors: set[str] = set()

    def flush() -> None:
        if section:
            html = link_muscles("".join(section), names, url_for)
            blocks.append(_block("rich_text", html))
            section.clear()

    for piece in article.pieces:
        if piece.kind == "heading":
            flush()
            text = clip(plain(piece.html), HEADING_MAX)
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
    return fragment.replace(LINE_BREAK, "<br/>").strip()


def article_summary(article: ParsedArticle, limit: int = 300) -> str:
    first = next((p for p in article.pieces if p.kind == "para"), None)
    return clip(first.text, limit) if first else ""


def _unique_anchor(text: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[: ANCHOR_MAX - 4] or "section"
    anchor, n = base, 2
    while anchor in taken:
        anchor, n = f"{base}-{n}", n + 1
    taken.add(anchor)
    return anchor


def _block(block_type: str, value) -> dict:
    return {"type": block_type, "value": value, "id": str(uuid.uuid4())}
