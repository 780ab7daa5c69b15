"""Enrolling a class from a CSV class list (cms/class_enrollment.py and its admin view): preview, commit,
idempotency, invitations that work once, and hostile files."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cms.class_enrollment import (
    MAX_BYTES,
    MAX_ROWS,
    ClassListError,
    Outcome,
    class_list_commit,
    class_list_plan,
    class_list_read,
)
from cms.models import LearnerStatus, User
from courses.completion import account_requirements
from courses.models import Enrollment
from courses.services import enrollment_create
from tests.factories import InstructorFactory, UserFactory, course_create

CLASS_CSV = (
    "name,e-mail,license\r\n"
    "Ana Souza,ana@example.com,FL MA12345\r\n"
    "Jürgen Groß,JURGEN@example.com,student\r\n"
    "李小龍,lee@example.com,\r\n"
).encode()


def _upload(client, course, data: bytes, name="class.csv"):
    return client.post(
        reverse("class_enrollment", args=[course.pk]), {"file": SimpleUploadedFile(name, data, "text/csv")}
    )


def _commit(client, course, preview_response):
    token = re.search(rb'name="preview" value="([^"]+)"', preview_response.content)[1].decode()
    return client.post(reverse("class_enrollment", args=[course.pk]), {"preview": token})


def _outcomes(plans):
    return [plan.outcome for plan in plans]


# --- reading and planning ------------------------------------------------------------------------------


def test_plan_says_what_each_row_will_do(course, learner, other_learner):
    enrollment_create(user=learner, course=course)
    rows = class_list_read(
        (
            "name,email,license\n"
            f"New Person,new@example.com,NC 12345\n"
            f"Someone Else,{learner.email.upper()},\n"  # already enrolled, the address in other case
            f"Other Learner,{other_learner.email},\n"
            "No Email,,\n"
            "Bad License,bad@example.com,FL 12345\n"
            "Dup,new@example.com,\n"
        ).encode()
    )
    plans = class_list_plan(course, rows)
    assert _outcomes(plans) == [
        Outcome.NEW,
        Outcome.ALREADY,
        Outcome.ENROLL,
        Outcome.ERROR,
        Outcome.ERROR,
        Outcome.ERROR,
    ]
    assert "missing" in plans[3].messages[0]
    assert "Florida massage therapist license numbers start with MA" in plans[4].messages[0]
    assert "line 2" in plans[5].messages[0]
    assert any("kept" in message for message in plans[2].messages)
    assert plans[0].license_state == "NC" and plans[0].license_number == "12345"


def test_plan_queries_do_not_grow_with_rows(course, django_assert_max_num_queries):
    for n in range(30):
        UserFactory(email=f"user{n}@example.com")
    rows = class_list_read(
        ("name,email\n" + "".join(f"Person {n},user{n}@example.com\n" for n in range(60))).encode()
    )
    with django_assert_max_num_queries(3):
        plans = class_list_plan(course, rows)
    assert _outcomes(plans).count(Outcome.ENROLL) == 30 and _outcomes(plans).count(Outcome.NEW) == 30


@pytest.mark.parametrize(
    "raw",
    [
        "\ufeffname;e-mail;license\r\nAna Souza;ana@example.com;FL MA12345\r\n".encode(),  # Excel: BOM, semicolons
        "name\te-mail\tlicense\nAna Souza\tana@example.com\tFL MA12345\n".encode(
            "utf-16"
        ),  # Excel "Unicode text"
        b"name,e-mail,license\rAna Souza,ana@example.com,FL MA12345\r",  # old Mac line endings
        b'"name","E-Mail","License"\n"Ana Souza","ana@example.com","FL: MA12345"\n\n,,\n',  # quotes, blank rows
    ],
    ids=["excel-semicolons-bom", "utf16-tabs", "cr-only", "quoted-blank-rows"],
)
def test_files_from_spreadsheets_are_read(raw):
    rows = class_list_read(raw)
    assert len(rows) == 1
    assert (rows[0].name, rows[0].email) == ("Ana Souza", "ana@example.com")
    assert rows[0].license.replace(":", "") == "FL MA12345"


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"name,email\nAna\x00,ana@example.com\n", "NUL"),
        ("name,email\nJosé,jose@example.com\n".encode("cp1252"), "not UTF-8"),
        (b"", "empty"),
        (b"first,last\nAna,Souza\n", "first row must name the columns"),
        (b"name,email\n", "no learners"),
        (b"name,email\n" + b"A Person,a@example.com\n" * (MAX_ROWS + 1), f"more than {MAX_ROWS:,}"),
        (b"name,email\n" + b"x" * (MAX_BYTES + 1), "too large"),
    ],
    ids=["nul", "cp1252", "empty", "no-header", "header-only", "too-many-rows", "too-large"],
)
def test_hostile_files_are_refused_whole(raw, message):
    with pytest.raises(ClassListError, match=message):
        class_list_read(raw)


@pytest.mark.parametrize(
    "name, message",
    [
        ("=cmd|' /C calc'!A0", "spreadsheet formula"),
        ("@SUM(A1:A2)", "spreadsheet formula"),
        ("Ana\u202eSouza", "text-direction"),
        ("12345", "at least one letter"),
        ("A" * 121, "at most 120"),
    ],
)
def test_bad_names_are_row_errors(course, name, message):
    rows = class_list_read(f'name,email\n"{name}",someone@example.com\nGood Name,good@example.com\n'.encode())
    plans = class_list_plan(course, rows)
    assert _outcomes(plans) == [Outcome.ERROR, Outcome.NEW]
    assert message in " ".join(plans[0].messages)


@pytest.mark.parametrize(
    "name", ["محمد الأحمد", "Nguyễn Thị Minh Khai", "சுப்பிரமணியன்", "Ólafur Þórsson", "佐藤 花子"]
)
def test_names_in_any_script_are_accepted(course, name):
    (plan,) = class_list_plan(course, class_list_read(f"name,email\n{name},x@example.com\n".encode()))
    assert plan.outcome == Outcome.NEW and plan.legal_name == name


# --- committing ----------------------------------------------------------------------------------------


def test_commit_creates_invites_and_enrolls_once(course, learner, django_capture_on_commit_callbacks):
    instructor = InstructorFactory()
    raw = CLASS_CSV + f"Existing Learner,{learner.email},\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        plans = class_list_commit(course=course, raw=raw, file_name="class.csv", by=instructor)
    assert _outcomes(plans) == [Outcome.NEW, Outcome.NEW, Outcome.NEW, Outcome.ENROLL]
    ana = User.objects.get(email="ana@example.com")
    assert not ana.has_usable_password()
    assert (ana.legal_name, ana.license_state, ana.license_number) == ("Ana Souza", "FL", "MA12345")
    assert User.objects.get(email="jurgen@example.com").learner_status == LearnerStatus.STUDENT
    assert not EmailAddress.objects.get(user=ana).verified
    enrollment = Enrollment.objects.get(user=ana, course=course)
    assert enrollment.source == Enrollment.Source.CSV
    assert enrollment.source_detail == f"CSV by {instructor.username} (class.csv)"
    learner.refresh_from_db()
    assert learner.check_password("correct horse battery staple")  # an existing account keeps its password
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["ana@example.com", "jurgen@example.com", "lee@example.com", learner.email]
    )
    assert "/accounts/invitation/" not in next(m.body for m in mail.outbox if m.to == [learner.email])

    mail.outbox.clear()  # the same file again: nothing changes, nobody is e-mailed
    users, enrollments = User.objects.count(), Enrollment.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        again = class_list_commit(course=course, raw=raw, file_name="class.csv", by=instructor)
    assert set(_outcomes(again)) == {Outcome.ALREADY}
    assert (User.objects.count(), Enrollment.objects.count(), len(mail.outbox)) == (users, enrollments, 0)


def test_no_mail_in_the_preview_and_none_if_the_commit_fails(
    course, monkeypatch, django_capture_on_commit_callbacks
):
    class_list_plan(course, class_list_read(CLASS_CSV))
    assert mail.outbox == []
    from cms import class_enrollment

    calls = []

    def fail_on_third(**kwargs):
        calls.append(kwargs)
        if len(calls) == 3:
            raise RuntimeError("database went away")
        return enrollment_create(**kwargs)

    monkeypatch.setattr(class_enrollment, "enrollment_create", fail_on_third)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        class_list_commit(course=course, raw=CLASS_CSV, file_name="class.csv", by=InstructorFactory())
    assert not User.objects.filter(email__in=["ana@example.com", "jurgen@example.com"]).exists()
    assert Enrollment.objects.filter(course=course).count() == 0 and mail.outbox == []


# --- the invitation ------------------------------------------------------------------------------------


def _invitation_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/invitation/\S+)", message.body)[1]


def test_invitation_sets_the_password_once_and_verifies_the_address(
    client, course, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        class_list_commit(course=course, raw=CLASS_CSV, file_name="c.csv", by=InstructorFactory())
    ana = User.objects.get(email="ana@example.com")
    assert account_requirements(ana)[0].met is False
    link = _invitation_link(next(m for m in mail.outbox if m.to == ["ana@example.com"]))

    form_page = client.get(link, follow=True)
    assert b"Set your password" in form_page.content and b"new_password1" in form_page.content
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a long new passphrase 42", "new_password2": "a long new passphrase 42"},
    )
    assert done.status_code == 302 and done["Location"] == reverse("dashboard")
    ana.refresh_from_db()
    assert ana.check_password("a long new passphrase 42")
    assert EmailAddress.objects.get(user=ana, email="ana@example.com").verified
    assert account_requirements(ana)[0].met is True
    assert int(client.session["_auth_user_id"]) == ana.pk

    client.logout()
    used = client.get(link, follow=True)
    assert b"expired or has already been used" in used.content and b"new_password1" not in used.content


def test_a_password_reset_token_is_no_invitation(client, course, learner):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(learner.pk))
    url = reverse("account_invitation", args=[uid, default_token_generator.make_token(learner)])
    assert b"expired or has already been used" in client.get(url, follow=True).content


# --- the admin view ------------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, assigned_instructor):
    client.force_login(assigned_instructor)
    return client


def test_upload_preview_then_commit(staff_client, course, django_capture_on_commit_callbacks):
    preview = _upload(staff_client, course, CLASS_CSV)
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "New account + invitation" in body and "Enroll 3 learners" in body
    assert not User.objects.filter(email="ana@example.com").exists() and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        done = _commit(staff_client, course, preview)
    assert done.status_code == 302 and done["Location"] == reverse("insight_roster", args=[course.pk])
    assert Enrollment.objects.filter(course=course, source=Enrollment.Source.CSV).count() == 3
    assert len(mail.outbox) == 3
    ana = User.objects.get(email="ana@example.com")
    record = staff_client.get(reverse("insight_learner", args=[ana.pk])).content.decode()
    assert "Class list (CSV): CSV by instructor" in record and "(class.csv)" in record
    second = _upload(staff_client, course, CLASS_CSV)
    assert "Already enrolled" in second.content.decode() and "Nothing to enroll" in second.content.decode()


def test_a_preview_is_bound_to_its_course_and_cannot_be_edited(
    staff_client, course, catalogue, assigned_instructor
):
    preview = _upload(staff_client, course, CLASS_CSV)
    token = re.search(rb'name="preview" value="([^"]+)"', preview.content)[1].decode()
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = staff_client.post(
        reverse("class_enrollment", args=[course.pk]), {"preview": tampered}, follow=True
    )
    assert "upload the file again" in response.content.decode()
    other_course = course_create(catalogue, title="Another course", slug="another")
    from courses.services import course_instructor_assign

    course_instructor_assign(course=other_course, user=assigned_instructor)
    staff_client.post(reverse("class_enrollment", args=[other_course.pk]), {"preview": token})
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"name,email\n" + b"A" * (5 * 1024 * 1024), "too large"),
        (b"\x00\x01binary", "NUL"),
        ("name,email\n" + "".join(f"P {n},p{n}@example.com\n" for n in range(10_000)), "more than"),
    ],
    ids=["5-MB", "binary", "10000-rows"],
)
def test_hostile_uploads_get_a_message_not_a_500(staff_client, course, raw, message):
    raw = raw.encode() if isinstance(raw, str) else raw
    response = _upload(staff_client, course, raw)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Enrollment.objects.exists()


def test_another_courses_instructor_gets_not_found(client, course, catalogue):
    from courses.services import course_instructor_assign

    stranger = InstructorFactory()
    course_instructor_assign(course=course_create(catalogue, title="Theirs", slug="theirs"), user=stranger)
    client.force_login(stranger)
    assert client.get(reverse("class_enrollment", args=[course.pk])).status_code == 404
    assert _upload(client, course, CLASS_CSV).status_code == 404
    assert not User.objects.filter(email="ana@example.com").exists()


def test_a_provider_admin_enrolls_a_class_in_any_course(client, course, django_capture_on_commit_callbacks):
    from tests.factories import ProviderAdminFactory

    client.force_login(ProviderAdminFactory())  # assigned to no course
    preview = _upload(client, course, CLASS_CSV)
    assert preview.status_code == 200 and "Enroll 3 learners" in preview.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert _commit(client, course, preview).status_code == 302
    assert Enrollment.objects.filter(course=course, source=Enrollment.Source.CSV).count() == 3


def test_an_invited_learner_enrolled_in_a_second_course_gets_a_fresh_invitation(
    course, catalogue, django_capture_on_commit_callbacks
):
    instructor = InstructorFactory()
    with django_capture_on_commit_callbacks(execute=True):
        class_list_commit(course=course, raw=CLASS_CSV, file_name="a.csv", by=instructor)
    second = course_create(catalogue, title="Neck Pain", slug="neck-pain")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        plans = class_list_commit(course=second, raw=CLASS_CSV, file_name="b.csv", by=instructor)
    assert set(_outcomes(plans)) == {Outcome.ENROLL}  # the accounts exist now; no password was ever set
    assert len(mail.outbox) == 3 and all("/accounts/invitation/" in m.body for m in mail.outbox)
    assert User.objects.filter(email="ana@example.com").count() == 1
