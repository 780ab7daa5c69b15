"""Issuing certificates (eager Celery): idempotent, retried, swept; codes; e-mail; downloads; verification."""

import io
import re
import time
import unicodedata
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError
from pypdf import PdfReader

from courses import services, tasks
from courses.certificates import certificate_code_new, code_normalize
from courses.models import SWEEP_RETRY_DELAYS, Certificate, CertificateEvent, Enrollment
from courses.services import certificate_retry
from tests.courses.ce_records import approval_add
from tests.courses.certify import broker_down, course_finish, private_media, small_course  # noqa: F401
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(catalogue):
    return small_course(catalogue)


@pytest.fixture
def issued(built, learner, django_capture_on_commit_callbacks):
    course, pages = built
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = course_finish(learner, course, pages)
    return Certificate.objects.get(enrollment=enrollment)


def pdf_files(root):
    return sorted(p for p in root.rglob("*.pdf")) if root.exists() else []


def pdf_text(certificate) -> str:
    with certificate.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    assert len(reader.pages) == 1
    return unicodedata.normalize("NFKC", " ".join(page.extract_text() for page in reader.pages))


# --- codes -------------------------------------------------------------------------------------------


def test_codes_carry_96_random_bits_in_groups_of_five():
    codes = {certificate_code_new() for _ in range(500)}
    assert len(codes) == 500
    for code in list(codes)[:20]:
        assert re.fullmatch(r"[A-Z2-7]{5}(-[A-Z2-7]{5}){3}", code)
        assert len(code.replace("-", "")) * 5 >= 96


def test_codes_typed_by_people_are_normalised():
    code = "K7QHD-2MZXA-PL4RT-WN6EB"
    assert code_normalize("k7qhd 2mzxa pl4rt wn6eb") == code
    assert code_normalize("K7QHD2MZXAPL4RTWN6EB") == code
    assert code_normalize("K7QHD-2MZXA-PL4RT-WN6E8") == "K7QHD-2MZXA-PL4RT-WN6EB"  # 8 read as B
    assert code_normalize("K7QHD-2MZXA") is None
    assert code_normalize("<script>") is None


# --- issuing -----------------------------------------------------------------------------------------


def test_issuing_renders_stores_and_emails(issued, learner, private_media):
    assert issued.status == Certificate.Status.ISSUED
    assert issued.issued_at is not None and issued.attempts == 1
    assert [p.name for p in pdf_files(private_media)] == [f"{issued.code}.pdf"]
    assert str(private_media) in issued.pdf.path
    [message] = mail.outbox
    assert message.to == [learner.email]
    assert issued.snapshot["course_title"] in message.subject
    assert "http://testserver/dashboard/" in message.body
    assert f"http://testserver/certificates/verify/{issued.code}/" in message.body
    actions = list(issued.events.values_list("action", flat=True))
    assert actions == ["created", "issued", "emailed"]


def test_the_pdf_is_never_under_media_url(issued, settings):
    from pathlib import Path

    assert not Path(issued.pdf.path).is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    with pytest.raises(ValueError):
        issued.pdf.url


def test_the_task_run_twice_makes_one_certificate_and_one_pdf(issued, private_media):
    before = issued.pdf.path, (private_media / issued.pdf.name).stat().st_mtime_ns
    assert tasks.issue_certificate.delay(issued.pk).get() == "issued"
    tasks.issue_certificate.apply(args=(issued.pk,))
    issued.refresh_from_db()
    assert Certificate.objects.count() == 1
    assert len(pdf_files(private_media)) == 1
    assert (issued.pdf.path, (private_media / issued.pdf.name).stat().st_mtime_ns) == before
    assert issued.attempts == 1 and len(mail.outbox) == 1
    assert issued.events.filter(action=CertificateEvent.Action.ISSUED).count() == 1


def test_pdf_holds_every_field_ncbtmb_requires(built, learner, django_capture_on_commit_callbacks):
    course, pages = built
    approval_add(course, "NCBTMB")  # its provider number prints only beside NCBTMB's approval
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = course_finish(learner, course, pages)
    issued = Certificate.objects.get(enrollment=enrollment)
    text = pdf_text(issued)
    flat = re.sub(r"\s+", " ", text)
    s = issued.snapshot
    for value in [
        s["participant_name"],
        s["license_number"],
        "North Carolina",
        s["course_title"],
        "Home Study",
        "3 CE hours",
        s["provider_name"],
        s["provider_number"],
        s["provider_email"],
        "12 Example Street",
        s["signatory_name"],
        s["signatory_title"],
        issued.code,
    ]:
        assert value in flat, value
    assert issued.completion_date.strftime("%B") in flat and str(issued.completion_date.year) in flat


