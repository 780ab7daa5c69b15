"""Writes for enrollment and module progress.

Times are always the server's: a learner's browser never says when they started or how long they read.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from quizzes import services as quiz_services
from quizzes.errors import AttemptNotAllowed
from quizzes.selectors import module_quiz_passed

from .approvals import certificate_approvals
from .certificates import certificate_pdf, learner_fields
from .completion import certificate_queue, enrollment_awaiting_completion
from .completion import course_completion_check as check
from .links import site_url, verification_url
from .models import (
    SWEEP_RETRY_DELAYS,
    Certificate,
    CertificateEvent,
    CoursePage,
    Enrollment,
    ModulePage,
    ModuleProgress,
)
from .open_badges import badge_issue_after_commit, status_list_changed
from .review_deck import review_deck_add_attempt, review_deck_add_module
from .seat_time import study_activity_record
from .selectors import blocking_module, enrollment_for, quiz_refusal
from .staff_services import (  # noqa: F401 (re-exported: course staff moved to their own module)
    COURSE_PAGE_PERMISSIONS,
    course_instructor_assign,
    course_instructor_unassign,
    course_staff_group_name,
    course_staff_sync,
)


class ProgressError(Exception):
    """A request the rules refuse; the message is shown to the learner as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def enrollment_create(
    *, user, course: CoursePage, source: str = Enrollment.Source.SELF, source_detail: str = ""
) -> Enrollment:
    """Enroll `user` in `course`; enrolling twice returns the same enrollment (and keeps how it was made)."""
    if not course.live:
        raise ProgressError("This course is not open for enrollment.")
    enrollment, _ = Enrollment.objects.get_or_create(
        user=user, course=course, defaults={"source": source, "source_detail": source_detail[:200]}
    )
    if enrollment.status == Enrollment.Status.WITHDRAWN:
        enrollment.status = Enrollment.Status.ACTIVE
        enrollment.save(update_fields=["status"])
    return enrollment


def _course_of(module: ModulePage) -> CoursePage | None:
    return CoursePage.objects.parent_of(module).first()


def _blocker(enrollment: Enrollment, course: CoursePage, module: ModulePage) -> ModulePage | None:
    completed_ids = set(
        enrollment.module_progress.filter(completed_at__isnull=False).values_list("module_id", flat=True)
    )
    return blocking_module(course.live_modules(), completed_ids, module)


def module_reader_enrollment(*, user, module: ModulePage) -> Enrollment | None:
    """The enrollment through which `user` may read this live module now (it is open to them), or None.
    Reads only: the module page's study clock and its video and audio ask the same question."""
    if not (user.is_authenticated and module.live):
        return None
    seen = (
        ModuleProgress.objects.filter(enrollment__user=user, module=module)
        .exclude(enrollment__status=Enrollment.Status.WITHDRAWN)
        .select_related("enrollment")
        .first()
    )
    if seen is not None:  # opened before, so open now (modules never lock again)
        return seen.enrollment
    course = _course_of(module)
    enrollment = enrollment_for(user=user, course=course) if course else None
    if enrollment is None or _blocker(enrollment, course, module) is not None:
        return None
    return enrollment


def module_visit(
    *,
    user,
    module: ModulePage,
    now=None,
    enrollment: Enrollment | None = None,
    progress: ModuleProgress | None = None,
    modules_left: bool | None = None,
):
    """An enrolled learner reads a module they may read (a view, or the page's study clock): the first
    visit starts its progress, and each credits the time since their last activity in the course
    (courses.seat_time); the time may meet the course's last rule. Returns the progress, or None,
    writing nothing, when the module is not theirs to read. `enrollment` (with the module's `progress`
    and whether `modules_left` to complete, when known): from a caller that has checked the module is
    open to this learner."""
    if not (user.is_authenticated and module.live):
        return None
    if enrollment is None:
        enrollment = module_reader_enrollment(user=user, module=module)
        if enrollment is None:
            return None
    progress = study_activity_record(enrollment=enrollment, module=module, now=now, progress=progress)
    if modules_left:
        return progress
    awaiting = enrollment_awaiting_completion(user_id=enrollment.user_id, course_id=enrollment.course_id)
    if awaiting is not None:  # every module done: the time may have been the last rule to meet
        course_completion_check(awaiting)
    return progress


