"""A module quiz in Chromium: every question type, the body map by keyboard, autosave, resume, result.

Also the whole quiz answered with the keyboard alone (Tab, Space, Enter, arrow keys), with a visible focus
indicator on every control it stops at. Steps are shot at both sizes (screens.Journey) and checked by axe.
"""

import re

import pytest
from playwright.sync_api import expect

from cms.services import site_tree_ensure
from content.models import BodyZone
from courses.models import Enrollment
from quizzes.models import Attempt, AttemptStatus, FeedbackPolicy
from tests.e2e.a11y import check_accessibility, watch_console
from tests.e2e.screens import Journey
from tests.e2e.sessions import session_cookie_add
from tests.factories import UserFactory, psoas_course
from tests.quizzes import factories as qf

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def quiz_setup(transactional_db):
    from content.services import knowledge_base_load

    qf.wagtail_base_ensure()
    knowledge_base_load()  # the real body zones, with their SVG shapes
    _, catalogue = site_tree_ensure()
    course, module = psoas_course(catalogue)
    referral = list(BodyZone.objects.filter(shape__gt="").order_by("view", "sort_order")[:40])
    back = [z for z in referral if z.view == "back"][:2]
    questions = [
        qf.single_choice(module),
        qf.multiple_response(module),
        qf.true_false(module),
        qf.matching(module),
        qf.ordering(module),
        qf.vignette(module),
        qf.body_map(module, zones=back),
    ]
    for question in questions:
        question.section_anchor = "psoas-attachments"
        question.save()
    quiz = qf.quiz_create(
        course, module, title="Quiz: the psoas and iliacus", feedback_policy=FeedbackPolicy.FULL_EXPLANATIONS
    )
    learner = UserFactory(username="quiz-learner", legal_name="Quinn Learner")
    Enrollment.objects.create(user=learner, course=course)
    return quiz, learner, back


def log_in(page, live_server, user):
    """By session cookie (tests/e2e/sessions.py): the log-in form is not what this file tests."""
    session_cookie_add(page.context, live_server, user)


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
    """The figure is one tab stop: the arrow keys walk its zones; Space on one wanted zone, Enter on the other."""
    zones = fieldset.locator("[role=checkbox][data-zone]")
    count = zones.count()
    fieldset.locator('[role=checkbox][data-zone][tabindex="0"]').focus()
    keys = iter(["Space", "Enter"] * len(wanted))
    for _ in range(count):
        code = page.evaluate("document.activeElement.getAttribute('data-zone')")
        assert code, "focus left the body map"
        if code in wanted:
            page.keyboard.press(next(keys))
            expect(fieldset.locator(f'[data-zone="{code}"]')).to_have_attribute("aria-checked", "true")
        page.keyboard.press("ArrowDown")


def test_take_resume_and_pass_a_module_quiz_with_every_question_type(page, browser, live_server, quiz_setup):
    quiz, learner, back_zones = quiz_setup
    journey = Journey("quiz")
    problems = watch_console(page)
    log_in(page, live_server, learner)

    page.goto(f"{live_server.url}/quizzes/{quiz.pk}/")
    expect(page.get_by_text("Pass mark")).to_be_visible()
    journey.shoot(page, "intro")
    page.get_by_role("button", name="Start the quiz").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+/$"))
    attempt = Attempt.objects.get(user=learner)
    expect(page.locator("fieldset[data-qid]")).to_have_count(7)
    expect(page.locator(".quiz-status__label")).to_have_text("Answered 0 of 7")
    journey.shoot(page, "questions")
    check_accessibility(page, "quiz questions (body map included)")

    # With JavaScript on, the figure is shown beside the list (both stay: the list is the large touch target).
    body_map = page.locator('fieldset[data-kind="body_map"]')
    expect(body_map.locator("[data-body-map]")).to_be_visible()
    expect(body_map.locator("[data-zone-list] li").first).to_be_visible()

    answer_correctly(page, attempt)
    expect(page.locator(".quiz-status__label")).to_have_text("Answered 7 of 7")
    expect(page.locator("[data-save-status]")).to_contain_text("All answers saved", timeout=10_000)
    expect(body_map.locator("[data-zone-summary]")).to_contain_text(back_zones[0].name)
    journey.shoot(page, "answered")
    check_accessibility(page, "quiz questions, answered")

    # A reload (or another device) resumes with every answer in place.
    page.reload()
    expect(page.locator(".quiz-status__label")).to_have_text("Answered 7 of 7")
    for zone in back_zones:
        expect(body_map.locator(f'[data-zone="{zone.code}"]')).to_have_attribute("aria-checked", "true")

    # Without JavaScript the same attempt shows the checkbox list, already ticked.
    no_js = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    plain = no_js.new_page()
    log_in(plain, live_server, learner)
    plain.goto(f"{live_server.url}/attempts/{attempt.pk}/")
    journey.shoot(plain, "without-javascript")
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
        "href", re.compile(r"#psoas-attachments$")
    )
    journey.shoot(page, "result")
    check_accessibility(page, "quiz result with explanations")

    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.score == 100 and attempt.passed
    assert not problems, problems


