"""Issue 15's pages in Chromium (not the issue's journey, which the lead writes once both halves land):
a Florida learner's license renewal page (with a site certificate and an uploaded one counted) and the
upload form, their transcript with the approvals; a provider admin's CE Broker reporting page (records an
export and downloads the file), the admin home's "Not yet reported" panel and CE approvals; an
instructor's read-only approvals on the course editor. Learner pages axe-clean; every step shot at
1280x800 and 390x844 when E2E_SCREENSHOTS=1."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from cms.roles import provider_admins_grant
from cms.services import site_tree_ensure
from courses.renewal_models import Credential, OutsideCertificate
from courses.services import course_instructor_assign
from tests.courses.ce_records import approval_add, completed
from tests.e2e.a11y import check_accessibility, watch_console
from tests.e2e.instructors import instructors_group_ready
from tests.e2e.screens import AdminJourney, Journey
from tests.e2e.test_override_journey import logged_in_context
from tests.factories import (
    InstructorFactory,
    ProviderAdminFactory,
    UserFactory,
    course_create,
    wagtail_base_ensure,
)

pytestmark = pytest.mark.e2e
WAIT_MS = 20_000


@pytest.fixture
def records_world(transactional_db, tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    wagtail_base_ensure()
    instructors_group_ready()
    _, catalogue = site_tree_ensure()
    provider_admins_grant()
    course = course_create(catalogue, title="Massage for Low Back Pain", ce_hours=Decimal("1.5"))
    course.save_revision().publish()
    approval_add(course, "NCBTMB", hours=Decimal("1.5"))
    approval_add(
        course, "FL", hours=Decimal("1.5"), ce_broker_course_number="9990042", valid_from=date(2026, 1, 1)
    )
    today = timezone.localdate()
    learner = UserFactory(
        username="ana.fl", legal_name="Ana Souza", license_state="FL", license_number="MA12345"
    )
    completed(learner, course, today - timedelta(days=40))
    late = UserFactory(legal_name="Ben Typo", license_state="FL", license_number="12345")
    completed(late, course, today - timedelta(days=3))
    Credential.objects.create(
        user=learner, kind="FL", license_number="MA12345", renewal_date=date(2027, 8, 31)
    )
    Credential.objects.create(user=learner, kind="NCBTMB", renewal_date=date(2027, 12, 31))
    upload = OutsideCertificate(
        user=learner,
        title="Hot stone technique",
        provider_name="Gulf Coast Massage School",
        completed_on=today - timedelta(days=100),
        hours=Decimal("12"),
        subject="general",
        delivery="hands_on",
    )
    upload.file.save("x.pdf", ContentFile(b"%PDF-1.4 hot stone"), save=True)
    instructor = InstructorFactory(username="dana.instructor")
    course_instructor_assign(course=course, user=instructor)
    return {
        "course": course,
        "learner": learner,
        "admin": ProviderAdminFactory(username="pat.admin", legal_name="Pat Moreno"),
        "instructor": instructor,
        "today": today,
    }


def test_the_ce_records_pages(browser, live_server, records_world, tmp_path):
    w = records_world
    expect.set_options(timeout=WAIT_MS)
    shots, admin_shots = Journey("ce-records-learner"), AdminJourney("ce-records-admin")

    page = logged_in_context(browser, live_server, w["learner"]).new_page()
    problems = watch_console(page)
    page.goto(live_server.url + "/")
    page.goto(live_server.url + "/renewals/")
    expect(page.get_by_role("heading", name="License renewal", level=1)).to_be_visible()
    florida = page.locator("section.renewal-credential", has_text="Florida massage therapist license")
    expect(florida.locator("table.renewal-requirements")).to_contain_text("Live hands-on")
    expect(florida.locator("tr", has_text="Total CE hours")).to_contain_text("13.5")
    check_accessibility(page, "license renewal")
    shots.shoot(page, "renewals")
    page.get_by_role("link", name="Upload an outside certificate").first.click()
    expect(page.get_by_role("heading", name="Upload a certificate from another provider")).to_be_visible()
    page.get_by_label("Course title").fill("Ethics for bodyworkers")
    page.get_by_label("Provider").fill("Elsewhere CE")
    page.get_by_label("Completion date").fill(str(w["today"] - timedelta(days=10)))
    page.get_by_label("CE hours").fill("2")
    page.get_by_label("Subject").select_option("ethics")
    page.get_by_label("Certificate file").set_input_files(
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not a certificate"}
    )
    page.get_by_role("button", name="Upload certificate").click()
    expect(page.locator("main form")).to_contain_text("Upload a PDF, PNG or JPEG")
    check_accessibility(page, "outside certificate form with an error")
    shots.shoot(page, "upload-refused")
    page.get_by_label("Certificate file").set_input_files(
        {"name": "ethics.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 ethics"}
    )
    page.get_by_role("button", name="Upload certificate").click()
    expect(page.get_by_role("heading", name="License renewal", level=1)).to_be_visible()
    expect(page.locator("table.outside-certificates")).to_contain_text("Ethics for bodyworkers")
    shots.shoot(page, "renewals-after-upload")
    page.goto(live_server.url + "/transcript/")
    expect(page.locator(".approval-lines").first).to_contain_text("course #20-9990042")
    check_accessibility(page, "transcript with approvals")
    shots.shoot(page, "transcript")
    assert problems == [], problems

    admin = logged_in_context(browser, live_server, w["admin"]).new_page()
    admin.goto(live_server.url + "/admin/")
    panel = admin.locator("#attention-ce-broker-section")
    expect(panel).to_contain_text("Ana Souza")
    admin_shots.shoot(admin, "home-panel", focus=panel)
    admin.get_by_role("link", name="Open CE Broker reporting").click()
    start = w["today"] - timedelta(days=60)
    admin.get_by_label("Completed from").fill(str(start))
    admin.get_by_role("button", name="Show completions").click()
    expect(admin.get_by_role("heading", name="Ready to report to Florida: 1")).to_be_visible()
    expect(admin.locator("table.ce-broker-problems")).to_contain_text("not a Florida license number")
    admin_shots.shoot(admin, "ce-broker", full_page=False)
    admin.get_by_role("button", name="Record export and make the file (1 row)").click()
    with admin.expect_download() as download_info:
        admin.get_by_role("link", name="Download the roster file").click()
    path = tmp_path / "roster.xlsx"
    download_info.value.save_as(path)
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert [row[4] for row in rows] == ["MA12345"] and rows[0][6:] == ("State=FL", "Profession=LMT")
    expect(admin.get_by_role("heading", name="Ready to report to Florida: 0")).to_be_visible()
    admin_shots.shoot(admin, "ce-broker-exported", full_page=False)
    admin.goto(live_server.url + "/admin/course_approvals/")
    expect(admin.locator("table.listing")).to_contain_text("9990042")
    admin_shots.shoot(admin, "ce-approvals", full_page=False)

    staff = logged_in_context(browser, live_server, w["instructor"]).new_page()
    staff.goto(live_server.url + f"/admin/pages/{w['course'].pk}/edit/")
    approvals = staff.locator(".course-approvals")
    expect(approvals).to_contain_text("Approvals are set by the provider admin.")
    expect(approvals.get_by_role("link", name="Add an approval")).to_have_count(0)
    admin_shots.shoot(staff, "course-editor-approvals", focus=approvals)
