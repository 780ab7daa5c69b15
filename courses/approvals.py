"""Reads of course approvals (courses.approval_models): which apply to a learner, and how they print.

A certificate prints the approvals in force on its completion date that apply to the learner: NCBTMB's
always, a state board's when the learner is licensed in that state. They are frozen in the certificate's
snapshot (courses.certificates.certificate_snapshot), so a later edit changes no certificate.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .approval_models import ApprovalBody, CourseApproval, Delivery, Subject

# CE Broker's numbers are shown with the prefixes CE Broker prints (and left out of the roster file).
CE_BROKER_BODIES = {ApprovalBody.FL, ApprovalBody.GA}
SHORT_NAMES = {
    ApprovalBody.NCBTMB: "NCBTMB",
    ApprovalBody.FL: "Florida Board of Massage Therapy (CE Broker)",
    ApprovalBody.GA: "Georgia Board of Massage Therapy (CE Broker)",
    ApprovalBody.TX: "Texas TDLR",
    ApprovalBody.TN: "Tennessee Massage Licensure Board",
    ApprovalBody.LA: "Louisiana Board of Massage Therapy",
}


def applies_to(approval: CourseApproval, *, state: str, day: date) -> bool:
    return approval.body in (ApprovalBody.NCBTMB, state) and approval.covers(day)


def approvals_applying(approvals, *, state: str, day: date) -> list[CourseApproval]:
    """NCBTMB's first, then the learner's state's, each in force on `day`."""
    found = [a for a in approvals if applies_to(a, state=state or "", day=day)]
    return sorted(found, key=lambda a: (a.body != ApprovalBody.NCBTMB, a.body, a.valid_from, a.pk or 0))


def _hours_text(hours) -> str:
    text = f"{Decimal(hours):.2f}".rstrip("0").rstrip(".")
    return text or "0"


def approval_snapshot(approval: CourseApproval) -> dict:
    """What a certificate keeps of an approval (and prints: `line`)."""
    ce_broker = approval.body in CE_BROKER_BODIES
    provider = f"50-{approval.provider_number}" if ce_broker else approval.provider_number
    course_number = approval.ce_broker_course_number
    course = f"20-{course_number}" if ce_broker and course_number else course_number
    parts = [SHORT_NAMES.get(approval.body, approval.body), f"provider #{provider}"]
    if course:
        parts.append(f"course #{course}")
    parts += [
        f"{_hours_text(approval.hours)} h",
        Subject(approval.subject).label.lower(),
        Delivery(approval.delivery).label.split(" (")[0].lower(),
    ]
    return {
        "body": approval.body,
        "provider_number": approval.provider_number,
        "ce_broker_course_number": course_number,
        "hours": f"{approval.hours:.2f}",
        "subject": approval.subject,
        "delivery": approval.delivery,
        "line": " · ".join(parts),
    }


def certificate_approvals(course, *, state: str, day: date) -> list[dict]:
    """The snapshot of the approvals a certificate of `course` completed on `day` prints (one query)."""
    return [approval_snapshot(a) for a in approvals_applying(course.approvals.all(), state=state, day=day)]


def course_approvals(course) -> list[CourseApproval]:
    return list(CourseApproval.objects.filter(course=course).order_by("body", "valid_from", "pk"))
