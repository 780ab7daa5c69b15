"""Lines -> pieces: paragraphs (hard-wrapped or not), bullet and numbered lists, image captions and
headings typed into plain text."""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass

from .cruft import byline_author, is_cruft, is_end_marker, strip_shortcodes
from .pieces import (
    Piece,
    clean_line,
    ends_sentence,
    is_title_case,
    plain,
    short_label,
    starts_like_heading,
    terminal,
    words,
)

BULLET = re.compile(
    r"^(?:(?P<ul>[•●▪◦‣∙·○■□➢➤►▸✓✔\-–—+]|\*(?!\*))|(?P<ol>\d{1,3}(?:\.\)|[.)])|\(\d{1,3}\)))\s+(?P<text>\S.*)$"
)


def text_pieces(text: str) -> list[Piece]:
    groups: list[list[str]] = [[]]
    for raw_line in strip_shortcodes(text.replace("\r\n", "\n").replace("\r", "\n")).split("\n"):
        line = clean_line(raw_line)
        if is_end_marker(line):
            break
        if not line:
            if groups[-1]:
                groups.append([])
            continue
        line = strip_emphasis_marks(line)
        if not is_cruft(line) or BULLET.match(line):
            groups[-1].append(htmllib.escape(line, quote=False))
        elif byline_author(line):
            groups[-1].append(htmllib.escape(line, quote=False))  # kept for author extraction
    groups = [g for g in groups if g]
    return _pieces_from_groups(groups, blank_separated=len(groups) > 1)


def strip_emphasis_marks(line: str) -> str:
    """Leading '***' or '###' decoration that a copy from a web page leaves behind."""
    if re.match(r"^#{1,6}\s", line):
        return line
    return re.sub(r"^(?:\*{2,}|_{2,}|#{2,})\s*(?=\w)|(?<=[\w.!?])\s*(?:\*{2,}|_{2,})$", "", line)


def _pieces_from_groups(groups: list[list[str]], *, blank_separated: bool) -> list[Piece]:
    pieces: list[Piece] = []
    after_colon = False
    for group in groups:
        pieces.extend(group_pieces(group, after_colon=after_colon, blank_separated=blank_separated))
        after_colon = plain(group[-1]).endswith(":")
    return pieces


def group_pieces(lines: list[str], *, after_colon: bool, blank_separated: bool) -> list[Piece]:
    """Lines between two blank lines (or one HTML paragraph) -> pieces. Lines are inline HTML."""
    texts = [plain(line) for line in lines]
    if after_colon and _bare_items(texts):
        return [Piece("ul", items=tuple(lines))]  # "You will need:" followed by bare items
    units: list[_Unit] = []
    for line, text in zip(lines, texts):
        _add_line(units, line, text)
    return _units_to_pieces(units, blank_separated=blank_separated)


@dataclass
class _Unit:
    """Consecutive lines that belong together: a paragraph's lines, a list's items or a heading's text."""

    kind: str  # "heading" | "para" | "ul" | "ol"
    lines: list[str]


def _bare_items(texts: list[str]) -> bool:
    return len(texts) >= 2 and all(short_label(t) and not BULLET.match(t) for t in texts)


def _add_line(units: list[_Unit], line: str, text: str) -> None:
    last = units[-1] if units else None
    hashes = _ATX_HEADING.match(line)
    bullet = BULLET.match(text)
    if hashes:  # "## Where it attaches" typed into a plain-text file
        units.append(_Unit("heading", [hashes.group(1)]))
    elif bullet:
        _add_item(units, "ol" if bullet.group("ol") else "ul", _strip_bullet(line))
    elif last and last.kind in ("ul", "ol") and text[:1].islower():
        last.lines[-1] += " " + line  # a list item's wrapped line
    elif last and last.kind == "para" and _continues(plain(last.lines[-1]), text):
        last.lines.append(line)  # a hard-wrapped paragraph
    else:
        units.append(_Unit("para", [line]))


def _add_item(units: list[_Unit], kind: str, item: str) -> None:
    if units and units[-1].kind == kind:
        units[-1].lines.append(item)
    else:
        units.append(_Unit(kind, [item]))


def _units_to_pieces(units: list[_Unit], *, blank_separated: bool) -> list[Piece]:
    pieces: list[Piece] = []
    standalone = len(units) == 1 or not blank_separated
    index = 0
    while index < len(units):
        unit = units[index]
        following = units[index + 1] if index + 1 < len(units) else None
        if blank_separated and _is_image_title(unit, following):
            pieces.append(Piece("caption", html=" ".join(following.lines), label=unit.lines[0]))
            index += 2
        else:
            pieces.append(_unit_piece(unit, following, standalone=standalone))
            index += 1
    return pieces


def _is_image_title(unit: _Unit, following: _Unit | None) -> bool:
    """An image's title directly above its caption, as a copy from a web page leaves them."""
    return (
        unit.kind == "para"
        and following is not None
        and following.kind == "para"
        and len(unit.lines) == 1
        and short_label(plain(unit.lines[0]))
        and not short_label(plain(" ".join(following.lines)))
    )


def _unit_piece(unit: _Unit, following: _Unit | None, *, standalone: bool) -> Piece:
    if unit.kind == "heading":
        return Piece("heading", html=unit.lines[0])
    if unit.kind != "para":
        return Piece(unit.kind, items=tuple(unit.lines))
    return Piece(
        "para",
        html=" ".join(unit.lines),
        single_line=len(unit.lines) == 1,
        standalone=standalone or _heads_a_list(unit, following),
    )


def _heads_a_list(unit: _Unit, following: _Unit | None) -> bool:
    """A line such as "Common Patterns We See" directly above its bullets."""
    return (
        following is not None and following.kind in ("ul", "ol") and not plain(unit.lines[-1]).endswith(":")
    )


_ATX_HEADING = re.compile(r"^#{1,6}\s+(.+?)(?:\s+#+)?\s*$")


def _continues(previous: str, text: str) -> bool:
    """Is ``text`` the next line of a hard-wrapped paragraph rather than a new one?"""
    if ends_sentence(previous) or previous.endswith(":"):
        return False
    if text[:1].islower():
        return True
    return len(previous) >= 50 and not short_label(previous) and not short_label(text)


def _strip_bullet(line: str) -> str:
    """Remove the bullet from an inline-HTML line, keeping any markup after it."""
    return re.sub(
        r"^((?:<[^>]+>)*)\s*(?:[•●▪◦‣∙·○■□➢➤►▸✓✔\-–—+*]|\d{1,3}(?:\.\)|[.)])|\(\d{1,3}\))\s+",
        r"\1",
        line,
        count=1,
    )


def classify_headings(pieces: list[Piece]) -> list[Piece]:
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
    n_words = len(words(text))
    if not (1 <= n_words <= 12 and len(text) <= 120 and starts_like_heading(text)):
        return False
    end = terminal(text)
    if end in {",", ";"}:
        return False
    if end in {".", "!", "?", ":", "…"}:
        return n_words <= 10 and is_title_case(text) and text.count(". ") <= 1
    return True
