"""Simulated learners for the demo: real records through the services, nothing left half-done, idempotent."""

import hashlib

import pytest
from django.core.management import call_command

from cms import demo_activity
from cms.demo_activity import PEOPLE, demo_activity_run
from courses.models import Certificate, CourseEvaluation, Enrollment
from quizzes.models import Attempt, AttemptStatus, QuestionKind, Response
from tests.quizzes import factories as qf

pytestmark = pytest.mark.heavy  # scheduled first (tests/conftest.py)


@pytest.fixture
def course_with_quizzes(course, modules, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    zones = qf.zones_create()
    for module in modules:
        qf.every_kind(module, zones)
        qf.quiz_create(course, module, max_attempts=3)
    qf.quiz_create(course, None, title="Final post-test")
    return course


def test_simulated_learners_leave_complete_consistent_records(course_with_quizzes):
    report = demo_activity_run(course_with_quizzes, learners=6)  # real, random outcomes

    enrollments = Enrollment.objects.filter(course=course_with_quizzes).select_related("user")
    assert sorted(e.user.legal_name for e in enrollments) == sorted(name for name, _ in PEOPLE[:6])
    assert len(report.created) == 6 and report.attempts == Attempt.objects.count() >= 6
    assert not Attempt.objects.filter(status=AttemptStatus.IN_PROGRESS).exists()
    completed = enrollments.filter(status=Enrollment.Status.COMPLETED)
    assert completed.count() == report.completed
    assert Certificate.objects.filter(enrollment__in=completed).count() == completed.count()
    assert CourseEvaluation.objects.filter(enrollment__in=completed).count() == completed.count()
    assert Certificate.objects.count() == completed.count()


def test_learners_who_know_everything_finish_with_a_certificate(course_with_quizzes, monkeypatch):
    monkeypatch.setattr(demo_activity, "_chance_right", lambda question_id, ability: 1.0)
    report = demo_activity_run(course_with_quizzes, learners=6)
    finishers = Enrollment.objects.filter(status=Enrollment.Status.COMPLETED).count()
    assert finishers == report.completed >= 4  # some learners give up part-way, on purpose
    assert Certificate.objects.count() == CourseEvaluation.objects.count() == finishers


def test_ability_helps_except_on_misleading_questions():
    for question_id in range(1, 60):
        weak, strong = (
            demo_activity._chance_right(question_id, -1.0),
            demo_activity._chance_right(question_id, 3.0),
        )
        assert 0 < weak < 1 and 0 < strong < 1
        misleading = int(hashlib.sha256(str(question_id).encode()).hexdigest(), 16) % 9 == 0
        assert (strong < weak) if misleading else (strong > weak)


def test_wrong_answers_pick_the_same_distractor(course_with_quizzes, monkeypatch):
    # A coin-flip chance: how often each question is missed otherwise hangs on its id, and ids on PostgreSQL
    # depend on what ran before (sequences are not rolled back), so some runs had no wrong answer at all.
    monkeypatch.setattr(demo_activity, "_chance_right", lambda question_id, ability: 0.5)
    demo_activity_run(course_with_quizzes, learners=8)
    wrong = Response.objects.filter(question__kind=QuestionKind.SINGLE_CHOICE, is_correct=False)
    per_question = {}
    for question_id, answer in wrong.values_list("question_id", "answer"):
        per_question.setdefault(question_id, set()).add(answer)
    assert per_question and all(len(answers) == 1 for answers in per_question.values())


def test_running_again_adds_nobody(course_with_quizzes, capsys):
    call_command("demo_activity", "--learners", "3")
    attempts = Attempt.objects.count()
    call_command("demo_activity", "--learners", "3")
    assert Attempt.objects.count() == attempts
    assert "nothing added" in capsys.readouterr().out


def test_an_unknown_course_is_a_clear_error(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="setup_demo"):
        call_command("demo_activity", "--course", "no-such-course")
