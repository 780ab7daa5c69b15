"""The words in a StreamField: one walker for every caller that reads block text.

Works on raw JSON data (``page.body.raw_data``: dicts, lists, ListBlock items) and on bound
values (RichText, StructValue, ListValue, StreamValue) alike, so no block is rendered and no
snippet is fetched unless the caller asks for it with ``object_text``. Iterative: the depth of
stored data never matters.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Iterator, Mapping

from django.utils.html import strip_tags

# Keys of block values that hold ids, anchors, links and references rather than words a reader sees.
NOT_TEXT_KEYS = frozenset({"id", "type", "anchor", "url", "file_name", "image", "muscle", "red_flag"})


def value_texts(
    value,
    *,
    skip_keys: Iterable[str] = NOT_TEXT_KEYS,
    object_text: Callable[[object], str | None] | None = None,
) -> Iterator[str]:
    """Every string in a block value, in document order (rich text as its HTML source).

    ``object_text`` turns another object (a chosen snippet, an image) into text; without it, or when
    it returns None, the object is skipped.
    """
    skip = frozenset(skip_keys)
    stack = [value]
    while stack:
        item = stack.pop()
        if item is None:
            continue
        if isinstance(item, str):
            yield item
        elif object_text is not None and (text := object_text(item)) is not None:
            yield text
        elif isinstance(getattr(item, "source", None), str):  # RichText
            yield item.source
        elif isinstance(item, Mapping):
            stack.extend(reversed([v for k, v in item.items() if k not in skip]))
        elif hasattr(item, "block_type") and hasattr(item, "value"):  # a bound StreamChild
            stack.append(item.value)
        elif isinstance(item, Iterable) and not hasattr(item, "pk"):  # lists, ListValue, StreamValue
            stack.extend(reversed(list(item)))


def value_text(value, **options) -> str:
    """The strings of a block value joined by spaces; see ``value_texts`` for the options."""
    return " ".join(value_texts(value, **options))


def raw_blocks(stream) -> Iterator[tuple[str, object]]:
    """(block type, raw value) of each top-level block of a StreamValue (or of its raw data list)."""
    for block in getattr(stream, "raw_data", stream) or ():
        if isinstance(block, Mapping):
            yield block.get("type") or "", block.get("value")


def plain_text(fragment: str) -> str:
    """Rich-text HTML -> the text a reader sees (tags removed, entities decoded)."""
    return html.unescape(strip_tags(fragment or ""))
