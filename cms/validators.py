"""Legal names: what a certificate prints, so what it must be able to print and nothing that lies about it.

`legal_name_clean(value)` returns the name as stored (NFC, spaces trimmed and collapsed, stray invisible
characters dropped) or raises ValidationError with a message for the learner. `validate_legal_name` is the
same check as a validator (model field, other forms); `LegalNameFormField` normalises and validates.

Refused: text-direction controls (they make a certificate show letters in another order than the ones
typed), NUL and other control characters, characters no font can print (unassigned, private use), names of
invisible characters only, names without a letter, names longer than a certificate prints well. Kept: the
zero-width joiner and non-joiner after a letter or mark (Devanagari, Persian, Malayalam and other scripts
need them inside and at the end of words).
"""

from __future__ import annotations

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError

# The certificate designs are checked up to this length in any script (tests/courses/test_certificate_layout.py):
# the name box shrinks and wraps it and still leaves room for everything else.
LEGAL_NAME_MAX_LENGTH = 120

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
ZWNJ, ZWJ = "\u200c", "\u200d"
# Invisible characters that change nothing a certificate prints: dropped (they arrive with copied text).
DROPPED = frozenset("\u00ad\u034f\u061c\u180e\u200b\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff")
_SPACES = re.compile(r"[\t\n\r\u0020\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_LINE_AND_TAB = "\t\n\r\u2028\u2029"


def _codepoints(chars) -> str:
    return ", ".join(f"U+{ord(c):04X}" for c in sorted(set(chars)))


def _is_word_char(char: str) -> bool:
    return unicodedata.category(char)[0] in "LM"


def _keep_joiners_inside_words(text: str) -> str:
    """ZWJ and ZWNJ that follow a letter or mark stay (inside a word, or ending one as in a Malayalam
    chillu written with ZWJ); at the start of the name or after a space or punctuation they are dropped."""
    kept: list[str] = []
    for char in text:
        if char in (ZWJ, ZWNJ) and not (kept and _is_word_char(kept[-1])):
            continue
        kept.append(char)
    return "".join(kept)


def legal_name_clean(value: str) -> str:
    """The name as stored and printed, or ValidationError saying what to change."""
    text = unicodedata.normalize("NFC", value or "")
    bidi = [c for c in text if c in BIDI_CONTROLS]
    if bidi:
        raise ValidationError(
            "Remove the text-direction control characters (%(chars)s): they make a name show its letters in "
            "another order than the one typed. Type your name as it is written; right-to-left scripts need "
            "no control characters.",
            code="bidi_control",
            params={"chars": _codepoints(bidi)},
        )
    controls = [c for c in text if unicodedata.category(c) == "Cc" and c not in _LINE_AND_TAB]
    if controls:
        raise ValidationError(
            "Your name contains control characters (%(chars)s), which cannot be printed. Remove them.",
            code="control",
            params={"chars": _codepoints(controls)},
        )
    unprintable = [c for c in text if unicodedata.category(c) in ("Cn", "Co", "Cs")]
    if unprintable:
        raise ValidationError(
            "Your name contains characters that no font can print (%(chars)s). Remove them.",
            code="unprintable",
            params={"chars": _codepoints(unprintable)},
        )
    text = "".join(c for c in text if c not in DROPPED)
    text = _SPACES.sub(" ", text).strip()
    text = _keep_joiners_inside_words(text)
    text = _SPACES.sub(" ", text).strip()  # dropping a joiner may leave two spaces side by side
    other_format = [c for c in text if unicodedata.category(c) == "Cf" and c not in (ZWJ, ZWNJ)]
    if other_format:
        raise ValidationError(
            "Your name contains invisible formatting characters (%(chars)s). Remove them.",
            code="format",
            params={"chars": _codepoints(other_format)},
        )
    if value and value.strip() and not text:
        raise ValidationError(
            "This name is made only of invisible characters (such as zero-width spaces). Type your name "
            "with letters.",
            code="invisible",
        )
    if text and not any(unicodedata.category(c).startswith("L") for c in text):
        raise ValidationError("Your legal name must contain at least one letter.", code="no_letter")
    if len(text) > LEGAL_NAME_MAX_LENGTH:
        raise ValidationError(
            "Use at most %(limit)d characters (this name has %(length)d): that is the longest name a "
            "certificate prints well.",
            code="too_long",
            params={"limit": LEGAL_NAME_MAX_LENGTH, "length": len(text)},
        )
    return text


def validate_legal_name(value: str) -> None:
    """The legal-name rules as a validator (models.User.legal_name, allauth's sign-up form)."""
    if value:
        legal_name_clean(value)


class LegalNameFormField(forms.CharField):
    """A legal name: normalised (NFC, spaces collapsed, stray invisibles dropped) and checked."""

    def __init__(self, **kwargs):
        kwargs["max_length"] = None  # the limit counts the normalised name (legal_name_clean); no silent cut
        kwargs["strip"] = False
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("autocomplete", "name")

    def to_python(self, value):
        text = super().to_python(value)
        return legal_name_clean(text) if text else text
