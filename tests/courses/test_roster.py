"""Roster, evaluations summary, learner records in the admin, CSV exports, permissions, query counts,
and records that outlive a deactivated account."""

import csv
import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.models.deletion import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.exports import BOM, csv_lines, safe_cell
from courses.models import Certificate, CourseEvaluation, Enrollment, ModuleProgress
from courses.roster import (
    RosterRow,
    evaluation_summary,
    records_permissions_grant,
    roster_rows,
)
from courses.roster_views import filtered_enrollments
from quizzes.models import Attempt, AttemptStatus
from tests.factories import UserFactory
from tests.quizzes import factories as qf


def _day(y, m, d):
    return timezone.make_aware(datetime(y, m, d, 12, 0))


def enroll(user, course, *, on, status=Enrollment.Status.ACTIVE, completed=None):
    return Enrollment.objects.create(
        user=user, course=course, enrolled_at=on, status=status, completed_at=completed
    )


def finish_modules(enrollment, modules):
    ModuleProgress.objects.bulk_create(
        ModuleProgress(enrollment=enrollment, module=m, completed_at=timezone.now()) for m in modules
    )


def graded_attempt(user, quiz, number, score, passed):
    return Attempt.objects.create(
        user=user,
        quiz=quiz,
        number=number,
        status=AttemptStatus.SUBMITTED,
        started_at=timezone.now(),
        submitted_at=timezone.now(),
        score=Decimal(score),
        passed=passed,
        snapshot={"questions": []},
    )


RATINGS = ("objectives_met", "content_relevant", "materials_quality", "instructor_quality", "would_recommend")


def evaluate(enrollment, values, comments=""):
    return CourseEvaluation.objects.create(
        enrollment=enrollment, comments=comments, **dict(zip(RATINGS, values))
    )


@pytest.fixture
def post_test(course, modules):
    return qf.quiz_create(course, None, title="Final post-test")


@pytest.fixture
def roster(course, modules, post_test):
    """Three learners at different stages (names chosen for the CSV checks)."""
    ana = UserFactory(legal_name="Ana Núñez-Łukasiewicz", license_number="-12345", license_state="NC")
    bob = UserFactory(legal_name="=cmd|' /C calc'!A0", license_number="LMBT 999", license_state="SC")
    cleo = UserFactory(legal_name="Cléo 李", license_number="@SUM(1+1)", license_state="VA")
    a = enroll(
        ana, course, on=_day(2024, 1, 10), status=Enrollment.Status.COMPLETED, completed=_day(2024, 2, 1)
    )
    b = enroll(bob, course, on=_day(2024, 3, 5))
    c = enroll(cleo, course, on=_day(2024, 6, 20), status=Enrollment.Status.WITHDRAWN)
    finish_modules(a, modules)
    finish_modules(b, modules[:1])
    graded_attempt(ana, post_test, 1, "60.00", False)
    graded_attempt(ana, post_test, 2, "93.33", True)
    graded_attempt(bob, post_test, 1, "40.00", False)
    evaluate(a, [5, 4, 4, 5, 3], comments="Clear and practical. Merci !")
    evaluate(b, [3, 4, 2, 5, 4], comments="")
    Certificate.objects.create(
        enrollment=a, code="ABCDE-FGHIJ", status=Certificate.Status.ISSUED, issued_at=_day(2024, 2, 1)
    )
    return {"ana": a, "bob": b, "cleo": c}


@pytest.fixture
def records_staff(client, assigned_instructor):
    """The course's assigned instructor (the Instructors group holds the records permissions)."""
    records_permissions_grant()
    client.force_login(assigned_instructor)
    return client


# --- CSV helpers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("Ana", "Ana"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (-0.25, -0.25),
        (3, 3),
        (Decimal("93.33"), Decimal("93.33")),
        (True, "yes"),
        (False, "no"),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_csv_lines_start_with_a_bom_and_quote_properly():
    text = "".join(csv_lines(["name", "note"], [["Zoë", 'says "hi", then leaves'], ["=HYPERLINK(1)", -1]]))
    assert text.startswith(BOM + "name,note\r\n")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[1] == ["Zoë", 'says "hi", then leaves']
    assert rows[2] == ["'=HYPERLINK(1)", "-1"]


# --- roster -------------------------------------------------------------------------------------------


