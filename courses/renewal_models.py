"""A learner's credentials to renew, the CE certificates they earned elsewhere, and the reminders sent
(models of the courses app, in their own module; courses/renewals.py reads and writes them)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .approval_models import Delivery, Subject
from .storage import private_storage as _private_storage


def outside_certificate_storage():  # named by the migration
    return _private_storage()


class Credential(models.Model):
    """A license or certification the learner renews. `kind` is a key of courses/data/renewal_rules.yaml
    (checked by the form: the rules are data, not choices frozen in a migration)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credentials")
    kind = models.CharField(max_length=12)
    license_number = models.CharField(max_length=64, blank=True)
    renewal_date = models.DateField(help_text="The date the credential must be renewed by.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["renewal_date", "pk"]
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_credential_per_kind")]

    def __str__(self):
        return f"{self.user} {self.kind} (renew by {self.renewal_date})"


class OutsideCertificate(models.Model):
    """A CE certificate earned from another provider, uploaded by its learner (a PDF or an image)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outside_certificates"
    )
    title = models.CharField("course title", max_length=200)
    provider_name = models.CharField("provider", max_length=200)
    completed_on = models.DateField("completion date")
    hours = models.DecimalField("CE hours", max_digits=5, decimal_places=2)
    minutes = models.PositiveIntegerField(
        "minutes of instruction",
        null=True,
        blank=True,
        help_text="Optional. Where a board counts clock hours of its own length (Texas: 50 minutes), the "
        "minutes decide the hours credited for it.",
    )
    subject = models.CharField(max_length=20, choices=Subject.choices, default=Subject.GENERAL)
    delivery = models.CharField(
        "delivery type", max_length=12, choices=Delivery.choices, default=Delivery.HOME_STUDY
    )
    file = models.FileField(
        storage=outside_certificate_storage, upload_to="outside-certificates/%Y/", max_length=200
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-completed_on", "-pk"]

    def __str__(self):
        return f"{self.title} ({self.hours} h, {self.completed_on})"


class RenewalReminder(models.Model):
    """A reminder e-mail claimed (then sent) for one credential, deadline and threshold: at most one ever."""

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="reminders")
    deadline = models.DateField()
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["credential", "deadline", "days_before"], name="one_reminder_per_threshold"
            )
        ]

    def __str__(self):
        return f"{self.credential}: {self.days_before} days before {self.deadline}"
