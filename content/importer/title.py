"""The article's title and author, from the page's own markup or from the short lines on top."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePath

from .cruft import SENTENCES, byline_author, trailing_byline_author
from .pieces import ArticleMeta, Piece, terminal, words


def take_title(pieces: list[Piece], meta: ArticleMeta) -> tuple[str, list[Piece]]:
    if meta.title_is_explicit and meta.title:
        return meta.title, _drop_before_title(pieces, meta)
    return _title_from_header(pieces, meta)


def _drop_before_title(pieces: list[Piece], meta: ArticleMeta) -> list[Piece]:
    """Drop the h1 that became the title, and short site lines above it."""
    wanted = meta.title.casefold()
    for index, piece in enumerate(pieces[:12]):
        if piece.text.casefold() == wanted:
            before = pieces[:index]
            if all(len(words(p.text)) <= 20 for p in before):
                _author_from_header(before, meta)
                return pieces[index + 1 :]
            return pieces[:index] + pieces[index + 1 :]
    return pieces


def _title_from_header(pieces: list[Piece], meta: ArticleMeta) -> tuple[str, list[Piece]]:
    """Plain text has no <h1>: the title is the last heading-like line in the short lines on top.

    Copied pages open with the site name, tagline and menu leftovers before the article title;
    the article itself starts with the first real sentence.
    """
    header: list[int] = []
    for index, piece in enumerate(pieces[:6]):
        if (
            piece.kind in ("ul", "ol")
            or len(words(piece.text)) > 20
            or (piece.kind == "para" and terminal(piece.text) == ".")
        ):
            break
        header.append(index)
    candidates = [
        i
        for i in header
        if pieces[i].kind in ("para", "heading") and terminal(pieces[i].text) not in {".", ",", ";", ":"}
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
    sentences = SENTENCES.findall(first.text) if first else []
    if sentences and 2 <= len(words(sentences[0])) <= 15:
        return sentences[0].strip().rstrip("."), pieces
    return "", pieces


def _author_from_header(pieces: Iterable[Piece], meta: ArticleMeta) -> None:
    for piece in pieces:
        found = trailing_byline_author(piece.text) or byline_author(piece.text)
        if found and not meta.author:
            meta.author = found


def title_from_file_name(file_name: str) -> str:
    stem = PurePath(file_name).stem
    return re.sub(r"[_\-]+", " ", stem).strip().capitalize() or "Imported article"
