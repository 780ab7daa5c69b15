"""Massage therapy license numbers: the format each state's board uses, as data, and the check.

A licensed learner's number and state print on every certificate, so they are checked where they are
typed (sign-up and the profile). Each state with a published format gets its pattern, an example and the
page that publishes it. Where no format could be verified, the pattern is deliberately permissive (letters
and digits, at least one digit, with the spaces, hyphens and dots boards print) and `verified` is False:
it refuses "student" or "none", never a real number. The README lists the sources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

# One to twenty letters, digits, spaces, hyphens, dots or slashes, at least one digit.
PERMISSIVE = r"(?=.*\d)[A-Z0-9][A-Z0-9 .\-/]{0,19}"
UNVERIFIED = "not verified: no published format found, so any number with a digit is accepted"


@dataclass(frozen=True)
class LicenseFormat:
    pattern: str  # matched against the whole number, upper-cased, ignoring case
    example: str
    source: str
    verified: bool = False
    hint: str = ""  # what the error message says about the format

    def matches(self, number: str) -> bool:
        return re.fullmatch(self.pattern, number.upper()) is not None


def _unverified(example: str = "12345") -> LicenseFormat:
    return LicenseFormat(PERMISSIVE, example, UNVERIFIED)


# Every state of the demo data (cms/demo.py, cms/demo_activity.py) has a row; any other state gets DEFAULT.
LICENSE_FORMATS: dict[str, LicenseFormat] = {
    "FL": LicenseFormat(
        r"MA ?\d{1,8}",
        "MA12345",
        "Florida Board of Massage Therapy FAQ: a massage therapist's license number is an MA number "
        "(establishments: MM). https://floridasmassagetherapy.gov/massage-therapy-faqs/ - the prefix is "
        "published; the digit count is not, so 1 to 8 digits are accepted",
        verified=True,
        hint="Florida massage therapist license numbers start with MA",
    ),
    "AZ": _unverified(),
    "CA": _unverified(),  # California certifies through CAMTC; no state license
    "CO": _unverified(),
    "GA": _unverified(),
    "IL": _unverified(),
    "LA": _unverified(),
    "MA": _unverified(),
    "MD": _unverified(),
    "MN": _unverified(),  # Minnesota does not license massage therapists statewide
    "NC": _unverified(),
    "NJ": _unverified(),
    "NM": _unverified(),
    "NV": _unverified(),
    "NY": _unverified(),
    "OH": _unverified(),
    "OR": _unverified(),
    "PA": _unverified(),
    "TN": _unverified(),
    "TX": _unverified(),
    "VA": _unverified(),
    "VT": _unverified(),  # Vermont does not license massage therapists statewide
    "WA": _unverified(),
    "WI": _unverified(),
}
DEFAULT = _unverified()


def license_format(state: str) -> LicenseFormat:
    return LICENSE_FORMATS.get(state, DEFAULT)


def license_number_clean(number: str) -> str:
    """The number as it will print: trimmed, inner runs of spaces made one."""
    return " ".join((number or "").split())


def license_number_validate(state: str, number: str) -> None:
    """Refuse a number that cannot be one of `state`'s, saying what one looks like."""
    fmt = license_format(state)
    if fmt.matches(number):
        return
    hint = f"{fmt.hint}, for example {fmt.example}" if fmt.hint else f"for example {fmt.example}"
    raise ValidationError(
        f"This does not look like a license number ({hint}). Enter it as your board prints it.",
        code="license_format",
    )


def license_number_demo(state: str, serial: int) -> str:
    """A made-up number in the state's format, for simulated learners: the example's digits replaced."""
    fmt = license_format(state)
    if not fmt.verified:
        return f"MT-{serial}"
    digits = iter(str(serial).zfill(sum(ch.isdigit() for ch in fmt.example))[::-1])
    return "".join(next(digits, "0") if ch.isdigit() else ch for ch in reversed(fmt.example))[::-1]
