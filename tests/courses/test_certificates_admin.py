"""Staff actions on certificates in the Wagtail admin: permissions, revoke, reissue, regenerate, retry, history."""

import io
import re
from unittest import mock

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.urls import reverse
from pypdf import PdfReader

from courses.models import SWEEP_RETRY_DELAYS, Certificate, CertificateEvent
from tests.courses.certify import course_finish, private_media, small_course  # noqa: F401
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(catalogue, learner, django_capture_on_commit_callbacks):
    course, pages = small_course(catalogue)
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = course_finish(learner, course, pages)
    return Certificate.objects.get(enrollment=enrollment)


@pytest.fixture
def admin_user(db):
    return UserFactory(is_superuser=True, is_staff=True, username="provider-admin")


@pytest.fixture
def certificate_officer(db):
    """Not a superuser: admin access plus the one permission the actions need."""
    group = Group.objects.create(name="Certificate officers")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"), Permission.objects.get(codename="change_certificate")
    )
    return UserFactory(groups=["Certificate officers"])


def action(client, certificate, name, **data):
    return client.post(reverse("courses_certificate_action", args=[certificate.pk, name]), data)


def text_of(certificate) -> str:
    with certificate.pdf.open("rb") as handle:
        return PdfReader(io.BytesIO(handle.read())).pages[0].extract_text()


def test_list_and_filter_by_status(client, admin_user, issued):
    client.force_login(admin_user)
    html = client.get(reverse("courses_certificates")).content.decode()
    assert issued.code in html and issued.snapshot["participant_name"] in html
    assert (
        issued.code not in client.get(reverse("courses_certificates"), {"status": "failed"}).content.decode()
    )
    assert (
        issued.code
        in client.get(reverse("courses_certificates"), {"q": issued.code[:5].lower()}).content.decode()
    )
    detail = client.get(reverse("courses_certificate", args=[issued.pk]))
    assert detail.status_code == 200 and "History" in detail.content.decode()


def test_the_menu_shows_certificates_only_to_those_who_may(client, admin_user, instructor):
    client.force_login(admin_user)
    assert reverse("courses_certificates") in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(instructor)
    assert reverse("courses_certificates") not in client.get(reverse("wagtailadmin_home")).content.decode()


@pytest.mark.parametrize("name", ["revoke", "reissue", "regenerate"])
def test_instructors_and_learners_can_do_nothing(client, issued, instructor, learner, name):
    for user in (instructor, learner):
        client.force_login(user)
        assert client.get(reverse("courses_certificates")).status_code in (302, 403)
        assert client.get(reverse("courses_certificate", args=[issued.pk])).status_code in (302, 403)
        assert action(client, issued, name, **{"revoke-reason": "x", "reason": "x"}).status_code in (302, 403)
    issued.refresh_from_db()
    assert issued.status == Certificate.Status.ISSUED
    assert not issued.events.exclude(user=None).exists()
    client.logout()
    response = action(client, issued, name)
    assert response.status_code == 302 and "login" in response["Location"]


def test_revoke_needs_a_reason_and_is_recorded(client, certificate_officer, issued):
    client.force_login(certificate_officer)
    action(client, issued, "revoke", **{"revoke-reason": "  "})
    issued.refresh_from_db()
    assert issued.status == Certificate.Status.ISSUED
    action(client, issued, "revoke", **{"revoke-reason": "Completed under another learner's account"})
    issued.refresh_from_db()
    assert issued.status == Certificate.Status.REVOKED and issued.revoked_at is not None
    event = issued.events.get(action=CertificateEvent.Action.REVOKED)
    assert event.user == certificate_officer and "another learner" in event.reason
    verify = client.get(reverse("courses:certificate_verify", args=[issued.code])).content.decode()
    assert "Revoked" in verify and "another learner" not in verify
    # The learner can no longer download it; staff still can.
    assert client.get(reverse("courses:certificate_download", args=[issued.code])).status_code == 200
    client.force_login(issued.enrollment.user)
    assert client.get(reverse("courses:certificate_download", args=[issued.code])).status_code == 404


def test_reissue_after_a_name_correction_keeps_the_number_and_the_history(
    client, admin_user, issued, learner
):
    old_name, old_path = issued.snapshot["participant_name"], issued.pdf.path
    learner.legal_name = "Renée Corrected-Name"
    learner.save()
    client.force_login(admin_user)
    assert (
        "Renée Corrected-Name"
        in client.get(reverse("courses_certificate", args=[issued.pk])).content.decode()
    )
    action(client, issued, "reissue", reason="Learner's name was misspelt")
    issued.refresh_from_db()
    assert issued.status == Certificate.Status.ISSUED
    assert issued.snapshot["participant_name"] == "Renée Corrected-Name"
    assert issued.pdf.path == old_path and Certificate.objects.count() == 1
    assert "Renée Corrected-Name" in text_of(issued) and old_name not in text_of(issued)
    event = issued.events.get(action=CertificateEvent.Action.REISSUED)
    assert event.user == admin_user and event.details["before"]["participant_name"] == old_name
    assert event.details["after"]["participant_name"] == "Renée Corrected-Name"
    assert list(issued.events.values_list("action", flat=True))[:2] == ["created", "issued"]  # history kept