def course_completion_check(enrollment: Enrollment):
    return check(enrollment)


def module_complete(*, user, module: ModulePage, now=None) -> ModuleProgress:
    """Mark a module complete (a module without a quiz, or whose quiz was passed before it opened)."""
    course = _course_of(module)
    if not module.live or course is None or not course.live:
        raise ProgressError("This module is not available.")
    with transaction.atomic():
        enrollment = (
            Enrollment.objects.select_for_update()
            .filter(user=user, course=course)
            .exclude(status=Enrollment.Status.WITHDRAWN)
            .first()
        )
        if enrollment is None:
            raise ProgressError("Enroll in this course before marking its modules complete.")
        blocker = _blocker(enrollment, course, module)
        if blocker is not None:
            raise ProgressError(
                f"“{module.title}” is locked: complete “{blocker.title}” first. Modules open in order."
            )
        if not module_quiz_passed(user, module):
            raise ProgressError(f"Pass the quiz of “{module.title}” before marking the module complete.")
        study_activity_record(enrollment=enrollment, module=module, now=now)  # the reading up to this click
        progress = module_mark_complete(enrollment=enrollment, module=module)
    return progress


def module_mark_complete(*, enrollment: Enrollment, module: ModulePage) -> ModuleProgress:
    """Complete the module for the enrollment (the learner's own completion, or an override by course
    staff, whose rules the caller checked), then check the course's completion; idempotent."""
    now = timezone.now()
    with transaction.atomic():
        progress, _ = ModuleProgress.objects.get_or_create(
            enrollment=enrollment, module=module, defaults={"started_at": now}
        )
        if progress.completed_at is None:
            progress.completed_at = now  # time on task is counted by courses.seat_time, never from here
            progress.save(update_fields=["completed_at"])
            course_completion_check(enrollment)
            review_deck_add_module(
                user_id=enrollment.user_id, course_id=enrollment.course_id, module_id=module.pk
            )
    return progress


# --- certificates ----------------------------------------------------------------------------------
# Issuing runs in the Celery task (courses/tasks.py); staff actions run in the admin request.

log = logging.getLogger(__name__)


def quiz_attempt_start(*, user, quiz, now=None):
    """Start (or resume) an attempt once the course allows this learner the quiz (enrolled, and open in
    the course's order: courses/gating.py); a refusal starts and counts nothing."""
    refusal = quiz_refusal(user=user, quiz=quiz)
    if refusal:
        raise AttemptNotAllowed(refusal)
    now = now or timezone.now()
    _study_clock_move(user, quiz, now)
    return quiz_services.attempt_start(user=user, quiz=quiz, now=now)


def quiz_attempt_submit(*, attempt, answers=None, now=None) -> quiz_services.SubmitOutcome:
    """Grade the learner's attempt; the attempt's own time is its seat time, so the reading clock moves on."""
    now = now or timezone.now()
    outcome = quiz_services.attempt_submit(attempt=attempt, answers=answers, now=now)
    _study_clock_move(attempt.user, attempt.quiz, now)
    if outcome.graded_now:
        review_deck_add_attempt(
            outcome.attempt, outcome.correct, now=now
        )  # missed and red-flag items enter the review deck
    return outcome


def _study_clock_move(user, quiz, now) -> None:
    enrollment = enrollment_for(user=user, course=quiz.course)
    if enrollment is not None:
        study_activity_record(enrollment=enrollment, now=now)


class CertificateError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _pdf_name(certificate: Certificate) -> str:
    return f"certificates/{certificate.created_at:%Y}/{certificate.code}.pdf"


def _pdf_render(certificate: Certificate) -> bytes:
    return certificate_pdf(certificate.snapshot, certificate.code, base_url=site_url())


