"""Absolute links point where the site is: the request's host when there is one, else the default Site.

The last test renders a certificate for a live server on a port other than 8000, decodes the QR code from
the PDF's page image and opens its target on that server.
"""

import io
import os
import re
import subprocess
import sys
import unicodedata
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import zxingcpp
from django.core import mail
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader
from wagtail.models import Site

from cms.demo import site_address_line
from cms.services import site_tree_ensure
from courses.certificates import certificate_code_new, certificate_snapshot
from courses.links import SiteAddressError, site_address_apply, site_address_parse, site_url, verification_url
from courses.models import Certificate, Enrollment
from courses.services import certificate_issue
from tests.courses.certify import private_media, small_course  # noqa: F401
from tests.factories import UserFactory, wagtail_base_ensure

ROOT = Path(__file__).resolve().parents[2]


def pending_certificate(catalogue, name="Noor Al-Hashimi") -> Certificate:
    """A completed enrollment and its pending certificate, made directly (the completion rules are tested
    elsewhere): what the worker finds when it renders."""
    course, _ = small_course(catalogue, modules=1, post_test=False, module_quiz=False)
    now = timezone.now()
    user = UserFactory(legal_name=name)
    enrollment = Enrollment.objects.create(
        user=user, course=course, status=Enrollment.Status.COMPLETED, completed_at=now
    )
    return Certificate.objects.create(
        enrollment=enrollment,
        code=certificate_code_new(),
        snapshot=certificate_snapshot(enrollment, completed_at=now),
    )


def pdf_text(data: bytes) -> str:
    raw = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw))


def qr_targets(pdf_path: Path, tmp_path: Path) -> list[str]:
    """What a phone reads: the page rasterised by poppler, every QR code on it decoded by ZXing."""
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", pdf_path, tmp_path / "page"], check=True)
    with Image.open(tmp_path / "page.png") as image:
        return [code.text for code in zxingcpp.read_barcodes(image.convert("L"))]


# --- the rule ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_with_a_request_links_use_its_host_and_scheme(site_tree):
    plain = RequestFactory().get("/", HTTP_HOST="ce.example.org:8803")
    secure = RequestFactory().get("/", HTTP_HOST="ce.example.org", secure=True)
    assert site_url(plain) == "http://ce.example.org:8803"
    assert site_url(secure) == "https://ce.example.org"
    assert verification_url("AAAAA-BBBBB-CCCCC-DDDDD", plain) == (
        "http://ce.example.org:8803/certificates/verify/AAAAA-BBBBB-CCCCC-DDDDD/"
    )


@pytest.mark.django_db
def test_without_a_request_links_use_the_default_sites_root_url(site_tree):
    assert site_url() == "http://testserver"  # the site tree takes its address from WAGTAILADMIN_BASE_URL
    site_address_apply("http://127.0.0.1:8803")
    assert site_url() == "http://127.0.0.1:8803"
    site_address_apply("https://ce.example.org")
    assert site_url() == "https://ce.example.org"
    assert Site.objects.get(is_default_site=True).port == 443


def test_site_addresses_a_wagtail_site_can_hold():
    assert site_address_parse("http://127.0.0.1:8803/") == ("127.0.0.1", 8803)
    assert site_address_parse("https://ce.example.org") == ("ce.example.org", 443)
    assert site_address_parse("http://localhost") == ("localhost", 80)
    for bad in ["127.0.0.1:8000", "ftp://example.org", "https://ce.example.org:8443", "http://x:443", ""]:
        with pytest.raises(SiteAddressError):
            site_address_parse(bad)


@pytest.mark.django_db
def test_setup_demo_points_the_site_at_the_setting(site_tree):
    with override_settings(WAGTAILADMIN_BASE_URL="http://127.0.0.1:8803"):
        assert site_address_line().endswith("http://127.0.0.1:8803")
    assert site_url() == "http://127.0.0.1:8803"
    with override_settings(WAGTAILADMIN_BASE_URL="https://127.0.0.1:8443"):
        assert "left unused" in site_address_line()  # said, and the Site keeps its address
    assert site_url() == "http://127.0.0.1:8803"


def test_dev_settings_follow_the_port_make_run_exports():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cms.settings.dev", "PORT": "8803"}
    env.pop("WAGTAILADMIN_BASE_URL", None)
    code = "import django; django.setup(); from django.conf import settings; print(settings.WAGTAILADMIN_BASE_URL)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "http://127.0.0.1:8803"
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^export PORT\b", makefile, re.M)  # so setup_demo and runserver see `make run PORT=...`


# --- pages with a request ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admins_certificate_page_links_to_the_host_it_was_opened_on(client, catalogue):
    certificate = pending_certificate(catalogue)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    page = client.get(reverse("courses_certificate", args=[certificate.pk]), HTTP_HOST="127.0.0.1:8803")
    assert f"http://127.0.0.1:8803/certificates/verify/{certificate.code}/" in page.content.decode()


@pytest.mark.django_db
def test_the_transcript_pdf_prints_the_host_it_was_downloaded_from(client, catalogue):
    certificate = pending_certificate(catalogue)
    certificate_issue(certificate_id=certificate.pk)
    client.force_login(certificate.enrollment.user)
    response = client.get(reverse("courses:transcript_pdf"), HTTP_HOST="127.0.0.1:8803")
    assert "127.0.0.1:8803/certificates/verify/" in pdf_text(response.content)


# --- the worker: no request ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_worker_prints_and_mails_the_sites_address(catalogue, django_capture_on_commit_callbacks):
    site_address_apply("http://127.0.0.1:8803")
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail leaves after the commit
        certificate = certificate_issue(certificate_id=pending_certificate(catalogue).pk)
    with certificate.pdf.open("rb") as handle:
        text = pdf_text(handle.read())
    assert "127.0.0.1:8803/certificates/verify/" in text and "testserver" not in text
    [message] = mail.outbox
    assert f"http://127.0.0.1:8803/certificates/verify/{certificate.code}/" in message.body
    assert "http://127.0.0.1:8803/dashboard/" in message.body


def test_the_qr_code_opens_the_verification_page_on_the_live_servers_port(
    transactional_db, live_server, tmp_path
):
    wagtail_base_ensure()  # an earlier transactional test may have flushed the root page away
    _, catalogue = site_tree_ensure()
    port = urlsplit(live_server.url).port
    assert port != 8000
    site_address_apply(live_server.url)  # what setup_demo does for `PORT=... make run`
    certificate = certificate_issue(certificate_id=pending_certificate(catalogue).pk)
    assert certificate.status == Certificate.Status.ISSUED

    [target] = qr_targets(Path(certificate.pdf.path), tmp_path)
    assert target == f"{live_server.url}/certificates/verify/{certificate.code}/"
    with urllib.request.urlopen(target, timeout=30) as response:
        page = response.read().decode()
    assert response.status == 200
    assert "Valid certificate" in page and "Noor Al-Hashimi" in page