def test_broker_unreachable_at_commit_leaves_it_pending_then_the_sweep_issues_it(
    built, learner, django_capture_on_commit_callbacks, private_media
):
    course, pages = built
    started = time.monotonic()
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        enrollment = course_finish(learner, course, pages)  # the learner sees no error
    assert time.monotonic() - started < 20  # a dead broker does not hold the request for long
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.status == Certificate.Status.PENDING and not pdf_files(private_media)

    call_command("issue_pending_certificates", minutes=5)  # too recent: left alone
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.PENDING

    Certificate.objects.filter(pk=certificate.pk).update(updated_at=timezone.now() - timedelta(minutes=6))
    out = io.StringIO()
    call_command("issue_pending_certificates", minutes=5, stdout=out)
    assert "Re-queued 1" in out.getvalue()
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED
    assert len(pdf_files(private_media)) == 1
    assert certificate.events.filter(action=CertificateEvent.Action.REQUEUED).exists()


def test_the_periodic_task_is_the_same_sweep(built, learner, django_capture_on_commit_callbacks, settings):
    course, pages = built
    with mock.patch.object(tasks.issue_certificate, "apply_async", side_effect=OperationalError("down")):
        with django_capture_on_commit_callbacks(execute=True):
            course_finish(learner, course, pages)
    Certificate.objects.update(updated_at=timezone.now() - timedelta(minutes=10))
    assert tasks.issue_pending_certificates.delay().get() == 1
    assert Certificate.objects.get().status == Certificate.Status.ISSUED
    schedule = settings.CELERY_BEAT_SCHEDULE["issue-pending-certificates"]
    assert schedule["task"] == "courses.tasks.issue_pending_certificates" and schedule["schedule"] == 60
    assert schedule["kwargs"] == {"older_than_minutes": 1}


def test_failures_retry_then_fail_then_staff_retry_issues_it(
    built, learner, django_capture_on_commit_callbacks, private_media
):
    course, pages = built
    admin = UserFactory(is_superuser=True, is_staff=True)
    with mock.patch("courses.certificates.html_to_pdf", side_effect=RuntimeError("fonts missing")):
        with django_capture_on_commit_callbacks(execute=True):
            enrollment = course_finish(learner, course, pages)
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.status == Certificate.Status.FAILED
    assert certificate.attempts == tasks.MAX_RETRIES + 1
    assert "fonts missing" in certificate.last_error
    assert not pdf_files(private_media) and not mail.outbox
    actions = list(certificate.events.values_list("action", flat=True))
    assert actions.count("attempt_failed") == tasks.MAX_RETRIES and actions[-1] == "failed"

    with django_capture_on_commit_callbacks(execute=True):
        certificate_retry(certificate=certificate, user=admin)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED and len(pdf_files(private_media)) == 1
    assert certificate.events.filter(action="retried", user=admin).exists()


def test_overlapping_sweeps_queue_each_certificate_once(
    built, learner, other_learner, django_capture_on_commit_callbacks
):
    course, pages = built
    with mock.patch.object(tasks.issue_certificate, "apply_async", side_effect=OperationalError("down")):
        with django_capture_on_commit_callbacks(execute=True):
            course_finish(learner, course, pages)
            course_finish(other_learner, course, pages)
    Certificate.objects.update(updated_at=timezone.now() - timedelta(minutes=10))
    queued = []

    def queue_during_another_sweep(pk):
        queued.append(pk)
        if len(queued) == 1:  # a second beat tick starts while the first is still queuing
            services.certificates_requeue(older_than_minutes=5)
        return True

    with mock.patch("courses.services.certificate_queue", side_effect=queue_during_another_sweep):
        services.certificates_requeue(older_than_minutes=5)
    assert sorted(queued) == sorted(Certificate.objects.values_list("pk", flat=True))


def test_sweep_retries_every_failed_one_at_once_when_asked(
    built, learner, django_capture_on_commit_callbacks
):
    course, pages = built
    with mock.patch("courses.certificates.html_to_pdf", side_effect=RuntimeError("boom")):
        with django_capture_on_commit_callbacks(execute=True):
            course_finish(learner, course, pages)
    call_command("issue_pending_certificates", minutes=0)  # its first back-off (5 minutes) has not passed
    assert Certificate.objects.get().status == Certificate.Status.FAILED
    call_command("issue_pending_certificates", minutes=0, retry_failed=True)
    assert Certificate.objects.get().status == Certificate.Status.ISSUED


def _failed_at(start, built, learner, capture):
    course, pages = built
    with time_machine.travel(start, tick=False), capture(execute=True):
        course_finish(learner, course, pages)
    certificate = Certificate.objects.get()
    assert certificate.status == Certificate.Status.FAILED and certificate.sweep_retries == 0
    return certificate


