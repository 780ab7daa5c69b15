"""Seat time: the minimum time on task a course asks for, and the server's count of a learner's study.

The rule (README, "Seat time"): a course with approved CE hours asks for at least hours × 50 minutes
(CoursePage.seat_time_minutes), the 50-minute clock hour of Texas rule 117; an instructor may ask for
more, never less. It gates the post-test (courses/gating.py) and the certificate (courses/completion.py).

What counts, always on the server's clock:
- reading: every module view, "Mark complete" and the module page's study clock (a ping each minute
  while the page is in front and the learner has scrolled, typed or pointed) credits the time since the
  learner's previous activity anywhere in the course, at most IDLE_GAP_CAP: a learner who walks away
  earns five minutes, not the afternoon. One clock per enrollment, so two tabs never count twice.
- quizzes: each graded attempt counts from its start to its submit, at most its time limit (plus grace)
  or QUIZ_ATTEMPT_CAP when untimed. Quiz starts and submits move the reading clock on without credit,
  so time spent in an attempt is not counted again as reading.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from quizzes.models import Attempt, AttemptStatus

from .models import Enrollment, ModulePage, ModuleProgress

IDLE_GAP_CAP = timedelta(minutes=5)
QUIZ_ATTEMPT_CAP = timedelta(minutes=30)
STUDY_CLOCK_SECONDS = 60  # how often the module page's script reports activity


def seat_time_required_seconds(enrollment: Enrollment) -> int:
    """The minimum time on task this learner must meet in this course, in seconds.

    The one place every rule asks (the post-test gate, the certificate requirement, what the learner is
    shown): a per-learner waiver or change belongs here and nowhere else.
    """
    if getattr(enrollment, "seat_time_waived_at", None):  # waived by course staff (courses.overrides)
        return 0
    return enrollment.course.seat_time_minutes * 60


def minutes_left(seconds_done: int, seconds_required: int) -> int:
    """Whole minutes still to study, rounded up (0 when met)."""
    return math.ceil(max(0, seconds_required - seconds_done) / 60)


def _attempt_seconds(started_at, submitted_at, time_limit_minutes, grace_seconds) -> int:
    if submitted_at is None or submitted_at <= started_at:
        return 0
    cap = (
        timedelta(minutes=time_limit_minutes, seconds=grace_seconds)
        if time_limit_minutes
        else QUIZ_ATTEMPT_CAP
    )
    return int(min(submitted_at - started_at, cap).total_seconds())


def _attempt_seconds_by(attempts, key: str) -> dict[int, int]:
    """{value of `key`: seconds of the graded attempts among `attempts`}, in one query."""
    totals: dict[int, int] = defaultdict(int)
    rows = (
        attempts.exclude(status=AttemptStatus.IN_PROGRESS)
        .order_by()
        .values_list(key, "started_at", "submitted_at", "quiz__time_limit_minutes", "quiz__grace_seconds")
    )
    for value, *attempt in rows:
        totals[value] += _attempt_seconds(*attempt)
    return totals


def quiz_seconds_by_course(user, course_ids) -> dict[int, int]:
    """{course id: seconds of this learner's graded attempts at the course's quizzes}, in one query."""
    if not course_ids:
        return defaultdict(int)
    return _attempt_seconds_by(
        Attempt.objects.filter(user=user, quiz__course_id__in=course_ids), "quiz__course_id"
    )


def quiz_seconds_by_learner(course_id: int, user_ids) -> dict[int, int]:
    """{learner id: seconds of their graded attempts at this course's quizzes}, in one query (the roster)."""
    attempts = Attempt.objects.filter(quiz__course_id=course_id, user_id__in=list(user_ids))
    return _attempt_seconds_by(attempts, "user_id")


def module_seconds(enrollment: Enrollment) -> int:
    return sum(ModuleProgress.objects.filter(enrollment=enrollment).values_list("seconds_spent", flat=True))


def seconds_on_task(enrollment: Enrollment) -> int:
    """Reading and quiz time of this enrollment, in seconds (two queries)."""
    quiz = quiz_seconds_by_course(enrollment.user_id, [enrollment.course_id])[enrollment.course_id]
    return module_seconds(enrollment) + quiz


def _credit(last_active_at, now) -> int:
    if last_active_at is None or now <= last_active_at:
        return 0
    return int(min(now - last_active_at, IDLE_GAP_CAP).total_seconds())


def study_activity_record(
    *,
    enrollment: Enrollment,
    module: ModulePage | None = None,
    now=None,
    progress: ModuleProgress | None = None,
) -> ModuleProgress | None:
    """Note activity in the course now: with a `module`, credit it the time since the learner's previous
    activity (at most IDLE_GAP_CAP) and return its progress (created on the first visit); without one
    (a quiz start or submit), only move the clock on. The caller has checked that the module is open;
    `progress`: the module's progress when the caller has it."""
    now = now or timezone.now()
    with transaction.atomic():
        last = (
            Enrollment.objects.select_for_update()
            .filter(pk=enrollment.pk)
            .values_list("last_active_at", flat=True)
            .first()
        )
        Enrollment.objects.filter(pk=enrollment.pk).update(last_active_at=now)
        enrollment.last_active_at = now
        if module is None:
            return None
        if progress is None:
            progress, _ = ModuleProgress.objects.get_or_create(
                enrollment=enrollment, module=module, defaults={"started_at": now}
            )
        credit = _credit(last, now)
        if credit:
            ModuleProgress.objects.filter(pk=progress.pk).update(seconds_spent=F("seconds_spent") + credit)
            progress.seconds_spent += credit
    return progress
