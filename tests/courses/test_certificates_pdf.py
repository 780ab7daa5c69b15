"""The certificate PDF: one landscape Letter page in either design, every NCBTMB field, any script's name."""

import io
import re
import unicodedata

import pytest
from pypdf import PdfReader

from courses.certificates import (
    certificate_code_new,
    certificate_html,
    certificate_pdf,
    name_lang,
    qr_png_data_uri,
)
from tests.courses.certificate_samples import PER_BODY_APPROVALS, snapshot

NAMES = {
    "accented Latin": "Zoë Ångström-Núñez",
    "Greek": "Αικατερίνη Παπαδοπούλου",
    "Cyrillic": "Анастасия Кузнецова",
    "Arabic": "فاطمة الزهراء بن علي",
    "Hebrew": "נועה כהן",
    "Devanagari": "प्रिया देसाई",  # (a reph, as in शर्मा, renders right but pypdf reads it out of order)
    "Chinese": "王秀英",
    "Japanese": "山田 花子",
    "Korean": "김민준",
}


def render(template="classic", **fields):
    code = certificate_code_new()
    reader = PdfReader(
        io.BytesIO(certificate_pdf(snapshot(**fields), code, template, base_url="http://testserver"))
    )
    return reader, code


def text(reader) -> str:
    raw = " ".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", raw))


def squashed(value: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))


@pytest.mark.parametrize("template", ["classic", "modern"])
def test_one_landscape_letter_page_with_every_required_field(template):
    reader, code = render(template)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (792, 612)  # 11 x 8.5 in, landscape
    content = text(reader)
    for value in [
        "Jordan Example",
        "MT-04512",
        "North Carolina",
        "Massage for Low Back Pain: Anatomy, Referred Pain",
        "Home Study",
        "3 CE hours",
        "March 4, 2026",
        "Carolina Bodywork Education",
        "451234-10",
        "ce@example.com",
        "12 Example Street, Durham, NC 27701",
        "Dana Whitfield, LMBT",
        "Education Director",
        "NCBTMB",
        code,
    ]:
        assert value in content, (template, value)
    assert "testserver/certificates/verify/" in squashed(content)


@pytest.mark.parametrize("template", ["classic", "modern"])
def test_hours_that_differ_per_body_are_printed_per_body(template):
    """NCBTMB approved the course's 3 hours, Florida 2: the certificate names whose each figure is."""
    content = text(render(template, license_state="FL", approvals=PER_BODY_APPROVALS)[0])
    assert "NCBTMB: 3 CE hours" in content and "Florida: 2 CE hours" in content
    assert content.count("2 CE hours") == 1  # Florida's figure, only beside its name
    assert content.lower().count("3 ce hours") == (
        2 if template == "classic" else 1
    )  # classic: NCBTMB's seal
    assert "2 h · laws and rules" in content


FLORIDA_ONLY = [
    {
        "body": "FL",
        "hours": "3.00",
        "line": "Florida Board of Massage Therapy (CE Broker) · provider #50-9990001 · course #20-9990042 · "
        "3 h · general · home study",
    }
]


@pytest.mark.parametrize("template", ["classic", "modern"])
def test_no_ncbtmb_seal_or_hours_without_an_ncbtmb_approval(template):
    """Approved by Florida only: the certificate names Florida's hours, and prints neither NCBTMB's seal
    nor NCBTMB's hours; approved by no one: the course's hours, not "Approved for"; a certificate from
    before approvals (no "approvals" key) keeps its seal."""
    fields = {"license_state": "FL", "license_number": "MA61842", "license_state_name": "Florida"}
    content = text(render(template, approvals=FLORIDA_ONLY, **fields)[0])
    assert "Florida: 3 CE hours" in content and "NCBTMB: 3" not in content
    assert content.count("3 CE hours") == 1  # only beside Florida's name: no seal's figure
    html = certificate_html(snapshot(approvals=FLORIDA_ONLY, **fields), "X", template, base_url="http://t")
    assert 'class="seal"' not in html
    content = text(render(template, approvals=[])[0])
    assert "Approved for" not in content and "3 CE hours" in content and "NCBTMB: 3" not in content
    assert ('class="seal"' in certificate_html(snapshot(), "X", template, base_url="http://t")) == (
        template == "classic"
    )


