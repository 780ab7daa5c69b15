"""Celery tasks: thin wrappers that fetch by id and call a service (courses/services.py)."""

import logging

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from . import review_digest
from .completion import completion_sweep
from .models import Certificate
from .services import (
    certificate_attempt_failed,
    certificate_emails_repair,
    certificate_issue,
    certificates_requeue,
)

log = logging.getLogger(__name__)

MAX_RETRIES = 5
MAX_COUNTDOWN = 300  # seconds
# A PDF takes a second or two; a render stuck longer is stopped (soft: the attempt fails and is retried)
# and, if it ignores that, its process is killed. The broker's visibility_timeout (cms/settings/base.py)
# outlasts MAX_COUNTDOWN + TIME_LIMIT.
SOFT_TIME_LIMIT, TIME_LIMIT = 60, 90


def retry_countdown(retries: int) -> float:
    """About 2, 4, 8, 16, 32 s (full jitter), never more than MAX_COUNTDOWN."""
    return get_exponential_backoff_interval(
        factor=2, retries=retries, maximum=MAX_COUNTDOWN, full_jitter=True
    )


def _attempt(certificate_id: int, *, final: bool) -> str:
    try:
        return certificate_issue(certificate_id=certificate_id).status
    except Exception as exc:
        certificate_attempt_failed(
            certificate_id=certificate_id, error=f"{type(exc).__name__}: {exc}", final=final
        )
        raise


@shared_task(
    bind=True,
    max_retries=MAX_RETRIES,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
)
def issue_certificate(self, certificate_id: int) -> str:
    """Render, store and e-mail one certificate. Duplicates are harmless: an issued one is left alone."""
    if self.request.is_eager:
        # In-process (dev without Redis, unit tests): the retries run at once, and a final failure is
        # recorded on the certificate rather than raised into the request that completed the course.
        for attempt in range(self.max_retries + 1):
            try:
                return _attempt(certificate_id, final=attempt == self.max_retries)
            except Exception:  # recorded on the certificate by _attempt; the next attempt follows at once
                log.warning("Certificate %s: attempt %s failed", certificate_id, attempt + 1, exc_info=True)
        return Certificate.Status.FAILED
    final = self.request.retries >= self.max_retries
    try:
        return _attempt(certificate_id, final=final)
    except Exception as exc:
        if final:
            log.error("Certificate %s failed after %s attempts", certificate_id, self.request.retries + 1)
            raise
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc


@shared_task
def issue_pending_certificates(older_than_minutes: int = 5, retry_failed: bool = False) -> int:
    """The sweep (Celery beat): re-queue certificates a broker outage or a lost worker left pending, and
    failed ones whose back-off has passed (courses.services.certificates_requeue)."""
    return len(certificates_requeue(older_than_minutes=older_than_minutes, retry_failed=retry_failed))


@shared_task
def complete_stranded_enrollments() -> int:
    """The sweep (Celery beat): complete enrollments with every rule met and no certificate
    (courses.completion.completion_sweep)."""
    return len(completion_sweep())


@shared_task
def email_unsent_certificates(older_than_minutes: float = 2) -> int:
    """The sweep (Celery beat): e-mail issued certificates never e-mailed (courses.services.certificate_emails_repair)."""
    return len(certificate_emails_repair(older_than_minutes=older_than_minutes))


@shared_task
def send_renewal_reminders() -> int:
    """Daily (Celery beat): e-mail learners 90, 30 and 7 days before a credential's renewal date, each
    reminder once (courses.renewals.renewal_reminders_send)."""
    from .renewals import renewal_reminders_send  # noqa: PLC0415 - loaded by the worker only when it runs

    return len(renewal_reminders_send())


@shared_task
def send_review_digests() -> int:
    """Celery beat: the e-mail digest of due review cards (courses.review_digest.send_review_digests)."""
    return review_digest.send_review_digests()
