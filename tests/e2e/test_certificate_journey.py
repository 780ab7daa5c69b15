"""From the last module to a framed certificate, in Chromium: quizzes, evaluation, dashboard, download, verify.

Celery runs eagerly here (tests/courses/test_certificates_worker.py covers the real worker).
"""

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import expect
from pypdf import PdfReader

from cms.services import site_tree_ensure
from courses.models import Certificate
from tests.factories import ProviderFactory, UserFactory, course_create, module_create, wagtail_base_ensure
from tests.quizzes import factories as qf

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).parent / "screenshots"
PASSWORD = "correct horse battery staple"
BODY = [("rich_text", "<p>Quadratus lumborum runs from the iliac crest to the twelfth rib and the lumbar "
                      "transverse processes.</p>")]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "accept_downloads": True}


@pytest.fixture
def finished_but_for_the_end(transactional_db, tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    wagtail_base_ensure()
    _, catalogue = site_tree_ensure()
    course = course_create(catalogue, title="Massage for Low Back Pain", slug="massage-for-low-back-pain",
                           provider=ProviderFactory(), ce_hours=Decimal("3.00"),
                           approved_title="Massage for Low Back Pain: Anatomy, Referred Pain and Red Flags")
    modules = [module_create(course, title=title, body=BODY) for title in ("Quadratus lumborum", "Red flags")]
    qf.true_false(modules[0], stem="Quadratus lumborum attaches to the twelfth rib.")
    module_quiz = qf.quiz_create(course, modules[0], title="Quiz: quadratus lumborum")
    qf.true_false(modules[1], stem="Saddle anaesthesia with back pain needs emergency referral.")
    post_test = qf.quiz_create(course, None, title="Final post-test")
    learner = UserFactory(username="cert-learner", legal_name="Zoë Ångström-Núñez", license_number="MT-04512")
    return course, modules, module_quiz, post_test, learner


def shoot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def log_in(page, live_server, username):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form").get_by_role("button", name=re.compile("log in", re.I)).click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def pass_quiz(page, live_server, quiz):
    page.goto(f"{live_server.url}/quizzes/{quiz.pk}/")
    page.get_by_role("button", name=re.compile("Start")).click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+/$"))
    questions = page.locator("fieldset[data-qid]")
    for n in range(questions.count()):  # every question here is a true statement
        questions.nth(n).get_by_label("True", exact=True).check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_text("Passed", exact=True)).to_be_visible()


def test_finish_a_course_download_the_certificate_and_verify_it(page, live_server, finished_but_for_the_end):
    course, modules, module_quiz, post_test, learner = finished_but_for_the_end
    with override_settings(WAGTAILADMIN_BASE_URL=live_server.url):
        log_in(page, live_server, learner.username)
        page.goto(live_server.url + course.url)
        page.get_by_role("button", name="Enroll").click()
        expect(page.locator(".completion-panel")).to_contain_text("Pass the final post-test")

        pass_quiz(page, live_server, module_quiz)
        for module in modules:
            page.goto(live_server.url + module.url)
            page.get_by_role("button", name="Mark complete").click()
        pass_quiz(page, live_server, post_test)

        page.goto(live_server.url + course.url)
        panel = page.locator(".completion-panel")
        expect(panel).to_contain_text("Submit the course evaluation")
        shoot(page, "certificate_course_checklist")
        panel.get_by_role("link", name="Evaluate the course").click()
        for field in ("objectives_met", "content_relevant", "materials_quality", "instructor_quality",
                      "would_recommend"):
            page.locator(f'input[name="{field}"][value="5"]').check()
        page.fill("textarea[name=comments]", "Clear lessons; the red-flag module was especially useful.")
        shoot(page, "certificate_evaluation")
        page.get_by_role("button", name="Submit evaluation").click()

        expect(page).to_have_url(re.compile(r"/dashboard/$"))
        certificates = page.locator(".dashboard-certificates")
        expect(certificates).to_contain_text("Massage for Low Back Pain: Anatomy, Referred Pain and Red Flags")
        expect(certificates).to_contain_text("3 CE hours")
        shoot(page, "certificate_dashboard")

        with page.expect_download() as info:
            certificates.get_by_role("link", name=re.compile("Download certificate")).click()
        download = info.value
        data = Path(download.path()).read_bytes()
        certificate = Certificate.objects.get()
        assert download.suggested_filename.endswith(f"{certificate.code}.pdf")
        text = re.sub(r"\s+", " ", PdfReader(io.BytesIO(data)).pages[0].extract_text())
        assert "Zoë Ångström-Núñez" in text and certificate.code in text and "3 CE hours" in text
        host = live_server.url.split("://", 1)[1]
        assert f"{host}/certificates/verify/" in text.replace(" ", "")  # what the QR code and the text point to

        certificates.get_by_role("link", name="Verification page").click()
        expect(page).to_have_url(re.compile(rf"/certificates/verify/{certificate.code}/$"))
        expect(page.get_by_role("heading", name="Valid certificate")).to_be_visible()
        expect(page.locator(".certificate-facts")).to_contain_text("Zoë Ångström-Núñez")
        shoot(page, "certificate_verify")

        # Anyone can look a number up, typed sloppily.
        page.goto(live_server.url + "/certificates/verify/")
        page.fill("input[name=code]", certificate.code.lower().replace("-", " "))
        page.get_by_role("button", name="Verify").click()
        expect(page.get_by_role("heading", name="Valid certificate")).to_be_visible()
