"""The spaced-review deck: one card per learner and question family, scheduled with FSRS.

A card is a family, not a stem (quizzes.Question.family; a question with no family is a family of
its own, "question-<pk>"), so a review may serve any live question of the family and the learner
recalls the fact rather than the wording. The FSRS state lives as JSON on the learner's row (`card`,
fsrs.Card.to_dict(): UTC ISO times) with every review log (`reviews`, fsrs.ReviewLog.to_dict());
`due` mirrors card["due"] so the due list is one indexed query. `served` holds the question frozen
for the review in progress, key included: it is never sent to the browser before the answer.
"""

from django.conf import settings
from django.db import models


class CardSource(models.TextChoices):
    MISSED = "missed", "Missed in a quiz"
    RED_FLAG = "red_flag", "Safety-critical item met"
    MODULE = "module", "Muscle of a completed module"


class ReviewCard(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_cards")
    family = models.CharField(max_length=130)
    course = models.ForeignKey(
        "courses.CoursePage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=10, choices=CardSource.choices)
    label = models.CharField(
        max_length=200, blank=True, help_text="What the family is about (never its key)."
    )
    critical = models.BooleanField(default=False, help_text="A safety-critical (red-flag) family.")
    card = models.JSONField(help_text="fsrs.Card.to_dict()")
    due = models.DateTimeField()
    reviews = models.JSONField(
        default=list, help_text="fsrs.ReviewLog.to_dict() of every review, oldest first"
    )
    review_count = models.PositiveIntegerField(default=0)
    again_count = models.PositiveIntegerField(default=0, help_text="Reviews rated Again (forgotten).")
    last_question_id = models.IntegerField(null=True, blank=True, help_text="The stem served last time.")
    served = models.JSONField(null=True, blank=True, help_text="The question of the review in progress.")
    suspended = models.BooleanField(default=False, help_text="No live question is left in the family.")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "family"], name="one_review_card_per_family")]
        indexes = [
            models.Index(fields=["user", "suspended", "due"], name="review_card_due"),
            models.Index(fields=["course", "critical"], name="review_card_course"),
        ]

    def __str__(self):
        return f"{self.user} – {self.family}"


class ReviewPreference(models.Model):
    """A learner's choice about the e-mail digest of due cards (off unless they opt in)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_preference"
    )
    digest = models.BooleanField(default=False, help_text="Send me a weekly e-mail when cards are due.")
    digest_sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.user}: digest {'on' if self.digest else 'off'}"
