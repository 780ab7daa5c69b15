"""Certificates and their event history (models of the courses app, in their own module)."""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from .storage import private_storage as _private_storage


def private_storage():  # named by migration 0002
    return _private_storage()


# A failed certificate (storage full, a font missing...) is tried again by the sweep this long after each
# failure (courses.services.certificates_requeue); after the last, it stays failed for staff to retry.
SWEEP_RETRY_DELAYS = (timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=12))


class Certificate(models.Model):
    """A CE certificate: one per enrollment, printed from `snapshot`, verified by `code`."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ISSUED = "issued", "Issued"
        FAILED = "failed", "Failed"
        REVOKED = "revoked", "Revoked"

    enrollment = models.OneToOneField(
        "courses.Enrollment", on_delete=models.PROTECT, related_name="certificate"
    )
    code = models.CharField(max_length=32, unique=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    snapshot = models.JSONField(default=dict, help_text="Every field the PDF prints, frozen at completion.")
    pdf = models.FileField(storage=private_storage, upload_to="certificates/", blank=True, max_length=200)
    page_revision = models.ForeignKey(
        "wagtailcore.Revision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The course page revision that was live at completion.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    issued_at = models.DateTimeField(null=True, blank=True)
    # When the learner's e-mail was claimed for sending (then sent); empty while it is still owed. The sweep
    # e-mails issued certificates left empty (courses.services.certificate_emails_repair).
    emailed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sweep_retries = models.PositiveSmallIntegerField(
        default=0, help_text="How many times the sweep has retried it after a failure."
    )
    last_sweep_retry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrollment"], name="one_certificate_per_enrollment")]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self):
        return f"Certificate {self.code} ({self.get_status_display()})"

    @property
    def is_valid(self) -> bool:
        return self.status == self.Status.ISSUED

    @property
    def sweep_gave_up(self) -> bool:
        """Failed, and the sweep has made its last retry: only staff can try again."""
        return self.status == self.Status.FAILED and self.sweep_retries >= len(SWEEP_RETRY_DELAYS)

    @property
    def completion_date(self):
        value = self.snapshot.get("completion_date")
        return date.fromisoformat(value) if value else None


class CertificateEvent(models.Model):
    """What happened to a certificate, by whom and when; never edited."""

    class Action(models.TextChoices):
        CREATED = "created", "Created (course completed)"
        ISSUED = "issued", "PDF issued"
        ATTEMPT_FAILED = "attempt_failed", "Issue attempt failed"
        FAILED = "failed", "Failed after retries"
        REQUEUED = "requeued", "Re-queued by the sweep"
        RETRIED = "retried", "Retry requested"
        REVOKED = "revoked", "Revoked"
        REISSUED = "reissued", "Reissued (details refreshed)"
        REGENERATED = "regenerated", "PDF regenerated"
        EMAILED = "emailed", "Learner e-mailed"

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} at {self.created_at:%Y-%m-%d %H:%M}"
