"""Per-learner overrides by course staff: extra attempts, more time, a quiz reset, a module marked complete,
seat time waived. Each needs a reason and leaves one LearnerOverride row (who, when, what, why), written in
the same transaction as what it changes: the learner's quizzes.QuizAllowance (which the quiz engine reads),
their module progress (through the learner's own completion service, so the course completion check runs
and a certificate follows when every rule is met) or their enrollment (the seat-time waiver).

Who may: an instructor assigned to the course, or provider-wide records staff (courses.permissions).
The views scope every object to the actor's courses first (404 otherwise); the check here is the last line.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from quizzes import services as quiz_services
from quizzes.errors import QuizError
from quizzes.models import Quiz
from quizzes.selectors import attempt_limit

from .completion import course_completion_check
from .models import Certificate, CoursePage, Enrollment, LearnerOverride, ModulePage, ModuleProgress
from .permissions import is_course_staff
from .services import module_mark_complete

REASON_MAX_LENGTH = 2000


class OverrideError(Exception):
    """An override the rules refuse; the message is shown to staff as is and nothing changed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise OverrideError("Give a reason: it is kept in the learner's history.")
    if len(reason) > REASON_MAX_LENGTH:
        raise OverrideError(f"Keep the reason under {REASON_MAX_LENGTH} characters.")
    return reason


def _enrollment_locked(*, actor, learner, course: CoursePage) -> Enrollment:
    if not is_course_staff(actor, course.pk):
        raise PermissionDenied
    enrollment = Enrollment.objects.select_for_update().filter(user=learner, course=course).first()
    if enrollment is None:
        raise OverrideError(f"{learner.display_name} is not enrolled in “{course.title}”.")
    return enrollment


@dataclass
class _Override:
    """One override in progress: the learner's enrollment, locked, and the reason already checked."""

    actor: object
    learner: object
    course: CoursePage
    reason: str
    enrollment: Enrollment

    def record(self, action, *, quiz=None, module=None, **details) -> LearnerOverride:
        return LearnerOverride.objects.create(
            learner=self.learner,
            course=self.course,
            action=action,
            quiz=quiz,
            module=module,
            reason=self.reason,
            details=details,
            created_by=self.actor,
        )


@contextmanager
def _overriding(*, actor, learner, course: CoursePage, reason: str) -> Iterator[_Override]:
    """The transaction of one override: course staff only, the learner's enrollment locked, and the quiz
    engine's refusals (QuizError, a ValidationError) turned into an OverrideError, so nothing is written.
    `reason` has been through _reason (callers check it first, before anything else they refuse)."""
    with transaction.atomic():
        enrollment = _enrollment_locked(actor=actor, learner=learner, course=course)
        try:
            yield _Override(actor, learner, course, reason, enrollment)
        except QuizError as error:
            raise OverrideError(error.message) from error
        except ValidationError as error:
            raise OverrideError(" ".join(error.messages)) from error


def override_extra_attempts(*, actor, learner, quiz: Quiz, count: int, reason: str) -> LearnerOverride:
    reason = _reason(reason)
    if quiz.max_attempts is None:
        raise OverrideError("This quiz allows unlimited attempts: there is nothing to grant.")
    with _overriding(actor=actor, learner=learner, course=quiz.course, reason=reason) as override:
        allowance = quiz_services.allowance_attempts_add(user=learner, quiz=quiz, count=count)
        return override.record(
            LearnerOverride.Action.EXTRA_ATTEMPTS,
            quiz=quiz,
            count=count,
            attempt_limit=attempt_limit(quiz, allowance),
        )


def override_quiz_reset(*, actor, learner, quiz: Quiz, reason: str) -> LearnerOverride:
    reason = _reason(reason)
    with _overriding(actor=actor, learner=learner, course=quiz.course, reason=reason) as override:
        allowance = quiz_services.allowance_reset(user=learner, quiz=quiz)
        return override.record(
            LearnerOverride.Action.QUIZ_RESET, quiz=quiz, reset_through=allowance.attempts_reset_through
        )


def override_time_accommodation(
    *,
    actor,
    learner,
    course: CoursePage,
    quiz: Quiz | None,
    multiplier: Decimal,
    extra_minutes: int,
    reason: str,
) -> LearnerOverride:
    """More time on one quiz, or on every quiz of the course (`quiz` None); 1 and 0 take it away again."""
    reason = _reason(reason)
    quizzes = [quiz] if quiz is not None else list(Quiz.objects.filter(course=course).order_by("pk"))
    if not quizzes:
        raise OverrideError("This course has no quizzes yet.")
    if any(q.course_id != course.pk for q in quizzes):
        raise OverrideError("That quiz belongs to another course.")
    moved = 0
    with _overriding(actor=actor, learner=learner, course=course, reason=reason) as override:
        for target in quizzes:
            _, attempts = quiz_services.allowance_time_set(
                user=learner, quiz=target, multiplier=multiplier, extra_minutes=extra_minutes
            )
            moved += len(attempts)
        return override.record(
            LearnerOverride.Action.TIME_ACCOMMODATION,
            quiz=quiz,
            multiplier=str(Decimal(multiplier).quantize(Decimal("0.01"))),
            extra_minutes=extra_minutes,
            quizzes=[q.pk for q in quizzes],
            running_attempts_extended=moved,
        )


def override_module_complete(*, actor, learner, module: ModulePage, reason: str) -> LearnerOverride:
    """Mark the module complete for the learner whatever its rules (order, quiz), through the learner's own
    completion service: the course completion check runs, and a certificate follows when every rule is met."""
    reason = _reason(reason)
    course = CoursePage.objects.parent_of(module).first()
    if course is None:
        raise OverrideError("This module belongs to no course.")
    with _overriding(actor=actor, learner=learner, course=course, reason=reason) as pending:
        enrollment = pending.enrollment
        if ModuleProgress.objects.filter(
            enrollment=enrollment, module=module, completed_at__isnull=False
        ).exists():
            raise OverrideError(f"“{module.title}” is already complete for {learner.display_name}.")
        override = pending.record(LearnerOverride.Action.MODULE_COMPLETE, module=module)
        module_mark_complete(enrollment=enrollment, module=module)
        certificate = Certificate.objects.filter(enrollment=enrollment).values_list("code", flat=True).first()
    override.certificate_code = certificate or ""
    return override


def override_seat_time_waiver(*, actor, learner, course: CoursePage, reason: str) -> LearnerOverride:
    """Waive the minimum time on task for this learner in this course; the completion check runs again."""
    reason = _reason(reason)
    with _overriding(actor=actor, learner=learner, course=course, reason=reason) as pending:
        enrollment = pending.enrollment
        if enrollment.seat_time_waived_at is not None:
            raise OverrideError(f"Seat time is already waived for {learner.display_name} in this course.")
        required = course.seat_time_minutes
        reading = (
            ModuleProgress.objects.filter(enrollment=enrollment).aggregate(s=Sum("seconds_spent"))["s"] or 0
        )
        enrollment.seat_time_waived_at = timezone.now()
        enrollment.save(update_fields=["seat_time_waived_at"])
        override = pending.record(
            LearnerOverride.Action.SEAT_TIME_WAIVER,
            required_minutes=required,
            minutes_done=reading // 60,  # reading time in the modules (quiz time not included)
        )
        course_completion_check(enrollment)
    return override
