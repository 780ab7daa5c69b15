"""Enrollment codes: staff issue a batch of single-use codes for one course (optionally expiring); a
signed-in learner redeems one on the course's code page (courses.views.code_redeem, rate-limited) and is
enrolled, the enrollment recording the code. Codes are 10 random base-32 characters (50 bits), printed
as two groups of five; typing is forgiving (case, spaces, dashes, 0/1/8 for O/I/B).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as date_format

from .models import CoursePage, Enrollment, EnrollmentCode
from .services import ProgressError, enrollment_create

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # RFC 4648 base 32, like certificate numbers
CODE_LENGTH = 10
MAX_BATCH = 500
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})  # base 32 has no 0, 1 or 8


class CodeError(ProgressError):
    """A code that cannot be redeemed or issued; the message is shown as is."""


@dataclass(frozen=True)
class Redemption:
    enrollment: Enrollment
    message: str
    used_code: bool  # False: the learner was enrolled already and the code stays free for someone else


def code_normalize(text: str) -> str:
    """The code as stored: letters and digits only, upper case, lookalike digits read as letters."""
    return re.sub(r"[^A-Za-z0-9]", "", text or "").upper().translate(_LOOKALIKES)


def _code_new() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def codes_issue(
    *, course: CoursePage, count: int, by, batch: str = "", expires_at: datetime | None = None
) -> list[EnrollmentCode]:
    """`count` new unused codes for `course`, made by `by` (a staff member already checked by the view)."""
    if not 1 <= count <= MAX_BATCH:
        raise CodeError(f"Issue between 1 and {MAX_BATCH} codes at a time.")
    if expires_at is not None and expires_at <= timezone.now():
        raise CodeError("The expiry date is in the past: choose a later date, or none.")
    codes: set[str] = set()
    while len(codes) < count:  # a collision with an existing code (1 in 10^15) just draws again
        wanted = {_code_new() for _ in range(count - len(codes))}
        codes |= wanted - set(EnrollmentCode.objects.filter(code__in=wanted).values_list("code", flat=True))
    rows = [
        EnrollmentCode(
            course=course, code=code, batch=batch.strip()[:100], created_by=by, expires_at=expires_at
        )
        for code in sorted(codes)
    ]
    return EnrollmentCode.objects.bulk_create(rows)


def code_redeem(*, user, course: CoursePage, text: str, now: datetime | None = None) -> Redemption:
    """Enroll `user` in `course` with the code typed as `text`, or raise CodeError saying why not."""
    code = code_normalize(text)
    if len(code) != CODE_LENGTH:
        raise CodeError(
            "An enrollment code has 10 letters and digits, such as K7QHD-2MZXA. Check that you typed all of it."
        )
    now = now or timezone.now()
    with transaction.atomic():
        row = EnrollmentCode.objects.select_for_update().filter(code=code).first()
        if row is None:
            raise CodeError(
                "There is no such enrollment code. Check it letter by letter, or ask your instructor."
            )
        if row.course_id != course.pk:
            raise CodeError(
                f"This code is for another course, not “{course.title}”. Enter it on the page of the course "
                "your instructor named."
            )
        if row.redeemed_by_id is not None and row.redeemed_by_id != user.pk:
            raise CodeError(
                "This code has already been used: each code enrolls one person. Ask your instructor for another."
            )
        current = Enrollment.objects.filter(user=user, course=course).first()
        if row.redeemed_by_id == user.pk and current:
            return Redemption(
                current, f"You used this code before: you are enrolled in {course.title}.", True
            )
        if row.is_expired(now):
            raise CodeError(
                f"This code expired on {date_format(timezone.localtime(row.expires_at), 'F j, Y')}. "
                "Ask your instructor for a new one."
            )
        if current and current.status != Enrollment.Status.WITHDRAWN:
            return Redemption(
                current,
                f"You are already enrolled in {course.title}. The code was not used, so it can go to someone else.",
                False,
            )
        enrollment = enrollment_create(  # a ProgressError (the course closed) rolls the redemption back
            user=user, course=course, source=Enrollment.Source.CODE, source_detail=f"code {row.display_code}"
        )
        row.redeemed_by, row.redeemed_at = user, now
        row.save(update_fields=["redeemed_by", "redeemed_at"])
    return Redemption(enrollment, f"You are enrolled in {course.title}. Modules open in order.", True)


def code_status(code: EnrollmentCode, now: datetime | None = None) -> str:
    if code.redeemed_by_id:
        return "Used"
    return "Expired" if code.is_expired(now) else "Unused"


def course_codes(course: CoursePage):
    """A course's codes, newest batch first, with who redeemed each (one query)."""
    return (
        EnrollmentCode.objects.filter(course=course)
        .select_related("redeemed_by", "created_by")
        .order_by("-created_at", "code")
    )


CODES_CSV_HEADER = ["Code", "Batch", "Expires", "Status", "Redeemed by", "Redeemed at"]


def codes_csv_rows(course: CoursePage):
    now = timezone.now()
    for code in course_codes(course).iterator(chunk_size=500):
        yield [
            code.display_code,
            code.batch,
            code.expires_at,
            code_status(code, now),
            code.redeemed_by.display_name if code.redeemed_by else "",
            code.redeemed_at,
        ]