# What the focused element is, and whether the user can see that it has focus.
FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const fieldset = el.closest("fieldset[data-qid]");
  return {
    tag: el.tagName.toLowerCase(), type: el.getAttribute("type"), role: el.getAttribute("role"),
    name: el.getAttribute("name"), value: el.value === undefined ? null : el.value, checked: !!el.checked,
    zone: el.getAttribute("data-zone"), qid: fieldset ? fieldset.dataset.qid : null,
    text: (el.innerText || el.getAttribute("aria-label") || el.name || "").trim().slice(0, 60),
    focusVisible: el.matches(":focus-visible"),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    shadow: !!style.boxShadow && style.boxShadow !== "none",
    stroke: el instanceof SVGElement && parseFloat(style.strokeWidth) >= 3,
  };
}"""


def focus_is_visible(info):
    return info["focusVisible"] and (info["outline"] or info["shadow"] or info["stroke"])


def answer_by_keyboard_alone(page, attempt, *, vignette_choice="Treat", on_body_map=None):
    """From the top of the page, Tab through every control to the submit button, answering with the keys a
    keyboard user has: arrow keys in radio groups and selects, Space on checkboxes, Space or Enter on body-map
    zones (and the arrow keys between them). Returns every stop, each checked for a visible focus indicator."""
    items = {str(item["qid"]): item for item in attempt.questions}
    stops, arrows_tried = [], False
    page.locator("body").focus()
    for _ in range(150):
        page.keyboard.press("Tab")
        info = page.evaluate(FOCUSED)
        stops.append(info)
        if info["tag"] == "button" and info["text"] == "Submit answers":
            return stops
        item = items.get(info["qid"] or "")
        if not item:
            continue
        kind, key = item["kind"], item["key"]
        texts = {o["id"]: o["text"] for o in item["options"]}
        if info["type"] == "radio":
            target = key
            if kind == "case_vignette":
                target = next(
                    option_id for option_id, text in texts.items() if text.startswith(vignette_choice)
                )
            for _ in range(len(texts)):  # arrow keys move through the group and check as they go
                if info["value"] == target:
                    break
                page.keyboard.press("ArrowDown")
                info = page.evaluate(FOCUSED)
            if not info["checked"]:
                page.keyboard.press("Space")
        elif info["type"] == "checkbox" and (info["value"] in key) != info["checked"]:
            page.keyboard.press("Space")
        elif info["tag"] == "select":
            option_id = info["name"].split("-", 1)[1]
            target = str(key[option_id])
            page.keyboard.press("Home")
            for _ in range(12):
                if page.evaluate("() => document.activeElement.value") == target:
                    break
                page.keyboard.press("ArrowDown")
            assert page.evaluate("() => document.activeElement.value") == target
        elif info["role"] == "checkbox" and info["zone"]:
            if not arrows_tried:  # the arrow keys walk the zones too, and come back
                arrows_tried = True
                page.keyboard.press("ArrowRight")
                assert page.evaluate("() => document.activeElement.getAttribute('data-zone')") != info["zone"]
                page.keyboard.press("ArrowLeft")
                assert page.evaluate("() => document.activeElement.getAttribute('data-zone')") == info["zone"]
                if on_body_map:
                    on_body_map()
            for wanted in key:  # the figure is one tab stop: walk to each wanted zone with the arrow keys
                for _ in range(60):
                    if page.evaluate("() => document.activeElement.getAttribute('data-zone')") == wanted:
                        break
                    page.keyboard.press("ArrowDown")
                if page.evaluate("() => document.activeElement.getAttribute('aria-checked')") != "true":
                    page.keyboard.press("Space" if len(stops) % 2 else "Enter")
                assert page.evaluate("() => document.activeElement.getAttribute('aria-checked')") == "true"
    raise AssertionError(
        "never reached the submit button: " + ", ".join(s["text"] or s["tag"] for s in stops[-10:])
    )


def test_the_whole_quiz_by_keyboard_alone_with_visible_focus(page, live_server, quiz_setup):
    """Keyboard only from the intro page to the result; the vignette answered wrongly fails the attempt on its
    safety-critical question, and the result says why."""
    quiz, learner, back_zones = quiz_setup
    journey = Journey("quiz-keyboard")
    problems = watch_console(page)
    log_in(page, live_server, learner)
    page.goto(f"{live_server.url}/quizzes/{quiz.pk}/")
    page.get_by_role("button", name="Start the quiz").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/attempts/\d+/$"))
    attempt = Attempt.objects.get(user=learner)

    stops = answer_by_keyboard_alone(
        page, attempt, on_body_map=lambda: journey.shoot(page, "body-map-focused")
    )
    assert stops[0]["text"] == "Skip to content"  # the first Tab offers the skip link
    hidden = [f"{s['tag']} {s['text']!r}" for s in stops if not focus_is_visible(s)]
    assert not hidden, f"focus not visible on: {hidden}"
    kinds = {s["type"] or s["tag"] for s in stops if s["qid"]} | {s["role"] for s in stops if s["zone"]}
    assert {"radio", "checkbox", "select"} <= kinds and len([s for s in stops if s["zone"]]) == 1
    expect(page.locator(".quiz-status__label")).to_have_text("Answered 7 of 7")
    for zone in back_zones:
        expect(page.locator(f'[data-zone="{zone.code}"]')).to_have_attribute("aria-checked", "true")

    page.keyboard.press("Enter")  # focus is back on the submit button
    expect(page).to_have_url(re.compile(r"/attempts/\d+/result/$"))
    expect(page.get_by_text("Not passed", exact=True)).to_be_visible()
    expect(page.locator("[data-fail-reason]")).to_contain_text("Critical safety question")
    expect(page.get_by_role("heading", name="Safety-critical question missed")).to_be_visible()
    journey.shoot(page, "result-critical-fail")
    check_accessibility(page, "quiz result, failed on a safety-critical question")
    attempt.refresh_from_db()
    assert attempt.passed is False and attempt.score < 100
    assert not problems, problems
