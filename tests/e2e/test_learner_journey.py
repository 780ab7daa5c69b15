"""The learner's whole road in Chromium, from the home page to a verified certificate.

Sign up from a course page, enroll, read every module (figure, muscle card, red-flag callout), pass the
module quiz (which completes its module), spend the seat time (simulated on the server), pass the timed
post-test, evaluate the course, download the certificate (Celery runs eagerly
here; tests/courses/test_certificates_worker.py covers the real worker), open its verification page and
look it up by number. Every step is shot at 1280x800 and 390x844 (screens.Journey) and checked with
axe-core (a11y.check_accessibility); the site's Content-Security-Policy stays on and the page may log
no CSP violation or script error.
"""

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image as PILImage
from PIL import ImageDraw
from playwright.sync_api import expect
from pypdf import PdfReader
from wagtail.images import get_image_model
from wagtail.models import Collection

from cms.services import site_tree_ensure
from content.models import Muscle, RedFlag
from courses.links import site_address_apply
from courses.models import Certificate, Enrollment, ModuleProgress
from tests.courses.certify import study
from tests.e2e.a11y import check_accessibility, watch_console
from tests.e2e.screens import Journey
from tests.factories import ProviderFactory, course_create, module_create, wagtail_base_ensure
from tests.quizzes import factories as qf

pytestmark = pytest.mark.e2e

PASSWORD = "iliac-crest-2026!"
LEGAL_NAME = "María José López"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}, "accept_downloads": True}


def diagram():
    """A small stand-in anatomy figure (a real PNG, so Wagtail makes renditions)."""
    if Collection.get_first_root_node() is None:  # a flushed database lacks the migrations' root collection
        Collection.add_root(name="Root")
    image = PILImage.new("RGB", (1200, 675), "#f4efe8")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((470, 60, 730, 615), radius=120, outline="#2f6f68", width=10)
    for offset in (0, 1):
        x = 560 + offset * 80
        draw.line((x, 190, x + (-60 if offset == 0 else 60), 560), fill="#b5543a", width=28)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    upload = SimpleUploadedFile("iliopsoas.png", buffer.getvalue(), content_type="image/png")
    return get_image_model().objects.create(title="Iliopsoas, front view", file=upload)


def module_body(topic, *, figure=None, muscle=None, red_flag=None):
    anchor = topic.lower().replace(" ", "-")
    body = [
        ("heading", {"text": f"{topic[0].upper()}{topic[1:]} in the clinic", "anchor": f"clinic-{anchor}"}),
        (
            "rich_text",
            f"<p>This module looks at {topic} and how it relates to low back pain in the clinic. "
            "Clients rarely describe their pain in anatomical terms, so the history you take and "
            "the way you palpate matter as much as the technique you choose.</p>"
            "<p>Palpate gently, ask about symptoms, and refer when a red flag appears.</p>",
        ),
    ]
    if figure:
        body.append(
            (
                "figure",
                {
                    "image": {
                        "image": figure,
                        "alt_text": "Outline of the trunk with the two "
                        "psoas muscles running from the lumbar spine to the thighs",
                        "decorative": False,
                    },
                    "caption": "Psoas major runs from the lumbar spine to the lesser trochanter.",
                    "credit": "Bodywork CE",
                },
            )
        )
    if muscle:
        body.append(("muscle_card", {"muscle": muscle, "note": "Palpate it only with the client's consent."}))
    body.append(("heading", {"text": "In the treatment room", "anchor": f"room-{anchor}"}))
    body.append(("rich_text", f"<p>Work with {topic} slowly and check in with the client often.</p>"))
    if red_flag:
        body.append(("red_flag", {"red_flag": red_flag, "note": "Stop the session and refer the same day."}))
    body.append(
        (
            "key_points",
            {
                "title": "Key points",
                "points": [
                    f"{topic.capitalize()} can refer pain to the low back.",
                    "Work within your scope of practice.",
                ],
            },
        )
    )
    return body


