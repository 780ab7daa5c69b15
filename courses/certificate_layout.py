"""Font sizes for the certificate's variable text, chosen before rendering so it fits its fixed box.

WeasyPrint cannot shrink text to fit, so the size is picked here from an estimate of the text's width:
each character counts a share of the font size (generous for the widest letters, so the estimate errs
towards smaller type), lines wrap at spaces (or anywhere, for a name without spaces: the templates set
overflow-wrap: anywhere), and the largest step whose lines fit the box's height wins. The boxes have a
fixed size in the templates, so nothing after them moves; tests/courses/test_certificate_layout.py
measures the PDFs to prove the text stays inside its box for every design and script.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

# Share of the font size (em) a character takes, measured on the Noto faces the designs use
# (Noto Serif Display / Sans Bold / Naskh Arabic / Sans Arabic Bold / CJK), rounded up.
_WIDEST = {"W": 1.1, "M": 0.95, "m": 0.85, "w": 0.8, "Æ": 1.05, "Œ": 1.05, "æ": 0.8, "œ": 0.85}
_SPACE = 0.27
_MARK = 0.0
_WIDE = 1.02  # CJK ideographs, kana, hangul, full-width forms
_CAPITAL = 0.72
_ARABIC = 0.58
_OTHER = 0.6  # lowercase Latin, Greek, Cyrillic, Hebrew, Devanagari, digits, punctuation
# Wrapping at spaces leaves the end of a line empty: count a line as this share of the box.
_FILL = 0.86
# A size down to this share of the largest that fits is taken when it needs fewer lines.
_FEWER_LINES_FOR = 0.8


def char_width(char: str) -> float:
    if char in _WIDEST:
        return _WIDEST[char]
    if char.isspace():
        return _SPACE
    category = unicodedata.category(char)
    if category[0] == "M" or category == "Cf":
        return _MARK
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return _WIDE
    if "\u0600" <= char <= "\u08ff":
        return _ARABIC
    if category == "Lu":
        return _CAPITAL
    return _OTHER


def text_width_em(text: str) -> float:
    return sum(char_width(c) for c in text)


@dataclass(frozen=True)
class Box:
    """A fixed box in a design: its width and height in points, the font sizes to try (largest first) and
    the line height (a multiple of the font size) the template gives the text in it."""

    width: float
    height: float
    sizes: tuple[float, ...]
    line_height: float = 1.2
    tracking: float = 0.0  # letter-spacing, in em

    def lines(self, text: str, size: float) -> int:
        width = (text_width_em(text) + self.tracking * len(text)) * size
        return 1 if width <= self.width else math.ceil(width / (self.width * _FILL))

    def fits(self, text: str, size: float) -> bool:
        return self.lines(text, size) * size * self.line_height <= self.height

    def font_size(self, text: str) -> float:
        """The largest size at which `text` fits the box (the smallest when none does), or a step or two
        smaller when that saves a line (a title on one line rather than one word left on the second)."""
        fitting = [size for size in self.sizes if self.fits(text, size)]
        if not fitting:
            return self.sizes[-1]
        best = fitting[0]
        near = [size for size in fitting if size >= best * _FEWER_LINES_FOR]
        return min(near, key=lambda size: (self.lines(text, size), -size))


NAME_SIZES = (34, 30, 27, 24, 21, 19, 17, 15.5, 14, 12.5, 11)
TITLE_SIZES = (18, 16.5, 15, 13.5, 12, 11, 10, 9)

# The boxes of each design (templates/courses/certificate_pdf*.html set the same widths and heights).
BOXES = {
    "classic": {
        "name": Box(width=7.2 * 72, height=88, sizes=NAME_SIZES),
        "title": Box(width=8 * 72, height=46, sizes=TITLE_SIZES),
        # one line, upper case, letter-spaced: "PROVIDER · NCBTMB APPROVED PROVIDER #NUMBER"
        "provider": Box(width=9.4 * 72, height=12, sizes=(9, 8, 7, 6, 5), tracking=0.22),
    },
    "modern": {
        "name": Box(width=7.1 * 72, height=88, sizes=NAME_SIZES),
        "title": Box(width=7.1 * 72, height=46, sizes=TITLE_SIZES),
        "provider": Box(width=1.7 * 72, height=56, sizes=(15, 13, 11, 9.5, 8)),
    },
}


def font_sizes(
    design: str, *, name: str, title: str, provider: str, provider_number: str
) -> dict[str, float]:
    boxes = BOXES.get(design, BOXES["classic"])
    if design == "classic":
        provider = f"{provider} · NCBTMB Approved Provider #{provider_number}".upper()
    return {
        "name_size": boxes["name"].font_size(name),
        "title_size": boxes["title"].font_size(title),
        "provider_size": boxes["provider"].font_size(provider),
    }