def test_roster_rows(roster, course, modules):
    queryset, total, quiz_id = roster_rows(course)
    assert total == 3 and quiz_id is not None
    rows = {e.user.legal_name: e for e in queryset}
    ana, bob, cleo = rows["Ana Núñez-Łukasiewicz"], rows["=cmd|' /C calc'!A0"], rows["Cléo 李"]
    assert (ana.modules_done, ana.best_score, ana.attempts_used, ana.post_test_passed, ana.evaluated) == (
        3,
        Decimal("93.33"),
        2,
        True,
        True,
    )
    assert (bob.modules_done, bob.best_score, bob.attempts_used, bob.post_test_passed, bob.evaluated) == (
        1,
        Decimal("40.00"),
        1,
        False,
        True,
    )
    assert (cleo.modules_done, cleo.best_score, cleo.attempts_used, cleo.evaluated) == (0, None, 0, False)
    assert ana.certificate.code == "ABCDE-FGHIJ"
    assert RosterRow(bob, total).certificate is None and RosterRow(bob, total).progress_percent == 33


def test_roster_ignores_other_courses_and_draft_modules(roster, course, modules, catalogue, post_test):
    from tests.factories import course_create

    other = course_create(catalogue, slug="another-course")
    other_quiz = qf.quiz_create(other, None, title="Other post-test")
    ana = roster["ana"].user
    enroll(ana, other, on=_day(2024, 1, 1))
    graded_attempt(ana, other_quiz, 1, "100.00", True)
    modules[2].unpublish()
    queryset, total, _ = roster_rows(course)
    row = queryset.get(user=ana)
    assert total == 2 and row.modules_done == 2  # the unpublished module counts for nobody
    assert row.best_score == Decimal("93.33") and row.attempts_used == 2


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"status": "completed"}, {"Ana Núñez-Łukasiewicz"}),
        ({"status": "withdrawn"}, {"Cléo 李"}),
        ({"enrolled_from": "2024-03-01"}, {"=cmd|' /C calc'!A0", "Cléo 李"}),
        ({"enrolled_to": "2024-03-05"}, {"Ana Núñez-Łukasiewicz", "=cmd|' /C calc'!A0"}),
        ({"completed_from": "2024-01-01"}, {"Ana Núñez-Łukasiewicz"}),
        ({"q": "lmbt 999"}, {"=cmd|' /C calc'!A0"}),
        ({"q": "abcde-fghij"}, {"Ana Núñez-Łukasiewicz"}),
        ({"status": "no-such-status"}, {"Ana Núñez-Łukasiewicz", "=cmd|' /C calc'!A0", "Cléo 李"}),
    ],
)
def test_roster_filters(roster, course, filters, expected):
    queryset, _, _ = roster_rows(course, filtered_enrollments(course, filters))
    assert {e.user.legal_name for e in queryset} == expected


