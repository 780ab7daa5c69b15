"""Accounts as a CE platform needs them: students and licensed therapists at sign-up, license formats per
state, the verified e-mail address a certificate waits for, and log-in through allauth's form."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from cms.licenses import LICENSE_FORMATS, PERMISSIVE, license_format, license_number_demo
from cms.models import LearnerStatus, User
from courses.certificates import certificate_html, certificate_snapshot
from courses.completion import completion_requirements
from courses.models import Certificate
from tests.courses.certify import course_finish, private_media, small_course  # noqa: F401 - fixture
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"
pytestmark = pytest.mark.django_db


def signup_data(**overrides):
    data = {
        "username": "mchen",
        "email": "m.chen@example.com",
        "legal_name": "Mei Chen",
        "learner_status": "student",
        "license_number": "",
        "license_state": "",
        "password1": "trapezius-upper-fibres-8",
        "password2": "trapezius-upper-fibres-8",
    }
    return {**data, **overrides}


# --------------------------------------------------------------------------- sign-up


def test_a_student_signs_up_without_a_license(client):
    response = client.post(reverse("account_signup"), signup_data())
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    user = User.objects.get(username="mchen")
    assert user.learner_status == LearnerStatus.STUDENT and user.is_student
    assert (user.license_number, user.license_state) == ("", "")
    assert list(user.groups.values_list("name", flat=True)) == ["Learners"]
    address = EmailAddress.objects.get(user=user)
    assert address.email == "m.chen@example.com" and address.primary and not address.verified
    assert mail.outbox[-1].to == ["m.chen@example.com"]
    assert mail.outbox[-1].subject == "Verify your e-mail address for Bodywork CE"


def test_a_student_who_types_a_license_keeps_none(client):
    client.post(reverse("account_signup"), signup_data(license_number="12345", license_state="NC"))
    user = User.objects.get(username="mchen")
    assert (user.license_number, user.license_state) == ("", "")


def test_a_licensed_therapist_without_a_number_is_refused(client):
    response = client.post(
        reverse("account_signup"), signup_data(learner_status="licensed", license_state="NC")
    )
    assert response.status_code == 200
    assert "need their license number" in response.context["form"].errors["license_number"][0]
    assert not User.objects.filter(username="mchen").exists()


def test_a_licensed_therapist_without_a_state_is_refused(client):
    response = client.post(
        reverse("account_signup"), signup_data(learner_status="licensed", license_number="12345")
    )
    assert "license_state" in response.context["form"].errors
    assert not User.objects.filter(username="mchen").exists()


def test_a_number_in_the_wrong_format_for_the_state_is_refused_with_the_example(client):
    response = client.post(
        reverse("account_signup"),
        signup_data(learner_status="licensed", license_number="LMT-12345", license_state="FL"),
    )
    assert response.status_code == 200
    error = response.context["form"].errors["license_number"][0]
    assert "start with MA" in error and "MA12345" in error
    assert "MA12345" in response.content.decode()
    assert not User.objects.filter(username="mchen").exists()


def test_a_licensed_therapist_signs_up_with_a_number_in_the_states_format(client):
    response = client.post(
        reverse("account_signup"),
        signup_data(learner_status="licensed", license_number="  ma 12345 ", license_state="FL"),
    )
    assert response.status_code == 302
    user = User.objects.get(username="mchen")
    assert (user.learner_status, user.license_number, user.license_state) == ("licensed", "ma 12345", "FL")


def test_a_placeholder_is_not_a_license_number(client):
    response = client.post(
        reverse("account_signup"),
        signup_data(learner_status="licensed", license_number="student", license_state="NC"),
    )
    assert "license_number" in response.context["form"].errors


def test_the_legal_name_goes_through_the_shared_rules(client):
    response = client.post(reverse("account_signup"), signup_data(legal_name="\u202eemaN laeR"))
    assert "legal_name" in response.context["form"].errors
    assert not User.objects.filter(username="mchen").exists()


# --------------------------------------------------------------------------- license formats


@pytest.mark.parametrize("state", sorted(LICENSE_FORMATS))
def test_each_states_example_passes_and_a_placeholder_fails(state):
    fmt = license_format(state)
    assert fmt.matches(fmt.example), state
    assert fmt.matches(license_number_demo(state, 41507)), state
    for placeholder in ("student", "none", "n/a", "", "x" * 30):
        assert not fmt.matches(placeholder), (state, placeholder)
    assert fmt.source, state
    if not fmt.verified:
        assert fmt.pattern == PERMISSIVE and "not verified" in fmt.source


def test_florida_numbers_start_with_ma():
    fl = license_format("FL")
    assert fl.verified and "floridasmassagetherapy.gov" in fl.source
    assert fl.matches("MA12345") and fl.matches("ma 68843")
    assert not fl.matches("MM12345") and not fl.matches("12345") and not fl.matches("LMT12345")
    assert license_number_demo("FL", 41507) == "MA41507"


def test_every_demo_state_has_a_row():
    from cms.demo import DEMO_USERS
    from cms.demo_activity import PEOPLE

    states = {state for _, state in PEOPLE} | {
        u["license_state"] for u in DEMO_USERS if u.get("license_state")
    }
    assert states <= set(LICENSE_FORMATS)


# --------------------------------------------------------------------------- certificates


@pytest.fixture
def course(catalogue):
    return small_course(catalogue, title="Verified course")


def test_an_unverified_address_holds_the_certificate_until_the_link_in_the_outbox_is_followed(
    client, course, private_media
):
    course_page, modules = course
    learner = UserFactory(username="fresh", email="fresh@example.com", email_verified=False)
    with TestCase.captureOnCommitCallbacks(execute=True):
        enrollment = course_finish(learner, course_page, modules)
    assert not Certificate.objects.filter(enrollment=enrollment).exists()
    rules = {rule.key: rule for rule in completion_requirements(enrollment)}
    assert not rules["email"].met and all(rule.met for key, rule in rules.items() if key != "email")

    client.force_login(learner)
    page = client.get(course_page.url).content.decode()
    assert "Verify your e-mail address" in page and reverse("account_verification_resend") in page

    sent = client.post(reverse("account_verification_resend"))
    assert sent.status_code == 302 and sent["Location"] == reverse("account_email_verification_sent")
    assert "Check your e-mail" in client.get(sent["Location"]).content.decode()
    link = re.search(r"https?://[^/]+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body).group(1)
    assert mail.outbox[-1].to == ["fresh@example.com"]

    confirm_page = client.get(link)
    assert confirm_page.status_code == 200 and "Yes, verify this address" in confirm_page.content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(link).status_code == 302
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.status == Certificate.Status.ISSUED
    assert EmailAddress.objects.get(user=learner).verified


def test_a_licensed_learner_without_a_number_cannot_complete_until_the_profile_has_one(
    client, course, private_media
):
    course_page, modules = course
    learner = UserFactory(username="nolicense", license_number="", license_state="")
    with TestCase.captureOnCommitCallbacks(execute=True):
        enrollment = course_finish(learner, course_page, modules)
    assert not Certificate.objects.filter(enrollment=enrollment).exists()
    assert [r.key for r in completion_requirements(enrollment) if not r.met] == ["license"]
    client.force_login(learner)
    assert "Add your license in your profile" in client.get(course_page.url).content.decode()

    profile = {
        "legal_name": learner.legal_name,
        "learner_status": "licensed",
        "license_number": "MA12345",
        "license_state": "FL",
        "email": learner.email,
    }
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(reverse("profile"), profile).status_code == 302
    snapshot = Certificate.objects.get(enrollment=enrollment).snapshot
    assert (snapshot["license_number"], snapshot["license_state"]) == ("MA12345", "FL")


def test_a_students_certificate_says_student_and_prints_no_number(course, private_media):
    course_page, modules = course
    student = UserFactory(learner_status="student", license_number="", license_state="")
    with TestCase.captureOnCommitCallbacks(execute=True):
        enrollment = course_finish(student, course_page, modules)
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert (
        certificate.snapshot["learner_status"] == "student" and certificate.snapshot["license_number"] == ""
    )
    snapshot = certificate_snapshot(enrollment, completed_at=certificate.created_at)
    for design in ("classic", "modern"):
        html = certificate_html(snapshot, certificate.code, design, base_url="http://testserver")
        assert "Massage therapy student" in html and "License number" not in html, design


def test_changing_the_e_mail_in_the_profile_asks_to_verify_the_new_address(client, learner):
    client.force_login(learner)
    data = {
        "legal_name": learner.legal_name,
        "learner_status": "licensed",
        "license_number": learner.license_number,
        "license_state": learner.license_state,
        "email": "new-address@example.com",
    }
    assert client.post(reverse("profile"), data).status_code == 302
    address = EmailAddress.objects.get(user=learner)
    assert (address.email, address.verified, address.primary) == ("new-address@example.com", False, True)
    assert mail.outbox[-1].to == ["new-address@example.com"]
    assert "Not verified yet" in client.get(reverse("profile")).content.decode()


# --------------------------------------------------------------------------- log-in through allauth


def _log_in(client, login, password, **extra):
    return client.post(reverse("account_login"), {"login": login, "password": password}, **extra)


def test_log_in_by_e_mail_address(client, learner):
    assert _log_in(client, learner.email.upper(), PASSWORD).status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_the_lockout_counts_an_account_whether_named_by_username_or_address(client, learner):
    for login in (learner.username, learner.email, learner.username, learner.email.upper()):
        assert _log_in(client, login, "wrong password").status_code == 200
    locked = _log_in(client, learner.email, "wrong password")
    assert locked.status_code == 429 and "Log-in paused" in locked.content.decode()
    html = locked.content.decode()  # the page names what was typed, never the account an address belongs to
    assert f"<strong>{learner.email}</strong>" in html and f"<strong>{learner.username}</strong>" not in html
    assert _log_in(client, learner.username, PASSWORD).status_code == 429
