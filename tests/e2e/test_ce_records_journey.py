"""Issue 15's acceptance journey, in Chromium: CE records that travel.

A licensed Florida massage therapist finishes a course approved by NCBTMB and by Florida (CE Broker): the
post-test and the evaluation in the browser, the certificate on the dashboard. They add their Florida license
at /renewals/ and see the course's Florida hours count toward it; on the certificate page they download the
Open Badges 3.0 credential (JSON and the signed .jwt, which verifies) and the LinkedIn "Add to profile" link is
checked (its URL, never loaded). A provider admin then reports the completion to CE Broker from the Wagtail
admin: the roster file (xlsx) holds the learner's row, and a second visit has nothing left to report.
Learner pages are checked with axe-core and may log no CSP violation or script error.
"""

import io
import json
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import override_settings
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from cms.services import site_tree_ensure
from courses.links import site_address_apply
from courses.models import Certificate, Enrollment
from courses.open_badges import badge_verify
from courses.services import enrollment_create, module_complete
from tests.courses.ce_records import approval_add
from tests.courses.certify import small_course, study
from tests.e2e.a11y import check_accessibility, watch_console
from tests.e2e.screens import AdminJourney, Journey
from tests.e2e.sessions import session_cookie_add
from tests.factories import ProviderAdminFactory, ProviderFactory, UserFactory, wagtail_base_ensure

pytestmark = pytest.mark.e2e

TITLE = "Florida Laws and Rules for Massage Therapists"  # the Florida approval is for laws and rules
LICENSE = "MA61842"  # a Florida massage therapist's license: MA and digits (courses/data/ce_broker.yaml)
FL_PROVIDER = "9990001"
FL_COURSE = "9990042"
FL_HOURS = Decimal("2.00")  # Florida approved 2 of the course's 3 hours, as laws and rules
NCBTMB_HOURS = Decimal("3.00")


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}, "accept_downloads": True}


