"""Reads of course approvals (courses.approval_models): which apply to a learner, and how they print.

A certificate prints the approvals in force on its completion date that apply to the learner: NCBTMB's
always, a state board's when the learner is licensed in that state. They are frozen in the certificate's
snapshot (courses.certificates.certificate_snapshot), so a later edit changes no certificate.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .approval_models import (
    CE_BROKER_BODIES,
    ApprovalBody,
    CourseApproval,
    Subject,
    delivery_name,
    hours_text,
)

SHORT_NAMES = {
    ApprovalBody.NCBTMB: "NCBTMB",
    ApprovalBody.FL: "Florida Board of Massage Therapy (CE Broker)",
    ApprovalBody.GA: "Georgia Board of Massage Therapy (CE Broker)",
    ApprovalBody.TX: "Texas TDLR",
    ApprovalBody.TN: "Tennessee Massage Licensure Board",
    ApprovalBody.LA: "Louisiana Board of Massage Therapy",
}
# The name of each body beside its hours ("NCBTMB: 3 CE hours · Florida: 2 CE hours").
HOURS_NAMES = {
    ApprovalBody.NCBTMB: "NCBTMB",
    ApprovalBody.FL: "Florida",
    ApprovalBody.GA: "Georgia",
    ApprovalBody.TX: "Texas",
    ApprovalBody.TN: "Tennessee",
    ApprovalBody.LA: "Louisiana",
}


def applies_to(approval: CourseApproval, *, state: str, day: date) -> bool:
    return approval.body in (ApprovalBody.NCBTMB, state) and approval.covers(day)


def approvals_applying(approvals, *, state: str, day: date) -> list[CourseApproval]:
    """NCBTMB's first, then the learner's state's, each in force on `day`."""
    found = [a for a in approvals if applies_to(a, state=state or "", day=day)]
    return sorted(found, key=lambda a: (a.body != ApprovalBody.NCBTMB, a.body, a.valid_from, a.pk or 0))


def approval_snapshot(approval: CourseApproval) -> dict:
    """What a certificate keeps of an approval (and prints: `line`). CE Broker's numbers are shown with the
    prefixes CE Broker prints (and left out of the roster file)."""
    ce_broker = approval.body in CE_BROKER_BODIES
    provider = f"50-{approval.provider_number}" if ce_broker else approval.provider_number
    course_number = approval.ce_broker_course_number
    course = f"20-{course_number}" if ce_broker and course_number else course_number
    parts = [SHORT_NAMES.get(approval.body, approval.body), f"provider #{provider}"]
    if course:
        parts.append(f"course #{course}")
    parts += [
        f"{hours_text(approval.hours)} h",
        Subject(approval.subject).label.lower(),
        delivery_name(approval.delivery),
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


def ce_hours_summary(snapshot: dict) -> dict:
    """The CE hours a certificate states, per approving body, so that it never prints two figures without
    saying whose each is.

    NCBTMB's are the course's approved CE hours (the provider's NCBTMB approval rows, when the certificate
    has them, total the same: CourseApproval.clean and courses.publish_checks see to it); a state board's are
    its rows' total, at most the course's. When every body approved the same hours the certificate prints
    the one figure ("3 CE hours"); otherwise each body's ("NCBTMB: 3 CE hours · Florida: 2 CE hours").
    Read from the frozen snapshot, so it works for every certificate, old ones included.
    """
    totals: dict[str, Decimal] = {}
    for approval in snapshot.get("approvals") or []:
        body = approval.get("body", "")
        totals[body] = totals.get(body, Decimal(0)) + Decimal(approval.get("hours") or 0)
    course_hours = Decimal(snapshot.get("ce_hours") or 0)
    ncbtmb = totals.pop(ApprovalBody.NCBTMB, course_hours)
    by_body = [{"body": ApprovalBody.NCBTMB, "name": "NCBTMB", "hours": hours_text(ncbtmb)}]
    by_body += [
        {"body": body, "name": HOURS_NAMES.get(body, body), "hours": hours_text(hours)}
        for body, hours in totals.items()
    ]
    uniform = {ncbtmb, course_hours, *totals.values()} == {course_hours}
    parts = [f"{row['name']}: {row['hours']} CE hours" for row in by_body]
    return {
        "uniform": uniform,
        "ncbtmb": hours_text(ncbtmb),
        "by_body": by_body,
        "text": f"{hours_text(course_hours)} CE hours" if uniform else " · ".join(parts),
    }


def ncbtmb_approved(snapshot: dict) -> bool:
    """Whether a certificate states NCBTMB's approval (the seal, "Approved for N CE hours", NCBTMB's figure):
    only when its snapshot holds an NCBTMB approval. A certificate from before approvals were recorded (no
    "approvals" key) printed them, and keeps its look."""
    if "approvals" not in snapshot:
        return True
    return any(a.get("body") == ApprovalBody.NCBTMB for a in snapshot.get("approvals") or [])


def certificate_hours(snapshot: dict) -> dict:
    """The CE hours a certificate states (ce_hours_summary's keys, plus `ncbtmb_approved` and `approved`),
    never crediting a body that did not approve the course: without an NCBTMB approval, NCBTMB's figure is
    left out and each state board that approved it is named ("Florida: 3 CE hours"); with no approval at
    all, the course's hours are stated as the course's, approved by no one (`approved` False)."""
    summary = ce_hours_summary(snapshot)
    if ncbtmb_approved(snapshot):
        return {**summary, "ncbtmb_approved": True, "approved": True}
    boards = [row for row in summary["by_body"] if row["body"] != ApprovalBody.NCBTMB]
    course_hours = hours_text(snapshot.get("ce_hours") or 0)
    return {
        "uniform": not boards,
        "ncbtmb": "",
        "by_body": boards,
        "text": " · ".join(f"{row['name']}: {row['hours']} CE hours" for row in boards)
        or f"{course_hours} CE hours",
        "ncbtmb_approved": False,
        "approved": bool(boards),
    }


def hours_totals(snapshots) -> dict:
    """The CE hours of several certificates (a transcript's valid ones) added up per approving body, in the
    order the bodies first appear: `by_body` ({body, name, hours}), `unapproved` (hours of certificates no
    body approved), `uniform` when every body's total is the courses' total (one figure says it all), and
    `text` as a transcript prints it."""
    course_total, totals, names, unapproved = Decimal(0), {}, {}, Decimal(0)
    for snapshot in snapshots:
        course_hours = Decimal(snapshot.get("ce_hours") or 0)
        course_total += course_hours
        hours = certificate_hours(snapshot)
        if not hours["by_body"]:
            unapproved += course_hours
        for row in hours["by_body"]:
            totals[row["body"]] = totals.get(row["body"], Decimal(0)) + Decimal(row["hours"])
            names[row["body"]] = row["name"]
    uniform = not unapproved and all(total == course_total for total in totals.values())
    by_body = [{"body": b, "name": names[b], "hours": hours_text(t)} for b, t in totals.items()]
    parts = [f"{row['name']}: {row['hours']} CE hours" for row in by_body]
    if unapproved:
        parts.append(f"no approval recorded: {hours_text(unapproved)} CE hours")
    return {
        "uniform": uniform,
        "by_body": by_body,
        "unapproved": hours_text(unapproved),
        "text": f"{hours_text(course_total)} CE hours" if uniform else " · ".join(parts),
    }
