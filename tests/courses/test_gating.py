"""Order and gating on the server (issue 12, item 1): a module's quiz only when its module is open, the
post-test only after every module and the seat time, the evaluation only after the post-test; each a
course setting. A refusal is a clear page or a 4xx JSON message: nothing started, nothing counted."""

from decimal import Decimal

import pytest
from django.urls import reverse

from courses.models import Enrollment, ModuleProgress
from courses.services import enrollment_create, quiz_attempt_start
from quizzes.errors import AttemptNotAllowed
from quizzes.models import Attempt, Quiz
from tests.courses.certify import private_media, quiz_pass, small_course, study  # noqa: F401
from tests.factories import module_create
from tests.quizzes import factories as qf

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(catalogue):
    """Three modules, a quiz on each, a post-test; 3 CE hours, so 150 minutes of seat time."""
    return course_of_three(catalogue)


def course_of_three(catalogue, **fields):
    course, pages = small_course(catalogue, modules=2, module_quiz=True, post_test=True, **fields)
    third = module_create(course, title="Part 3", body=[("rich_text", "<p>Red flags.</p>")])
    qf.true_false(pages[1])
    qf.quiz_create(course, pages[1], title="Quiz: part 2", pass_mark=100)
    qf.true_false(third)
    qf.quiz_create(course, third, title="Quiz: part 3", pass_mark=100)
    return course, [*pages, third]


def quizzes_of(course, pages):
    return [Quiz.objects.get(module=p) for p in pages], Quiz.objects.get(course=course, module__isnull=True)


def start(client, quiz, *, as_json=False):
    headers = {"HTTP_ACCEPT": "application/json"} if as_json else {}
    return client.post(reverse("quizzes:quiz_start", args=[quiz.pk]), **headers)


class TestModuleQuizOrder:
    def test_a_locked_modules_quiz_is_refused_as_a_page_and_as_json_and_nothing_is_started(
        self, client, built, learner
    ):
        course, pages = built
        enrollment_create(user=learner, course=course)
        (_, second, _), _ = quizzes_of(course, pages)
        client.force_login(learner)

        response = start(client, second)
        assert response.status_code == 302 and response["Location"] == reverse(
            "quizzes:quiz_intro", args=[second.pk]
        )
        intro = client.get(response["Location"]).content.decode()
        assert "This quiz is locked: complete “Part 1” first" in intro
        assert "Start the quiz" not in intro and "quiz_start" not in intro and "/start/" not in intro

        refused = start(client, second, as_json=True)
        assert refused.status_code == 409
        assert refused.json() == {"ok": False, "error": refused.json()["error"]}
        assert "complete “Part 1” first" in refused.json()["error"]
        assert not Attempt.objects.exists()  # nothing started, nothing counted against max_attempts

    def test_the_service_refuses_too(self, built, learner):
        course, pages = built
        enrollment_create(user=learner, course=course)
        (_, _, third), _ = quizzes_of(course, pages)
        with pytest.raises(AttemptNotAllowed, match="Part 1"):
            quiz_attempt_start(user=learner, quiz=third)
        assert not Attempt.objects.exists()

    def test_the_quiz_opens_with_its_module(self, client, built, learner):
        course, pages = built
        enrollment_create(user=learner, course=course)
        (first, second, _), _ = quizzes_of(course, pages)
        quiz_pass(learner, first)  # completes Part 1, which opens Part 2 and its quiz
        client.force_login(learner)
        response = start(client, second, as_json=True)
        assert response.status_code == 200 and response.json()["ok"]
        assert Attempt.objects.filter(quiz=second).count() == 1

    def test_the_rule_can_be_switched_off(self, client, catalogue, learner):
        course, pages = course_of_three(catalogue, quizzes_in_module_order=False)
        enrollment_create(user=learner, course=course)
        (_, _, third), _ = quizzes_of(course, pages)
        client.force_login(learner)
        assert start(client, third, as_json=True).status_code == 200


