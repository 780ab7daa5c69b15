"""Opening, autosaving and submitting an attempt run a fixed number of queries, whatever its length."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quizzes import services
from tests.quizzes import factories as qf

# Session, user, attempt (+quiz), responses, zones, savepoints: generous but fixed.
MAX_QUERIES = 12
# A submit that passes a module quiz also completes the module, checks whether the course is complete and
# moves the learner's study clock (courses: enrollment, progress, live modules; each with its savepoint).
# It also adds the attempt's missed and red-flag items to the review deck (courses/review_deck.py: the
# completed modules, the questions, one INSERT; the submit hands over which answers were right).
MAX_SUBMIT_QUERIES = 29
# The result page works out the learner's one next step in the course (courses.next_step).
MAX_RESULT_QUERIES = 16
BOUNDS = {
    "open": MAX_QUERIES,
    "autosave": MAX_QUERIES,
    "submit": MAX_SUBMIT_QUERIES,
    "result": MAX_RESULT_QUERIES,
}


def _quiz_of(course, module, zones, n):
    makers = [  # the body map first, so that the 5-question quiz also loads zones; a red flag in the
        # first five too, so both sizes add to the learner's review deck (courses/review_deck.py)
        lambda: qf.body_map(module, zones=zones[:2]),
        lambda: qf.vignette(module),
        lambda: qf.single_choice(module),
        lambda: qf.multiple_response(module),
        lambda: qf.true_false(module),
        lambda: qf.matching(module),
        lambda: qf.ordering(module),
    ]
    for i in range(n):
        makers[i % len(makers)]()
    return qf.quiz_create(course, module, title=f"{n} questions")


def _count(func) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def _measure(client, user, quiz):
    attempt = services.attempt_start(user=user, quiz=quiz)
    answers = qf.key_answers(attempt)
    counts = {}
    counts["open"] = _count(lambda: client.get(f"/attempts/{attempt.pk}/"))
    counts["autosave"] = _count(
        lambda: client.post(
            f"/attempts/{attempt.pk}/autosave/", {"answers": answers}, content_type="application/json"
        )
    )
    counts["submit"] = _count(
        lambda: client.post(
            f"/attempts/{attempt.pk}/submit/", {"answers": answers}, content_type="application/json"
        )
    )
    counts["result"] = _count(lambda: client.get(f"/attempts/{attempt.pk}/result/"))
    attempt.refresh_from_db()
    assert attempt.score == 100
    return attempt, counts


def test_30_questions_cost_the_same_queries_as_5(
    course, modules, zones, learner, other_learner, client, django_assert_max_num_queries
):
    from courses.models import Enrollment, ModuleProgress

    small = _quiz_of(course, modules[0], zones, 5)
    large = _quiz_of(course, modules[1], zones, 30)
    for user in (learner, other_learner):
        Enrollment.objects.create(user=user, course=course)
    # module 2 is open to the other learner, so their pass completes it as the first learner's completes module 1
    ModuleProgress.objects.create(
        enrollment=Enrollment.objects.get(user=other_learner), module=modules[0], completed_at=timezone.now()
    )
    client.force_login(learner)
    small_attempt, small_counts = _measure(client, learner, small)
    client.force_login(other_learner)
    large_attempt, large_counts = _measure(client, other_learner, large)
    assert len(small_attempt.questions) == 5 and len(large_attempt.questions) == 30
    assert large_counts == small_counts, (small_counts, large_counts)
    for step, count in large_counts.items():
        assert count <= BOUNDS[step], step


def test_each_step_stays_under_the_bound(
    course, module, zones, enrolled, client, django_assert_max_num_queries
):
    quiz = _quiz_of(course, module, zones, 30)
    attempt = services.attempt_start(user=enrolled, quiz=quiz)
    answers = qf.key_answers(attempt)
    client.force_login(enrolled)
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(f"/attempts/{attempt.pk}/").status_code == 200
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.post(
            f"/attempts/{attempt.pk}/autosave/", {"answers": answers}, content_type="application/json"
        )
        assert response.status_code == 200
    with django_assert_max_num_queries(MAX_SUBMIT_QUERIES):
        response = client.post(
            f"/attempts/{attempt.pk}/submit/", {"answers": answers}, content_type="application/json"
        )
        assert response.status_code == 200


@pytest.mark.parametrize("n", [5, 30])
def test_no_js_form_submit_is_fixed_too(
    course, module, zones, enrolled, client, n, django_assert_max_num_queries
):
    quiz = _quiz_of(course, module, zones, n)
    attempt = services.attempt_start(user=enrolled, quiz=quiz)
    client.force_login(enrolled)
    with django_assert_max_num_queries(MAX_SUBMIT_QUERIES):
        response = client.post(f"/attempts/{attempt.pk}/submit/", {})
    assert response.status_code == 302


def test_a_submit_of_every_answer_reads_neither_saved_answers_nor_the_snapshot_again(
    course, module, zones, enrolled, client
):
    """The hot path: the answers sent replace every saved one, and the view has the snapshot already."""
    attempt = services.attempt_start(user=enrolled, quiz=_quiz_of(course, module, zones, 30))
    client.force_login(enrolled)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(
            f"/attempts/{attempt.pk}/submit/",
            {"answers": qf.key_answers(attempt)},
            content_type="application/json",
        )
    assert response.status_code == 200 and response.json()["score"] == "100.00"
    selects = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
    assert not [sql for sql in selects if 'FROM "quizzes_response"' in sql]
    snapshot_reads = [sql for sql in selects if '"quizzes_attempt"."snapshot"' in sql]
    assert len(snapshot_reads) == 1 and "FOR UPDATE" not in snapshot_reads[0]  # the view's read only
    # the completion gate, the module's completion, the course check and the study clock; never per question
    assert len([sql for sql in selects if 'FROM "courses_enrollment"' in sql]) <= 4


def test_a_partial_submit_still_grades_the_saved_answers(course, module, zones, enrolled):
    attempt = services.attempt_start(user=enrolled, quiz=_quiz_of(course, module, zones, 5))
    answers = qf.key_answers(attempt)
    first, *rest = answers
    services.attempt_autosave(attempt=attempt, answers={first: answers[first]})
    outcome = services.attempt_submit(attempt=attempt, answers={key: answers[key] for key in rest})
    assert outcome.attempt.score == 100