def _sweep_at(moment) -> list[int]:
    with time_machine.travel(moment, tick=False):
        return services.certificates_requeue(older_than_minutes=5)


def test_the_sweep_retries_a_failed_certificate_with_growing_back_off_then_gives_up(
    built, learner, django_capture_on_commit_callbacks
):
    """Storage full: the sweep tries again 5 min, 30 min, 2 h and 12 h after each failure, then leaves
    it failed for staff."""
    start = timezone.now()
    with mock.patch("courses.certificates.html_to_pdf", side_effect=OSError(28, "No space left on device")):
        certificate = _failed_at(start, built, learner, django_capture_on_commit_callbacks)
        failed_at = start
        for number, delay in enumerate(SWEEP_RETRY_DELAYS, start=1):
            assert _sweep_at(failed_at + delay - timedelta(seconds=1)) == []  # not yet
            assert _sweep_at(failed_at + delay) == [certificate.pk]
            certificate.refresh_from_db()
            assert certificate.status == Certificate.Status.FAILED  # the disk is still full
            assert (
                certificate.sweep_retries == number and certificate.last_sweep_retry_at == failed_at + delay
            )
            failed_at = certificate.updated_at
        assert _sweep_at(failed_at + timedelta(days=30)) == []  # it gave up
    certificate.refresh_from_db()
    assert certificate.sweep_gave_up and certificate.status == Certificate.Status.FAILED
    retries = certificate.events.filter(action=CertificateEvent.Action.REQUEUED)
    assert [event.details["sweep_retry"] for event in retries] == [1, 2, 3, 4]
    assert "No space left on device" in certificate.last_error


def test_a_failed_certificate_is_issued_by_the_next_sweep_once_the_cause_is_gone(
    built, learner, django_capture_on_commit_callbacks, private_media
):
    start = timezone.now()
    with mock.patch("courses.certificates.html_to_pdf", side_effect=OSError(28, "No space left on device")):
        certificate = _failed_at(start, built, learner, django_capture_on_commit_callbacks)
    assert _sweep_at(start + timedelta(minutes=5)) == [certificate.pk]  # the disk has room again
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED and len(pdf_files(private_media)) == 1
    assert certificate.sweep_retries == 1


def test_overlapping_sweeps_retry_a_failed_certificate_once(
    built, learner, django_capture_on_commit_callbacks
):
    start = timezone.now()
    with mock.patch("courses.certificates.html_to_pdf", side_effect=RuntimeError("boom")):
        certificate = _failed_at(start, built, learner, django_capture_on_commit_callbacks)
    queued = []

    def queue_during_another_sweep(pk):
        queued.append(pk)
        if len(queued) == 1:  # a second beat tick starts while the first is still queuing
            services.certificates_requeue(older_than_minutes=5)
        return True

    with mock.patch("courses.services.certificate_queue", side_effect=queue_during_another_sweep):
        with time_machine.travel(start + timedelta(minutes=6), tick=False):
            services.certificates_requeue(older_than_minutes=5)
    certificate.refresh_from_db()
    assert queued == [certificate.pk] and certificate.sweep_retries == 1
    assert certificate.status == Certificate.Status.PENDING  # claimed, and queued once


