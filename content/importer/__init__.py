"""Turn an article copied from a web page into the pieces of a draft lesson module.

Pure functions only: bytes and strings in, dataclasses and StreamField data out. No database.
The service in content/article_import.py saves the result as a draft ModulePage.

The input is whatever someone copied or saved from a browser: plain text with menus, share
buttons, comment forms and captchas left in; Markdown with WordPress shortcodes; or a saved HTML
page. The parser keeps the article's own words (an instructor rewrites the draft) and drops the
page furniture around them. The stages, one module each:

- decode.py: file type, size and encoding; limits.py: how deeply the input may nest;
- html_page.py (saved pages and Markdown) and structure.py (lines of text) cut it into pieces;
- cruft.py drops the page furniture; title.py finds the title and author;
- linking.py builds the module body, linking muscle names (content/muscle_names.py).

Input above MAX_ARTICLE_BYTES (1 MB), or nested deeper than MAX_NESTING_DEPTH HTML elements or
MAX_MARKDOWN_NESTING Markdown lists, is refused with an ArticleError (a ValueError) whose message
is shown to the person importing.
"""

from .cruft import byline_author, is_cruft, is_end_marker, strip_shortcodes, trailing_byline_author
from .decode import (
    EXTENSION_KINDS,
    MAX_ARTICLE_BYTES,
    SUPPORTED_EXTENSIONS,
    check_size,
    decode_article,
    input_kind,
)
from .limits import MAX_MARKDOWN_NESTING, MAX_MARKUP_TAGS, MAX_NESTING_DEPTH, ArticleTooComplex
from .linking import article_body, article_summary, link_muscles, muscle_terms, piece_html
from .parse import parse_article
from .pieces import ArticleError, ParsedArticle, Piece, plain

__all__ = [
    "EXTENSION_KINDS",
    "MAX_ARTICLE_BYTES",
    "MAX_MARKDOWN_NESTING",
    "MAX_MARKUP_TAGS",
    "MAX_NESTING_DEPTH",
    "SUPPORTED_EXTENSIONS",
    "ArticleError",
    "ArticleTooComplex",
    "ParsedArticle",
    "Piece",
    "article_body",
    "article_summary",
    "byline_author",
    "check_size",
    "decode_article",
    "input_kind",
    "is_cruft",
    "is_end_marker",
    "link_muscles",
    "muscle_terms",
    "parse_article",
    "piece_html",
    "plain",
    "strip_shortcodes",
    "trailing_byline_author",
]
