"""The per-learner override history (a model of the courses app, in its own module)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyError(Exception):
    """A history row was about to be changed or deleted: records are added, never rewritten."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The override history is append-only: rows are never updated.")

    def delete(self):
        raise AppendOnlyError("The override history is append-only: rows are never deleted.")


class LearnerOverride(models.Model):
    """One thing course staff did for one learner beyond the course's rules, with who, when and why.

    Append-only: saving an existing row, updating or deleting rows raises AppendOnlyError, and the admin has
    no edit view for it. What the quiz engine reads (extra attempts, time, resets) is the learner's
    quizzes.QuizAllowance; courses.overrides writes both in one transaction.
    """

    class Action(models.TextChoices):
        EXTRA_ATTEMPTS = "extra_attempts", "Extra attempts"
        TIME_ACCOMMODATION = "time_accommodation", "More time (accommodation)"
        QUIZ_RESET = "quiz_reset", "Quiz reset"
        MODULE_COMPLETE = "module_complete", "Module marked complete"
        SEAT_TIME_WAIVER = "seat_time_waiver", "Seat time waived"

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="overrides")
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, related_name="learner_overrides"
    )
    action = models.CharField(max_length=24, choices=Action.choices)
    quiz = models.ForeignKey(
        "quizzes.Quiz", null=True, blank=True, on_delete=models.PROTECT, related_name="learner_overrides"
    )
    module = models.ForeignKey(
        "courses.ModulePage",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="learner_overrides",
    )
    details = models.JSONField(
        default=dict, blank=True, help_text="What was granted (numbers, before/after)."
    )
    reason = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["learner", "course"]), models.Index(fields=["course", "created_at"])]

    def __str__(self):
        return f"{self.get_action_display()} for {self.learner} ({self.created_at:%Y-%m-%d})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("The override history is append-only: rows are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The override history is append-only: rows are never deleted.")

    @property
    def summary(self) -> str:
        """What was granted, in words (history tables and exports)."""
        d = self.details
        if self.action == self.Action.EXTRA_ATTEMPTS:
            return f"+{d.get('count')} attempt(s) (now {d.get('attempt_limit')} allowed)"
        if self.action == self.Action.TIME_ACCOMMODATION:
            return f"time limit × {d.get('multiplier')} + {d.get('extra_minutes')} min"
        if self.action == self.Action.QUIZ_RESET:
            return f"attempts 1–{d.get('reset_through')} no longer count"
        if self.action == self.Action.MODULE_COMPLETE:
            return "module complete"
        if self.action == self.Action.SEAT_TIME_WAIVER:
            return f"{d.get('required_minutes')} min required, {d.get('minutes_done')} done"
        return ""