def test_a_retry_by_staff_starts_the_sweeps_schedule_again(
    built, learner, django_capture_on_commit_callbacks
):
    start = timezone.now()
    with mock.patch("courses.certificates.html_to_pdf", side_effect=RuntimeError("boom")):
        certificate = _failed_at(start, built, learner, django_capture_on_commit_callbacks)
        Certificate.objects.filter(pk=certificate.pk).update(sweep_retries=len(SWEEP_RETRY_DELAYS))
        with time_machine.travel(start + timedelta(hours=1), tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                certificate_retry(certificate=certificate, user=None)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.FAILED and certificate.sweep_retries == 0
    assert not certificate.sweep_gave_up
    assert _sweep_at(start + timedelta(hours=1, minutes=5)) == [certificate.pk]


# --- learners ------------------------------------------------------------------------------------------


def download_url(certificate):
    return reverse("courses:certificate_download", args=[certificate.code])


def test_owner_downloads_the_pdf_as_an_attachment(client, issued, learner):
    client.force_login(learner)
    response = client.get(download_url(issued))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert issued.code in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_another_learner_gets_404(client, issued):
    client.force_login(UserFactory())
    assert client.get(download_url(issued)).status_code == 404


def test_anonymous_is_sent_to_log_in(client, issued):
    response = client.get(download_url(issued))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_with_the_permission_download_any(client, issued):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(download_url(issued)).status_code == 200


def test_instructors_do_not_download_others_certificates(client, issued, instructor):
    client.force_login(instructor)
    assert client.get(download_url(issued)).status_code == 404


def test_unknown_code_404(client, learner):
    client.force_login(learner)
    assert (
        client.get(reverse("courses:certificate_download", args=["AAAAA-AAAAA-AAAAA-AAAAA"])).status_code
        == 404
    )


def test_dashboard_lists_the_certificate_even_after_withdrawal(client, issued, learner):
    client.force_login(learner)
    Enrollment.objects.filter(pk=issued.enrollment_id).update(status=Enrollment.Status.WITHDRAWN)
    html = client.get(reverse("dashboard")).content.decode()
    assert issued.snapshot["course_title"] in html and download_url(issued) in html
    assert client.get(download_url(issued)).status_code == 200


def test_transcript_page_csv_and_pdf(client, issued, learner):
    client.force_login(learner)
    html = client.get(reverse("courses:transcript")).content.decode()
    assert issued.snapshot["course_title"] in html and issued.code in html
    response = client.get(reverse("courses:transcript_csv"))
    text = response.content.decode("utf-8-sig")
    assert response["Content-Disposition"].startswith("attachment")
    assert "CE hours" in text.splitlines()[0] and issued.snapshot["course_title"] in text
    assert issued.snapshot["completion_date"] in text and "3.00" in text
    response = client.get(reverse("courses:transcript_pdf"))
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    transcript = " ".join(p.extract_text() for p in reader.pages)
    assert issued.snapshot["course_title"] in re.sub(r"\s+", " ", transcript) and issued.code in transcript


def test_transcript_needs_login(client):
    assert client.get(reverse("courses:transcript")).status_code == 302


# --- verification --------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_verification_page_of_a_valid_certificate(client, issued):
    response = client.get(reverse("courses:certificate_verify", args=[issued.code]))
    html = response.content.decode()
    assert response.status_code == 200
    s = issued.snapshot
    for value in [
        "Valid certificate",
        s["participant_name"],
        s["course_title"],
        "3 CE hours",
        s["provider_name"],
        s["provider_number"],
        issued.completion_date.strftime("%B"),
    ]:
        assert value in html, value
    assert s["license_number"] not in html  # a public page shows no license number


def test_verification_of_a_revoked_certificate_says_so_without_the_reason(client, issued):
    from courses.services import certificate_revoke

    certificate_revoke(certificate=issued, user=None, reason="Duplicate account: private detail")
    html = client.get(reverse("courses:certificate_verify", args=[issued.code])).content.decode()
    assert "Revoked certificate" in html and "private detail" not in html
    assert timezone.localdate().strftime("%B") in html


def test_a_sloppy_code_redirects_to_the_canonical_page(client, issued):
    sloppy = issued.code.lower().replace("-", "")
    response = client.get(reverse("courses:certificate_verify", args=[sloppy]))
    assert response.status_code == 302 and response["Location"].endswith(f"/verify/{issued.code}/")


def test_unknown_code_gets_a_clear_not_found_page(client):
    response = client.get(reverse("courses:certificate_verify", args=["AAAAA-AAAAA-AAAAA-AAAAA"]))
    assert response.status_code == 404
    assert "Certificate not found" in response.content.decode()
    response = client.get(reverse("courses:certificate_verify", args=["nonsense"]))
    assert response.status_code == 404


def test_a_pending_certificate_is_not_shown(client, built, learner, django_capture_on_commit_callbacks):
    course, pages = built
    with django_capture_on_commit_callbacks(execute=False):
        course_finish(learner, course, pages)
    code = Certificate.objects.get().code
    assert client.get(reverse("courses:certificate_verify", args=[code])).status_code == 404


def test_lookup_form(client, issued):
    url = reverse("courses:certificate_lookup")
    assert "Certificate number" in client.get(url).content.decode()
    response = client.get(url, {"code": issued.code.lower()})
    assert response.status_code == 302 and response["Location"].endswith(f"/verify/{issued.code}/")
    response = client.get(url, {"code": "12"})
    assert response.status_code == 200 and "not a certificate number" in response.content.decode()


def test_lookups_are_rate_limited_per_address(client, issued, settings, time_machine):
    cache.clear()  # counts from elsewhere
    # The limit counts per clock minute: 31 requests straddling a minute's end on a busy machine started a
    # new count (a flaky 200 for the 31st). The clock stands still here, 5 s into a minute.
    time_machine.move_to(timezone.now().replace(second=5, microsecond=0) + timedelta(minutes=1), tick=False)
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "certificate_verify": "30/m"}
    url = reverse("courses:certificate_verify", args=[issued.code])
    statuses = [client.get(url).status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429
    response = client.get(reverse("courses:certificate_lookup"), {"code": issued.code})
    assert response.status_code == 429 and "certificate look-ups" in response.content.decode()
    assert response["Retry-After"]
    assert client.get(url, REMOTE_ADDR="10.0.0.9").status_code == 200  # another address is not affected