def test_regenerate_uses_the_stored_snapshot_not_the_profile(client, admin_user, issued, learner):
    learner.legal_name = "Not On The Certificate"
    learner.save()
    issued.pdf.storage.delete(issued.pdf.name)  # a lost file
    client.force_login(admin_user)
    action(client, issued, "regenerate")
    issued.refresh_from_db()
    assert issued.pdf.storage.exists(issued.pdf.name)
    assert issued.snapshot["participant_name"] in text_of(issued)
    assert "Not On The Certificate" not in text_of(issued)
    assert issued.events.filter(action="regenerated", user=admin_user).exists()


def test_retry_a_failed_certificate(
    client, admin_user, catalogue, learner, django_capture_on_commit_callbacks
):
    course, pages = small_course(catalogue)
    with mock.patch("courses.certificates.html_to_pdf", side_effect=RuntimeError("renderer down")):
        with django_capture_on_commit_callbacks(execute=True):
            course_finish(learner, course, pages)
    certificate = Certificate.objects.get()
    assert certificate.status == Certificate.Status.FAILED
    client.force_login(admin_user)
    html = client.get(reverse("courses_certificates"), {"status": "failed"}).content.decode()
    assert certificate.code in html
    detail = client.get(reverse("courses_certificate", args=[certificate.pk])).content.decode()
    assert "Retry issuing" in detail and "renderer down" in detail
    with django_capture_on_commit_callbacks(execute=True):
        action(client, certificate, "retry")
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED
    assert certificate.events.filter(action="retried", user=admin_user).exists()


def test_certificates_the_sweep_gave_up_on_are_shown_to_staff(
    client, admin_user, catalogue, learner, django_capture_on_commit_callbacks
):
    course, pages = small_course(catalogue)
    with mock.patch("courses.certificates.html_to_pdf", side_effect=OSError(28, "No space left on device")):
        with django_capture_on_commit_callbacks(execute=True):
            course_finish(learner, course, pages)
    certificate = Certificate.objects.get()
    client.force_login(admin_user)
    url = reverse("courses_certificates")
    assert certificate.code not in client.get(url, {"status": "gave_up"}).content.decode()  # still retried
    Certificate.objects.update(
        sweep_retries=len(SWEEP_RETRY_DELAYS), last_sweep_retry_at=certificate.updated_at
    )
    listing = client.get(url, {"status": "gave_up"}).content.decode()
    assert certificate.code in listing and "Failed — gave up after 4 automatic retries" in listing
    assert "Failed — the sweep gave up (1)" in listing  # the filter, with its count
    detail = client.get(reverse("courses_certificate", args=[certificate.pk])).content.decode()
    assert "Failed — gave up after 4 automatic retries" in detail and "Retry issuing" in detail


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_refused_revoke_says_why_not_that_a_pdf_failed(client, admin_user, issued):
    client.force_login(admin_user)
    done = action(client, issued, "revoke", **{"revoke-reason": "Duplicate account"})
    assert _messages(done) == [f"Certificate {issued.code} revoked."]
    again = client.post(
        reverse("courses_certificate_action", args=[issued.pk, "revoke"]),
        {"revoke-reason": "Twice"},
        follow=True,
    )
    html = again.content.decode()
    assert "This certificate is already revoked." in html and "could not be rendered" not in html


def test_a_pdf_that_cannot_be_rendered_is_logged_and_told_to_staff(client, admin_user, issued, caplog):
    client.force_login(admin_user)
    path = issued.pdf.path
    with mock.patch("courses.certificates.html_to_pdf", side_effect=OSError(28, "No space left on device")):
        response = action(client, issued, "regenerate")
    [message] = _messages(response)
    assert (
        message.startswith("The PDF could not be rendered or stored (OSError")
        and "Nothing changed" in message
    )
    [record] = [r for r in caplog.records if r.name == "courses.services" and r.exc_info]
    assert issued.code in record.getMessage()
    issued.refresh_from_db()
    assert issued.pdf.path == path and not issued.events.filter(action="regenerated").exists()


def test_actions_that_do_not_apply_are_refused(client, admin_user, issued):
    client.force_login(admin_user)
    response = action(client, issued, "retry")
    issued.refresh_from_db()
    assert response.status_code == 302 and issued.status == Certificate.Status.ISSUED
    assert action(client, issued, "delete").status_code == 404
    assert client.get(reverse("courses_certificate_action", args=[issued.pk, "revoke"])).status_code == 405


def test_provider_snippet_is_in_the_admin(client, admin_user, issued):
    client.force_login(admin_user)
    html = client.get(reverse("wagtailsnippets_courses_provider:list")).content.decode()
    assert issued.snapshot["provider_name"] in html
    assert re.search(r"NCBTMB", html)
