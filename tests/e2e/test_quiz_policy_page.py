"""Issue 13 item 9 in Chromium: the quiz intro publishes the grading scale and the blueprint, as a
learner sees it and as the course's instructor sees it (pool counts, a rule the pool cannot fill
flagged); axe-clean and shot at 1280x800 and 390x844."""

import pytest
from playwright.sync_api import expect

from cms.services import site_tree_ensure
from courses.models import Enrollment
from courses.services import course_instructor_assign
from quizzes.models import CognitiveLevel, QuizRule, Topic
from tests.e2e.a11y import check_accessibility
from tests.e2e.instructors import instructors_group_ready
from tests.e2e.screens import Journey
from tests.e2e.sessions import session_cookie_add
from tests.factories import InstructorFactory, UserFactory, psoas_course
from tests.quizzes import factories as qf

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"


@pytest.fixture
def policy_setup(transactional_db):
    qf.wagtail_base_ensure()
    instructors_group_ready()  # after another test's flush, the group has lost what migrations gave it
    _, catalogue = site_tree_ensure()
    course, module = psoas_course(catalogue)
    for k in range(8):
        level = CognitiveLevel.APPLICATION if k < 2 else CognitiveLevel.RECALL
        qf.single_choice(module, topic=Topic.ATTACHMENTS, cognitive_level=level, family=f"f{k}")
    quiz = qf.quiz_create(course, None, title="Final post-test", time_limit_minutes=30, max_attempts=3)
    QuizRule.objects.create(
        quiz=quiz, topic_id=Topic.ATTACHMENTS, cognitive_level="recall", count=4, sort_order=0
    )
    QuizRule.objects.create(quiz=quiz, topic_id=None, cognitive_level="application", count=3, sort_order=1)
    learner = UserFactory(username="policy-learner", legal_name="Pat Learner")
    Enrollment.objects.create(user=learner, course=course)
    instructor = InstructorFactory(username="policy-instructor")
    course_instructor_assign(course=course, user=instructor)
    return quiz, learner, instructor


def log_in(page, live_server, user):
    """By session cookie (tests/e2e/sessions.py): the log-in form is not what this file tests."""
    session_cookie_add(page.context, live_server, user)


def test_the_intro_publishes_scale_and_blueprint(page, live_server, policy_setup):
    quiz, learner, instructor = policy_setup
    journey = Journey("quiz-policy")
    log_in(page, live_server, learner)
    page.goto(live_server.url + quiz.get_absolute_url())
    expect(page.get_by_role("heading", name="What each attempt draws")).to_be_visible()
    expect(page.locator("table.blueprint tfoot")).to_contain_text("at least 3 application")
    expect(page.locator(".quiz-facts")).to_contain_text("fails the attempt whatever the score")
    check_accessibility(page, "quiz intro with blueprint (learner)")
    journey.shoot(page, "intro-learner")

    page.context.clear_cookies()
    log_in(page, live_server, instructor)
    page.goto(live_server.url + quiz.get_absolute_url())
    expect(page.locator("table.blueprint tbody tr.table-warning")).to_contain_text("too few")
    check_accessibility(page, "quiz intro with blueprint (staff)")
    journey.shoot(page, "intro-staff")
