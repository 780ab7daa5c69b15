"""A course's approvals: which body approved it, under which numbers, for how many hours of which subject
and delivery type, and when (models of the courses app, in their own module; courses/approvals.py reads
them for certificates, transcripts, CE Broker reporting and renewal tracking).

Only provider admins change approvals (courses.approval_admin); instructors read them.
"""

from django.core.exceptions import ValidationError
from django.db import models


class ApprovalBody(models.TextChoices):
    """Who approved a course. A state board's value is the state's postal code, the same as a learner's
    license state (cms.models.User.license_state), so "the approvals for this learner" is a comparison."""

    NCBTMB = "NCBTMB", "NCBTMB (national board certification)"
    FL = "FL", "Florida Board of Massage Therapy (via CE Broker)"
    GA = "GA", "Georgia Board of Massage Therapy (via CE Broker)"
    TX = "TX", "Texas Department of Licensing and Regulation"
    TN = "TN", "Tennessee Massage Licensure Board"
    LA = "LA", "Louisiana Board of Massage Therapy"


class Subject(models.TextChoices):
    """The subject category an approval (or an outside certificate) counts toward. Hands-on is a delivery
    type, not a subject: a hands-on ethics class counts toward both."""

    GENERAL = "general", "General"
    ETHICS = "ethics", "Ethics"
    LAWS_RULES = "laws_rules", "Laws and rules"
    MEDICAL_ERRORS = "medical_errors", "Prevention of medical errors"
    HUMAN_TRAFFICKING = "human_trafficking", "Human trafficking"


class Delivery(models.TextChoices):
    HOME_STUDY = "home_study", "Home study (online, self-paced)"
    LIVE = "live", "Live (instructor present, no hands-on)"
    HANDS_ON = "hands_on", "Live hands-on"


class CourseApproval(models.Model):
    course = models.ForeignKey("courses.CoursePage", on_delete=models.CASCADE, related_name="approvals")
    body = models.CharField(
        "approving body",
        max_length=8,
        choices=ApprovalBody.choices,
        help_text="NCBTMB prints on every certificate; a state board's approval prints on the certificates "
        "of learners licensed in that state.",
    )
    provider_number = models.CharField(
        max_length=40,
        help_text='The provider number this body gave you. For CE Broker states, without the "50-" prefix.',
    )
    ce_broker_course_number = models.CharField(
        "CE Broker course number",
        max_length=40,
        blank=True,
        help_text='Florida and Georgia: the course\'s CE Broker tracking number, without the "20-" prefix. '
        "Empty: the CE Broker export reports the course by this site's course id.",
    )
    hours = models.DecimalField("approved hours", max_digits=4, decimal_places=2)
    subject = models.CharField(max_length=20, choices=Subject.choices, default=Subject.GENERAL)
    delivery = models.CharField(
        "delivery type", max_length=12, choices=Delivery.choices, default=Delivery.HOME_STUDY
    )
    valid_from = models.DateField(help_text="The first completion date the approval covers.")
    valid_to = models.DateField(
        null=True, blank=True, help_text="The last completion date it covers; empty while it has no end."
    )

    class Meta:
        ordering = ["course_id", "body", "valid_from", "pk"]
        indexes = [models.Index(fields=["course", "body"])]
        verbose_name = "course approval"

    def __str__(self):
        return f"{self.course} – {self.get_body_display()} #{self.provider_number}"

    def clean(self):
        super().clean()
        errors = {}
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            errors["valid_to"] = "The approval cannot end before it starts."
        if self.hours is not None and self.hours <= 0:
            errors["hours"] = "Approved hours must be above 0."
        for field in ("provider_number", "ce_broker_course_number"):
            if (getattr(self, field) or "").strip().startswith(("50-", "20-")):
                errors[field] = 'Leave out the "50-" or "20-" prefix: CE Broker adds it.'
        if errors:
            raise ValidationError(errors)

    def covers(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)
