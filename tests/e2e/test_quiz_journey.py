"""A module quiz in Chromium: every question type, the body map by keyboard, autosave, resume, result."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from cms.services import site_tree_ensure
from content.models import BodyZone
from courses.models import Enrollment
from quizzes.models import Attempt, AttemptStatus, FeedbackPolicy
from tests.factories import ProviderFactory, UserFactory, course_create, module_create
from tests.quizzes import factories as qf

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).parent / "screenshots"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


@pytest.fixture(autouse=True)
def quiz_urls():
    # Until cms/urls.py includes quizzes.urls; harmless once it does.
    with override_settings(ROOT_URLCONF="tests.quizzes.urls"):
        yield


@pytest.fixture
def quiz_setup(transactional_db):
    from content.services import knowledge_base_load

    qf.wagtail_base_ensure()
    knowledge_base_load()  # the real body zones, with their SVG shapes
    _, catalogue = site_tree_ensure()
    course = course_create(catalogue, title="Massage for Low Back Pain", slug="massage-for-low-back-pain",
                           provider=ProviderFactory(), ce_hours=Decimal("3.00"))
    module = module_create(course, title="The psoas and iliacus", body=[
        ("heading", {"text": "Where the psoas attaches", "anchor": "psoas-attachments"}),
        ("rich_text", "<p>Psoas major runs from the lumbar spine to the lesser trochanter of the femur.</p>"),
    ])
    referral = list(BodyZone.objects.filter(shape__gt="").order_by("view", "sort_order")[:40])
    back = [z for z in referral if z.view == "back"][:2]
    questions = [qf.single_choice(module), qf.multiple_response(module), qf.true_false(module), qf.matching(module),
                 qf.ordering(module), qf.vignette(module), qf.body_map(module, zones=back)]
    for question in questions:
        question.section_anchor = "psoas-attachments"
        question.save()
    quiz = qf.quiz_create(course, module, title="Quiz: the psoas and iliacus",
                          feedback_policy=FeedbackPolicy.FULL_EXPLANATIONS)
    learner = UserFactory(username="quiz-learner", legal_name="Quinn Learner")
    Enrollment.objects.create(user=learner, course=course)
    return quiz, learner, back


def shoot(page, name, *, full_page=True):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def log_in(page, live_server, username):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form").get_by_role("button", name=re.compile("log in", re.I)).click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def answer_correctly(page, attempt):
    """Use each widget the way a learner would, picking the key's answers by their visible text."""
    for item in attempt.questions:
        fieldset = page.locator(f'fieldset[data-qid="{item["qid"]}"]')
        texts = {o["id"]: o["text"] for o in item["options"]}
        kind = item["kind"]
        if kind in ("single_choice", "true_false", "case_vignette"):
            fieldset.get_by_label(texts[item["key"]], exact=True).check()
        elif kind == "multiple_response":
            for option_id in item["key"]:
                fieldset.get_by_label(texts[option_id], exact=True).check()
        elif kind == "matching":
            rights = {r["id"]: r["text"] for r in item["right"]}
            for left, right in item["key"].items():
                fieldset.get_by_label(texts[left], exact=True).select_option(label=rights[right])
        elif kind == "ordering":
            for option_id, position in item["key"].items():
                fieldset.get_by_label(texts[option_id], exact=True).select_option(str(position))
        elif kind == "body_map":
            select_zones_by_keyboard(page, fieldset, set(item["key"]))


def select_zones_by_keyboard(page, fieldset, wanted):
    """Tab through the figure's zones; Space on one wanted zone, Enter on the other."""
    zones = fieldset.locator("[role=checkbox][data-zone]")
    count = zones.count()
    zones.first.focus()
    keys = iter(["Space", "Enter"] * len(wanted))
    for _ in range(count):
        code = page.evaluate("document.activeElement.getAttribute('data-zone')")
        assert code, "focus left the body map"
        if code in wanted:
            page.keyboard.press(next(keys))
            expect(fieldset.locator(f'[data-zone="{code}"]')).to_have_attribute("aria-checked", "true")
        page.keyboard.press("Tab")


def test_take_resume_and_pass_a_module_quiz_with_every_question_type(page, browser, live_server, quiz_setup):
    quiz, learner, back_zones = quiz_setup
    log_in(page, live_server, learner.username)

    page.goto(f"{live_server.url}/quizzes/{quiz.pk}/")
    expect(page.get_by_text("Pass mark")).to_be_visible()
    page.get_by_role("button", name="Start the quiz").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+/$"))
    attempt = Attempt.objects.get(user=learner)
    expect(page.locator("fieldset[data-qid]")).to_have_count(7)
    expect(page.locator(".quiz-status__label")).to_have_text("Answered 0 of 7")

    # With JavaScript on, the figure replaces the list for zones that have a shape.
    body_map = page.locator('fieldset[data-kind="body_map"]')
    expect(body_map.locator("[data-body-map]")).to_be_visible()
    expect(body_map.locator("[data-zone-list] li[data-has-shape]").first).to_be_hidden()

    answer_correctly(page, attempt)
    expect(page.locator(".quiz-status__label")).to_have_text("Answered 7 of 7")
    expect(page.locator("[data-save-status]")).to_contain_text("All answers saved", timeout=10_000)
    expect(body_map.locator("[data-zone-summary]")).to_contain_text(back_zones[0].name)
    shoot(page, "quiz_take_answered")

    # A reload (or another device) resumes with every answer in place.
    page.reload()
    expect(page.locator(".quiz-status__label")).to_have_text("Answered 7 of 7")
    for zone in back_zones:
        expect(body_map.locator(f'[data-zone="{zone.code}"]')).to_have_attribute("aria-checked", "true")

    # Without JavaScript the same attempt shows the checkbox list, already ticked.
    no_js = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    plain = no_js.new_page()
    log_in(plain, live_server, learner.username)
    plain.goto(f"{live_server.url}/attempts/{attempt.pk}/")
    plain_map = plain.locator('fieldset[data-kind="body_map"]')
    expect(plain_map.locator("[data-body-map]")).to_be_hidden()
    for zone in back_zones:
        box = plain_map.get_by_role("checkbox", name=re.compile(re.escape(zone.name)))
        expect(box).to_be_visible()
        expect(box).to_be_checked()
    no_js.close()

    page.get_by_role("button", name="Submit answers").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+/result/$"))
    expect(page.locator(".quiz-score__value")).to_contain_text("100%")
    expect(page.get_by_text("Passed", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Review in the lesson")).first).to_have_attribute(
        "href", re.compile(r"#psoas-attachments$"))
    shoot(page, "quiz_result")

    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.score == 100 and attempt.passed


def test_a_wrong_critical_answer_fails_and_says_why(page, live_server, quiz_setup):
    quiz, learner, _ = quiz_setup
    log_in(page, live_server, learner.username)
    page.goto(f"{live_server.url}/quizzes/{quiz.pk}/")
    page.get_by_role("button", name="Start the quiz").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+/$"))
    attempt = Attempt.objects.get(user=learner)
    answer_correctly(page, attempt)
    vignette = page.locator('fieldset[data-kind="case_vignette"]')
    vignette.get_by_label("Treat", exact=True).check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_text("Not passed", exact=True)).to_be_visible()
    expect(page.locator("[data-fail-reason]")).to_contain_text("Critical safety question")
    expect(page.get_by_role("heading", name="Safety-critical question missed")).to_be_visible()
    shoot(page, "quiz_result_critical_fail")