@pytest.fixture
def school(transactional_db, tmp_path, settings, knowledge_base):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    wagtail_base_ensure()
    _, catalogue = site_tree_ensure()
    course = course_create(
        catalogue,
        title="Massage for Low Back Pain",
        slug="massage-for-low-back-pain",
        provider=ProviderFactory(name="Carolina School of Massage"),
        ce_hours=Decimal("3.00"),
        approved_title="Massage for Low Back Pain: Anatomy, Referred Pain and Red Flags",
        summary="Assess and treat the muscles behind common low back pain, and know when to refer.",
        learning_objectives=[
            ("objective", "Locate psoas major and quadratus lumborum by palpation."),
            ("objective", "Recognise red flags that need medical referral."),
        ],
    )
    psoas = Muscle.objects.get(slug="psoas-major")
    saddle = RedFlag.objects.get(slug="saddle-anaesthesia")
    modules = [
        module_create(
            course,
            title="The psoas and iliacus",
            summary="An introduction to the iliopsoas.",
            body=module_body("the iliopsoas", figure=diagram(), muscle=psoas),
        ),
        module_create(
            course,
            title="Quadratus lumborum",
            summary="The deep lateral back muscle.",
            body=module_body("quadratus lumborum"),
        ),
        module_create(
            course,
            title="Red flags",
            summary="When to stop and refer.",
            body=module_body("red flags", red_flag=saddle),
        ),
    ]
    qf.true_false(modules[0], stem="Psoas major inserts on the lesser trochanter of the femur.")
    qf.single_choice(
        modules[0],
        stem="Which nerve supply does psoas major have?",
        right="Branches of the lumbar plexus (L1-L3)",
        wrong=("The femoral nerve only", "The sciatic nerve", "The obturator nerve"),
    )
    module_quiz = qf.quiz_create(course, modules[0], title="Quiz: the psoas and iliacus")
    qf.true_false(modules[2], stem="Saddle anaesthesia with back pain needs emergency referral.")
    post_test = qf.quiz_create(course, None, title="Final post-test", time_limit_minutes=30)
    return course, modules, module_quiz, post_test


def step(journey, page, name, label=None):
    """One journey step: the screenshots at both sizes, then axe on the page as it is."""
    journey.shoot(page, name)
    check_accessibility(page, label or name.replace("-", " "))


def answer_every_question_right(page):
    """The quizzes here hold true statements and single choices whose right answer is the longest."""
    for fieldset in page.locator("fieldset[data-qid]").all():
        kind = fieldset.get_attribute("data-kind")
        if kind == "true_false":
            fieldset.get_by_label("True", exact=True).check()
        else:
            labels = fieldset.locator("label").all_inner_texts()
            fieldset.get_by_label(max(labels, key=len), exact=True).check()


