"""Issue 16's acceptance journey: a learner who finished the course comes back a day later (the server's
clock moved on with time-machine; the live server runs in this process) and reviews three due cards on a
phone (390×844): the deck, each question without its key, one answered by the keyboard alone, one
answered wrongly (the correct answer, the explanation and the lesson link follow), axe-clean throughout.
The course is finished through the services and the ORM; the answers are chosen in the browser."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from cms.services import site_tree_ensure
from courses.models import Enrollment
from quizzes.models import ReviewCard
from tests.e2e.a11y import check_accessibility, watch_console
from tests.e2e.screens import Journey
from tests.factories import ProviderFactory, UserFactory
from tests.quizzes import factories as qf
from tests.quizzes.review_world import review_world, take_quiz

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True}


@pytest.fixture
def finished(transactional_db):
    """A learner who failed the module quiz once, then passed it, and completed the course, yesterday."""
    qf.wagtail_base_ensure()
    _, catalogue = site_tree_ensure()
    world = review_world(catalogue, ProviderFactory())
    learner = UserFactory(username="review-learner", legal_name="Rae Viewer")
    yesterday = timezone.now() - timedelta(days=1)

    def loner_wrong(attempt):
        answers = qf.key_answers(attempt)
        answers[str(world.loner.pk)] = qf.wrong_answers(attempt)[str(world.loner.pk)]
        return answers

    take_quiz(learner, world, answers_for=loner_wrong, now=yesterday - timedelta(hours=1))
    assert take_quiz(learner, world, answers_for=qf.key_answers, now=yesterday).passed
    Enrollment.objects.filter(user=learner, course=world.course).update(
        status="completed", completed_at=yesterday
    )
    assert ReviewCard.objects.filter(user=learner).count() == 3
    return world, learner


def _served(page):
    card_id = int(re.search(r"/review/cards/(\d+)/", page.url).group(1))
    return ReviewCard.objects.get(pk=card_id).served["item"]  # the test's oracle, read from the server


def _option_text(item, *, right):
    return next(o["text"] for o in item["options"] if (o["id"] == item["key"]) == right)


def test_a_day_after_finishing_a_learner_reviews_three_cards_on_a_phone(page, live_server, finished):
    world, learner = finished
    journey = Journey("review")
    problems = watch_console(page)
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=True):
        page.goto(live_server.url + "/accounts/login/?next=/review/")
        page.fill("input[name=login]", learner.username)
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form").get_by_role("button", name=re.compile("log in", re.I)).click()
        expect(page).to_have_url(re.compile(r"/review/$"))
        expect(page.get_by_role("heading", name="3 cards due")).to_be_visible()
        expect(page.get_by_text("A test sign (emergency)")).to_be_visible()  # the red flag's card
        check_accessibility(page, "review deck (phone)")
        journey.shoot(page, "deck")
        page.get_by_role("link", name="Start reviewing").click()

        # 1: answered right, with the keyboard alone (focus the option, Space, Tab to the button, Enter)
        expect(page).to_have_url(re.compile(r"/review/cards/\d+/$"))
        item = _served(page)
        html = page.content()
        assert (
            item["explanation"] not in html and "data-correct-answer" not in html
        )  # no key before the answer
        check_accessibility(page, "review question (phone)")
        journey.shoot(page, "question-1")
        page.get_by_label(_option_text(item, right=True), exact=True).focus()
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="Check my answer")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name=re.compile("^Right"))).to_be_visible()
        expect(page.get_by_text("2 cards due after this one")).to_be_visible()
        check_accessibility(page, "review answer, right (phone)")
        journey.shoot(page, "answer-1-right")
        page.get_by_role("link", name="Next card").click()

        # 2: answered wrongly: the key, the explanation and the way back to the lesson
        item = _served(page)
        page.get_by_label(_option_text(item, right=False), exact=True).check()
        page.get_by_role("button", name="Check my answer").click()
        expect(page.get_by_role("heading", name=re.compile("^Not quite"))).to_be_visible()
        expect(page.locator("[data-correct-answer]")).to_have_text(_option_text(item, right=True))
        expect(page.locator("[data-review-result=again]")).to_be_visible()
        if item["explanation"]:
            expect(page.get_by_text(item["explanation"].split("\n")[0])).to_be_visible()
        lesson = page.locator("[data-lesson-link]")
        expect(lesson).to_have_attribute("href", re.compile(r"/the-psoas/"))
        check_accessibility(page, "review answer, wrong (phone)")
        journey.shoot(page, "answer-2-wrong")
        page.get_by_role("link", name="Next card").click()

        # 3: right again; then nothing is due and the deck says when the next card comes
        item = _served(page)
        journey.shoot(page, "question-3")
        page.get_by_label(_option_text(item, right=True), exact=True).check()
        page.get_by_role("button", name="Check my answer").click()
        expect(page.get_by_role("heading", name=re.compile("^Right"))).to_be_visible()
        journey.shoot(page, "answer-3-right")
        page.get_by_role("link", name=re.compile("Done")).click()
        expect(page.get_by_role("heading", name="Nothing due")).to_be_visible()
        check_accessibility(page, "review deck, all done (phone)")
        journey.shoot(page, "deck-done")
        # no horizontal scrolling on the phone
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]

    cards = list(ReviewCard.objects.filter(user=learner))
    assert sorted(c.review_count for c in cards) == [1, 1, 1]
    assert sorted(c.again_count for c in cards) == [0, 0, 1]
    assert all(c.due > timezone.now() for c in cards)
    assert not problems, problems
