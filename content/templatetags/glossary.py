"""Glossary links in lesson text.

{% load wagtailcore_tags glossary %}
{{ value|richtext|link_muscles }}          first mention of each muscle -> /anatomy/<slug>/
{% lesson_muscles page as muscles %}       muscles a module covers, for a sidebar
"""

from bs4 import BeautifulSoup, NavigableString
from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

from content.selectors import GlossaryMatcher, glossary_matcher, muscles_in_module, muscles_mentioned

register = template.Library()

# Text under these elements is never linked: existing links, headings, code and form controls.
SKIP_PARENTS = [
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "script",
    "style",
    "code",
    "pre",
    "button",
    "textarea",
    "select",
    "option",
    "label",
    "title",
    "svg",
]


@register.filter
def link_muscles(value, matcher: GlossaryMatcher | None = None):
    """Wrap the first mention of each muscle (name or alias, any case, whole words, longest first)
    in <a class="glossary-link">. A term several muscles share ("hamstrings") links to a glossary
    search listing them. Plain (unsafe) text is escaped first, so the result is always safe HTML."""
    if value is None or value == "":
        return value
    source = str(value if isinstance(value, SafeData) else conditional_escape(value))
    matcher = matcher or glossary_matcher()
    if matcher.pattern is None or not matcher.pattern.search(source):
        return mark_safe(source)
    soup = _fragment_soup(source)
    linked: set[str] = set()
    for node in list(soup.find_all(string=True)):
        if type(node) is not NavigableString or node.find_parent(SKIP_PARENTS) is not None:
            continue
        pieces = _linked_pieces(str(node), matcher, linked, soup)
        if pieces:
            node.replace_with(*pieces)
    return mark_safe(str(soup))


def _fragment_soup(source: str) -> BeautifulSoup:
    """Parse an HTML fragment with lxml (linear on any input, unlike html.parser) and drop the
    <html>, <head> and <body> it wraps fragments in, keeping their contents in place."""
    soup = BeautifulSoup(source, "lxml")
    for wrapper in soup.find_all(["html", "head", "body"]):
        wrapper.unwrap()
    return soup


def _linked_pieces(text: str, matcher: GlossaryMatcher, linked: set[str], soup) -> list | None:
    pieces, position = [], 0
    for match, entry in matcher.mentions(text):
        if entry.key in linked:
            continue
        linked.add(entry.key)
        if match.start() > position:
            pieces.append(NavigableString(text[position : match.start()]))
        link = soup.new_tag("a", attrs={"class": "glossary-link", "href": entry.href, "title": entry.title})
        link.string = match.group(0)
        pieces.append(link)
        position = match.end()
    if not pieces:
        return None
    if position < len(text):
        pieces.append(NavigableString(text[position:]))
    return pieces


@register.simple_tag
def lesson_muscles(page):
    """The muscles a ModulePage covers (muscle cards and mentions), in order of appearance."""
    return muscles_in_module(page) if page is not None and hasattr(page, "body") else []


@register.filter
def mentioned_muscles(text):
    """Muscles named in a text or HTML fragment: {% for m in page.summary|mentioned_muscles %}."""
    return muscles_mentioned(str(text or ""))
