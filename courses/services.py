"""Writes for enrollment and module progress.

Times are always the server's: a learner's browser never says when they started or how long they read.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from quizzes.selectors import module_quiz_passed
from .models import CoursePage, Enrollment, ModulePage, ModuleProgress
from .selectors import blocking_module, course_modules, enrollment_for


class ProgressError(Exception):
    """A request the rules refuse; the message is shown to the learner as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def enrollment_create(*, user, course: CoursePage) -> Enrollment:
    """Enroll `user` in `course`; enrolling twice returns the same enrollment."""
    if not course.live:
        raise ProgressError("This course is not open for enrollment.")
    enrollment, _ = Enrollment.objects.get_or_create(user=user, course=course)
    if enrollment.status == Enrollment.Status.WITHDRAWN:
        enrollment.status = Enrollment.Status.ACTIVE
        enrollment.save(update_fields=["status"])
    return enrollment


def _course_of(module: ModulePage) -> CoursePage | None:
    return CoursePage.objects.parent_of(module).first()


def _blocker(enrollment: Enrollment, course: CoursePage, module: ModulePage) -> ModulePage | None:
    completed_ids = set(
        enrollment.module_progress.filter(completed_at__isnull=False).values_list("module_id", flat=True)
    )
    return blocking_module(course_modules(course), completed_ids, module)


def module_visit(*, user, module: ModulePage) -> ModuleProgress | None:
    """Record when an enrolled learner first opens a module they may read; later visits change nothing."""
    if not (user.is_authenticated and module.live):
        return None
    seen = (
        ModuleProgress.objects.filter(enrollment__user=user, module=module)
        .exclude(enrollment__status=Enrollment.Status.WITHDRAWN)
        .first()
    )
    if seen is not None:  # the usual case on a re-read: one query, nothing written
        return seen
    course = _course_of(module)
    enrollment = enrollment_for(user=user, course=course) if course else None
    if enrollment is None or _blocker(enrollment, course, module) is not None:
        return None
    progress, _ = ModuleProgress.objects.get_or_create(
        enrollment=enrollment, module=module, defaults={"started_at": timezone.now()}
    )
    return progress


def module_complete(*, user, module: ModulePage) -> ModuleProgress:
    """Mark a module complete; the time spent runs from the first visit to now, on the server's clock."""
    course = _course_of(module)
    if not module.live or course is None or not course.live:
        raise ProgressError("This module is not available.")
    with transaction.atomic():
        enrollment = (
            Enrollment.objects.select_for_update()
            .filter(user=user, course=course)
            .exclude(status=Enrollment.Status.WITHDRAWN)
            .first()
        )
        if enrollment is None:
            raise ProgressError("Enroll in this course before marking its modules complete.")
        blocker = _blocker(enrollment, course, module)
        if blocker is not None:
            raise ProgressError(
                f"“{module.title}” is locked: complete “{blocker.title}” first. Modules open in order."
            )
        if not module_quiz_passed(user, module):
            raise ProgressError(f"Pass the quiz of “{module.title}” before marking the module complete.")
        now = timezone.now()
        progress, _ = ModuleProgress.objects.get_or_create(
            enrollment=enrollment, module=module, defaults={"started_at": now}
        )
        if progress.completed_at is None:
            progress.completed_at = now
            progress.seconds_spent = max(0, int((now - progress.started_at).total_seconds()))
            progress.save(update_fields=["completed_at", "seconds_spent"])
    return progress
