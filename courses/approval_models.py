"""A course's approvals: which body approved it, under which numbers, for how many hours of which subject
and delivery type, and when (models of the courses app, in their own module; courses/approvals.py reads
them for certificates, transcripts, CE Broker reporting and renewal tracking).

Only provider admins change approvals (courses.approval_admin); instructors read them.
"""

import re
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


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
    """How a course is delivered. Boards cap or exclude some kinds: Tennessee counts at most 8 hours of
    "multi-media" formats (internet, videoconferencing, correspondence...), which covers both home study
    and a live webinar; hands-on minimums count only live hands-on classes. The value "live" is the
    in-person class (its value before live online was split from it)."""

    HOME_STUDY = "home_study", "Home study (online, self-paced)"
    LIVE_IN_PERSON = "live", "Live in person (instructor present, no hands-on)"
    LIVE_ONLINE = "live_online", "Live online (webinar or videoconference)"
    HANDS_ON = "hands_on", "Live hands-on"


# The delivery types an approval may have, by its course's type (courses.models.CourseType's values; that
# module imports this one). A home study course is online and self-paced: home study only. A live course is
# taught in person ("Live / in person" on its certificate): live in person or live hands-on. Live online (a
# webinar) is neither, so no course of this site has it; outside certificates may (courses.renewal_models).
COURSE_TYPE_DELIVERIES = {
    "home_study": frozenset({Delivery.HOME_STUDY}),
    "live": frozenset({Delivery.LIVE_IN_PERSON, Delivery.HANDS_ON}),
}


def delivery_types(course_type: str) -> frozenset:
    """The delivery types `course_type` allows (every one for a type this table does not know)."""
    return COURSE_TYPE_DELIVERIES.get(course_type, frozenset(Delivery))


# The boards that take completions through CE Broker: their approvals carry CE Broker's numbers.
CE_BROKER_BODIES = frozenset({ApprovalBody.FL, ApprovalBody.GA})
# Bodies of which a course has one approval in force on any day. NCBTMB: a certificate prints one NCBTMB
# figure, the course's hours. CE Broker: one course number per course, its subject breakdown kept by CE
# Broker, and one roster row per certificate. Other boards may approve a course in parts (1 h ethics and
# 2 h general of a 3-hour course): their approvals in force on a day total at most the course's hours.
ONE_AT_A_TIME_BODIES = frozenset({ApprovalBody.NCBTMB, *CE_BROKER_BODIES})
DIGITS = re.compile(r"[0-9]+")  # ASCII digits only (str.isdigit also takes "²" and other scripts' digits)


def hours_text(value) -> str:
    """Hours as certificates and messages print them: 3, 1.5, 0.25 (a Decimal, number or its text)."""
    text = f"{Decimal(value):.2f}".rstrip("0").rstrip(".")
    return text or "0"


def body_name(body: str) -> str:
    """An approving body's name without its note: "Florida Board of Massage Therapy"."""
    return ApprovalBody(body).label.split(" (")[0]


def delivery_name(value: str) -> str:
    """A delivery type's name without its note, lower case ("home study"); an unknown value as it is."""
    return Delivery(value).label.split(" (")[0].lower() if value in Delivery.values else value


def overlap(a, b) -> bool:
    """Whether approvals `a` and `b` are in force on at least one same day."""
    return a.valid_from <= (b.valid_to or date.max) and b.valid_from <= (a.valid_to or date.max)


def most_in_force(approvals, within=None) -> tuple[Decimal, date | None]:
    """The most hours `approvals` (one body's) have in force together on one day, and the first such day,
    among the days `within` (an approval) covers if given. A total changes only on an approval's first day,
    so those are the days to add up."""
    best, best_day = Decimal(0), None
    for day in sorted({a.valid_from for a in approvals}):
        if within is not None and not within.covers(day):
            continue
        total = sum((a.hours for a in approvals if a.covers(day)), Decimal(0))
        if total > best:
            best, best_day = total, day
    return best, best_day


