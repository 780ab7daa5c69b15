"""The importer's entry point: raw upload bytes -> a ParsedArticle."""

from __future__ import annotations

from pathlib import PurePath

from .cruft import drop_cruft
from .decode import check_size, decode_article, input_kind, looks_like_html
from .html_page import html_pieces, markdown_to_html
from .limits import check_html_nesting, check_line_count, check_markdown_nesting
from .pieces import TITLE_MAX, ArticleError, ArticleMeta, ParsedArticle, clip
from .structure import classify_headings, text_pieces
from .title import take_title, title_from_file_name


def parse_article(raw: bytes, file_name: str) -> ParsedArticle:
    """Validate, decode and parse raw upload bytes. Raises ArticleError with a readable message."""
    file_name = PurePath(file_name.replace("\\", "/")).name
    kind = input_kind(file_name)
    check_size(len(raw))
    text = decode_article(raw)
    check_line_count(text)
    if kind == "text" and looks_like_html(text):
        kind = "html"
    meta = ArticleMeta()
    pieces = drop_cruft(_pieces(text, kind, meta), meta)
    title, pieces = take_title(pieces, meta)
    pieces = classify_headings(pieces)
    if not any(p.kind != "heading" for p in pieces):
        raise ArticleError("Nothing to import: no article text is left after removing the web-page clutter.")
    title = clip(title or title_from_file_name(file_name), TITLE_MAX)
    return ParsedArticle(
        title=title,
        file_name=file_name,
        kind=kind,
        pieces=tuple(pieces),
        author=clip(meta.author, 200),
        url=meta.url,
    )


def _pieces(text: str, kind: str, meta: ArticleMeta) -> list:
    """The article cut into pieces by the parser for its kind; nesting is checked before parsing."""
    if kind == "text":
        return text_pieces(text)
    if kind == "markdown":
        check_markdown_nesting(text)
    check_html_nesting(text)  # a saved page, or raw HTML inside Markdown
    if kind == "markdown":
        return html_pieces(markdown_to_html(text), meta, split_lines=True)
    return html_pieces(text, meta, split_lines=False)
