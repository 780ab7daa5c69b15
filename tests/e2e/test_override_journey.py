"""The second acceptance journey, in Chromium: a learner uses every attempt at a module quiz and is told whom
to contact; the course's instructor finds them under "Needs attention", grants one more attempt from the
learner's record with a reason; the learner passes. The override is in the record's history, the course's
audit CSV and the learner's own data export. Admin steps are shot at 1280×800 (and 390×844)."""

import json
import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from cms.services import site_tree_ensure
from courses.models import Enrollment, LearnerOverride
from courses.services import course_instructor_assign
from quizzes import services as quiz_services
from quizzes.models import Attempt
from tests.e2e.instructors import instructors_group_ready
from tests.e2e.screens import AdminJourney, Journey
from tests.factories import InstructorFactory, UserFactory, psoas_course, wagtail_base_ensure
from tests.quizzes import factories as qf

pytestmark = pytest.mark.e2e

REASON = "Power cut during attempt 3 (learner's e-mail of 12 March); one more attempt."


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def stuck_world(transactional_db):
    wagtail_base_ensure()
    instructors_group_ready()
    _, catalogue = site_tree_ensure()
    course, module = psoas_course(catalogue)
    qf.single_choice(
        module,
        stem="Where does psoas major insert?",
        right="Lesser trochanter of the femur",
        wrong=("Greater trochanter", "Ischial tuberosity"),
    )
    qf.true_false(module, stem="Psoas major flexes the hip.", answer=True)
    quiz = qf.quiz_create(course, module, title="Quiz: the psoas and iliacus", max_attempts=3, pass_mark=100)
    learner = UserFactory(username="sam.learner", legal_name="Sam Okafor")
    Enrollment.objects.create(user=learner, course=course)
    for _ in range(2):  # two failed attempts before the journey starts
        attempt = quiz_services.attempt_start(user=learner, quiz=quiz)
        quiz_services.attempt_submit(attempt=attempt, answers=qf.wrong_answers(attempt))
    instructor = InstructorFactory(username="dana.instructor", legal_name="Dana Whitfield", is_staff=False)
    course_instructor_assign(course=course, user=instructor)
    return {"course": course, "quiz": quiz, "learner": learner, "instructor": instructor}


def logged_in_context(browser, live_server, user):
    """A browser context with the user's session (the journeys of log-in are tested elsewhere)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    return context


def answer(page, attempt, *, right):
    for item in attempt.questions:
        fieldset = page.locator(f'fieldset[data-qid="{item["qid"]}"]')
        texts = {o["id"]: o["text"] for o in item["options"]}
        pick = item["key"] if right else next(o for o in texts if o != item["key"])
        fieldset.get_by_label(texts[pick], exact=True).check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+/result/$"))


def test_an_instructor_grants_one_more_attempt_and_the_learner_passes(browser, live_server, stuck_world):
    w = stuck_world
    learner_journey, admin_journey = Journey("override-learner"), AdminJourney("override-admin")
    intro_url = f"{live_server.url}/quizzes/{w['quiz'].pk}/"

    # The learner's third and last attempt fails: the result page says whom to contact, not a dead end.
    learner_page = logged_in_context(browser, live_server, w["learner"]).new_page()
    learner_page.goto(intro_url)
    expect(learner_page.get_by_text("2 of 3 used")).to_be_visible()
    learner_page.get_by_role("button", name="Start a new attempt").click()
    third = Attempt.objects.get(user=w["learner"], number=3)
    answer(learner_page, third, right=False)
    help_box = learner_page.locator("[data-quiz-help]")
    expect(help_box).to_contain_text("Dana Whitfield")
    expect(help_box).to_contain_text("ce@example.com")
    learner_journey.shoot(learner_page, "out-of-attempts-result")
    learner_page.goto(intro_url)
    expect(learner_page.get_by_text("You have used all 3 attempts")).to_be_visible()
    expect(learner_page.locator("[data-quiz-help]")).to_be_visible()
    expect(learner_page.get_by_role("button", name=re.compile("Start"))).to_have_count(0)
    learner_journey.shoot(learner_page, "out-of-attempts-intro")

    # The instructor finds the learner under "Needs attention" and grants one attempt, with a reason.
    admin = logged_in_context(browser, live_server, w["instructor"]).new_page()
    admin.goto(live_server.url + "/admin/")
    admin.get_by_role("link", name="Needs attention").click()
    row = admin.locator("[data-needs-attention] tbody tr", has_text="Sam Okafor")
    expect(row).to_contain_text("3 of 3")
    admin_journey.shoot(admin, "needs-attention")
    row.get_by_role("link", name="Grant an attempt").click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Grant extra attempts")
    admin.get_by_role("button", name="Grant").click()  # no reason yet: refused, nothing recorded
    expect(admin.get_by_text("Give a reason: it is kept in the learner's history.")).to_be_visible()
    assert not LearnerOverride.objects.exists()
    admin.get_by_label("Reason").fill(REASON)
    admin_journey.shoot(admin, "override-form", focus=admin.locator("[data-override-form]"))
    admin.get_by_role("button", name="Grant").click()
    expect(admin).to_have_url(
        re.compile(rf"/admin/insight/learners/{w['learner'].pk}/#course-{w['course'].pk}$")
    )
    history = admin.locator("[data-override-history]")
    expect(history).to_contain_text("Extra attempts")
    expect(history).to_contain_text(REASON)
    expect(history).to_contain_text("Dana Whitfield")
    admin_journey.shoot(admin, "record-history", focus=history)

    # The learner has one more attempt, and passes.
    learner_page.goto(intro_url)
    expect(learner_page.get_by_text("3 of 4 used")).to_be_visible()
    expect(learner_page.locator("[data-quiz-help]")).to_have_count(0)
    learner_page.get_by_role("button", name="Start a new attempt").click()
    answer(learner_page, Attempt.objects.get(user=w["learner"], number=4), right=True)
    expect(learner_page.get_by_text("Passed", exact=True)).to_be_visible()
    learner_journey.shoot(learner_page, "passed")

    # The override is in the provider's audit export and in the learner's own data.
    admin.goto(live_server.url + "/admin/insight/courses/")
    with admin.expect_download() as download:
        admin.get_by_role("link", name="Overrides CSV").click()
    csv_text = open(download.value.path(), encoding="utf-8-sig").read()
    assert REASON in csv_text and "sam.learner" in csv_text and "Extra attempts" in csv_text
    own = learner_page.request.get(live_server.url + "/accounts/profile/export/")
    overrides = json.loads(own.body())["overrides"]
    assert [(o["action"], o["reason"], o["by"]) for o in overrides] == [
        ("extra_attempts", REASON, "Dana Whitfield")
    ]