def test_sign_up_to_a_verified_certificate(page, live_server, school):
    course, modules, module_quiz, post_test = school
    journey = Journey("learner")
    problems = watch_console(page)
    course_url = live_server.url + course.url

    site_address_apply(live_server.url)  # links made without a request (the PDF): setup_demo does this
    with override_settings(WAGTAILADMIN_BASE_URL=live_server.url):
        # A visitor: the home page, the catalogue, the course outline.
        page.goto(live_server.url + "/")
        expect(page.locator(".course-card")).to_have_count(1)
        step(journey, page, "home")
        page.locator(".site-nav").get_by_role("link", name="Courses", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        step(journey, page, "catalogue")
        page.get_by_role("link", name="Massage for Low Back Pain").first.click()
        expect(page).to_have_url(course_url)
        expect(page.get_by_role("heading", level=1)).to_have_text("Massage for Low Back Pain")
        expect(page.locator(".module-list li")).to_have_count(3)
        step(journey, page, "course-visitor")

        # Sign up; a mistake first, then the form returns to the course.
        page.get_by_role("link", name="Sign up to enroll").click()
        expect(page).to_have_url(re.compile(r"/accounts/signup/\?next="))
        step(journey, page, "signup")
        page.get_by_label("Username").fill("maria.lopez")
        page.get_by_label("E-mail").fill("maria@example.com")
        page.get_by_label("Legal name").fill(LEGAL_NAME)
        page.get_by_label("A licensed massage therapist").check()
        page.get_by_label("License number").fill("LMBT 20417")
        page.get_by_label("License state").select_option("NC")
        page.locator("#id_password1").fill(PASSWORD)
        page.locator("#id_password2").fill(PASSWORD + "x")
        page.get_by_role("button", name="Create account").click()
        expect(page.locator("#id_password2")).to_have_attribute("aria-invalid", "true")
        step(journey, page, "signup-error", "sign-up form with an error")
        page.locator("#id_password1").fill(PASSWORD)
        page.locator("#id_password2").fill(PASSWORD)
        page.get_by_role("button", name="Create account").click()
        expect(page).to_have_url(course_url)
        expect(page.locator(".site-nav")).to_contain_text(LEGAL_NAME)

        # Verify the e-mail address by the link sent at sign-up (certificates wait for it).
        link = re.search(r"https?://\S+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body).group(1)
        assert mail.outbox[-1].to == ["maria@example.com"]
        page.goto(live_server.url + link)
        step(journey, page, "email-verify", "the e-mail verification page")
        page.get_by_role("button", name="Yes, verify this address").click()
        expect(page.locator(".alert").first).to_contain_text("confirmed")
        page.goto(course_url)

        # Enroll: the first module is next, the others locked.
        page.get_by_role("button", name="Enroll").click()
        expect(page.locator(".alert")).to_contain_text("You are enrolled")
        expect(page.locator(".module-list li.is-next")).to_have_count(1)
        expect(page.locator(".module-list li.is-locked")).to_have_count(2)
        expect(page.locator(".completion-panel")).to_contain_text("Pass the final post-test")
        step(journey, page, "course-enrolled")

        # The dashboard says what to do next.
        expect(page.get_by_role("link", name="Start module 1: The psoas and iliacus")).to_be_visible()
        page.locator(".site-nav").get_by_role("link", name="My learning", exact=True).click()
        next_step = page.locator(".next-step")
        expect(next_step).to_contain_text("Start module 1 of 3: “The psoas and iliacus”")
        step(journey, page, "dashboard-next-step")

        # Module 1: figure and muscle card, then its quiz.
        next_step.get_by_role("link", name="Start module 1: The psoas and iliacus").click()
        expect(page).to_have_url(live_server.url + modules[0].url)
        expect(page.locator(".lesson-position")).to_have_text("Module 1 of 3")
        expect(page.locator(".lesson-figure img")).to_have_attribute("alt", re.compile("psoas muscles"))
        expect(page.locator(".muscle-card")).to_contain_text("Psoas major")
        step(journey, page, "module-1")
        assert ModuleProgress.objects.filter(module=modules[0], completed_at__isnull=True).count() == 1

        page.locator(".quiz-panel").get_by_role("link", name="Take the quiz").click()
        expect(page.get_by_text("Pass mark")).to_be_visible()
        step(journey, page, "module-quiz-intro")
        page.get_by_role("button", name=re.compile("Start")).click()
        expect(page).to_have_url(re.compile(r"/attempts/\d+/$"))
        expect(page.locator(".quiz-status__label")).to_have_text("Answered 0 of 2")
        answer_every_question_right(page)
        expect(page.locator(".quiz-status__label")).to_have_text("Answered 2 of 2")
        expect(page.locator("[data-save-status]")).to_contain_text("All answers saved", timeout=10_000)
        step(journey, page, "module-quiz-answered")
        page.get_by_role("button", name="Submit answers").click()
        expect(page).to_have_url(re.compile(r"/attempts/\d+/result/$"))
        expect(page.get_by_text("Passed", exact=True)).to_be_visible()
        expect(page.locator("[data-module-complete]")).to_contain_text("is complete")  # the pass did it
        step(journey, page, "module-quiz-result")
        page.locator("section.next-step").get_by_role(
            "link", name="Start module 2: Quadratus lumborum"
        ).click()

        # The modules without a quiz, marked complete in turn (the red-flag callout stands out on the last).
        for number, module in enumerate(modules[1:], start=2):
            page.goto(live_server.url + module.url)
            expect(page.locator(".lesson-position")).to_have_text(f"Module {number} of 3")
            step(journey, page, f"module-{number}")
            if module is modules[2]:
                expect(page.locator(".red-flag")).to_contain_text("Red flag")
            page.get_by_role("button", name="Mark complete").click()
            expect(page.locator(".alert")).to_contain_text("marked complete")

        # The seat time (3 CE hours: 150 minutes) passes on the server, as the study clock records it;
        # tests/e2e/test_gated_journey.py shows the post-test closed until then.
        study(Enrollment.objects.get(user__username="maria.lopez"), 150)

        # The catalogue's course card shows the progress.
        page.locator(".site-nav").get_by_role("link", name="Courses", exact=True).click()
        card = page.locator(".course-card", has_text="Massage for Low Back Pain")
        expect(card.locator(".course-card__progress")).to_contain_text("100%")
        expect(card).to_contain_text("Review course")
        step(journey, page, "catalogue-progress", "catalogue with progress")

        # The dashboard sends the learner on to what the certificate still needs; the post-test is timed.
        page.locator(".site-nav").get_by_role("link", name="My learning", exact=True).click()
        row = page.locator(".dashboard-enrollments li").first
        expect(row).to_contain_text("Take the final post-test")
        step(journey, page, "dashboard-modules-read")
        page.goto(course_url)
        expect(page.locator(".progress-summary", has_text="Your progress")).to_contain_text(
            "3 of 3 modules complete"
        )
        step(journey, page, "course-modules-read")
        page.locator(".quiz-panel").get_by_role("link", name="Take the post-test").click()
        page.get_by_role("button", name=re.compile("Start")).click()
        expect(page).to_have_url(re.compile(r"/attempts/\d+/$"))
        expect(page.locator("[data-seconds-left] [data-timer]")).to_have_text(
            re.compile(r"^(30:00|29:\d\d)$")
        )
        answer_every_question_right(page)
        expect(page.locator("[data-save-status]")).to_contain_text("All answers saved", timeout=10_000)
        step(journey, page, "post-test")
        page.get_by_role("button", name="Submit answers").click()
        expect(page.get_by_text("Passed", exact=True)).to_be_visible()
        step(journey, page, "post-test-result")

        # The evaluation is the last requirement.
        page.goto(course_url)
        panel = page.locator(".completion-panel")
        expect(panel).to_contain_text("Submit the course evaluation")
        step(journey, page, "course-checklist")
        panel.get_by_role("link", name="Evaluate the course").click()
        step(journey, page, "evaluation")
        for field in (
            "objectives_met",
            "content_relevant",
            "materials_quality",
            "instructor_quality",
            "would_recommend",
        ):
            page.locator(f'input[name="{field}"][value="5"]').check()
        comments = page.get_by_label(re.compile("comments", re.I))
        comments.fill("Clear lessons; the red-flag module was especially useful.")
        page.get_by_role("button", name="Submit evaluation").click()

        # The dashboard holds the certificate.
        expect(page).to_have_url(re.compile(r"/dashboard/$"))
        certificates = page.locator(".dashboard-certificates")
        expect(certificates).to_contain_text(
            "Massage for Low Back Pain: Anatomy, Referred Pain and Red Flags"
        )
        expect(certificates).to_contain_text("3 CE hours")
        step(journey, page, "dashboard-certificate")
        certificate = Certificate.objects.get()
        assert certificate.status == "issued"

        with page.expect_download() as info:
            certificates.get_by_role("link", name=re.compile("Download certificate")).click()
        download = info.value
        data = Path(download.path()).read_bytes()
        assert data.startswith(b"%PDF-")
        assert download.suggested_filename.endswith(f"{certificate.code}.pdf")
        text = re.sub(r"\s+", " ", PdfReader(io.BytesIO(data)).pages[0].extract_text())
        assert LEGAL_NAME in text and certificate.code in text and "3 CE hours" in text
        host = live_server.url.split("://", 1)[1]
        assert f"{host}/certificates/verify/" in text.replace(
            " ", ""
        )  # what the QR code and the text point to

        certificates.get_by_role("link", name="Verification page").click()
        expect(page).to_have_url(re.compile(rf"/certificates/verify/{certificate.code}/$"))
        expect(page.get_by_role("heading", name="Valid certificate")).to_be_visible()
        expect(page.locator(".certificate-facts")).to_contain_text(LEGAL_NAME)
        step(journey, page, "certificate-verified")

        # Anyone can look a number up, typed sloppily; the transcript lists the hours.
        page.goto(live_server.url + "/certificates/verify/")
        step(journey, page, "certificate-lookup")
        page.get_by_label(re.compile("certificate number", re.I)).fill(
            certificate.code.lower().replace("-", " ")
        )
        page.get_by_role("button", name="Verify").click()
        expect(page.get_by_role("heading", name="Valid certificate")).to_be_visible()
        page.goto(live_server.url + "/transcript/")
        expect(page.locator("main")).to_contain_text(certificate.code)
        step(journey, page, "transcript")

    assert not problems, problems
