"""A body-map question on a phone (390x844): answered by touch (taps in a touch context) and by keyboard alone.

The list of zones stays beside (or below) the figure; the two follow each other both ways, the choice is
written out in words, and no key reaches the browser (no early submission, no page scroll on the map).
"""

import re

import pytest
import yaml
from django.conf import settings
from playwright.sync_api import expect

from cms.services import site_tree_ensure
from content.models import BodyZone
from courses.models import Enrollment
from quizzes.models import Attempt, FeedbackPolicy
from tests.e2e.a11y import check_accessibility, watch_console
from tests.e2e.screens import Journey
from tests.e2e.sessions import session_cookie_add
from tests.factories import UserFactory, psoas_course
from tests.quizzes import factories as qf

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
KEY = ("coccyx", "lumbar-paraspinal")  # the smallest zone of the figure and a larger one


@pytest.fixture
def body_map_quiz(transactional_db):
    qf.wagtail_base_ensure()
    # The real zones and their shapes (only the zones: the muscles and flags are not needed here).
    data = yaml.safe_load((settings.BASE_DIR / "content" / "data" / "body_zones.yaml").read_text())
    BodyZone.objects.bulk_create(
        BodyZone(code=z["code"], name=z["name"], view=z["view"], sort_order=z["sort_order"], shape=z["svg"])
        for z in data["zones"]
    )
    _, catalogue = site_tree_ensure()
    course, module = psoas_course(catalogue)
    question = qf.body_map(module, zones=list(BodyZone.objects.filter(code__in=KEY)))
    question.save()
    quiz = qf.quiz_create(
        course, module, title="Quiz: referred pain", feedback_policy=FeedbackPolicy.FULL_EXPLANATIONS
    )
    learner = UserFactory(username="map-learner", legal_name="Mara Learner")
    Enrollment.objects.create(user=learner, course=course)
    return quiz, learner


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, device_scale_factor=2)
    page = context.new_page()
    yield page
    context.close()


def start(page, live_server, quiz, learner):
    session_cookie_add(page.context, live_server, learner)  # the log-in form is not what this file tests
    page.goto(f"{live_server.url}/quizzes/{quiz.pk}/")
    page.get_by_role("button", name="Start the quiz").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+/$"))
    return page.url


# Records the keys that reached the document from a zone without the figure handling them (default not prevented).
LEAK_WATCH = """() => {
  window.leakedKeys = [];
  document.addEventListener("keydown", (e) => {
    if (e.target.matches && e.target.matches("[data-zone]") && !e.defaultPrevented) { window.leakedKeys.push(e.key); }
  });
}"""


def names(*codes):
    return {z.code: f"{z.name} ({z.view})" for z in BodyZone.objects.filter(code__in=codes)}


def test_body_map_by_touch_on_a_phone(phone, live_server, body_map_quiz):
    quiz, learner = body_map_quiz
    page = phone
    problems = watch_console(page)
    journey = Journey("body-map-touch")
    start(page, live_server, quiz, learner)
    fieldset = page.locator('fieldset[data-kind="body_map"]')
    figure, summary = fieldset.locator("[data-body-map]"), fieldset.locator("[data-zone-summary]")

    # Figure and list both there; every list row and zoom button is at least 44x44 CSS px.
    expect(figure).to_be_visible()
    rows = fieldset.locator("[data-zone-list] li")
    expect(rows.first).to_be_visible()
    assert rows.count() == BodyZone.objects.count()
    for box in [rows.nth(i).bounding_box() for i in range(rows.count())]:
        assert box["height"] >= 44, box
    for button in ("Zoom in", "Zoom out"):
        box = figure.get_by_role("button", name=button).bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44
    expect(summary).to_have_text("No zone selected.")
    journey.shoot(page, "map-and-list")
    check_accessibility(page, "body map on a phone")

    # Zoom in until the tailbone is a finger-sized target, then tap it on the figure.
    coccyx = figure.locator('[data-zone="coccyx"]')
    for _ in range(4):
        figure.get_by_role("button", name="Zoom in").tap()
    expect(figure.get_by_role("button", name="Zoom in")).to_be_disabled()
    expect(figure.locator("[data-zoom-level]")).to_have_text("400%")
    coccyx.scroll_into_view_if_needed()
    box = coccyx.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 44, box  # 400% of the phone figure: about 34 x 65 px
    coccyx.tap()
    expect(coccyx).to_have_attribute("aria-checked", "true")
    expect(fieldset.locator('[data-zone-list] input[value="coccyx"]')).to_be_checked()
    expect(figure.locator('text[data-for="coccyx"]')).to_be_visible()  # the zone's number on the figure
    journey.shoot(page, "zoomed-tailbone-tapped", full_page=False)

    # The list drives the figure too.
    wanted = names(*KEY)
    fieldset.locator('[data-zone-list] label[for$="-z-lumbar-paraspinal"]').tap()
    expect(figure.locator('[data-zone="lumbar-paraspinal"]')).to_have_attribute("aria-checked", "true")
    expect(summary).to_have_text("Selected: " + ", ".join(wanted[c] for c in ("lumbar-paraspinal", "coccyx")))
    check_accessibility(page, "body map zoomed, two zones selected")
    journey.shoot(page, "two-selected")

    page.get_by_role("button", name="Submit answers").tap()
    expect(page).to_have_url(re.compile(r"/result/$"))
    attempt = Attempt.objects.get(user=learner)
    assert attempt.passed and attempt.score == 100
    assert not problems, problems


