"""CE Broker reporting (issue 15, deliverable 2): the roster file has exactly CE Broker's columns and the
reportable rows; rows that cannot be reported are listed with the reason; an export is recorded and never
repeated; the admin home lists what is due."""

import copy
import io
import zipfile
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from courses import ce_broker
from courses.ce_broker_models import CEBrokerExport, CEBrokerReport
from courses.models import Certificate, CourseApproval
from courses.services import certificate_reissue
from tests.courses.ce_records import approval_add, completed
from tests.courses.certify import private_media  # noqa: F401 - autouse: PDFs and files in a temporary directory
from tests.factories import ProviderAdminFactory, UserFactory, course_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(course, catalogue, provider):
    """Completions across states: three reportable in Florida, two Florida rows needing fixes, one revoked,
    one in Georgia, one in North Carolina (no CE Broker), one Florida outside the dates."""
    approval_add(course, "NCBTMB")
    approval_add(course, "FL", ce_broker_course_number="9990042", valid_from=date(2026, 1, 1))
    approval_add(course, "GA", provider_number="7770001", valid_from=date(2026, 1, 1))
    unapproved = course_create(catalogue, title="Not approved in Florida", provider=provider)

    def fl(number, name):
        return UserFactory(license_state="FL", license_number=number, legal_name=name)

    c = {
        "ok1": completed(fl("MA12345", "Ana Fl"), course, date(2026, 3, 2)),
        "ok2": completed(fl(" ma777 ", "Ben Fl"), course, date(2026, 3, 5)),
        "ok3": completed(fl("MA000001", "Cy Fl"), course, date(2026, 3, 31)),
        "bad_number": completed(fl("12345", "Dee Fl"), course, date(2026, 3, 10)),
        "no_number": completed(fl("", "Eve Fl"), course, date(2026, 3, 11)),
        "no_approval": completed(fl("MA555", "Fay Fl"), unapproved, date(2026, 3, 12)),
        "revoked": completed(
            fl("MA999", "Gus Fl"), course, date(2026, 3, 13), status=Certificate.Status.REVOKED
        ),
        "georgia": completed(
            UserFactory(license_state="GA", license_number="MT001234"), course, date(2026, 3, 3)
        ),
        "carolina": completed(
            UserFactory(license_state="NC", license_number="LMBT-1"), course, date(2026, 3, 4)
        ),
        "april": completed(fl("MA4444", "Hal Fl"), course, date(2026, 4, 1)),
    }
    return c


MARCH = {"state": "FL", "date_from": date(2026, 3, 1), "date_to": date(2026, 3, 31)}


def _sheet(export):
    with export.file.open("rb") as handle:
        return load_workbook(io.BytesIO(handle.read())).active


def test_the_file_has_exactly_ce_brokers_columns_and_the_reportable_rows(seeded, course):
    export = ce_broker.ce_broker_export_create(user=ProviderAdminFactory(), **MARCH)
    sheet = _sheet(export)
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert sheet.max_column == 8 == len(ce_broker.COLUMNS)
    assert rows == [
        ["9990001", "9990042", None, None, "MA12345", datetime(2026, 3, 2), "State=FL", "Profession=LMT"],
        ["9990001", "9990042", None, None, "MA777", datetime(2026, 3, 5), "State=FL", "Profession=LMT"],
        ["9990001", "9990042", None, None, "MA000001", datetime(2026, 3, 31), "State=FL", "Profession=LMT"],
    ]
    assert sheet.cell(row=1, column=6).number_format == "m/d/yyyy"  # an Excel date, as CE Broker asks
    assert sheet.cell(row=1, column=1).data_type == "s"  # numbers kept as text: no leading zero lost
    assert export.row_count == 3
    assert set(export.reports.values_list("certificate_id", flat=True)) == {
        seeded["ok1"].pk,
        seeded["ok2"].pk,
        seeded["ok3"].pk,
    }


def test_rows_that_cannot_be_reported_are_listed_with_the_reason_not_dropped(seeded):
    rows = ce_broker.roster_rows(**MARCH)
    problems = {row.certificate.pk: row.problem for row in rows if row.problem}
    assert set(problems) == {seeded["bad_number"].pk, seeded["no_number"].pk, seeded["no_approval"].pk}
    assert "not a Florida license number" in problems[seeded["bad_number"].pk]
    assert "No license number" in problems[seeded["no_number"].pk]
    assert "certificate prints no Florida approval" in problems[seeded["no_approval"].pk]


