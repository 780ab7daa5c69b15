"""Issue 12's first acceptance journey in Chromium: credit a licensing board can defend.

A new learner signs up and verifies their e-mail, enrolls, and is refused the post-test and a locked
module's quiz (a clear page, a 409 to a script, no attempt). They pass the module quizzes: each pass
completes its module with no second click and the result page offers the next module. With every
module done they still cannot reach the certificate: the course page says how many minutes of study
are left before the post-test opens. The time is then simulated on the server (activity rows, as the
study clock writes them, never a sleep); the post-test opens, the result page offers the evaluation,
the evaluation leads to the certificate, and the PDF's verification address (the QR target) opens the
verification page on the port this server runs on. Shots at 1280x800 and 390x844 (screens.Journey).
"""

import re
from pathlib import Path

import pytest
from django.core import mail
from django.test import override_settings
from playwright.sync_api import expect

from courses.links import site_address_apply
from courses.models import Certificate, Enrollment, ModuleProgress
from courses.seat_time import seconds_on_task
from quizzes.models import Attempt
from tests.courses.certify import study
from tests.courses.test_certificate_links import qr_targets
from tests.e2e.a11y import watch_console
from tests.e2e.screens import Journey
from tests.e2e.test_learner_journey import (  # noqa: F401 - fixtures
    PASSWORD,
    answer_every_question_right,
    browser_context_args,
    school,
    step,
)
from tests.quizzes import factories as qf

pytestmark = pytest.mark.e2e


@pytest.fixture
def gated_school(school):
    """The learner journey's course (3 CE hours: 150 minutes of seat time) with a quiz on module 2 too;
    module 3 has none and keeps "Mark complete"."""
    course, modules, module_quiz, post_test = school
    qf.true_false(modules[1], stem="Quadratus lumborum attaches to the twelfth rib.")
    second_quiz = qf.quiz_create(course, modules[1], title="Quiz: quadratus lumborum")
    return course, modules, (module_quiz, second_quiz), post_test


def take_quiz(page):
    page.get_by_role("button", name=re.compile("Start")).click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+/$"))
    answer_every_question_right(page)
    expect(page.locator("[data-save-status]")).to_contain_text("All answers saved", timeout=10_000)
    page.get_by_role("button", name="Submit answers").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+/result/$"))
    expect(page.get_by_text("Passed", exact=True)).to_be_visible()


