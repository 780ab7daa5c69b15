"""Certificates hold any name: measured on the PDF, no region of either design overlaps another, every text
stays inside its region, the name and title boxes keep their size, and everything is on the page.

How it is measured: the test adds a style sheet that changes nothing's size or place (an outline, which
takes no room, and a text colour per region), renders each sample once, and reads the PDF with pdfplumber:
each region's box is its outline, its text the characters of its colour, and the QR code an image.
The names (tests/courses/certificate_samples.py) are short, 69 characters, and 120 (the most
cms.validators allows) with and without spaces, in Latin, Arabic and CJK, plus 120 capital Ws, a long
course title, a long provider, and four and six approval lines (four with the longest of everything).
`python -m tests.courses.certificate_samples DIR` writes them as PDF and PNG to look at.
"""

from __future__ import annotations

import io
import itertools
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pdfplumber
import pytest
from django.template.loader import render_to_string
from pypdf import PdfReader

from courses.certificate_layout import BOXES
from courses.certificates import certificate_html, certificate_pdf, html_to_pdf
from tests.courses.certificate_samples import BASE_URL, CASES, CODE, LONG_TITLE, snapshot

PAGE = (792.0, 612.0)  # Letter landscape, in points
SLACK = 0.6  # points: outlines are drawn half a hair outside their box

# region -> the element whose box it is (one per region), per design
REGIONS = {
    "classic": {
        "provider": ".provider-line",
        "heading": "h1",
        "subtitle": ".subtitle",
        "name": ".name",
        "license": ".license",
        "title": ".course-title",
        "facts": ".facts",
        "approvals": ".approvals",
        "signature": ".signature",
        "seal": ".seal",
        "verify": ".verify",
        "footer": ".footer",
    },
    "modern": {
        "mark": ".band .mark",
        "provider": ".band .provider",
        "approved": ".band .approved",
        "qr-block": ".band .qr",
        "contact": ".band .contact",
        "kicker": ".kicker",
        "heading": "h1",
        "name": ".name",
        "license": ".license",
        "title": ".course-title",
        "facts": ".facts",
        "approvals": ".approvals",
        "signature": ".signature",
        "statement": ".statement",
    },
}
# Where regions must lie: inside the classic's inner frame; in the modern, the band's inside the band.
INSIDE = {
    "classic": (0.32 * 72 + 8, 0.32 * 72 + 8, PAGE[0] - 0.32 * 72 - 8, PAGE[1] - 0.32 * 72 - 8),
    "modern": (0, 0, PAGE[0], PAGE[1]),
}
BAND_RIGHT = 2.55 * 72 - 5  # the modern band's gold edge


def colour(i: int) -> tuple[int, int, int]:
    return (7 + 11 * i, 251 - 13 * i, 3 + 17 * i)  # far from the designs' colours, distinct per region


def marked_html(html: str, design: str) -> str:
    rules = []
    for i, selector in enumerate(REGIONS[design].values()):
        r, g, b = colour(i)
        rules.append(
            f"{selector} {{ outline: 0.2pt solid rgb({r},{g},{b}) }} "
            f"{selector}, {selector} * {{ color: rgb({r},{g},{b}) !important }}"
        )
    return html.replace("</head>", "<style>" + "\n".join(rules) + "</style></head>", 1)


@dataclass
class Rect:
    x0: float
    top: float
    x1: float
    bottom: float

    def overlaps(self, other: Rect) -> bool:
        return (
            min(self.x1, other.x1) - max(self.x0, other.x0) > SLACK
            and min(self.bottom, other.bottom) - max(self.top, other.top) > SLACK
        )

    def holds(self, other: Rect, slack: float = SLACK) -> bool:
        return (
            other.x0 >= self.x0 - slack
            and other.x1 <= self.x1 + slack
            and other.top >= self.top - slack
            and other.bottom <= self.bottom + slack
        )

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def __str__(self):
        return f"({self.x0:.1f}, {self.top:.1f})–({self.x1:.1f}, {self.bottom:.1f})"


def _rgb(value) -> tuple[int, int, int] | None:
    if value and len(value) == 3:
        return tuple(round(c * 255) for c in value)
    return None


@dataclass
class Measured:
    boxes: dict[str, Rect]
    chars: dict[str, list[dict]]
    images: list[Rect]


def measure(pdf: bytes, design: str) -> Measured:
    names = {colour(i): region for i, region in enumerate(REGIONS[design])}
    boxes, chars = {}, {region: [] for region in REGIONS[design]}
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        [page] = document.pages
        for shape in page.rects:
            region = names.get(_rgb(shape.get("non_stroking_color")))
            if region:
                rect = Rect(shape["x0"], shape["top"], shape["x1"], shape["bottom"])
                known = boxes.get(region)
                # the outline is drawn as an outer and an inner edge: the box is the inner one
                if known is None or (rect.x1 - rect.x0) * rect.height < (known.x1 - known.x0) * known.height:
                    boxes[region] = rect
        for char in page.chars:
            region = names.get(_rgb(char.get("non_stroking_color")))
            if region and char["text"].strip():
                chars[region].append(char)
        images = [Rect(i["x0"], i["top"], i["x1"], i["bottom"]) for i in page.images]
    return Measured(boxes, chars, images)


@pytest.fixture(scope="module")
def rendered():
    """Each design × case rendered once: (design, label) -> Measured."""
    cache = {}

    def get(design: str, label: str) -> Measured:
        if (design, label) not in cache:
            html = certificate_html(snapshot(**CASES[label]), CODE, design, base_url=BASE_URL)
            cache[design, label] = measure(html_to_pdf(marked_html(html, design)), design)
        return cache[design, label]

    return get


def squashed(value: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))