def test_a_second_export_does_not_repeat_reported_rows(seeded):
    admin = ProviderAdminFactory()
    ce_broker.ce_broker_export_create(user=admin, **MARCH)
    with pytest.raises(ce_broker.ExportError):
        ce_broker.ce_broker_export_create(user=admin, **MARCH)  # nothing new
    fixed = seeded["bad_number"].enrollment.user
    fixed.license_number = "MA31415"
    fixed.save()
    # the certificate still prints 12345: the roster reports what it prints, so the row waits for a reissue
    (row,) = [r for r in ce_broker.roster_rows(**MARCH) if r.certificate == seeded["bad_number"]]
    assert "profile now says MA31415" in row.problem and "reissue the certificate" in row.problem
    certificate_reissue(certificate=seeded["bad_number"], user=admin, reason="license corrected")
    second = ce_broker.ce_broker_export_create(user=admin, **{**MARCH, "date_from": date(2026, 1, 1)})
    assert [row[4] for row in _sheet(second).iter_rows(values_only=True)] == ["MA31415"]
    assert CEBrokerReport.objects.count() == 4
    assert CEBrokerExport.objects.count() == 2


def test_georgia_uses_its_own_approval(seeded, course):
    export = ce_broker.ce_broker_export_create(user=ProviderAdminFactory(), **{**MARCH, "state": "GA"})
    assert list(_sheet(export).iter_rows(values_only=True)) == [
        (
            "7770001",
            "9990042",
            None,
            None,
            "MT001234",
            datetime(2026, 3, 3),
            "State=GA",
            "Profession=LMT",
        )
    ]


def test_the_roster_reports_the_approval_as_the_certificate_printed_it(seeded, course):
    """An approval edited after issue is reported under the numbers the certificate prints; one added later
    (with an earlier start) does not make reportable a certificate that prints no approval for the state."""
    CourseApproval.objects.filter(course=course, body="FL").update(
        provider_number="1112223", ce_broker_course_number="4445556"
    )
    unapproved = seeded["no_approval"].enrollment.course
    approval_add(unapproved, "FL", valid_from=date(2020, 1, 1))
    rows = {row.certificate.pk: row for row in ce_broker.roster_rows(**MARCH)}
    assert "certificate prints no Florida approval" in rows[seeded["no_approval"].pk].problem
    export = ce_broker.ce_broker_export_create(user=ProviderAdminFactory(), **MARCH)
    assert {row[:2] for row in _sheet(export).iter_rows(values_only=True)} == {("9990001", "9990042")}
    assert export.row_count == 3


def _printed(certificate, **fields):
    """Set the certificate's printed Florida approval's `fields` (as if issued under an older approval)."""
    for approval in certificate.snapshot["approvals"]:
        if approval["body"] == "FL":
            approval.update(fields)
    certificate.save(update_fields=["snapshot"])


def test_a_printed_approval_without_ce_brokers_numbers_is_listed_for_fixing(seeded, course):
    """A certificate printing a Florida approval saved before CourseApproval.clean asked for CE Broker's
    numbers (none, or not digits) is listed, not reported by this site's id, whatever the approval says now."""
    _printed(seeded["ok1"], ce_broker_course_number="")
    _printed(seeded["ok2"], ce_broker_course_number="=1+1")
    rows = {row.certificate.pk: row.problem for row in ce_broker.roster_rows(**MARCH)}
    assert "approval has no CE Broker course number" in rows[seeded["ok1"].pk]
    assert "report this completion by hand" in rows[seeded["ok1"].pk]
    assert "digits only" in rows[seeded["ok2"].pk]
    assert ce_broker.ce_broker_export_create(user=ProviderAdminFactory(), **MARCH).row_count == 1


def test_a_certificate_from_before_approvals_is_reported_under_the_approval_then_in_force(seeded, course):
    """No "approvals" in the snapshot (issued before approvals were recorded): the course's approval in force
    on the completion date, checked as the roster checks it; a null one is a certificate printing none."""
    for key in ("ok1", "ok2"):
        seeded[key].snapshot.pop("approvals")
        seeded[key].save(update_fields=["snapshot"])
    seeded["ok3"].snapshot["approvals"] = None
    seeded["ok3"].save(update_fields=["snapshot"])
    florida = CourseApproval.objects.get(course=course, body="FL")
    CourseApproval.objects.filter(pk=florida.pk).update(ce_broker_course_number="")
    rows = {row.certificate.pk: row.problem for row in ce_broker.roster_rows(**MARCH)}
    assert "The course's Florida approval has no CE Broker course number" in rows[seeded["ok1"].pk]
    assert "certificate prints no Florida approval" in rows[seeded["ok3"].pk]
    CourseApproval.objects.filter(pk=florida.pk).update(ce_broker_course_number="=1+1")
    assert "digits only" in rows_problem(seeded["ok2"])
    CourseApproval.objects.filter(pk=florida.pk).update(ce_broker_course_number="9990077")
    export = ce_broker.ce_broker_export_create(user=ProviderAdminFactory(), **MARCH)
    assert [row[1] for row in _sheet(export).iter_rows(values_only=True)] == ["9990077", "9990077"]


