"""Helpers for the CE-records tests (approvals, CE Broker, renewals): issued certificates made directly,
with the snapshot the real completion path writes (courses.certificates.certificate_snapshot)."""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone

from courses.certificates import certificate_code_new, certificate_snapshot
from courses.models import Certificate, CourseApproval, Enrollment


def approval_add(course, body="NCBTMB", **fields) -> CourseApproval:
    """An approval as CourseApproval.clean accepts it unless `fields` say otherwise: NCBTMB's under the
    provider's NCBTMB number, a CE Broker state's with a course number, each for the course's CE hours."""
    values = {
        "provider_number": course.provider.ncbtmb_provider_number if body == "NCBTMB" else "9990001",
        "ce_broker_course_number": "9990042" if body in ("FL", "GA") else "",
        "hours": course.ce_hours,
        "subject": "general",
        "delivery": "home_study",
        "valid_from": date(2020, 1, 1),
        **fields,
    }
    approval = CourseApproval(course=course, body=body, **values)
    approval.full_clean()
    approval.save()
    return approval


def completed(user, course, on: date, *, status=Certificate.Status.ISSUED) -> Certificate:
    """`user` completed `course` on `on` (noon, local time) and holds an issued certificate for it."""
    at = timezone.make_aware(datetime.combine(on, time(12, 0)))
    enrollment = Enrollment.objects.create(
        user=user, course=course, status=Enrollment.Status.COMPLETED, enrolled_at=at, completed_at=at
    )
    return Certificate.objects.create(
        enrollment=enrollment,
        code=certificate_code_new(),
        status=status,
        snapshot=certificate_snapshot(enrollment, completed_at=at),
        issued_at=at,
        created_at=at,
        updated_at=at,
    )
