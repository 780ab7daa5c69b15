"""Saved web pages and Markdown -> pieces: drop the page furniture around the article, then walk the
article in document order. Nesting is bounded before this runs (limits.py)."""

from __future__ import annotations

import html as htmllib
import re

import cmarkgfm
from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from cmarkgfm.cmark import Options

from .cruft import byline_author, is_cruft, is_end_marker, is_menu, is_social, strip_shortcodes
from .limits import check_markup_size, check_tree_depth
from .pieces import INVISIBLE, LINE_BREAK, WS, ArticleMeta, Piece, clean_line, plain
from .structure import BULLET, group_pieces, strip_emphasis_marks

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


# CommonMark with raw HTML (CMARK_OPT_UNSAFE: it is parsed again below, never shown as is) and tables,
# through GitHub's cmark-gfm, written for untrusted input: linear, in C. Python-Markdown was quadratic or
# worse (its raw-HTML pass runs html.parser over the whole text; "<![CDATA[" * 3000 took 27 s, nested
# definition lists raised a RecursionError); markdown-it-py is linear but took ~15 s for 1 MB of "![a](".
_MARKDOWN_OPTIONS = Options.CMARK_OPT_UNSAFE


def markdown_to_html(text: str) -> str:
    text = strip_shortcodes(text.replace("\r\n", "\n").replace("\r", "\n"))
    return cmarkgfm.markdown_to_html_with_extensions(text, options=_MARKDOWN_OPTIONS, extensions=["table"])


def html_pieces(source: str, meta: ArticleMeta, *, split_lines: bool) -> list[Piece]:
    check_markup_size(source)
    soup = BeautifulSoup(source, "lxml")
    check_tree_depth(soup)
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


def _read_meta(soup, meta: ArticleMeta) -> None:
    h1 = soup.find("h1")
    if h1 and h1.get_text(strip=True):
        meta.title = clean_line(h1.get_text().replace("\n", " "))
        meta.title_is_explicit = True
    elif soup.title and soup.title.get_text(strip=True):
        meta.title = re.split(r"\s+[|–—]\s+|\s+-\s+", clean_line(soup.title.get_text()))[0]
        meta.title_is_explicit = True
    canonical = soup.find("link", rel="canonical") or soup.find("meta", property="og:url")
    if canonical:
        url = canonical.get("href") or canonical.get("content") or ""
        if url.startswith(("http://", "https://")):
            meta.url = url[:200]
    author = soup.find("meta", attrs={"name": "author"})
    if author and author.get("content"):
        meta.author = clean_line(author["content"])
    else:
        byline = soup.find(attrs={"rel": "author"}) or soup.find(class_=re.compile(r"\b(?:author|byline)\b"))
        if byline:
            text = clean_line(byline.get_text(" "))
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

        for child in list(node.children):
            if isinstance(child, NavigableString):
                self.buffer.append(_inline_text(str(child), keep_newlines=self.split_lines))
            elif isinstance(child, Tag):
                self.element(child)

    def element(self, tag) -> None:
        name = tag.name
        if name not in _BLOCKS:
            if name == "br":
                self.buffer.append(LINE_BREAK)
            elif name != "img":
                self.buffer.append(_inline(tag, keep_newlines=self.split_lines))
            return
        self.flush()
        if name in _HEADINGS:
            text = clean_line(tag.get_text().replace("\n", " "))
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
        lines = [_squash(line) for line in fragment.split(LINE_BREAK)]
        lines = [strip_emphasis_marks(line) for line in lines if plain(line)]
        lines = [
            line
            for line in lines
            if not is_cruft(plain(line))
            or byline_author(plain(line))
            or BULLET.match(plain(line))
            or is_end_marker(plain(line))
        ]
        if not lines:
            return
        if caption:
            self.pieces.append(Piece("caption", html=" ".join(lines)))
        else:
            self.pieces.extend(group_pieces(lines, after_colon=self.after_colon, blank_separated=True))
        self.after_colon = plain(lines[-1]).endswith(":")

    def list(self, tag) -> None:
        items = []
        for li in tag.find_all("li"):
            own = [c for c in li.children if getattr(c, "name", None) not in ("ul", "ol")]
            fragment = "".join(_inline(c) if getattr(c, "name", None) else _inline_text(str(c)) for c in own)
            fragment = _squash(fragment.replace(LINE_BREAK, " "))
            if plain(fragment) and not is_cruft(plain(fragment)):
                items.append(fragment)
        if items and not all(is_menu(plain(i)) or is_social(plain(i)) for i in items):
            self.pieces.append(Piece("ol" if tag.name == "ol" else "ul", items=tuple(items)))
            self.after_colon = False

    def flush(self) -> None:
        fragment = "".join(self.buffer)
        self.buffer = []
        if plain(fragment.replace(LINE_BREAK, " ")):
            self.paragraph(fragment)


def _squash(fragment: str) -> str:
    return re.sub(r"[ \t]+", " ", fragment).strip()


def _inline_text(text: str, *, keep_newlines: bool = False) -> str:
    text = INVISIBLE.sub("", text)
    text = text.replace("\r", "")
    if keep_newlines:
        text = re.sub(r"[ \t]*\n[ \t]*", LINE_BREAK, text)
    text = WS.sub(" ", text.replace("\n", " "))
    return htmllib.escape(text, quote=False)


def _inline_children(tag, *, keep_newlines: bool = False) -> str:

    parts = []
    for child in tag.children:
        if isinstance(child, NavigableString):
            parts.append(_inline_text(str(child), keep_newlines=keep_newlines))
        elif child.name == "br":
            parts.append(LINE_BREAK)
        else:
            parts.append(_inline(child))
    return "".join(parts)


def _inline(tag, *, keep_newlines: bool = False) -> str:
    """Inline HTML kept in Wagtail's rich-text vocabulary: bold, italic and plain links."""

    if isinstance(tag, NavigableString):
        return _inline_text(str(tag), keep_newlines=keep_newlines)
    if tag.name == "br":
        return LINE_BREAK
    if tag.name in ("img", "sup") or tag.name in _DROP_TAGS:
        return ""
    inner = "".join(_inline(c) for c in tag.children)
    if not plain(inner.replace(LINE_BREAK, " ")):
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
