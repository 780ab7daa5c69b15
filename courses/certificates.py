"""Certificate codes, the frozen snapshot of what a certificate prints, and the PDF itself.

Nothing here writes to the database: the services in courses/services.py do, using these.
"""

from __future__ import annotations

import base64
import io
import re
import secrets
import threading
from datetime import date

import qrcode
from django.conf import settings
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from .approval_models import hours_text
from .approvals import certificate_approvals, certificate_hours
from .certificate_layout import font_sizes
from .criteria import criteria_facts

CODE_BYTES = 12  # 96 random bits
CODE_GROUP = 5
CODE_LENGTH = 20  # base32 of 12 bytes, padding removed
# Base32 has no 0, 1 or 8: read them as the letters people mistake them for.
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})
TEMPLATES = {"classic": "courses/certificate_pdf.html", "modern": "courses/certificate_pdf_modern.html"}


# --- codes ----------------------------------------------------------------------------------------


def certificate_code_new() -> str:
    """96 random bits as base32, in groups of five: "K7QHD-2MZXA-PL4RT-WN6EB"."""
    raw = base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii").rstrip("=")
    return _grouped(raw)


def _grouped(raw: str) -> str:
    return "-".join(raw[i : i + CODE_GROUP] for i in range(0, len(raw), CODE_GROUP))


def code_normalize(text: str) -> str | None:
    """The canonical form of a code typed or pasted by a person, or None when it cannot be one."""
    raw = re.sub(r"[^A-Za-z0-9]", "", text or "").upper().translate(_LOOKALIKES)
    if len(raw) != CODE_LENGTH or not re.fullmatch(r"[A-Z2-7]+", raw):
        return None
    return _grouped(raw)


# --- snapshot -------------------------------------------------------------------------------------


def _signature_name(provider) -> str:
    image = provider.signature
    return image.file.name if image is not None and image.file else ""


def learner_fields(user) -> dict:
    """What a certificate prints about the learner (re-read on a reissue after a name correction)."""
    return {
        "participant_name": (user.legal_name or user.get_full_name() or user.username).strip(),
        "license_number": user.license_number,
        "license_state": user.license_state,
        # a student's certificate says so and prints no license (cms.models.LearnerStatus)
        "learner_status": getattr(user, "learner_status", "licensed"),
        "license_state_name": user.get_license_state_display() if user.license_state else "",
    }


def certificate_snapshot(enrollment, *, completed_at) -> dict:
    """Every field the certificate prints, frozen now: later edits to the course or provider change nothing."""
    course, provider = enrollment.course, enrollment.course.provider
    completed_on = timezone.localdate(completed_at)
    return {
        **learner_fields(enrollment.user),
        "course_title": course.approved_title or course.title,
        "course_type": course.get_course_type_display(),
        "ce_hours": f"{course.ce_hours:.2f}",
        "ce_hours_display": hours_text(course.ce_hours),
        "completion_date": completed_on.isoformat(),
        "provider_name": provider.name,
        "provider_number": provider.ncbtmb_provider_number,
        "provider_address": provider.address.strip(),
        "provider_email": provider.email,
        "provider_phone": provider.phone,
        "provider_website": provider.website,
        "signatory_name": provider.signatory_name,
        "signatory_title": provider.signatory_title,
        "signature_image": _signature_name(provider),
        "template": course.certificate_template,
        # NCBTMB's and the learner's state's approvals in force that day (courses/approvals.py)
        "approvals": certificate_approvals(course, state=enrollment.user.license_state, day=completed_on),
        # what the course asked for the certificate (courses/criteria.py): its Open Badge's criteria
        "criteria": criteria_facts(course),
        "course_id": course.pk,
        "user_id": enrollment.user_id,
    }


# --- rendering ------------------------------------------------------------------------------------