class CertificatePdfError(CertificateError):
    """A staff action could not render or store the PDF; its transaction rolls back, so nothing changed."""


def _pdf_store(certificate: Certificate, data: bytes | None = None) -> None:
    """Write the PDF (rendered from the snapshot unless given) under a fixed name; a rewrite replaces it."""
    data = _pdf_render(certificate) if data is None else data
    name = _pdf_name(certificate)
    storage = certificate.pdf.storage
    if storage.exists(name):
        storage.delete(name)
    certificate.pdf.name = storage.save(name, ContentFile(data))


def _pdf_store_for_staff(certificate: Certificate) -> None:
    """_pdf_store, for the reissue and regenerate actions: any failure of WeasyPrint or the storage (a
    full disk, a missing font) is logged with its traceback and told to staff as a CertificatePdfError."""
    try:
        _pdf_store(certificate)
    except Exception as error:  # WeasyPrint and storage backends raise many unrelated types
        log.exception("Certificate %s: the PDF could not be rendered or stored", certificate.code)
        raise CertificatePdfError(
            f"The PDF could not be rendered or stored ({type(error).__name__}: {error}). Nothing changed."
        ) from error


def _event(certificate, action, *, user=None, reason="", **details) -> CertificateEvent:
    return CertificateEvent.objects.create(
        certificate=certificate, action=action, user=user, reason=reason, details=details
    )


def certificate_issue(*, certificate_id: int) -> Certificate:
    """Render, store and mark issued; then e-mail the learner. Idempotent: an issued one is left alone.

    The PDF is rendered before the row is locked (the lock is held for milliseconds, not a render);
    a duplicate running at the same moment finds the row issued under the lock and stores nothing.
    """
    certificate = Certificate.objects.get(pk=certificate_id)
    if certificate.status in (Certificate.Status.ISSUED, Certificate.Status.REVOKED):
        return certificate
    data = _pdf_render(certificate)
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate_id)
        if certificate.status in (Certificate.Status.ISSUED, Certificate.Status.REVOKED):
            return certificate
        now = timezone.now()
        certificate.attempts += 1
        _pdf_store(certificate, data)
        certificate.status = Certificate.Status.ISSUED
        certificate.issued_at = now
        certificate.updated_at = now
        certificate.last_error = ""
        certificate.save(update_fields=["attempts", "pdf", "status", "issued_at", "updated_at", "last_error"])
        _event(certificate, CertificateEvent.Action.ISSUED, attempt=certificate.attempts)
        # robust: a failing hook never stops the others; an e-mail that is not sent is sent by the sweep
        transaction.on_commit(lambda: certificate_email(certificate), robust=True)
        # its Open Badges 3.0 credential, signed once the certificate is committed (courses/open_badges.py)
        transaction.on_commit(lambda: badge_issue_after_commit(certificate.pk), robust=True)
    return certificate


def certificate_attempt_failed(*, certificate_id: int, error: str, final: bool) -> None:
    """Record a failed attempt; after the last retry the certificate is `failed` for staff to retry."""
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().filter(pk=certificate_id).first()
        if certificate is None or certificate.status != Certificate.Status.PENDING:
            return
        certificate.attempts += 1
        certificate.last_error = error[:2000]
        certificate.updated_at = timezone.now()
        if final:
            certificate.status = Certificate.Status.FAILED
        certificate.save(update_fields=["attempts", "last_error", "updated_at", "status"])
        action = CertificateEvent.Action.FAILED if final else CertificateEvent.Action.ATTEMPT_FAILED
        _event(certificate, action, reason=error[:500], attempt=certificate.attempts)


