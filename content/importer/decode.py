"""Bytes in, checked text out: file type, size and encoding (limits on nesting are in limits.py)."""

from __future__ import annotations

import re
from pathlib import PurePath

from .pieces import ArticleError

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


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html", "<head", "<body", "<article"))