def test_roster_page(records_staff, roster, course):
    response = records_staff.get(reverse("insight_roster", args=[course.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ["Ana Núñez-Łukasiewicz", "Cléo 李", "ABCDE-FGHIJ", "93.33%", "100%", "33%", "LMBT 999 (SC)"]:
        assert text in html, text
    filtered = records_staff.get(reverse("insight_roster", args=[course.pk]), {"status": "withdrawn"})
    assert "Cléo 李" in filtered.content.decode() and "Ana Núñez" not in filtered.content.decode()
    bad = records_staff.get(reverse("insight_roster", args=[course.pk]), {"enrolled_from": "not-a-date"})
    assert bad.status_code == 200 and "Enter a valid date" in bad.content.decode()


def _roster_queries(client, course):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("insight_roster", args=[course.pk])).status_code == 200
    return len(queries)


def test_roster_page_queries_do_not_grow_with_rows(
    records_staff, roster, course, modules, post_test, django_assert_max_num_queries
):
    few = _roster_queries(records_staff, course)
    for n in range(30):
        learner = UserFactory()
        e = enroll(learner, course, on=_day(2024, 5, 1))
        finish_modules(e, modules[: n % 4])
        graded_attempt(learner, post_test, 1, "70.00", False)
        if n % 3 == 0:
            Certificate.objects.create(enrollment=e, code=f"CODE-{n}", status=Certificate.Status.PENDING)
            evaluate(e, [4, 4, 4, 4, 4])
    many = _roster_queries(records_staff, course)
    assert many == few
    with django_assert_max_num_queries(few):
        records_staff.get(reverse("insight_roster", args=[course.pk]))


def test_roster_csv(records_staff, roster, course):
    response = records_staff.get(reverse("insight_roster_csv", args=[course.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="roster-{course.slug}-' in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert list(rows[0].keys())[:8] == [
        "legal_name",
        "username",
        "email",
        "license_number",
        "license_state",
        "account_active",
        "enrollment_status",
        "enrolled_at",
    ]
    by_name = {row["legal_name"]: row for row in rows}
    assert set(by_name) == {"Ana Núñez-Łukasiewicz", "'=cmd|' /C calc'!A0", "Cléo 李"}
    ana = by_name["Ana Núñez-Łukasiewicz"]
    assert ana["license_number"] == "'-12345"
    assert ana["enrollment_status"] == "Completed" and ana["completed_at"].startswith("2024-02-01")
    assert (ana["modules_completed"], ana["modules_total"], ana["progress_percent"]) == ("3", "3", "100")
    assert (ana["post_test_best_score"], ana["post_test_attempts"], ana["post_test_passed"]) == (
        "93.33",
        "2",
        "yes",
    )
    assert (ana["certificate_code"], ana["certificate_status"]) == ("ABCDE-FGHIJ", "Issued")
    assert by_name["Cléo 李"]["license_number"] == "'@SUM(1+1)"
    assert by_name["Cléo 李"]["certificate_code"] == ""
    filtered = records_staff.get(reverse("insight_roster_csv", args=[course.pk]), {"status": "active"})
    filtered_rows = list(
        csv.DictReader(io.StringIO(b"".join(filtered.streaming_content).decode("utf-8-sig")))
    )
    assert [row["legal_name"] for row in filtered_rows] == ["'=cmd|' /C calc'!A0"]


# --- evaluations --------------------------------------------------------------------------------------


def test_evaluation_summary(roster, course):
    # Two evaluations: [5, 4, 4, 5, 3] and [3, 4, 2, 5, 4] → means 4, 4, 3, 5, 3.5; overall 19.5 / 5 = 3.9.
    summary = evaluation_summary(course)
    assert summary["count"] == 2
    means = {r["field"]: r["mean"] for r in summary["ratings"]}
    assert means == pytest.approx(
        {
            "objectives_met": 4,
            "content_relevant": 4,
            "materials_quality": 3,
            "instructor_quality": 5,
            "would_recommend": 3.5,
        }
    )
    assert summary["overall"] == pytest.approx(3.9)
    objectives = summary["ratings"][0]
    assert [d["count"] for d in objectives["distribution"]] == [0, 0, 1, 0, 1]  # values 1..5
    assert [d["percent"] for d in objectives["distribution"]] == [0, 0, 50, 0, 50]
    assert objectives["label"] == "The learning objectives were met"


def test_evaluations_page_and_csv(records_staff, roster, course):
    page = records_staff.get(reverse("insight_evaluations", args=[course.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Clear and practical. Merci !" in html and "3.90" in html and "Comments (1)" in html
    response = records_staff.get(reverse("insight_evaluations_csv", args=[course.pk]))
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == [
        "submitted_at",
        "legal_name",
        "username",
        "license_number",
        "license_state",
        *RATINGS,
        "comments",
    ]
    assert len(rows) == 3
    assert {row[1] for row in rows[1:]} == {"Ana Núñez-Łukasiewicz", "'=cmd|' /C calc'!A0"}
    ana = next(row for row in rows[1:] if row[1].startswith("Ana"))
    assert ana[5:10] == ["5", "4", "4", "5", "3"] and ana[10] == "Clear and practical. Merci !"


def test_evaluations_page_without_evaluations(records_staff, course):
    page = records_staff.get(reverse("insight_evaluations", args=[course.pk]))
    assert page.status_code == 200 and "No learner has submitted" in page.content.decode()


# --- learner records (staff) ------------------------------------------------------------------------


def test_staff_look_up_a_learners_records(records_staff, roster, course):
    ana = roster["ana"].user
    found = records_staff.get(reverse("insight_learners"), {"q": "núñez"})
    assert reverse("insight_learner", args=[ana.pk]) in found.content.decode()
    assert "Cléo" not in found.content.decode()
    page = records_staff.get(reverse("insight_learner", args=[ana.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "ABCDE-FGHIJ" in html and "93.33%" in html and course.title in html
    assert (
        reverse("insight_learner_json", args=[ana.pk]) not in html
    )  # all of a learner's data: provider-wide
    refused = records_staff.get(reverse("insight_learner_json", args=[ana.pk]))
    assert refused.status_code == 302 and refused["Location"] == reverse("wagtailadmin_home")
    records_staff.force_login(UserFactory(is_superuser=True, is_staff=True))
    data = records_staff.get(reverse("insight_learner_json", args=[ana.pk]))
    assert data.status_code == 200 and data.json()["profile"]["legal_name"] == "Ana Núñez-Łukasiewicz"


# --- permissions ------------------------------------------------------------------------------------


RECORD_URLS = [
    "insight_courses",
    "insight_roster",
    "insight_roster_csv",
    "insight_evaluations",
    "insight_evaluations_csv",
    "insight_learners",
    "insight_learner",
    "insight_learner_json",
]


def _url(name, course, user):
    if name in ("insight_courses", "insight_learners"):
        return reverse(name)
    if name.startswith("insight_learner"):
        return reverse(name, args=[user.pk])
    return reverse(name, args=[course.pk])


@pytest.mark.parametrize("name", RECORD_URLS)
def test_records_refused_without_permission(client, roster, course, instructor, learner, name):
    url = _url(name, course, roster["ana"].user)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    client.force_login(learner)
    response = client.get(url)
    assert response.status_code == 302 and "Ana" not in response.content.decode()
    client.force_login(UserFactory(groups=["Editors"]))  # reaches the admin, lacks the records permissions
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


def test_instructors_read_the_roster_by_the_records_migration(client, roster, course, assigned_instructor):
    client.force_login(assigned_instructor)
    response = client.get(reverse("insight_roster", args=[course.pk]))
    assert response.status_code == 200
    assert roster["ana"].user.legal_name in response.content.decode()


def test_unassigned_instructors_find_no_course(client, roster, course, instructor):
    client.force_login(instructor)
    assert client.get(reverse("insight_roster", args=[course.pk])).status_code == 404
    assert roster["ana"].user.legal_name not in client.get(reverse("insight_courses")).content.decode()


@pytest.mark.parametrize("name", RECORD_URLS)
def test_records_open_to_granted_instructors_and_superusers(client, records_staff, roster, course, name):
    url = _url(name, course, roster["ana"].user)
    # a learner's whole data (every course, every answer) is for provider-wide staff only
    assert records_staff.get(url).status_code == (302 if name == "insight_learner_json" else 200)
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.get(url).status_code == 200


def test_records_permission_grant_is_idempotent(db):
    assert records_permissions_grant() == 3
    assert records_permissions_grant() == 3
    codenames = set(Group.objects.get(name="Instructors").permissions.values_list("codename", flat=True))
    assert {"view_enrollment", "view_certificate", "view_courseevaluation"} <= codenames
    assert Permission.objects.filter(codename="view_enrollment").exists()


def test_unknown_course_is_404(records_staff, db):
    assert records_staff.get(reverse("insight_roster", args=[999999])).status_code == 404


# --- nothing is deleted -----------------------------------------------------------------------------


def test_deactivated_learner_keeps_every_record(records_staff, roster, course, post_test):
    ana = roster["ana"].user
    ana.is_active = False
    ana.save()
    assert Enrollment.objects.filter(user=ana).count() == 1
    assert Attempt.objects.filter(user=ana).count() == 2
    assert Certificate.objects.filter(enrollment__user=ana).count() == 1
    page = records_staff.get(reverse("insight_roster", args=[course.pk])).content.decode()
    assert "Ana Núñez-Łukasiewicz" in page and "account inactive" in page
    rows = list(
        csv.DictReader(
            io.StringIO(
                b"".join(
                    records_staff.get(reverse("insight_roster_csv", args=[course.pk])).streaming_content
                ).decode("utf-8-sig")
            )
        )
    )
    assert next(r for r in rows if r["legal_name"].startswith("Ana"))["account_active"] == "no"


def test_deleting_a_learner_with_records_is_refused(roster):
    ana = roster["ana"].user
    with pytest.raises(ProtectedError):
        ana.delete()
    assert Enrollment.objects.filter(user=ana).exists()
    assert Certificate.objects.filter(enrollment__user=ana).exists()
    for field in (
        Enrollment._meta.get_field("user"),
        Attempt._meta.get_field("user"),
        Certificate._meta.get_field("enrollment"),
        CourseEvaluation._meta.get_field("enrollment"),
    ):
        assert field.remote_field.on_delete.__name__ == "PROTECT", field


def test_roster_menu_and_index(records_staff, roster, course):
    home = records_staff.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("insight_courses") in home
    index = records_staff.get(reverse("insight_courses")).content.decode()
    assert reverse("insight_roster", args=[course.pk]) in index
    assert ">3 · roster<" in index and ">2 · summary<" in index
