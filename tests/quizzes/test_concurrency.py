"""Two submits of the same attempt at the same moment grade it once (real threads, real transactions).

PostgreSQL: the second submit waits on the attempt's row lock, then finds it graded. SQLite has no
row locks and refuses concurrent writers ("database is locked"); the service retries, then finds it
graded. Either way: one grading, one result, and the other caller is told it was already submitted.
"""

import threading

import pytest
from django.db import connection
from django.test import Client

from quizzes import services
from quizzes.models import Attempt, AttemptStatus, Response
from tests.quizzes import factories as qf

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def base(transactional_db):
    qf.wagtail_base_ensure()


def _run_together(n, func):
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def worker(i):
        try:
            barrier.wait(timeout=10)
            results[i] = func(i)
        except Exception as exc:  # reported below, never swallowed
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


@pytest.fixture
def attempt(course, module, zones, enrolled):
    qf.every_kind(module, zones)
    quiz = qf.quiz_create(course, module)
    return services.attempt_start(user=enrolled, quiz=quiz)


def test_concurrent_service_submits_grade_once(attempt):
    key = qf.key_answers(attempt)
    outcomes = _run_together(4, lambda i: services.attempt_submit(attempt=attempt, answers=key))
    assert sum(o.graded_now for o in outcomes) == 1
    assert {o.attempt.submitted_at for o in outcomes} == {outcomes[0].attempt.submitted_at}
    assert {o.attempt.score for o in outcomes} == {100}
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.score == 100
    assert Response.objects.filter(attempt=attempt).count() == 7


def test_concurrent_http_submits_with_different_answers_keep_the_first(attempt, enrolled):
    key, wrong = qf.key_answers(attempt), qf.wrong_answers(attempt)
    clients = [Client(), Client()]
    for c in clients:
        c.force_login(enrolled)

    def submit(i):
        answers = key if i == 0 else wrong
        return clients[i].post(
            f"/attempts/{attempt.pk}/submit/", {"answers": answers}, content_type="application/json"
        )

    responses = _run_together(2, submit)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 409]
    winner = next(r for r in responses if r.status_code == 200).json()
    loser = next(r for r in responses if r.status_code == 409).json()
    assert "already submitted" in loser["error"]
    assert loser["result_url"] == winner["result_url"]
    attempt.refresh_from_db()
    assert str(attempt.score) == winner["score"]
    scores = set(Response.objects.filter(attempt=attempt).values_list("score", flat=True))
    assert scores == ({1.0} if attempt.score == 100 else {0.0})


def test_concurrent_starts_open_one_attempt(course, module, enrolled):
    qf.single_choice(module)
    quiz = qf.quiz_create(course, module)
    attempts = _run_together(3, lambda i: services.attempt_start(user=enrolled, quiz=quiz))
    assert len({a.pk for a in attempts}) == 1
    assert Attempt.objects.filter(user=enrolled, quiz=quiz).count() == 1