def period(approval) -> str:
    start = f"from {approval.valid_from:%b %-d, %Y}"
    return f"{start} to {approval.valid_to:%b %-d, %Y}" if approval.valid_to else f"{start}, with no end"


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
        help_text="The provider number this body gave you. NCBTMB: the provider's NCBTMB approved-provider "
        'number (CE providers). Florida and Georgia: CE Broker\'s, digits only, without the "50-" prefix.',
    )
    ce_broker_course_number = models.CharField(
        "CE Broker course number",
        max_length=40,
        blank=True,
        help_text="Florida and Georgia (required): the course's CE Broker tracking number, digits only, "
        'without the "20-" prefix. Certificates print it and the CE Broker roster reports completions '
        "under it. Other bodies: leave it empty.",
    )
    hours = models.DecimalField(
        "approved hours",
        max_digits=4,
        decimal_places=2,
        help_text="NCBTMB: the course's approved CE hours, exactly. A state board: what it approved, at most "
        "the course's CE hours (certificates then print each body's hours).",
    )
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
        self.provider_number = (self.provider_number or "").strip()
        self.ce_broker_course_number = (self.ce_broker_course_number or "").strip()
        for field in ("provider_number", "ce_broker_course_number"):
            if getattr(self, field).startswith(("50-", "20-")):
                errors[field] = 'Leave out the "50-" or "20-" prefix: CE Broker adds it.'
        errors = self._ce_broker_numbers_check(errors)
        if self.course_id is not None:
            dated = self.valid_from is not None and "valid_to" not in errors
            others = self._others_in_force_together() if dated else []
            errors = self._one_at_a_time_check(others, errors)
            if self.current():
                versions = self._course_versions()
                errors = self._delivery_check(versions, errors)
                if self.hours is not None and "hours" not in errors:
                    errors = self._course_check(versions, others, errors)
        if errors:
            raise ValidationError(errors)

    def _others_in_force_together(self) -> list["CourseApproval"]:
        """The course's other approvals from the same body in force on at least one of this one's days (an
        edited approval leaves its own saved row out)."""
        others = CourseApproval.objects.filter(course_id=self.course_id, body=self.body)
        others = others.filter(models.Q(valid_to=None) | models.Q(valid_to__gte=self.valid_from))
        if self.valid_to is not None:
            others = others.filter(valid_from__lte=self.valid_to)
        if self.pk is not None:
            others = others.exclude(pk=self.pk)
        return list(others.order_by("valid_from", "pk"))

    def _one_at_a_time_check(self, others: list, errors: dict) -> dict:
        """NCBTMB, Florida and Georgia: one approval of the course in force on any day (ONE_AT_A_TIME_BODIES)."""
        if self.body not in ONE_AT_A_TIME_BODIES or not others or "valid_from" in errors:
            return errors
        name = body_name(self.body)
        message = (
            f"This course's {name} approval {period(others[0])} is in force on some of these days: a course "
            f"has one {name} approval at a time (end the other the day before this one starts, or change it "
            "instead of adding one)."
        )
        if self.body in CE_BROKER_BODIES:
            message += (
                " CE Broker tracks one course number per course, with its breakdown by subject, and reports "
                "one row per certificate, so a course's hours cannot be split between subjects as two "
                f"{name} approvals: record the split with CE Broker under the one course number."
            )
        else:
            message += " A certificate prints one NCBTMB figure: the course's CE hours."
        errors["valid_from"] = message
        return errors

    def _ce_broker_numbers_check(self, errors: dict) -> dict:
        """Florida and Georgia: CE Broker's provider and course numbers, digits only (the roster file holds
        them as text, and a value such as "=HYPERLINK(…)" is never one); other bodies have no course
        number."""
        number, course_number = self.provider_number, self.ce_broker_course_number
        if self.body not in CE_BROKER_BODIES:
            if course_number and "ce_broker_course_number" not in errors:
                errors["ce_broker_course_number"] = (
                    "Only Florida and Georgia approvals (CE Broker) have a CE Broker course number: leave it "
                    "empty."
                )
            return errors
        if number and "provider_number" not in errors and not DIGITS.fullmatch(number):
            errors["provider_number"] = (
                'A CE Broker provider number is digits only: for "50-1234" enter 1234.'
            )
        if "ce_broker_course_number" in errors:
            return errors
        if not course_number:
            board = body_name(self.body)
            errors["ce_broker_course_number"] = (
                f'{board} approvals need the course\'s CE Broker course number (digits, without "20-"): the '
                "certificate prints it and completions are reported to CE Broker under it."
            )
        elif not DIGITS.fullmatch(course_number):
            errors["ce_broker_course_number"] = (
                'A CE Broker course number is digits only: for "20-5678" enter 5678.'
            )
        return errors

    def _course_versions(self) -> list:
        """The course as it is live and, if it has a later draft, as publishing would put it live."""
        course = self.course
        versions = [course]
        if course.has_unpublished_changes:
            versions.append(course.get_latest_revision_as_object())
        return versions

    def _delivery_check(self, versions: list, errors: dict) -> dict:
        """The delivery type is one the course's type allows (COURSE_TYPE_DELIVERIES), as it is live or in
        its draft, so the course type and its approvals can be changed in either order."""
        allowed = [d for d in Delivery if any(d in delivery_types(v.course_type) for v in versions)]
        if self.delivery and "delivery" not in errors and self.delivery not in allowed:
            kinds = " or ".join(dict.fromkeys(f"“{v.get_course_type_display()}”" for v in versions))
            errors["delivery"] = (
                f"A {kinds} course's approvals are {' or '.join(d.label for d in allowed)}: the certificate "
                "prints the course type beside each approval's delivery type, and renewal trackers count "
                "hours by delivery type (home study never toward hands-on minimums)."
            )
        return errors

    def _course_check(self, versions: list, others: list, errors: dict) -> dict:
        """The approval agrees with its course: NCBTMB's hours are the course's approved CE hours and its
        number the provider's NCBTMB number (both print on every certificate); a state approves at most those
        hours. Checked against the course as it is live or as its latest revision has it (what publishing
        puts live), so the hours can be changed in either order; courses.publish_checks refuses to publish a
        course that disagrees. An ended approval is left as it was: it prints only on its time's certificates.
        """
        hours = {v.ce_hours for v in versions if v.ce_hours}
        if not hours:  # a new course at 0 hours: publishing asks for them, and checks again
            return errors
        if self.body == ApprovalBody.NCBTMB:
            if self.hours not in hours:
                course_hours = " or ".join(hours_text(h) for h in sorted(hours))
                errors["hours"] = (
                    f"NCBTMB's hours are the course's approved CE hours ({course_hours}): a certificate "
                    "prints one figure for NCBTMB."
                )
            numbers = {(v.provider.ncbtmb_provider_number or "").strip() for v in versions if v.provider_id}
            numbers.discard("")
            if "provider_number" not in errors and numbers and self.provider_number not in numbers:
                errors["provider_number"] = (
                    f"NCBTMB's provider number is the course provider's: #{' or #'.join(sorted(numbers))}."
                )
        elif self.hours > max(hours):
            errors["hours"] = (
                f"At most the course's {hours_text(max(hours))} approved CE hours: a board approves part of a "
                "course or all of it, never more."
            )
        elif others and self.body not in ONE_AT_A_TIME_BODIES:
            total, day = most_in_force([self, *others], within=self)
            if total > max(hours):
                name = body_name(self.body)
                errors["hours"] = (
                    f"With this course's other {name} approvals in force on {day:%b %-d, %Y}, {name} would "
                    f"approve {hours_text(total)} CE hours of the course's {hours_text(max(hours))}: a board's "
                    "approvals in force on any day (one per subject, say) total at most the course's hours."
                )
        return errors

    def current(self, today=None) -> bool:
        """In force today or from a later day (not ended)."""
        return self.valid_to is None or self.valid_to >= (today or timezone.localdate())

    def covers(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)