@pytest.mark.parametrize("template", ["classic", "modern"])
def test_no_ncbtmb_provider_claim_on_a_course_ncbtmb_did_not_approve(template):
    """Neither the provider line or badge nor the footer statement names NCBTMB or its provider number when
    NCBTMB did not approve the course (a board reads them as its approval); a legacy certificate keeps them."""
    fields = {"license_state": "FL", "license_number": "MA61842", "license_state_name": "Florida"}
    for approvals in (FLORIDA_ONLY, []):
        content = text(render(template, approvals=approvals, **fields)[0])
        assert "NCBTMB" not in content and "451234-10" not in content, (template, approvals)
        assert (
            "CAROLINABODYWORKEDUCATION" in squashed(content).upper() and "certificate no." in content.lower()
        )
    legacy = text(render(template)[0])
    assert (
        "NCBTMB APPROVED PROVIDER #451234-10" in legacy.upper()
        and "is approved by the National Certification Board" in legacy
    )


@pytest.mark.parametrize("template", ["classic", "modern"])
@pytest.mark.parametrize("script", list(NAMES))
def test_any_name_renders_and_reads_back(template, script):
    name = NAMES[script]
    reader, _ = render(template, participant_name=name)
    assert len(reader.pages) == 1
    assert squashed(name) in squashed(text(reader)), script


FONT_FOR = {
    "Arabic": "Arabic",
    "Hebrew": "Hebrew",
    "Devanagari": "Devanagari",
    "Chinese": "CJK-SC",
    "Japanese": "CJK",
    "Korean": "CJK-KR",
}


def fonts_of(reader) -> set[str]:
    return {
        str(font.get_object()["/BaseFont"]).split("+", 1)[-1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }


@pytest.mark.parametrize("template", ["classic", "modern"])
@pytest.mark.parametrize("script", list(FONT_FOR))
def test_each_script_is_set_in_its_noto_face(template, script):
    reader, _ = render(template, participant_name=NAMES[script])
    fonts = fonts_of(reader)
    assert all(f.startswith(("Noto", "DejaVu-Sans-Mono")) for f in fonts), fonts
    assert any(FONT_FOR[script] in f for f in fonts), (script, fonts)


def test_a_very_long_name_and_title_stay_on_one_page():
    reader, _ = render(
        participant_name="Maximiliana Alejandra de los Ángeles Villavicencio-Hernández y Castellanos",
        course_title="An Evidence-Informed Approach to Massage for Acute and Chronic Low Back Pain, "
        "with Anatomy, Referred Pain Patterns and Red Flags for Referral",
    )
    assert len(reader.pages) == 1
    assert "Villavicencio-Hernández" in text(reader)


def test_a_learner_without_a_license_number_is_told_so():
    reader, _ = render(license_number="", license_state="", license_state_name="")
    assert "License number: not provided" in text(reader)


def test_name_language_hints():
    assert (
        name_lang("山田 花子（やまだ）") == "ja"
        and name_lang("김민준") == "ko"
        and name_lang("王秀英") == "zh"
    )
    assert name_lang("Zoë") == ""


def test_the_qr_code_is_an_inline_png():
    uri = qr_png_data_uri("https://example.com/certificates/verify/AAAAA-BBBBB-CCCCC-DDDDD/")
    assert uri.startswith("data:image/png;base64,")


def test_a_signature_image_is_embedded(settings, tmp_path):
    from django.core.files.storage import default_storage
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (300, 80), "white").save(buffer, "PNG")
    name = default_storage.save("original_images/signature.png", io.BytesIO(buffer.getvalue()))
    reader, _ = render(signature_image=name)
    without, _ = render()
    count = len([image for page in without.pages for image in page.images])  # the QR code
    assert len([image for page in reader.pages for image in page.images]) == count + 1