@pytest.mark.parametrize("label", list(CASES))
@pytest.mark.parametrize("design", list(REGIONS))
def test_no_region_overlaps_another_and_every_text_stays_in_its_region(rendered, design, label):
    measured = rendered(design, label)
    boxes = measured.boxes
    assert set(boxes) == set(REGIONS[design]), f"regions not found: {set(REGIONS[design]) - set(boxes)}"

    overlaps = [(a, b) for a, b in itertools.combinations(boxes, 2) if boxes[a].overlaps(boxes[b])]
    assert not overlaps, [(a, str(boxes[a]), b, str(boxes[b])) for a, b in overlaps]

    inside = Rect(*INSIDE[design])
    outside = [region for region, box in boxes.items() if not inside.holds(box)]
    assert not outside, [(region, str(boxes[region])) for region in outside]

    if design == "classic":  # the frame's corner ornaments reach 0.96 in from the page's edges
        footer = boxes["footer"]
        assert footer.x0 >= 0.96 * 72 and footer.x1 <= PAGE[0] - 0.96 * 72, str(footer)

    for region, chars in measured.chars.items():
        box = boxes[region]
        strays = [
            c["text"]
            for c in chars
            if not box.holds(Rect(c["x0"], c["top"], c["x1"], c["bottom"]), slack=SLACK + 0.2 * c["size"])
        ]
        assert not strays, f"{region} text outside its box {box}: {''.join(strays)[:40]!r}"
    assert measured.chars["name"], "the name printed nothing"


@pytest.mark.parametrize("label", list(CASES))
@pytest.mark.parametrize("design", list(REGIONS))
def test_the_name_and_title_boxes_keep_their_size_and_the_qr_code_its_place(rendered, design, label):
    measured = rendered(design, label)
    assert measured.boxes["name"].height == pytest.approx(BOXES[design]["name"].height, abs=1)
    assert measured.boxes["title"].height == pytest.approx(BOXES[design]["title"].height, abs=1)
    [qr] = measured.images  # no signature image in these samples
    holder = measured.boxes["verify" if design == "classic" else "qr-block"]
    assert holder.holds(qr), (str(qr), str(holder))
    assert qr.x1 - qr.x0 > 72  # an inch or more: a phone reads it from arm's length
    if design == "modern":
        band = [r for r in REGIONS["modern"] if REGIONS["modern"][r].startswith(".band")]
        assert all(measured.boxes[r].x1 <= BAND_RIGHT for r in band)


@pytest.mark.parametrize("label", [label for label, fields in CASES.items() if "participant_name" in fields])
@pytest.mark.parametrize("design", list(REGIONS))
def test_the_whole_name_is_printed(rendered, design, label):
    name = CASES[label]["participant_name"]
    printed = "".join(c["text"] for c in rendered(design, label).chars["name"])
    if name.isascii():
        assert squashed(printed) == squashed(name)
    else:  # shaped scripts come back as glyphs in visual order: count them rather than compare
        assert len(squashed(printed)) >= len(squashed(name)) * 0.6


@pytest.mark.parametrize("label", ["four-approvals", "six-approvals"])
@pytest.mark.parametrize("design", list(REGIONS))
def test_every_approval_line_is_printed_whole(rendered, design, label):
    """NCBTMB and three (or five) Tennessee subject approvals, each with its provider number: every line is
    in the PDF's text and inside the approvals box,
    which clips what overflows (the test above checks every case's text stays in its box)."""
    reader = PdfReader(io.BytesIO(certificate_pdf(snapshot(**CASES[label]), CODE, design, base_url=BASE_URL)))
    text = squashed(reader.pages[0].extract_text())
    measured = rendered(design, label)
    box = measured.boxes["approvals"]
    # the characters inside the box (it clips: a line past its end is in the text but not on the page)
    in_box = squashed(
        "".join(
            c["text"]
            for c in measured.chars["approvals"]
            if box.holds(Rect(c["x0"], c["top"], c["x1"], c["bottom"]), slack=SLACK + 0.2 * c["size"])
        )
    )
    for approval in CASES[label]["approvals"]:
        assert squashed(approval["line"]) in text, approval["line"]
        assert squashed(approval["line"]) in in_box, approval["line"]


@pytest.mark.parametrize(
    "label", ["latin-120-capitals", "latin-120-unbroken", "arabic-120-spaced", "cjk-120-unbroken"]
)
def test_the_transcript_pdf_wraps_a_long_name_inside_its_margins(label):
    name = CASES[label]["participant_name"]
    learner = SimpleNamespace(
        display_name=name, is_student=False, license_number="MT-04512", license_state="NC"
    )
    row = {
        "course_title": LONG_TITLE,
        "course_type": "Home Study",
        "ce_hours": Decimal("3"),
        "enrolled_at": datetime(2026, 3, 1, tzinfo=UTC),
        "certificate": SimpleNamespace(completion_date=date(2026, 3, 4)),
        "provider_name": "Blue Ridge Bodywork Education (demo)",
        "provider_number": "452817-24",
        "code": CODE,
        "valid": True,
    }
    html = render_to_string(
        "courses/transcript_pdf.html",
        {
            "rows": [row],
            "total_hours": Decimal("3"),
            "learner": learner,
            "generated": datetime.now(UTC),
            "verify_base": BASE_URL,
        },
    )
    with pdfplumber.open(io.BytesIO(html_to_pdf(html))) as document:
        assert len(document.pages) == 1
        chars = document.pages[0].chars
    margin = 0.7 * 72 - 1  # the transcript's page margin, less a point
    assert all(margin <= c["x0"] and c["x1"] <= PAGE[0] - margin for c in chars)
    if name.isascii():
        assert squashed(name) in squashed("".join(c["text"] for c in chars))