def test_body_map_by_keyboard_alone_on_a_phone(browser, live_server, body_map_quiz):
    quiz, learner = body_map_quiz
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    problems = watch_console(page)
    take_url = start(page, live_server, quiz, learner)
    fieldset = page.locator('fieldset[data-kind="body_map"]')
    active = "() => document.activeElement.getAttribute('data-zone')"

    # Tab reaches the zoom buttons, then the figure as one stop.
    page.locator("body").focus()
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.getAttribute('aria-label')") == "Zoom in":
            break
    page.keyboard.press("Enter")  # a button: zooms, does not submit
    expect(fieldset.locator("[data-zoom-level]")).to_have_text("150%")
    page.keyboard.press("Tab")
    first = page.evaluate(active)
    assert first, "the figure is the next stop after the zoom buttons"

    # Arrow keys walk the zones without scrolling the page; Space and Enter toggle without submitting.
    page.evaluate(LEAK_WATCH)
    for wanted, key in zip(KEY, ("Space", "Enter"), strict=True):
        for _ in range(BodyZone.objects.count()):
            if page.evaluate(active) == wanted:
                break
            page.keyboard.press("ArrowDown")
        assert page.evaluate(active) == wanted
        page.keyboard.press(key)
        expect(fieldset.locator(f'[data-zone="{wanted}"]')).to_have_attribute("aria-checked", "true")
    assert page.url == take_url
    assert (
        page.evaluate("() => window.leakedKeys") == []
    )  # every key on the figure was handled, none left to the browser
    expect(fieldset.locator("[data-zone-current]")).to_contain_text("selected")
    summary = fieldset.locator("[data-zone-summary]")
    wanted_names = names(*KEY)
    expect(summary).to_have_text(
        "Selected: " + ", ".join(wanted_names[c] for c in ("lumbar-paraspinal", "coccyx"))
    )

    # Leaving the figure goes to the list (one Tab, not one per zone); Enter on a box ticks it, never submits.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.type") == "checkbox"
    first_box = page.evaluate("() => document.activeElement.value")
    page.keyboard.press("Enter")
    assert page.url == take_url
    assert page.evaluate("() => document.activeElement.checked")
    expect(fieldset.locator(f'[data-zone="{first_box}"]')).to_have_attribute("aria-checked", "true")
    page.keyboard.press("Space")  # and Space clears it again
    expect(fieldset.locator(f'[data-zone="{first_box}"]')).to_have_attribute("aria-checked", "false")
    expect(summary).to_have_text(
        "Selected: " + ", ".join(wanted_names[c] for c in ("lumbar-paraspinal", "coccyx"))
    )

    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == "Submit answers":
            break
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/result/$"))
    attempt = Attempt.objects.get(user=learner)
    assert attempt.passed and attempt.score == 100
    assert not problems, problems
    context.close()