def certificate_email(certificate: Certificate) -> bool:
    """Tell the learner their certificate is ready, with the dashboard link, once: whoever sends it (the
    issue's after-commit hook, the sweep) first claims it (emailed_at, empty -> now, a conditional update),
    so no two senders both send. A mail error never un-issues it: the claim is released for the sweep.
    """
    user = certificate.enrollment.user
    if not user.email:
        return False
    claimed_at = timezone.now()
    unsent = Certificate.objects.filter(
        pk=certificate.pk, status=Certificate.Status.ISSUED, emailed_at__isnull=True
    )
    if not unsent.update(emailed_at=claimed_at):
        return False
    try:
        _email_send(certificate, user)
    except Exception:
        log.exception("Could not e-mail certificate %s; the sweep will try again", certificate.code)
        Certificate.objects.filter(pk=certificate.pk, emailed_at=claimed_at).update(emailed_at=None)
        return False
    certificate.emailed_at = claimed_at
    _event(certificate, CertificateEvent.Action.EMAILED, to=user.email)
    return True


def _email_send(certificate: Certificate, user) -> None:
    snapshot = certificate.snapshot
    context = {
        "snapshot": snapshot,
        "certificate": certificate,
        "dashboard_url": site_url() + reverse("dashboard"),
        "verify_url": verification_url(certificate.code),
    }
    body = render_to_string("courses/certificate_email.txt", context)
    send_mail(
        f"Your CE certificate: {snapshot['course_title']}", body, None, [user.email], fail_silently=False
    )


EMAIL_REPAIR_BATCH = 200


def certificate_emails_repair(*, older_than_minutes: float = 2, now=None, limit: int = EMAIL_REPAIR_BATCH):
    """The sweep's e-mail step: e-mail every certificate issued more than `older_than_minutes` ago that was
    never e-mailed (its after-commit hook was dropped, or the mail server refused it), once. Returns the
    ids e-mailed."""
    now = now or timezone.now()
    unsent = (
        Certificate.objects.filter(
            status=Certificate.Status.ISSUED,
            emailed_at__isnull=True,
            issued_at__lte=now - timedelta(minutes=older_than_minutes),
        )
        .exclude(enrollment__user__email="")
        .select_related("enrollment__user")
        .order_by("issued_at")[:limit]
    )
    return [certificate.pk for certificate in unsent if certificate_email(certificate)]


def _claim(condition: Q, **changes) -> list[int]:
    """Change each certificate matching `condition`, one conditional update each: of sweeps running side
    by side, only one changes (and so queues) a row, because the change makes it no longer match."""
    return [
        pk
        for pk in Certificate.objects.filter(condition).values_list("pk", flat=True)
        if Certificate.objects.filter(condition, pk=pk).update(**changes)
    ]


def _failed_retries_due(now) -> list[tuple[int, int]]:
    """(id, retry number) of the failed certificates whose back-off (SWEEP_RETRY_DELAYS) has passed
    since their last failure, claimed for this sweep."""
    claimed = []
    for number, delay in enumerate(SWEEP_RETRY_DELAYS, start=1):
        due = Q(status=Certificate.Status.FAILED, sweep_retries=number - 1, updated_at__lte=now - delay)
        changes = {"sweep_retries": number, "last_sweep_retry_at": now}
        claimed += [
            (pk, number) for pk in _claim(due, status=Certificate.Status.PENDING, updated_at=now, **changes)
        ]
    return claimed


def certificates_requeue(*, older_than_minutes: int = 5, retry_failed: bool = False, now=None) -> list[int]:
    """The sweep: queue again every certificate pending longer than `older_than_minutes`, and every failed
    one whose back-off has passed (SWEEP_RETRY_DELAYS); `retry_failed` retries every failed one at once."""
    now = now or timezone.now()
    pending = Q(
        status=Certificate.Status.PENDING, updated_at__lte=now - timedelta(minutes=older_than_minutes)
    )
    events = [(pk, {}) for pk in _claim(pending, updated_at=now)]
    events += [(pk, {"sweep_retry": number}) for pk, number in _failed_retries_due(now)]
    if retry_failed:
        claimed = _claim(
            Q(status=Certificate.Status.FAILED), status=Certificate.Status.PENDING, updated_at=now
        )
        events += [(pk, {"retry_failed": True}) for pk in claimed]
    for pk, details in events:
        _event(Certificate(pk=pk), CertificateEvent.Action.REQUEUED, **details)
        certificate_queue(pk)
    return [pk for pk, _ in events]


