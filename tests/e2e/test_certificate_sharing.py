"""Issue 15 (4, 5) in Chromium: a licensed learner opens their certificate page from the dashboard, downloads the
signed Open Badge (which openbadgeslib verifies against the key the site publishes), follows the LinkedIn link
(its URL checked, not loaded), then the public verification page says the badge verifies; axe-clean, shot at
1280x800 and 390x844."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from openbadgeslib.ob3 import OB3Verifier
from playwright.sync_api import expect

from cms.services import site_tree_ensure
from courses.models import Certificate
from tests.courses.certify import course_finish, small_course
from tests.e2e.a11y import check_accessibility
from tests.e2e.screens import Journey
from tests.factories import UserFactory
from tests.quizzes import factories as qf

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"


@pytest.fixture
def certified(transactional_db, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    qf.wagtail_base_ensure()
    _, catalogue = site_tree_ensure()
    course, pages = small_course(catalogue, title="Massage for Low Back Pain")
    learner = UserFactory(
        username="badge-learner", legal_name="Zoë Núñez", license_number="MA12345", license_state="FL"
    )
    enrollment = course_finish(learner, course, pages)  # committed: the certificate and its badge are made
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.status == Certificate.Status.ISSUED
    return learner, certificate


def log_in(page, live_server, username):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form").get_by_role("button", name=re.compile("log in", re.I)).click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def test_the_learner_shares_a_certificate_and_anyone_verifies_it(page, live_server, certified):
    learner, certificate = certified
    journey = Journey("certificate-sharing")
    log_in(page, live_server, learner.username)
    page.goto(live_server.url + "/dashboard/")
    page.get_by_role("link", name=re.compile("Open Badge and sharing")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Massage for Low Back Pain")
    check_accessibility(page, "learner's certificate page")
    journey.shoot(page, "certificate-page")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download Open Badge (signed, .jwt)").click()
    token = open(download_info.value.path()).read()
    public = page.request.get(live_server.url + "/.well-known/jwks.json").json()["keys"][0]
    assert public["kty"] == "OKP"
    from courses.badge_keys import signing_key

    assert public["x"] == signing_key().public_jwk["x"]
    credential = OB3Verifier(signing_key().public_pem).verify(token)
    assert credential.achievement.name == "Massage for Low Back Pain"

    link = page.get_by_role("link", name=re.compile("Add to LinkedIn profile"))
    query = parse_qs(urlsplit(link.get_attribute("href")).query)
    assert query["certUrl"] == [f"{live_server.url}/certificates/verify/{certificate.code}/"]
    assert query["certId"] == [certificate.code] and query["startTask"] == ["CERTIFICATION_NAME"]

    page.context.clear_cookies()  # anyone: the employer following the link
    page.goto(query["certUrl"][0])
    expect(page.get_by_role("heading", level=1)).to_have_text("Valid certificate")
    expect(page.locator("[data-badge-check]")).to_have_attribute("data-badge-check", "valid")
    expect(page.locator(".certificate-facts")).to_contain_text("Issued on")
    check_accessibility(page, "verification page with the badge check")
    journey.shoot(page, "verification-page")