@pytest.fixture
def florida_world(transactional_db, tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"  # certificate PDFs and roster files
    wagtail_base_ensure()
    _, catalogue = site_tree_ensure()
    provider = ProviderFactory(name="Gulf Coast Bodywork Education")
    course, pages = small_course(
        catalogue, modules=1, module_quiz=False, title=TITLE, provider=provider, ce_hours=NCBTMB_HOURS
    )
    approval_add(course, "NCBTMB", provider_number=provider.ncbtmb_provider_number, hours=NCBTMB_HOURS)
    approval_add(
        course,
        "FL",
        provider_number=FL_PROVIDER,
        ce_broker_course_number=FL_COURSE,
        hours=FL_HOURS,
        subject="laws_rules",
    )
    learner = UserFactory(
        username="rosa.fl", legal_name="Rosa Delgado", license_state="FL", license_number=LICENSE
    )
    # Enrolled, read the module for the seat time; the post-test and the evaluation are left to the browser.
    enrollment = enrollment_create(user=learner, course=course)
    study(enrollment, module=pages[0])
    module_complete(user=learner, module=pages[0])
    admin = ProviderAdminFactory(username="lee.admin", legal_name="Lee Park")
    return {"course": course, "learner": learner, "admin": admin}


@pytest.fixture
def contexts(browser, live_server):
    """Browser contexts for the learner and the admin, closed after the test: their kept-alive connections
    hold live-server threads, and with them (CONN_MAX_AGE) PostgreSQL sessions that would keep the test
    database from being dropped."""
    opened = []

    def open_for(user):
        context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
        session_cookie_add(context, live_server, user)
        opened.append(context)
        return context.new_page()

    yield open_for
    for context in opened:
        context.close()


def next_florida_renewal(today: date) -> date:
    """Florida licenses renew by 31 August of odd years."""
    year = today.year if today.year % 2 else today.year + 1
    if date(year, 8, 31) < today:
        year += 2
    return date(year, 8, 31)


def step(journey, page, name):
    journey.shoot(page, name)
    check_accessibility(page, name.replace("-", " "))


def requirement(page, label):
    """(required, earned, missing) of one row of the renewal table, as shown."""
    row = page.locator(".renewal-requirements tbody tr", has=page.get_by_role("rowheader", name=label))
    return tuple(cell.strip() for cell in row.locator("td").all_inner_texts())


def test_a_florida_learners_ce_record_travels_to_renewal_badge_linkedin_and_ce_broker(
    live_server, florida_world, contexts
):
    w = florida_world
    journey, admin_journey = Journey("ce-records-learner"), AdminJourney("ce-records-admin")
    site_address_apply(live_server.url)  # links made without a request (the badge, the PDF)
    with override_settings(WAGTAILADMIN_BASE_URL=live_server.url):
        page = contexts(w["learner"])
        problems = watch_console(page)

        # 1. The last steps of the course: the post-test, then the evaluation; the certificate follows.
        course_url = live_server.url + w["course"].url
        page.goto(course_url)
        page.locator(".quiz-panel").get_by_role("link", name="Take the post-test").click()
        page.get_by_role("button", name=re.compile("Start")).click()
        expect(page).to_have_url(re.compile(r"/attempts/\d+/$"))
        page.locator("fieldset[data-qid]").first.get_by_label("True", exact=True).check()
        page.get_by_role("button", name="Submit answers").click()
        expect(page.get_by_text("Passed", exact=True)).to_be_visible()
        page.goto(course_url)
        page.locator(".completion-panel").get_by_role("link", name="Evaluate the course").click()
        for field in ("objectives_met", "content_relevant", "materials_quality", "instructor_quality"):
            page.locator(f'input[name="{field}"][value="5"]').check()
        page.locator('input[name="would_recommend"][value="4"]').check()
        page.get_by_role("button", name="Submit evaluation").click()
        expect(page).to_have_url(re.compile(r"/dashboard/$"))
        certificates = page.locator(".dashboard-certificates")
        expect(certificates).to_contain_text(TITLE)
        expect(certificates).to_contain_text("3 CE hours")
        step(journey, page, "dashboard-certificate")
        certificate = Certificate.objects.get(enrollment__user=w["learner"])
        assert certificate.status == Certificate.Status.ISSUED
        assert Enrollment.objects.get(user=w["learner"]).status == Enrollment.Status.COMPLETED
        completed_on = certificate.completion_date
        assert completed_on == timezone.localdate()

        # 2. The Florida license at /renewals/: the course's Florida approval counts toward it.
        page.locator(".page-header").get_by_role("link", name="License renewal").click()
        expect(page).to_have_url(re.compile(r"/renewals/$"))
        expect(page.get_by_role("heading", name="No credentials yet")).to_be_visible()
        page.locator(".page-header").get_by_role("link", name="Add a credential").click()
        renew_by = next_florida_renewal(timezone.localdate())
        page.get_by_label("Credential").select_option("FL")
        page.get_by_label("License or certificate number (optional)").fill(LICENSE)
        page.get_by_label("Expiry or renewal date").fill(renew_by.isoformat())
        step(journey, page, "renewal-credential-form")
        page.get_by_role("button", name="Add credential").click()
        expect(page).to_have_url(re.compile(r"/renewals/$"))
        card = page.locator(".renewal-credential")
        expect(card.get_by_role("heading", level=2)).to_contain_text(f"#{LICENSE}")
        expect(card).to_contain_text(f"CE due by {renew_by:%B} {renew_by.day}, {renew_by.year}")
        assert requirement(page, "Total CE hours") == ("24", "2", "22")  # Florida's 2 hours, not NCBTMB's 3
        laws = card.locator(".renewal-requirements tbody tr", has_text=re.compile("law", re.I))
        expect(laws.locator("td").nth(1)).to_have_text("2")
        expect(laws.locator("td").nth(2)).to_contain_text("none")
        card.get_by_text("Courses counted (1)").click()
        expect(card.locator("details li")).to_contain_text(f"{TITLE} · ")
        expect(card.locator("details li")).to_contain_text("2 h · Laws and rules · Home study")
        step(journey, page, "renewal-progress")

        # 3. The certificate page: the Open Badge downloads and verifies; the LinkedIn link is filled in.
        page.goto(live_server.url + "/dashboard/")
        page.locator(".dashboard-certificates").get_by_role(
            "link", name=re.compile("Open Badge and sharing")
        ).click()
        expect(page).to_have_url(re.compile(rf"/certificates/{certificate.code}/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
        approvals = page.locator(".certificate-facts")
        expect(approvals).to_contain_text(FL_PROVIDER)
        step(journey, page, "certificate-page")
        with page.expect_download() as info:
            page.get_by_role("link", name="Download Open Badge (JSON)").click()
        assert info.value.suggested_filename.endswith(f"{certificate.code}.json")
        credential = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
        assert credential["@context"][0] == "https://www.w3.org/ns/credentials/v2"
        assert "OpenBadgeCredential" in credential["type"]
        subject = credential["credentialSubject"]
        assert subject["achievement"]["name"] == TITLE
        assert subject["creditsEarned"] == float(NCBTMB_HOURS)
        with page.expect_download() as info:
            page.get_by_role("link", name="Download Open Badge (signed, .jwt)").click()
        token = Path(info.value.path()).read_text(encoding="utf-8").strip()
        check = badge_verify(token, base_url=live_server.url)
        assert check.valid, check.error
        tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
        assert not badge_verify(tampered, base_url=live_server.url).signature_valid

        linkedin = page.get_by_role("link", name=re.compile("Add to LinkedIn profile"))
        href = linkedin.get_attribute("href")
        parts = urlsplit(href)
        assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        issued = timezone.localtime(certificate.issued_at).date()
        assert query == {
            "startTask": "CERTIFICATION_NAME",
            "name": TITLE,
            "organizationName": "Gulf Coast Bodywork Education",
            "issueYear": str(issued.year),
            "issueMonth": str(issued.month),
            "certUrl": f"{live_server.url}/certificates/verify/{certificate.code}/",
            "certId": certificate.code,
        }
        assert linkedin.get_attribute("target") == "_blank"
        assert problems == []

        # 4. A provider admin reports the completion to CE Broker and downloads the roster file.
        admin = contexts(w["admin"])
        admin.goto(live_server.url + "/admin/")
        due = admin.locator(".attention-panel", has_text="Not yet reported to CE Broker")
        expect(due).to_contain_text("Rosa Delgado")
        due_by = completed_on + timedelta(days=30)
        expect(due).to_contain_text(f"{due_by:%b} {due_by.day}, {due_by.year}")
        admin_journey.shoot(admin, "admin-home-due", focus=due)
        due.get_by_role("link", name="Open CE Broker reporting").click()
        expect(admin.get_by_role("heading", level=1)).to_contain_text("CE Broker reporting")
        admin.get_by_label("State").select_option("FL")
        admin.locator("#id_date_from").fill((completed_on - timedelta(days=7)).isoformat())
        admin.locator("#id_date_to").fill(completed_on.isoformat())
        admin.get_by_role("button", name="Show completions").click()
        expect(admin.get_by_role("heading", name="Ready to report to Florida: 1")).to_be_visible()
        ready = admin.locator("table.ce-broker-ready tbody tr")
        expect(ready).to_have_count(1)
        expect(ready).to_contain_text("Rosa Delgado")
        expect(ready).to_contain_text(LICENSE)
        expect(ready).to_contain_text(FL_COURSE)
        admin_journey.shoot(admin, "ce-broker-ready", focus=ready)
        admin.get_by_role("button", name=re.compile("Record export")).click()
        expect(admin.get_by_role("heading", name="Ready to report to Florida: 0")).to_be_visible()
        with admin.expect_download() as info:
            admin.get_by_role("link", name="Download the roster file").click()
        assert info.value.suggested_filename.endswith(".xlsx")
        sheet = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert len(rows) == 1
        provider_number, course_number, _, _, license_number, completion, state, profession = rows[0]
        assert (provider_number, course_number, license_number) == (FL_PROVIDER, FL_COURSE, LICENSE)
        assert completion.date() == completed_on
        assert (state, profession) == ("State=FL", "Profession=LMT")
        admin_journey.shoot(admin, "ce-broker-exported")

        # A second visit: nothing left to report for that learner.
        admin.goto(
            f"{live_server.url}/admin/ce-broker/?state=FL"
            f"&date_from={completed_on - timedelta(days=7)}&date_to={completed_on}"
        )
        expect(admin.get_by_role("heading", name="Ready to report to Florida: 0")).to_be_visible()
        expect(admin.get_by_text("Nothing left to report for these dates.")).to_be_visible()
        expect(admin.locator("table.ce-broker-ready")).to_have_count(0)
        expect(admin.locator("table.ce-broker-exports tbody tr")).to_have_count(1)
        expect(admin.locator("table.ce-broker-exports tbody tr")).to_contain_text("Lee Park")
        admin_journey.shoot(admin, "ce-broker-nothing-left")
