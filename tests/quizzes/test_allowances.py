"""Per-learner allowances read by the quiz engine: extra attempts, a reset that keeps the records, and a
time accommodation on the deadline (granted by course staff through courses.overrides)."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from quizzes import selectors, services
from quizzes.errors import AttemptNotAllowed, QuizError
from quizzes.models import Attempt, AttemptStatus, QuizAllowance
from tests.quizzes import factories as qf

START = timezone.now().replace(microsecond=0)


@pytest.fixture
def quiz(course, module):
    qf.single_choice(module)
    qf.true_false(module)
    return qf.quiz_create(course, module, max_attempts=3)


def fail(user, quiz):
    attempt = services.attempt_start(user=user, quiz=quiz)
    return services.attempt_submit(attempt=attempt, answers=qf.wrong_answers(attempt)).attempt


def test_an_extra_attempt_lets_a_fourth_attempt_start(quiz, enrolled):
    for _ in range(3):
        fail(enrolled, quiz)
    with pytest.raises(AttemptNotAllowed, match="all 3 attempts"):
        services.attempt_start(user=enrolled, quiz=quiz)
    assert selectors.out_of_attempts(user=enrolled, quiz=quiz)

    services.allowance_attempts_add(user=enrolled, quiz=quiz, count=1)

    assert not selectors.out_of_attempts(user=enrolled, quiz=quiz)
    intro = selectors.quiz_intro(user=enrolled, quiz=quiz)
    assert (intro["attempts_left"], intro["attempt_limit"], intro["can_start"]) == (1, 4, True)
    fourth = services.attempt_start(user=enrolled, quiz=quiz)
    assert fourth.number == 4
    services.attempt_submit(attempt=fourth, answers=qf.wrong_answers(fourth))
    with pytest.raises(AttemptNotAllowed, match="all 4 attempts"):
        services.attempt_start(user=enrolled, quiz=quiz)


def test_a_reset_makes_the_count_zero_without_deleting_attempts(quiz, enrolled):
    for _ in range(3):
        fail(enrolled, quiz)
    rows_before = list(Attempt.objects.filter(user=enrolled, quiz=quiz).values_list("pk", "score", "status"))

    services.allowance_reset(user=enrolled, quiz=quiz)

    assert (
        list(Attempt.objects.filter(user=enrolled, quiz=quiz).values_list("pk", "score", "status"))
        == rows_before
    )
    intro = selectors.quiz_intro(user=enrolled, quiz=quiz)
    assert (intro["attempts_used"], intro["attempts_left"], intro["out_of_attempts"]) == (0, 3, False)
    assert [a.counts for a in intro["attempts"]] == [False, False, False]
    assert services.attempt_start(user=enrolled, quiz=quiz).number == 4
    with pytest.raises(QuizError, match="no attempts to reset"):
        services.allowance_reset(user=enrolled, quiz=quiz)


def test_a_reset_also_lifts_the_cooldown_of_the_attempts_it_took_off(course, module, enrolled):
    qf.single_choice(module)
    quiz = qf.quiz_create(course, module, max_attempts=1, cooldown_minutes=60)
    fail(enrolled, quiz)
    services.allowance_reset(user=enrolled, quiz=quiz)
    assert selectors.start_refusal(user=enrolled, quiz=quiz) == ""


def test_a_reset_leaves_an_attempt_in_progress_counting(quiz, enrolled):
    fail(enrolled, quiz)
    running = services.attempt_start(user=enrolled, quiz=quiz)
    allowance = services.allowance_reset(user=enrolled, quiz=quiz)
    assert allowance.attempts_reset_through == 1
    assert selectors.quiz_intro(user=enrolled, quiz=quiz)["attempts_used"] == 1
    assert Attempt.objects.get(pk=running.pk).status == AttemptStatus.IN_PROGRESS


def test_a_time_accommodation_extends_the_deadline_of_new_and_running_attempts(course, module, enrolled):
    qf.single_choice(module)
    quiz = qf.quiz_create(course, module, time_limit_minutes=20)
    with time_machine.travel(START, tick=False):
        running = services.attempt_start(user=enrolled, quiz=quiz)
    assert running.deadline == START + timedelta(minutes=20)

    _, moved = services.allowance_time_set(
        user=enrolled, quiz=quiz, multiplier=Decimal("1.5"), extra_minutes=5
    )

    running.refresh_from_db()
    assert moved == [running] and running.deadline == START + timedelta(minutes=35)
    with time_machine.travel(START + timedelta(minutes=34), tick=False):  # past the quiz's own 20 + grace
        assert services.attempt_close_if_overdue(attempt=running).is_open
    services.attempt_submit(attempt=running, answers=qf.wrong_answers(running))
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        second = services.attempt_start(user=enrolled, quiz=quiz)
    assert second.deadline == START + timedelta(hours=1, minutes=35)
    intro = selectors.quiz_intro(user=enrolled, quiz=quiz)
    assert intro["time_limit_minutes"] == 35 and intro["time_accommodated"]


def test_a_time_accommodation_never_shortens_a_running_attempt(course, module, enrolled):
    qf.single_choice(module)
    quiz = qf.quiz_create(course, module, time_limit_minutes=20)
    services.allowance_time_set(user=enrolled, quiz=quiz, multiplier=Decimal("2"), extra_minutes=0)
    running = services.attempt_start(user=enrolled, quiz=quiz)
    deadline = running.deadline
    _, moved = services.allowance_time_set(user=enrolled, quiz=quiz, multiplier=Decimal("1"), extra_minutes=0)
    running.refresh_from_db()
    assert moved == [] and running.deadline == deadline


@pytest.mark.parametrize(
    "multiplier,minutes", [(Decimal("0.5"), 0), (Decimal("4.01"), 0), (Decimal("1"), 601)]
)
def test_a_time_accommodation_out_of_bounds_is_refused(course, module, enrolled, multiplier, minutes):
    quiz = qf.quiz_create(course, module, time_limit_minutes=20)
    with pytest.raises(ValidationError):
        services.allowance_time_set(user=enrolled, quiz=quiz, multiplier=multiplier, extra_minutes=minutes)


def test_an_allowance_is_one_row_per_learner_and_quiz(quiz, enrolled):
    services.allowance_attempts_add(user=enrolled, quiz=quiz, count=1)
    services.allowance_attempts_add(user=enrolled, quiz=quiz, count=2)
    assert QuizAllowance.objects.get(user=enrolled, quiz=quiz).extra_attempts == 3