def test_gated_post_test_seat_time_and_the_next_step(page, live_server, gated_school, tmp_path):
    course, modules, (first_quiz, second_quiz), post_test = gated_school
    journey = Journey("gated")
    problems = watch_console(page)
    course_url = live_server.url + course.url
    site_address_apply(live_server.url)

    with override_settings(WAGTAILADMIN_BASE_URL=live_server.url):
        # Sign up from the course page and verify the address (certificates wait for it).
        page.goto(course_url)
        page.get_by_role("link", name="Sign up to enroll").click()
        page.get_by_label("Username").fill("sam.gated")
        page.get_by_label("E-mail").fill("sam@example.com")
        page.get_by_label("Legal name").fill("Sam Okonkwo-Reyes")
        page.get_by_label("A licensed massage therapist").check()
        page.get_by_label("License number").fill("LMBT 30518")
        page.get_by_label("License state").select_option("NC")
        page.locator("#id_password1").fill(PASSWORD)
        page.locator("#id_password2").fill(PASSWORD)
        page.get_by_role("button", name="Create account").click()
        expect(page).to_have_url(course_url)
        link = re.search(r"https?://\S+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body).group(1)
        page.goto(live_server.url + link)
        page.get_by_role("button", name="Yes, verify this address").click()
        expect(page.locator(".alert").first).to_contain_text("confirmed")

        # Enrolled: the post-test is closed, and says why.
        page.goto(course_url)
        page.get_by_role("button", name="Enroll").click()
        final_panel = page.locator(".quiz-panel", has_text="Final post-test")
        expect(final_panel).to_contain_text("Not open yet")
        expect(final_panel).to_contain_text("The post-test opens once every module is complete (0 of 3")
        expect(final_panel.get_by_role("link", name="Take the post-test")).to_have_count(0)
        step(journey, page, "course-post-test-closed", "course page, post-test not open")
        final_panel.get_by_role("link", name="About the post-test").click()
        expect(page.locator(".quiz-start")).to_contain_text("every module is complete")
        expect(page.get_by_role("button", name=re.compile("Start"))).to_have_count(0)
        step(journey, page, "post-test-refused", "post-test intro, refused")

        # A locked module's quiz: a clear page, and a script posting to it gets a 409, nothing started.
        page.goto(live_server.url + f"/quizzes/{second_quiz.pk}/")
        expect(page.locator(".quiz-start")).to_contain_text(
            "This quiz is locked: complete “The psoas and iliacus” first"
        )
        expect(page.get_by_role("button", name=re.compile("Start"))).to_have_count(0)
        step(journey, page, "locked-quiz-refused", "locked module quiz intro")
        token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
        for quiz in (second_quiz, post_test):
            answer = page.request.post(
                f"{live_server.url}/quizzes/{quiz.pk}/start/",
                headers={"Accept": "application/json", "X-CSRFToken": token, "Referer": course_url},
            )
            assert answer.status == 409 and answer.json()["ok"] is False, answer.text()
        assert not Attempt.objects.exists()

        # Module 1: pass its quiz; the module completes by itself and the result offers module 2.
        page.goto(live_server.url + modules[0].url)
        page.locator(".quiz-panel").get_by_role("link", name="Take the quiz").click()
        take_quiz(page)
        expect(page.locator("[data-module-complete]")).to_have_text("“The psoas and iliacus” is complete.")
        next_step = page.locator("section.next-step")
        expect(next_step).to_contain_text("Start module 2 of 3: “Quadratus lumborum”")
        expect(next_step.get_by_role("link", name="Start module 2: Quadratus lumborum")).to_have_class(
            re.compile("btn-primary")
        )
        step(journey, page, "module-1-quiz-result-next-step", "module quiz result with the next step")
        next_step.get_by_role("link", name="Start module 2: Quadratus lumborum").click()
        expect(page).to_have_url(live_server.url + modules[1].url)
        expect(page.locator(".module-list__item.is-complete")).to_contain_text("The psoas and iliacus")
        assert ModuleProgress.objects.get(module=modules[0]).completed_at is not None

        # Module 2 likewise; module 3 has no quiz and keeps "Mark complete".
        page.locator(".quiz-panel").get_by_role("link", name="Take the quiz").click()
        take_quiz(page)
        page.locator("section.next-step").get_by_role("link", name="Start module 3: Red flags").click()
        expect(page).to_have_url(live_server.url + modules[2].url)
        page.get_by_role("button", name="Mark complete").click()
        expect(page).to_have_url(course_url)

        # Every module done, but not the time: the course page and the dashboard say how long is left.
        enrollment = Enrollment.objects.get(user__username="sam.gated")
        left = 150 - seconds_on_task(enrollment) // 60
        expect(page.locator("[data-seat-time]")).to_contain_text("of 150 minutes")
        expect(page.locator("[data-next-step]")).to_contain_text(
            "minutes of study left before the post-test opens"
        )
        expect(final_panel).to_contain_text("minimum study time of 150 minutes")
        expect(page.locator(".completion-checklist")).to_contain_text("Study for at least 150 minutes")
        expect(
            page.locator(".completion-panel").get_by_role("link", name="Evaluate the course")
        ).to_have_count(0)
        step(journey, page, "course-time-left", "course page with the study time left")
        page.locator(".site-nav").get_by_role("link", name="My learning", exact=True).click()
        expect(page.locator(".next-step")).to_contain_text("minutes of study left before the post-test opens")
        step(journey, page, "dashboard-time-left", "dashboard with the study time left")
        assert not Certificate.objects.exists()

        # The study time passes on the server: activity rows as the study clock writes them.
        study(enrollment, left + 1, module=modules[1])
        page.goto(course_url)
        expect(page.locator("[data-next-step]")).to_contain_text("Take the final post-test")
        page.locator("[data-next-step]").get_by_role("link", name="Go to the post-test").click()
        take_quiz(page)
        next_step = page.locator("section.next-step")
        expect(next_step).to_contain_text("Evaluate the course")
        step(journey, page, "post-test-result-next-step", "post-test result with the next step")
        next_step.get_by_role("link", name="Evaluate the course").click()
        for field in (
            "objectives_met",
            "content_relevant",
            "materials_quality",
            "instructor_quality",
            "would_recommend",
        ):
            page.locator(f'input[name="{field}"][value="4"]').check()
        page.get_by_role("button", name="Submit evaluation").click()
        expect(page).to_have_url(re.compile(r"/dashboard/$"))
        certificates = page.locator(".dashboard-certificates")
        expect(certificates).to_contain_text("3 CE hours")
        step(journey, page, "dashboard-certificate")
        certificate = Certificate.objects.get()
        assert certificate.status == Certificate.Status.ISSUED

        # The PDF's verification address (what its QR code encodes) is this server, port included.
        with page.expect_download() as info:
            certificates.get_by_role("link", name=re.compile("Download certificate")).click()
        (target,) = qr_targets(Path(info.value.path()), tmp_path)  # what a phone reads
        assert target == f"{live_server.url}/certificates/verify/{certificate.code}/", target
        page.goto(target)
        expect(page.get_by_role("heading", name="Valid certificate")).to_be_visible()

    assert not problems, problems
