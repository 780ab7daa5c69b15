"""Word counts of StreamField bodies, for reading-time estimates."""

import re

from django.utils.html import strip_tags

_WORD = re.compile(r"[\w'’-]+")


def count_text_words(text: str) -> int:
    return len(_WORD.findall(strip_tags(text or "")))


def count_words(stream) -> int:
    total = 0
    for block in stream or []:
        total += count_text_words(_block_text(block.value))
    return total


def _block_text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "source"):  # RichText
        return value.source
    if isinstance(value, str):
        return value
    if isinstance(value, dict) or hasattr(value, "items"):
        return " ".join(_block_text(v) for k, v in value.items() if k not in {"anchor", "url", "file_name"})
    if isinstance(value, (list, tuple)) or hasattr(value, "__iter__") and not hasattr(value, "pk"):
        try:
            return " ".join(_block_text(v) for v in value)
        except TypeError:
            return ""
    return ""