def rows_problem(certificate) -> str:
    (row,) = [r for r in ce_broker.roster_rows(**MARCH) if r.certificate == certificate]
    return row.problem


def test_a_value_that_looks_like_a_formula_is_written_as_inert_text(seeded):
    """Belt and braces: the checks keep formulas out of the roster's values, and even so the file never
    holds a formula (openpyxl would store "=…" as one): every value is text, as written."""
    hostile = ['=HYPERLINK("http://evil.example","x")', "+1234", "-5", "@SUM(A1)", "=1+1", "\t=2"]
    (row, *_) = [r for r in ce_broker.roster_rows(**MARCH) if not r.problem]
    row.approval = SimpleNamespace(provider_number=hostile[0], ce_broker_course_number=hostile[1])
    row.license_number = hostile[2]
    rows = [row]
    for value in hostile[3:]:
        rows.append(copy.copy(row))
        rows[-1].license_number = value
    data = ce_broker.roster_xlsx(rows, "FL")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # no formula anywhere in the file
    sheet = load_workbook(io.BytesIO(data)).active
    first = list(sheet.iter_rows(min_row=1, max_row=1))[0]
    assert [(c.value, c.data_type) for c in first[:2]] == [(hostile[0], "s"), (hostile[1], "s")]
    assert all(c.quotePrefix for c in first[:2])  # kept as text if someone edits the cell in Excel
    licenses = [r[4] for r in sheet.iter_rows(values_only=True)]
    assert licenses == [hostile[2], *hostile[3:]]
    assert all(sheet.cell(row=n, column=5).data_type == "s" for n in range(1, sheet.max_row + 1))


def test_the_rules_file_is_checked_on_load():
    data = {"report_within_days": 30, "states": {"FL": {}}}
    with pytest.raises(ce_broker.RulesError):
        ce_broker.rules_parse(data)
    good = ce_broker.rules()
    assert set(good.states) == {"FL", "GA"} and good.states["FL"].license_verified
    broken = {
        "report_within_days": 30,
        "states": {
            "FL": {
                "name": "Florida",
                "board": "b",
                "rule": "r",
                "source": "s",
                "profession_code": "LMT",
                "license": {"pattern": "MA\\d+", "example": "12345", "verified": True, "hint": "h"},
            }
        },
    }
    with pytest.raises(ce_broker.RulesError, match="does not match"):
        ce_broker.rules_parse(broken)


