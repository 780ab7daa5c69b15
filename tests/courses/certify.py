"""Helpers for the completion and certificate tests: a small course, finished the way a learner would."""

import math
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from courses.completion import evaluation_submit
from courses.seat_time import IDLE_GAP_CAP, seat_time_required_seconds, study_activity_record
from courses.services import enrollment_create, module_complete
from tests.factories import ProviderFactory, UserFactory, course_create, module_create
from tests.quizzes import factories as qf

RATINGS = {
    "objectives_met": 5,
    "content_relevant": 4,
    "materials_quality": 5,
    "instructor_quality": 4,
    "would_recommend": 5,
}
BODY = [("rich_text", "<p>Quadratus lumborum runs from the iliac crest to the twelfth rib.</p>")]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Each test writes its PDFs to its own directory (and can count them)."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


def small_course(catalogue, *, modules=2, post_test=True, module_quiz=True, **fields):
    """A course with `modules` modules, a quiz on the first, and a post-test (one true/false each)."""
    course = course_create(
        catalogue,
        title=fields.pop("title", "Massage for Low Back Pain"),
        provider=fields.pop("provider", None) or ProviderFactory(),
        ce_hours=fields.pop("ce_hours", Decimal("3.00")),
        **fields,
    )
    pages = [module_create(course, title=f"Part {n}", body=BODY) for n in range(1, modules + 1)]
    if module_quiz:
        qf.true_false(pages[0])
        qf.quiz_create(course, pages[0], title="Quiz: part 1", pass_mark=100)
    if post_test:
        qf.true_false(pages[-1])
        qf.quiz_create(course, None, title="Post-test", pass_mark=100)
    return course, pages


def quiz_pass(user, quiz):
    from quizzes.services import attempt_start, attempt_submit

    attempt = attempt_start(user=user, quiz=quiz)
    outcome = attempt_submit(attempt=attempt, answers=qf.key_answers(attempt))
    assert outcome.attempt.passed
    return outcome.attempt


def study(enrollment, minutes=None, *, module=None, end=None):
    """Simulate `minutes` of reading (default: the course's minimum time on task) the way the server
    counts it: a view of `module` (default: the first) every IDLE_GAP_CAP, the last one at `end` (now)."""
    seconds = minutes * 60 if minutes is not None else seat_time_required_seconds(enrollment)
    module = module or enrollment.course.live_modules()[0]
    end = end or timezone.now()
    step = int(IDLE_GAP_CAP.total_seconds())
    moments = [end - timedelta(seconds=seconds)]
    moments += [
        moments[0] + timedelta(seconds=min(seconds, n * step))
        for n in range(1, math.ceil(seconds / step) + 1)
    ]
    for moment in moments:
        study_activity_record(enrollment=enrollment, module=module, now=moment)
    return enrollment


def course_finish(user, course, pages, *, evaluate=True, post_test=True, study_minutes=None):
    """Enroll, study for the seat time (or `study_minutes`), pass the module quizzes (which completes
    their modules), complete the other modules, pass the post-test, evaluate."""
    from quizzes.models import Quiz

    enrollment = enrollment_create(user=user, course=course)
    study(enrollment, study_minutes, module=pages[0])
    for page in pages:
        quiz = Quiz.objects.filter(module=page).first()
        if quiz is not None:
            quiz_pass(user, quiz)
        module_complete(user=user, module=page)
    final = Quiz.objects.filter(course=course, module__isnull=True).first()
    if post_test and final is not None:
        quiz_pass(user, final)
    if evaluate:
        enrollment.refresh_from_db()
        evaluation_submit(enrollment=enrollment, ratings=RATINGS, comments="Clear and useful.")
    enrollment.refresh_from_db()
    return enrollment


def learner_named(name, **fields):
    return UserFactory(legal_name=name, **fields)


@contextmanager
def broker_down():
    """Celery as in production (not eager) with its broker on a port nobody listens on."""
    from tests.courses.celery_worker import celery_sender

    with celery_sender("redis://127.0.0.1:9/0", declare=False) as app:
        yield app
