"""The learner's certificates and transcript, read from the certificates' frozen snapshots (reads; split from
courses/selectors.py, which re-exports these names)."""

from __future__ import annotations

from decimal import Decimal

from .approvals import certificate_hours, hours_totals, ncbtmb_approved
from .models import Certificate


def learner_certificates(*, user) -> list:
    """The learner's certificates, newest first, whatever became of the enrollment (one query)."""
    if not (user and user.is_authenticated):
        return []
    return list(
        Certificate.objects.filter(enrollment__user=user)
        .select_related("enrollment")
        .order_by("-created_at", "-pk")
    )


def transcript_rows(*, user) -> list[dict]:
    """Every completed course with its CE hours and dates, from the certificates' frozen snapshots."""
    rows = []
    for certificate in learner_certificates(user=user):
        s = certificate.snapshot
        rows.append(
            {
                "certificate": certificate,
                "course_title": s.get("course_title", ""),
                "course_type": s.get("course_type", ""),
                "ce_hours": Decimal(s.get("ce_hours", "0")),
                # as the certificate states them: one figure, or each approving body's, named
                "hours": certificate_hours(s),
                # the provider's NCBTMB number only beside a course NCBTMB approved (legacy snapshots: as before)
                "ncbtmb_approved": ncbtmb_approved(s),
                "completion_date": s.get("completion_date", ""),
                "enrolled_at": certificate.enrollment.enrolled_at,
                "provider_name": s.get("provider_name", ""),
                "provider_number": s.get("provider_number", ""),
                "approvals": s.get(
                    "approvals", []
                ),  # NCBTMB's and the learner's state's (courses/approvals.py)
                "code": certificate.code,
                "status": certificate.get_status_display(),
                "valid": certificate.status != certificate.Status.REVOKED,
            }
        )
    return rows


def transcript_totals(rows: list[dict]) -> tuple[Decimal, dict]:
    """The valid certificates' course CE hours added up, and their hours per approving body
    (courses.approvals.hours_totals): a transcript never adds Florida's hours into NCBTMB's."""
    valid = [row for row in rows if row["valid"]]
    total = sum((row["ce_hours"] for row in valid), Decimal("0"))
    return total, hours_totals(row["certificate"].snapshot for row in valid)