class TestPostTest:
    def test_refused_until_every_module_is_complete_then_until_the_seat_time(self, client, built, learner):
        course, pages = built
        enrollment = enrollment_create(user=learner, course=course)
        quizzes, final = quizzes_of(course, pages)
        client.force_login(learner)
        refused = start(client, final, as_json=True)
        assert refused.status_code == 409 and "every module is complete (0 of 3" in refused.json()["error"]

        for quiz in quizzes:
            quiz_pass(learner, quiz)
        refused = start(client, final, as_json=True)
        assert refused.status_code == 409
        assert "minimum study time of 150 minutes" in refused.json()["error"]
        intro = client.get(reverse("quizzes:quiz_intro", args=[final.pk])).content.decode()
        assert "minutes of study left" in intro and "Start the quiz" not in intro
        assert not Attempt.objects.filter(quiz=final).exists()

        study(enrollment)
        assert start(client, final, as_json=True).status_code == 200

    def test_each_rule_can_be_switched_off(self, client, catalogue, learner):
        course, pages = course_of_three(
            catalogue, post_test_after_modules=False, post_test_after_seat_time=False
        )
        enrollment_create(user=learner, course=course)
        _, final = quizzes_of(course, pages)
        client.force_login(learner)
        assert start(client, final, as_json=True).status_code == 200

    def test_the_seat_time_rule_alone(self, client, catalogue, learner):
        course, pages = course_of_three(catalogue, post_test_after_modules=False)
        enrollment = enrollment_create(user=learner, course=course)
        _, final = quizzes_of(course, pages)
        client.force_login(learner)
        assert "minimum study time" in start(client, final, as_json=True).json()["error"]
        study(enrollment)
        assert start(client, final, as_json=True).status_code == 200


class TestResultPageKeys:
    def test_a_locked_quizs_result_shows_no_key(self, client, built, learner):
        """An attempt made before the rule existed (or by the engine directly) never reveals its key
        while the quiz is closed to the learner."""
        from quizzes.services import attempt_start, attempt_submit

        course, pages = built
        enrollment_create(user=learner, course=course)
        (_, second, _), _ = quizzes_of(course, pages)
        attempt = attempt_start(user=learner, quiz=second)  # the engine alone: no course rule
        attempt_submit(attempt=attempt, answers=qf.wrong_answers(attempt))
        client.force_login(learner)
        html = client.get(reverse("quizzes:attempt_result", args=[attempt.pk])).content.decode()
        assert "Feedback on this quiz is shown once it is open to you" in html
        assert "Correct answer" not in html and "Question by question" not in html


class TestModuleCompletesOnPass:
    def test_passing_the_quiz_completes_the_module_without_a_click(self, client, built, learner):
        course, pages = built
        enrollment = enrollment_create(user=learner, course=course)
        (first, _, _), _ = quizzes_of(course, pages)
        attempt = quiz_pass(learner, first)
        progress = ModuleProgress.objects.get(enrollment=enrollment, module=pages[0])
        assert progress.completed_at == attempt.submitted_at
        client.force_login(learner)
        html = client.get(pages[0].url).content.decode()
        assert "Mark complete" not in html and "You completed this module" in html
        assert "This module is locked" not in client.get(pages[1].url).content.decode()

    def test_a_failed_attempt_completes_nothing(self, built, learner):
        from quizzes.services import attempt_start, attempt_submit

        course, pages = built
        enrollment_create(user=learner, course=course)
        (first, _, _), _ = quizzes_of(course, pages)
        attempt = attempt_start(user=learner, quiz=first)
        attempt_submit(attempt=attempt, answers=qf.wrong_answers(attempt))
        assert not ModuleProgress.objects.filter(completed_at__isnull=False).exists()

    def test_a_module_without_a_quiz_keeps_mark_complete(self, client, catalogue, learner):
        course, pages = small_course(catalogue, modules=2, module_quiz=False)
        enrollment_create(user=learner, course=course)
        client.force_login(learner)
        assert "Mark complete" in client.get(pages[0].url).content.decode()

    def test_with_the_order_off_an_early_pass_leaves_the_module_to_its_turn(self, catalogue, learner):
        course, pages = course_of_three(catalogue, quizzes_in_module_order=False)
        enrollment = enrollment_create(user=learner, course=course)
        (_, second, _), _ = quizzes_of(course, pages)
        quiz_pass(learner, second)
        assert not ModuleProgress.objects.filter(enrollment=enrollment, completed_at__isnull=False).exists()

    def test_a_withdrawn_learner_completes_nothing(self, built, learner):
        course, pages = built
        enrollment = enrollment_create(user=learner, course=course)
        Enrollment.objects.filter(pk=enrollment.pk).update(status=Enrollment.Status.WITHDRAWN)
        (first, _, _), _ = quizzes_of(course, pages)
        quiz_pass(learner, first)
        assert not ModuleProgress.objects.exists()


def test_a_course_without_ce_hours_has_no_seat_time(catalogue):
    course, _ = small_course(catalogue, ce_hours=Decimal("0"))
    assert course.seat_time_minutes == 0