def qr_png_data_uri(url: str) -> str:
    """The QR code as a PNG (with its 4-module quiet zone). A PNG, not SVG: WeasyPrint's SVG path parser
    spent ~100 ms on a QR path; at 8 px a module the print stays sharp (and is drawn without smoothing)."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, box_size=8)
    qr.add_data(url)
    qr.make(fit=True)
    buffer = io.BytesIO()
    qr.make_image().save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _image_data_uri(name: str) -> str:
    """The signature image inlined, so rendering never fetches anything (and works on any worker)."""
    if not name or not default_storage.exists(name):
        return ""
    with default_storage.open(name, "rb") as handle:
        data = handle.read()
    mime = (
        "image/png"
        if name.lower().endswith(".png")
        else "image/svg+xml"
        if name.lower().endswith(".svg")
        else "image/jpeg"
    )
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


_SCRIPTS = [  # (language hint, pattern): the first that matches a name wins; Japanese before Chinese
    ("ja", re.compile(r"[\u3040-\u30ff\u31f0-\u31ff]")),
    ("ko", re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")),
    ("zh", re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")),
    ("ar", re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
]


def name_lang(name: str) -> str:
    """A language hint for names in scripts whose font the templates pick by :lang() (Han glyph shapes
    differ between Japanese, Korean and Chinese; Arabic, Hebrew and Devanagari get their Noto face)."""
    return next((lang for lang, pattern in _SCRIPTS if pattern.search(name)), "")


def certificate_context(snapshot: dict, code: str, base_url: str, design: str = "classic") -> dict:
    """`base_url` is the site's address (courses.links.site_url): the QR code and the printed address use it.
    The name, title and provider get the font size that fits their box in `design` (certificate_layout)."""
    completed = date.fromisoformat(snapshot["completion_date"])
    base_url = base_url.rstrip("/")
    url = base_url + reverse("courses:certificate_verify", args=[code])
    return {
        "s": snapshot,
        "code": code,
        "verify_url": url,
        "verify_display": url.split("://", 1)[-1],
        # Printed on two lines, broken after the host so the code never splits.
        "verify_base_display": base_url.split("://", 1)[-1] + reverse("courses:certificate_lookup"),
        "verify_path_display": code,
        "qr": qr_png_data_uri(url),
        "signature": _image_data_uri(snapshot.get("signature_image", "")),
        "completion_date": date_format(completed, "F j, Y"),
        "address_line": ", ".join(
            line.strip() for line in snapshot.get("provider_address", "").splitlines() if line.strip()
        ),
        "name_lang": name_lang(snapshot["participant_name"]),
        # one figure when every body approved the course's hours, else each body's; NCBTMB's (and its seal)
        # only when NCBTMB approved the course (courses/approvals.py)
        "hours": certificate_hours(snapshot),
        **font_sizes(
            design,
            name=snapshot["participant_name"],
            title=snapshot["course_title"],
            provider=snapshot.get("provider_name", ""),
            provider_number=snapshot.get("provider_number", ""),
        ),
    }


def _url_fetcher():
    from weasyprint.urls import URLFetcher  # noqa: PLC0415 - WeasyPrint loads Pango and fonts: only when a PDF is made

    # Everything the templates use is inlined as data: URIs; refuse anything else.
    return URLFetcher(allowed_protocols={"data"})


_fonts = threading.local()


def _font_config():
    """One WeasyPrint font configuration per thread: building it again for each PDF cost ~90 ms."""
    from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415 - WeasyPrint loads Pango and fonts: only when a PDF is made

    if getattr(_fonts, "config", None) is None:
        _fonts.config = FontConfiguration()
    return _fonts.config


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # noqa: PLC0415 - WeasyPrint loads Pango and fonts: only when a PDF is made

    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=_url_fetcher())
    return document.write_pdf(font_config=_font_config())


def certificate_html(snapshot: dict, code: str, template: str | None = None, *, base_url: str) -> str:
    design = template or snapshot.get("template") or "classic"
    design = design if design in TEMPLATES else "classic"
    return render_to_string(TEMPLATES[design], certificate_context(snapshot, code, base_url, design))


def certificate_pdf(snapshot: dict, code: str, template: str | None = None, *, base_url: str) -> bytes:
    """The one-page landscape Letter PDF for a snapshot, its links on `base_url` (courses.links.site_url)."""
    return html_to_pdf(certificate_html(snapshot, code, template, base_url=base_url))