def test_the_admin_page_lists_records_and_downloads(client, seeded, django_assert_max_num_queries):
    client.force_login(ProviderAdminFactory())
    url = reverse("ce_broker")
    query = {"state": "FL", "date_from": "2026-03-01", "date_to": "2026-03-31"}
    page = client.get(url, query).content.decode()
    assert "Ready to report to Florida: 3" in page and "Needs fixing before it can be reported: 3" in page
    assert "not a Florida license number" in page
    assert 'save it as "Excel 97-2003 Workbook (.xls)"' in page  # the format CE Broker's articles name
    response = client.post(url, query)
    assert response.status_code == 302 and "exported=" in response["Location"]
    export = CEBrokerExport.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "Ready to report to Florida: 0" in page and "Download the roster file" in page
    download = client.get(reverse("ce_broker_export_file", args=[export.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    bad = client.get(url, {"state": "ZZ", "date_from": "2026-03-31", "date_to": "2026-03-01"})
    assert bad.status_code == 200 and b"Select a valid choice" in bad.content
    assert client.post(url, {"state": "FL", "date_from": "nonsense"}).status_code == 200
    assert CEBrokerExport.objects.count() == 1
    for junk in ("\u00b2", "9" * 5000):  # a digit int() refuses, and one too long for it
        assert client.get(url, {**query, "exported": junk}).status_code == 200
    assert client.get("/admin/course_approvals/new/", {"course": "\u00b2"}).status_code == 200


def test_the_pages_queries_do_not_grow_with_rows(client, seeded, course, django_assert_max_num_queries):
    client.force_login(ProviderAdminFactory())
    query = {"state": "FL", "date_from": "2026-01-01", "date_to": "2026-12-31"}
    client.get(reverse("ce_broker"), query)  # warm the session and admin caches
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("ce_broker"), query)
    baseline = len(few)  # now: a later request resets the connection's query log
    for n in range(6):
        completed(UserFactory(license_state="FL", license_number=f"MA9{n}"), course, date(2026, 5, n + 1))
    with django_assert_max_num_queries(baseline):
        client.get(reverse("ce_broker"), query)
    with django_assert_max_num_queries(20):
        ce_broker.ce_broker_export_create(
            user=ProviderAdminFactory(), **{**MARCH, "date_to": date(2026, 12, 31)}
        )


def test_the_admin_home_lists_what_is_due_for_provider_admins_only(client, seeded, assigned_instructor):
    client.force_login(ProviderAdminFactory())
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Not yet reported to CE Broker" in home
    due = timezone.localdate(seeded["ok1"].enrollment.completed_at) + timedelta(days=30)
    assert f"{due:%b} {due.day}, {due.year}" in home and "Overdue" in home
    assert "Gus Fl" not in home  # revoked: nothing to report
    client.force_login(assigned_instructor)
    assert "Not yet reported to CE Broker" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_dates_at_the_calendars_ends_are_a_form_error_not_a_500(client):
    """9999-12-31 overflowed when the day after it was computed (a 500 on GET and on POST)."""
    client.force_login(ProviderAdminFactory())
    url = reverse("ce_broker")
    for start, end in (("9999-12-01", "9999-12-31"), ("0001-01-01", "0001-01-31")):
        query = {"state": "FL", "date_from": start, "date_to": end}
        for response in (client.get(url, query), client.post(url, query)):
            assert response.status_code == 200
            assert b"Choose a date between Jan 1, 2000 and Dec 31, 2100." in response.content
    assert not CEBrokerExport.objects.exists()


def _profile(user, **fields):
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()


def test_a_completion_is_reported_as_the_certificate_says_not_as_the_profile_now_says(seeded, course):
    """Reported under the state and number the certificate printed: a Florida learner who later moves to
    Georgia, or becomes a student (which clears the state), stays on Florida's roster and the admin home's
    due list; one who was a student at completion and adds a Florida license later is on neither."""
    moved, studying = seeded["ok1"].enrollment.user, seeded["ok2"].enrollment.user
    _profile(moved, license_state="GA", license_number="MT777001")
    _profile(studying, learner_status="student", license_state="", license_number="")
    student = UserFactory(learner_status="student", license_state="", license_number="")
    was_student = completed(student, course, date(2026, 3, 20))
    _profile(student, learner_status="licensed", license_state="FL", license_number="MA8080")
    old = seeded["ok3"]  # a certificate from before students: no "learner_status" in its snapshot
    old.snapshot.pop("learner_status")
    old.save(update_fields=["snapshot"])

    ready = {r.certificate.pk: r.license_number for r in ce_broker.roster_rows(**MARCH) if not r.problem}
    assert ready == {seeded["ok1"].pk: "MA12345", seeded["ok2"].pk: "MA777", seeded["ok3"].pk: "MA000001"}
    georgia = ce_broker.roster_rows(**{**MARCH, "state": "GA"})
    assert [r.certificate.pk for r in georgia] == [seeded["georgia"].pk]  # not the learner who moved there
    due, count = ce_broker.unreported_due(100)
    listed = {row["certificate"].pk for row in due}
    assert {seeded["ok1"].pk, seeded["ok2"].pk} <= listed and was_student.pk not in listed
    assert count == len(listed)
    export = ce_broker.ce_broker_export_create(user=ProviderAdminFactory(), **MARCH)
    assert [row[4] for row in _sheet(export).iter_rows(values_only=True)] == ["MA12345", "MA777", "MA000001"]


def test_a_certificate_without_a_number_takes_the_profiles_only_in_the_same_state(seeded, course):
    """A certificate that printed no number (frozen before numbers were required): the learner's current
    number while their profile still names the state; once it names another, the row is listed for fixing."""
    learner = UserFactory(license_state="FL", license_number="")
    certificate = completed(learner, course, date(2026, 3, 21))
    _profile(learner, license_number="MA2468")
    rows = {r.certificate.pk: r for r in ce_broker.roster_rows(**MARCH)}
    assert rows[certificate.pk].license_number == "MA2468" and not rows[certificate.pk].problem
    _profile(learner, license_state="GA", license_number="MT2468")
    row = {r.certificate.pk: r for r in ce_broker.roster_rows(**MARCH)}[certificate.pk]
    assert row.license_number == "" and "profile now says licensed in Georgia" in row.problem
    _profile(learner, learner_status="student", license_state="", license_number="")
    row = {r.certificate.pk: r for r in ce_broker.roster_rows(**MARCH)}[certificate.pk]
    assert "profile now says a student" in row.problem
