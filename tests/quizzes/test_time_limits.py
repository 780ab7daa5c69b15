"""Time limits enforced on the server, with a frozen clock: grace, late answers, lazy expiry."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from quizzes import services
from quizzes.errors import AttemptClosed
from quizzes.models import AttemptStatus, Response
from tests.quizzes import factories as qf

START = timezone.now().replace(microsecond=0)


@pytest.fixture
def timed_quiz(course, module, zones):
    qf.every_kind(module, zones)
    return qf.quiz_create(course, module, time_limit_minutes=10, grace_seconds=30)


@pytest.fixture
def attempt(timed_quiz, enrolled):
    with time_machine.travel(START, tick=False):
        return services.attempt_start(user=enrolled, quiz=timed_quiz)


def test_deadline_is_set_from_the_server_clock(attempt):
    assert attempt.deadline == START + timedelta(minutes=10)


def test_untimed_quiz_has_no_deadline(all_kinds_quiz, enrolled):
    assert services.attempt_start(user=enrolled, quiz=all_kinds_quiz).deadline is None


def test_answers_inside_the_grace_still_count(attempt):
    with time_machine.travel(START + timedelta(minutes=10, seconds=25), tick=False):
        services.attempt_autosave(attempt=attempt, answers=qf.key_answers(attempt))
        outcome = services.attempt_submit(attempt=attempt, answers=qf.key_answers(attempt))
    assert outcome.graded_now and not outcome.late
    assert outcome.attempt.status == AttemptStatus.SUBMITTED
    assert outcome.attempt.score == 100


def test_autosave_after_the_grace_is_refused_and_saves_nothing(attempt):
    with time_machine.travel(START + timedelta(minutes=10, seconds=31), tick=False):
        with pytest.raises(AttemptClosed, match="Time is up"):
            services.attempt_autosave(attempt=attempt, answers=qf.key_answers(attempt))
    assert not Response.objects.filter(attempt=attempt, answer__isnull=False).exists()


def test_late_submit_is_graded_on_answers_saved_in_time(attempt):
    key = qf.key_answers(attempt)
    first_qid = str(attempt.questions[0]["qid"])
    with time_machine.travel(START + timedelta(minutes=5), tick=False):
        services.attempt_autosave(attempt=attempt, answers={first_qid: key[first_qid]})
    with time_machine.travel(START + timedelta(minutes=11), tick=False):
        outcome = services.attempt_submit(attempt=attempt, answers=key)
    assert outcome.late and outcome.graded_now
    attempt = outcome.attempt
    assert attempt.status == AttemptStatus.EXPIRED
    assert attempt.submitted_at == START + timedelta(minutes=11)
    # only the one answer saved before the deadline counts: 1 of 7 questions
    assert attempt.score == Decimal("14.29")
    saved = dict(Response.objects.filter(attempt=attempt).values_list("position", "answer"))
    assert saved[1] == key[first_qid]
    assert all(saved[p] is None for p in range(2, 8))


def test_overdue_attempt_is_closed_when_the_learner_comes_back(attempt, enrolled, timed_quiz):
    with time_machine.travel(START + timedelta(hours=3), tick=False):
        again = services.attempt_start(user=enrolled, quiz=timed_quiz)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.EXPIRED
    assert attempt.score == 0
    assert again.pk != attempt.pk and again.number == 2


def test_take_page_redirects_an_overdue_attempt_to_its_result(attempt, client, enrolled):
    client.force_login(enrolled)
    with time_machine.travel(START + timedelta(minutes=10, seconds=5), tick=False):
        page = client.get(f"/attempts/{attempt.pk}/")
        assert page.status_code == 200
        assert b'data-seconds-left="0"' in page.content
    with time_machine.travel(START + timedelta(minutes=11), tick=False):
        page = client.get(f"/attempts/{attempt.pk}/")
        assert page.status_code == 302 and page["Location"].endswith("/result/")
        late = client.post(
            f"/attempts/{attempt.pk}/autosave/", {"answers": {}}, content_type="application/json"
        )
    assert late.status_code == 409
    assert "already closed" in late.json()["error"]


def test_late_submit_over_http_says_why(attempt, client, enrolled):
    client.force_login(enrolled)
    with time_machine.travel(START + timedelta(minutes=12), tick=False):
        response = client.post(
            f"/attempts/{attempt.pk}/submit/",
            {"answers": qf.key_answers(attempt)},
            content_type="application/json",
        )
    assert response.status_code == 409
    assert "Time was up" in response.json()["error"]
    assert response.json()["result_url"].endswith(f"/attempts/{attempt.pk}/result/")


def test_time_left_shown_on_the_take_page(attempt, client, enrolled):
    client.force_login(enrolled)
    with time_machine.travel(START + timedelta(minutes=4), tick=False):
        page = client.get(f"/attempts/{attempt.pk}/")
    assert b'data-seconds-left="360"' in page.content