def _staff_lock(certificate: Certificate) -> Certificate:
    return Certificate.objects.select_for_update().select_related("enrollment__user").get(pk=certificate.pk)


def certificate_revoke(*, certificate: Certificate, user, reason: str) -> Certificate:
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError("Give a reason for revoking the certificate.")
    with transaction.atomic():
        locked = _staff_lock(certificate)
        if locked.status == Certificate.Status.REVOKED:
            raise CertificateError("This certificate is already revoked.")
        now = timezone.now()
        locked.status, locked.revoked_at, locked.revoked_reason, locked.updated_at = (
            Certificate.Status.REVOKED,
            now,
            reason,
            now,
        )
        locked.save(update_fields=["status", "revoked_at", "revoked_reason", "updated_at"])
        _event(locked, CertificateEvent.Action.REVOKED, user=user, reason=reason)
        # The cached Open Badges status lists: dropped now (what this transaction reads next is fresh) and
        # again once the revocation commits (a list another request built meanwhile, from the rows before
        # it, goes too).
        status_list_changed()
        transaction.on_commit(status_list_changed, robust=True)
    return locked


def certificate_reissue(*, certificate: Certificate, user, reason: str = "") -> Certificate:
    """After a name (or license) correction: refresh the learner's details, new PDF, same code."""
    with transaction.atomic():
        locked = _staff_lock(certificate)
        if locked.status == Certificate.Status.REVOKED:
            raise CertificateError("A revoked certificate cannot be reissued.")
        before = {k: locked.snapshot.get(k) for k in learner_fields(locked.enrollment.user)}
        after = learner_fields(locked.enrollment.user)
        snapshot = {**locked.snapshot, **after}
        # The approvals stay as frozen (an approval edited since changes no certificate), unless the
        # license state was corrected: that changes which apply, those in force on the completion date.
        if after["license_state"] != before["license_state"]:
            snapshot["approvals"] = certificate_approvals(
                locked.enrollment.course,
                state=after["license_state"],
                day=locked.completion_date or timezone.localdate(),
            )
        locked.snapshot = snapshot
        _pdf_store_for_staff(locked)
        now = timezone.now()
        locked.status, locked.updated_at, locked.last_error = Certificate.Status.ISSUED, now, ""
        locked.issued_at = now
        locked.save(update_fields=["snapshot", "pdf", "status", "updated_at", "last_error", "issued_at"])
        _event(
            locked,
            CertificateEvent.Action.REISSUED,
            user=user,
            reason=reason.strip(),
            before=before,
            after=after,
        )
        transaction.on_commit(lambda: badge_issue_after_commit(locked.pk), robust=True)  # the new details
    return locked


def certificate_regenerate(*, certificate: Certificate, user, reason: str = "") -> Certificate:
    """Render the PDF again from the stored snapshot (a lost file, a new template version)."""
    with transaction.atomic():
        locked = _staff_lock(certificate)
        if locked.status != Certificate.Status.ISSUED:
            raise CertificateError("Only an issued certificate can be regenerated.")
        _pdf_store_for_staff(locked)
        locked.updated_at = timezone.now()
        locked.save(update_fields=["pdf", "updated_at"])
        _event(locked, CertificateEvent.Action.REGENERATED, user=user, reason=reason.strip())
    return locked


def certificate_retry(*, certificate: Certificate, user, queue: bool = True) -> Certificate:
    """Put a failed certificate back to pending and send the task again."""
    with transaction.atomic():
        locked = _staff_lock(certificate)
        if locked.status != Certificate.Status.FAILED:
            raise CertificateError("Only a failed certificate can be retried.")
        # a retry by hand starts the sweep's schedule again, should this one fail too
        locked.status, locked.updated_at, locked.sweep_retries = Certificate.Status.PENDING, timezone.now(), 0
        locked.save(update_fields=["status", "updated_at", "sweep_retries"])
        _event(locked, CertificateEvent.Action.RETRIED, user=user)
        if queue:
            transaction.on_commit(lambda: certificate_queue(locked.pk), robust=True)
    return locked
