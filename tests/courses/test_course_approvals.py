"""Course approvals per jurisdiction (issue 15, deliverable 1): which print for whom, frozen on the
certificate, shown on the transcript; only provider admins edit them; the demo course has two."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from courses.approvals import approvals_applying, certificate_approvals, certificate_hours, hours_totals
from courses.certificates import certificate_html
from courses.demo import DemoReport, approvals_ensure, course_files_load
from courses.models import CourseApproval
from courses.publish_checks import approval_problems
from courses.services import certificate_reissue
from tests.courses.ce_records import approval_add, completed
from tests.courses.certify import private_media  # noqa: F401 - autouse: PDFs and files in a temporary directory
from tests.factories import ProviderAdminFactory, UserFactory, course_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def approvals(course):
    return {
        "ncbtmb": approval_add(course, "NCBTMB"),
        "fl": approval_add(  # Florida approved 1.5 of the course's 2 hours
            course,
            "FL",
            ce_broker_course_number="9990042",
            hours=Decimal("1.5"),
            valid_from=date(2026, 1, 1),
            valid_to=date(2026, 6, 30),
        ),
        "tx": approval_add(course, "TX", provider_number="TX-1234", subject="ethics"),
    }


def test_ncbtmb_always_and_the_learners_state_only_while_in_force(course, approvals):
    every = list(CourseApproval.objects.filter(course=course))
    in_force = approvals_applying(every, state="FL", day=date(2026, 3, 1))
    assert [a.body for a in in_force] == ["NCBTMB", "FL"]
    assert [a.body for a in approvals_applying(every, state="FL", day=date(2026, 7, 1))] == ["NCBTMB"]
    assert [a.body for a in approvals_applying(every, state="TX", day=date(2026, 3, 1))] == ["NCBTMB", "TX"]
    assert [a.body for a in approvals_applying(every, state="", day=date(2026, 3, 1))] == ["NCBTMB"]


def test_the_certificate_freezes_and_prints_the_approvals_for_the_learners_state(course, approvals):
    florida = UserFactory(license_state="FL", license_number="MA12345")
    certificate = completed(florida, course, date(2026, 3, 1))
    lines = [a["line"] for a in certificate.snapshot["approvals"]]
    assert len(lines) == 2
    assert lines[0].startswith("NCBTMB · provider #451234-10 · 2 h")
    assert "provider #50-9990001 · course #20-9990042 · 1.5 h · general · home study" in lines[1]
    approvals["fl"].hours = Decimal("1.00")  # a later edit changes no certificate
    approvals["fl"].save()
    certificate.refresh_from_db()
    assert "1.5 h" in certificate.snapshot["approvals"][1]["line"]
    for design in ("classic", "modern"):
        html = certificate_html(certificate.snapshot, certificate.code, design, base_url="https://ce.example")
        assert "course #20-9990042" in html and "TX-1234" not in html
        # two bodies, two figures: each says whose it is, never one bare "2 CE hours" beside Florida's 1.5
        assert "NCBTMB: 2 CE hours" in html and "Florida: 1.5 CE hours" in html
        assert '<span class="value">2 CE hours</span>' not in html  # the uniform figure's markup


def test_a_learner_of_another_state_gets_only_ncbtmb(course, approvals):
    carolina = UserFactory(license_state="NC")
    certificate = completed(carolina, course, date(2026, 3, 1))
    assert [a["body"] for a in certificate.snapshot["approvals"]] == ["NCBTMB"]


def test_a_reissue_after_a_state_correction_prints_the_new_states_approvals(course, approvals):
    learner = UserFactory(license_state="NC")
    certificate = completed(learner, course, date(2026, 3, 1))
    learner.license_state, learner.license_number = "TX", "MT123"
    learner.save()
    certificate = certificate_reissue(certificate=certificate, user=ProviderAdminFactory(), reason="moved")
    assert [a["body"] for a in certificate.snapshot["approvals"]] == ["NCBTMB", "TX"]


def test_a_reissue_keeps_the_frozen_approvals_unless_the_state_changed(course, approvals):
    """A name correction reprints the approvals the certificate froze, not today's rows: Florida's approval
    edited since (1.5 h -> 1 h) changes no old certificate's hours; an older certificate without approvals
    keeps its look (none added)."""
    florida = UserFactory(license_state="FL", license_number="MA12345")
    certificate = completed(florida, course, date(2026, 3, 1))
    frozen = certificate.snapshot["approvals"]
    approvals["fl"].hours = Decimal("1.00")
    approvals["fl"].save()
    florida.legal_name = "Florence Corrected"
    florida.save()
    admin = ProviderAdminFactory()
    certificate = certificate_reissue(certificate=certificate, user=admin, reason="name")
    assert certificate.snapshot["participant_name"] == "Florence Corrected"
    assert certificate.snapshot["approvals"] == frozen and "1.5 h" in frozen[1]["line"]
    old = completed(UserFactory(license_state="FL", license_number="MA54321"), course, date(2026, 3, 2))
    old.snapshot.pop("approvals")
    old.save(update_fields=["snapshot"])
    assert "approvals" not in certificate_reissue(certificate=old, user=admin, reason="x").snapshot


def test_the_transcript_shows_the_approvals(client, course, approvals):
    florida = UserFactory(license_state="FL", license_number="MA12345")
    completed(florida, course, date(2026, 3, 1))
    client.force_login(florida)
    page = client.get(reverse("courses:transcript")).content.decode()
    assert "course #20-9990042" in page
    csv = client.get(reverse("courses:transcript_csv")).content.decode()
    assert "Approvals" in csv.splitlines()[0] and "course #20-9990042" in csv


def test_the_transcript_names_each_bodys_hours_when_they_differ(client, catalogue, course, approvals):
    """Florida approved 1.5 of the course's 2 hours: the transcript (page, PDF, CSV) says whose each figure
    is, and adds them up per body, never one bare "2" that Florida did not approve."""
    florida = UserFactory(license_state="FL", license_number="MA12345")
    completed(florida, course, date(2026, 3, 1))
    completed(florida, course_create(catalogue, title="No approvals"), date(2026, 3, 2))
    client.force_login(florida)
    page = client.get(reverse("courses:transcript")).content.decode()
    assert "NCBTMB: 2</li>" in page and "Florida: 1.5</li>" in page
    in_total = "in total, NCBTMB: 2 CE hours · Florida: 1.5 CE hours · no approval recorded: 2 CE hours"
    assert in_total in page
    text = " ".join(
        PdfReader(io.BytesIO(client.get(reverse("courses:transcript_pdf")).content))
        .pages[0]
        .extract_text()
        .split()
    )
    assert "NCBTMB: 2 Florida: 1.5" in text and in_total.removeprefix("in total, ") in text
    rows = list(csv.reader(io.StringIO(client.get(reverse("courses:transcript_csv")).content.decode())))
    assert rows[0][-1] == "CE hours by approving body"
    assert sorted(row[-1] for row in rows[1:]) == ["", "NCBTMB: 2; Florida: 1.5"]


def test_the_transcript_prints_the_ncbtmb_number_only_beside_courses_ncbtmb_approved(
    client, catalogue, course, approvals, django_assert_max_num_queries
):
    learner = UserFactory(license_state="FL", license_number="MA12345")
    completed(learner, course, date(2026, 3, 1))
    completed(learner, course_create(catalogue, title="No approvals"), date(2026, 3, 2))
    client.force_login(learner)
    page = client.get(reverse("courses:transcript")).content.decode()
    assert page.count("(NCBTMB #451234-10)") == 1
    text = " ".join(
        PdfReader(io.BytesIO(client.get(reverse("courses:transcript_pdf")).content))
        .pages[0]
        .extract_text()
        .split()
    )
    assert text.count("NCBTMB #451234-10") == 1
    rows = list(csv.reader(io.StringIO(client.get(reverse("courses:transcript_csv")).content.decode())))
    column = rows[0].index("NCBTMB provider #")
    assert sorted(row[column] for row in rows[1:]) == ["", "451234-10"]
    for n in range(3):  # the flag comes from the snapshot: no query per row
        completed(learner, course_create(catalogue, title=f"Also unapproved {n}"), date(2026, 3, 3 + n))
    with django_assert_max_num_queries(30) as counted:
        client.get(reverse("courses:transcript"))
    before = len(counted)
    completed(learner, course_create(catalogue, title="One more"), date(2026, 3, 9))
    with django_assert_max_num_queries(before):
        client.get(reverse("courses:transcript"))


def test_certificate_hours_credit_only_the_bodies_that_approved():
    def snap(*approvals):
        return {"ce_hours": "3.00", "approvals": [{"body": b, "hours": h} for b, h in approvals]}

    both = certificate_hours(snap(("NCBTMB", "3.00"), ("FL", "3.00")))
    assert both["uniform"] and both["ncbtmb_approved"] and both["text"] == "3 CE hours"
    florida = certificate_hours(snap(("FL", "3.00")))
    assert (
        not florida["ncbtmb_approved"]
        and florida["ncbtmb"] == ""
        and florida["text"] == "Florida: 3 CE hours"
    )
    none = certificate_hours(snap())
    assert not none["approved"] and none["by_body"] == [] and none["text"] == "3 CE hours"
    old = certificate_hours({"ce_hours": "3.00"})  # before approvals: NCBTMB's, as it printed
    assert old["ncbtmb_approved"] and old["by_body"][0]["body"] == "NCBTMB"
    totals = hours_totals(
        [snap(("NCBTMB", "3.00"), ("FL", "2.00")), snap(("NCBTMB", "3.00"), ("FL", "3.00"))]
    )
    assert totals["text"] == "NCBTMB: 6 CE hours · Florida: 5 CE hours" and not totals["uniform"]
    assert hours_totals([snap(("NCBTMB", "3.00")), {"ce_hours": "2.00"}])["text"] == "5 CE hours"


def test_approvals_are_checked_when_saved(course):
    with pytest.raises(ValidationError) as error:
        approval_add(
            course, "FL", provider_number="50-123", valid_from=date(2026, 1, 2), valid_to=date(2026, 1, 1)
        )
    assert set(error.value.message_dict) == {"provider_number", "valid_to"}
    with pytest.raises(ValidationError):
        approval_add(course, "FL", hours=Decimal("0"))


def _post(course, **fields):
    return {
        "course": course.pk,
        "body": "GA",
        "provider_number": "7770001",
        "ce_broker_course_number": "7770042",
        "hours": "2",
        "subject": "ethics",
        "delivery": "home_study",  # the course is home study (CourseApproval.clean)
        "valid_from": "2026-01-01",
        "valid_to": "",
        **fields,
    }


def test_provider_admins_edit_approvals_and_instructors_only_read_them(
    client, course, approvals, assigned_instructor
):
    client.force_login(assigned_instructor)
    assert client.get(reverse("course_approvals:index")).status_code == 200
    assert client.get(reverse("course_approvals:inspect", args=[approvals["fl"].pk])).status_code == 200
    client.post(reverse("course_approvals:add"), _post(course))
    client.post(reverse("course_approvals:delete", args=[approvals["fl"].pk]))
    assert client.get(reverse("course_approvals:edit", args=[approvals["fl"].pk])).status_code == 302
    assert CourseApproval.objects.count() == 3  # nothing written
    page = client.get(reverse("wagtailadmin_pages:edit", args=[course.pk])).content.decode()
    assert "Approvals are set by the provider admin." in page and "provider #9990001" in page

    client.force_login(ProviderAdminFactory())
    response = client.post(reverse("course_approvals:add"), _post(course))
    assert response.status_code == 302
    assert CourseApproval.objects.filter(course=course, body="GA", provider_number="7770001").exists()
    page = client.get(reverse("wagtailadmin_pages:edit", args=[course.pk])).content.decode()
    assert "Add an approval" in page


def test_the_demo_course_has_an_ncbtmb_and_a_florida_approval(course):
    files = course_files_load()
    data = files["approvals"]
    course.ce_hours = Decimal(files["ce_hours"])  # the demo course's hours and provider number
    course.save()
    course.provider.ncbtmb_provider_number = files["provider"]["ncbtmb_provider_number"]
    course.provider.save()
    report = DemoReport()
    approvals_ensure(course, data, reset=False, report=report)
    approvals_ensure(course, data, reset=False, report=report)  # idempotent
    rows = CourseApproval.objects.filter(course=course).order_by("body")
    assert [a.body for a in rows] == ["FL", "NCBTMB"]
    florida = rows[0]
    assert florida.ce_broker_course_number and florida.provider_number
    assert certificate_approvals(course, state="FL", day=date(2026, 9, 1))[1]["body"] == "FL"
    # the demo course may go live as it is (on a day both approvals are in force: they end in 2027)
    assert approval_problems(course, course.provider, today=date(2026, 9, 1)) == []
    approvals_ensure(course, data, reset=True, report=report)  # a reset checks the file's values too


def test_the_demo_leaves_alone_an_approval_that_an_admins_own_overlaps(course):
    """setup_demo (--reset or not) does not stop with a traceback when a provider admin added an approval
    that the file's would overlap: it leaves the file's approval out and says why."""
    files = course_files_load()
    course.ce_hours = Decimal(files["ce_hours"])
    course.save()
    course.provider.ncbtmb_provider_number = files["provider"]["ncbtmb_provider_number"]
    course.provider.save()
    admins = approval_add(course, "NCBTMB", valid_from=date(2019, 1, 1))  # open-ended: overlaps the file's
    for reset in (False, True):
        report = DemoReport()
        approvals_ensure(course, files["approvals"], reset=reset, report=report)
        assert any(line.startswith("Approval: left NCBTMB from") for line in report.lines), report.lines
    assert list(CourseApproval.objects.filter(course=course, body="NCBTMB")) == [admins]
