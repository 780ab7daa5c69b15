"""Bounds on what the importer parses, so hostile or broken input is refused quickly with a clear message.

- size: at most MAX_ARTICLE_BYTES (1 MB) of text (checked in decode.py);
- HTML (a saved page, or raw HTML inside Markdown): at most MAX_NESTING_DEPTH (100) elements inside one
  another. Real pages, page builders included, stay well under 50;
- Markdown: at most MAX_MARKDOWN_NESTING (20) levels of lists and block quotes inside one another;
- lines: at most MAX_LINES (20,000) lines of text; each is checked against the page-furniture rules,
  about 30 µs a line (a real article, even a long one hard-wrapped, has a few thousand);
- markup: at most MAX_MARKUP_TAGS (50,000) tags in the HTML the importer walks (a saved page, or what
  Markdown becomes). Parsing is linear, but building the tree and walking it costs about 0.1 ms a tag,
  so this caps any input at a few seconds of CPU; a long saved article page has a few thousand tags.

The scans below are linear and run before the parsers, so deep input costs milliseconds, not a
RecursionError after seconds of CPU. ``check_tree_depth`` then checks the parsed tree itself, so the
walkers in html_page.py (recursive, one or two frames a level) never go deeper than the limit even when
the cheap scan miscounts (a '<' inside an attribute value, say).
"""

from __future__ import annotations

import re

from .pieces import ArticleError

MAX_NESTING_DEPTH = 100
MAX_MARKDOWN_NESTING = 20
MAX_MARKUP_TAGS = 50_000
MAX_LINES = 20_000

# Elements that never hold others (the HTML void elements).
_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "command",
        "embed",
        "hr",
        "img",
        "input",
        "keygen",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
# A tag: "<", an optional "/", a name, then anything up to ">" but never another "<" (which keeps the
# scan linear: no attempt reads past the next "<").
_TAG = re.compile(r"<(/?)([a-zA-Z][^\s/<>]*)[^<>]*?(/?)>")
_MARKDOWN_NESTING = re.compile(r"^([ \t>]*)((?:[-*+]|\d{1,9}[.)])(?:[ \t]|$))?", re.MULTILINE)


class ArticleTooComplex(ArticleError):
    """The input is nested deeper than the importer allows."""


def too_deep(what: str, limit: int) -> ArticleTooComplex:
    return ArticleTooComplex(
        f"The article is nested too deeply: more than {limit} {what} inside one another. "
        "Save the article as plain text, or simplify the page, and import it again."
    )


def check_line_count(text: str) -> None:
    if text.count("\n") > MAX_LINES:
        raise ArticleTooComplex(
            f"The article has too many lines: more than {MAX_LINES:,}. "
            "Import the article itself rather than a whole site or document collection."
        )


def check_markup_size(source: str) -> None:
    """Refuse HTML with more tags than the importer walks in a few seconds (a count of "<", so cheap)."""
    if source.count("<") > MAX_MARKUP_TAGS:
        raise ArticleTooComplex(
            f"The article has too much markup: more than {MAX_MARKUP_TAGS:,} tags. "
            "Save the article itself (not the whole page) or as plain text, and import it again."
        )


def check_html_nesting(source: str) -> None:
    """Refuse HTML with more than MAX_NESTING_DEPTH elements open at once.

    Conservative: an unclosed <p> counts as open until its end tag, though lxml closes it at the next block.
    """
    open_tags: list[str] = []
    for match in _TAG.finditer(source):
        closing, name, self_closing = match.group(1), match.group(2).lower(), match.group(3)
        if closing:
            if name in open_tags:  # an end tag closes its element and any left open inside it
                del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name) :]
        elif name not in _VOID and not self_closing:
            open_tags.append(name)
            if len(open_tags) > MAX_NESTING_DEPTH:
                raise too_deep("HTML elements", MAX_NESTING_DEPTH)


def check_markdown_nesting(text: str) -> None:
    """Refuse Markdown with lists or block quotes nested more than MAX_MARKDOWN_NESTING levels deep.

    A nested list item is indented four more spaces (or a tab) than its parent; each ">" opens a quote.
    """
    for match in _MARKDOWN_NESTING.finditer(text):
        prefix, bullet = match.group(1), match.group(2)
        quotes = prefix.count(">")
        indent = len(prefix.replace(">", "").expandtabs(4))
        if quotes + (indent // 4 + 1 if bullet else 0) > MAX_MARKDOWN_NESTING:
            raise too_deep("lists or quotes", MAX_MARKDOWN_NESTING)


def check_tree_depth(root) -> None:
    """Refuse a parsed BeautifulSoup tree deeper than MAX_NESTING_DEPTH. Iterative."""
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING_DEPTH:
            raise too_deep("HTML elements", MAX_NESTING_DEPTH)
        stack.extend(
            (child, depth + 1) for child in getattr(node, "contents", ()) if hasattr(child, "contents")
        )
