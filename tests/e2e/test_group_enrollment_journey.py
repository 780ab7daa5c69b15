"""Group enrollment in Chromium: the course's instructor uploads a class list (Excel's semicolons, a
bad row), reads the preview, enrolls the class; a new learner sets their password from the invitation
e-mail (the link then fails a second time); the instructor issues enrollment codes and prints them; a
signed-in learner redeems one, and a used code is refused. Each page is shot at 1280×800 and 390×844."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from cms.services import site_tree_ensure
from courses.models import Enrollment, EnrollmentCode
from courses.services import course_instructor_assign
from tests.e2e.instructors import instructors_group_ready
from tests.e2e.screens import AdminJourney, Journey
from tests.e2e.test_override_journey import logged_in_context
from tests.factories import InstructorFactory, UserFactory, psoas_course, wagtail_base_ensure

pytestmark = pytest.mark.e2e

CLASS_LIST = (
    "\ufeffName;E-mail;License\r\n"
    "Ana Souza;ana.souza@example.com;FL MA12345\r\n"
    "محمد الأحمد;mohammed@example.com;student\r\n"
    "Sam Okafor;sam@example.com;\r\n"
    "=cmd|' /C calc'!A0;attacker@example.com;\r\n"
    "Kim Lee;not-an-address;NC 4471\r\n"
)


@pytest.fixture
def enrollment_world(transactional_db):
    wagtail_base_ensure()
    instructors_group_ready()
    _, catalogue = site_tree_ensure()
    course, _ = psoas_course(catalogue)
    instructor = InstructorFactory(username="dana.instructor", legal_name="Dana Whitfield", is_staff=False)
    course_instructor_assign(course=course, user=instructor)
    existing = UserFactory(username="sam.okafor", email="sam@example.com", legal_name="Sam Okafor")
    return {"course": course, "instructor": instructor, "existing": existing}


def test_a_class_is_enrolled_from_a_list_and_with_codes(browser, live_server, enrollment_world, tmp_path):
    w = enrollment_world
    admin_journey, learner_journey = (
        AdminJourney("group-enrollment-admin"),
        Journey("group-enrollment-learner"),
    )
    class_file = tmp_path / "spring-cohort.csv"
    class_file.write_text(CLASS_LIST, encoding="utf-8")

    staff = logged_in_context(browser, live_server, w["instructor"]).new_page()
    staff.goto(f"{live_server.url}/admin/enrollment/")
    expect(staff.get_by_role("cell", name=w["course"].title)).to_be_visible()
    staff.get_by_role("link", name="Upload a class list").click()
    admin_journey.shoot(staff, "upload-form", focus=staff.get_by_label("Class list (CSV)"))
    staff.get_by_label("Class list (CSV)").set_input_files(str(class_file))
    staff.get_by_role("button", name="Preview").click()
    preview = staff.locator(".class-enrollment-preview")
    expect(preview).to_contain_text("New account + invitation")
    expect(preview).to_contain_text("spreadsheet formula")
    expect(preview).to_contain_text("is not an e-mail address")
    expect(preview).to_contain_text("Existing account enrolled")
    assert mail.outbox == [] and not Enrollment.objects.exists()
    admin_journey.shoot(staff, "preview", focus=staff.get_by_role("heading", name=re.compile("Preview")))
    admin_journey.shoot(staff, "preview-errors", focus=preview.locator("tr.outcome-error").first)
    staff.get_by_role("button", name="Enroll 3 learners").click()
    expect(staff.get_by_text("2 new accounts invited, 1 existing accounts enrolled")).to_be_visible()
    admin_journey.shoot(staff, "enrolled")
    assert Enrollment.objects.filter(course=w["course"], source=Enrollment.Source.CSV).count() == 3

    invitation = next(m for m in mail.outbox if m.to == ["ana.souza@example.com"])
    link = re.search(r"https?://\S+/accounts/invitation/\S+", invitation.body)[0]
    learner = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    learner.goto(link)
    expect(learner.get_by_role("heading", name="Set your password")).to_be_visible()
    learner_journey.shoot(learner, "invitation")
    learner.locator("input[name=new_password1]").fill("a long new passphrase 42")
    learner.locator("input[name=new_password2]").fill("a long new passphrase 42")
    learner.get_by_role("button", name="Set my password").click()
    expect(learner).to_have_url(re.compile(r"/dashboard/$"))
    expect(learner.get_by_text("e-mail address is verified")).to_be_visible()
    learner_journey.shoot(learner, "dashboard-after-invitation")
    learner.context.clear_cookies()
    learner.goto(link)
    expect(learner.get_by_text("expired or has already been used")).to_be_visible()
    learner_journey.shoot(learner, "invitation-used")

    staff.goto(f"{live_server.url}/admin/enrollment/{w['course'].pk}/codes/")
    staff.get_by_label("Number of codes").fill("6")
    staff.get_by_label("Batch name").fill("Durham evening class")
    staff.get_by_role("button", name="Issue codes").click()
    expect(staff.get_by_text("6 enrollment codes issued")).to_be_visible()
    admin_journey.shoot(staff, "codes", focus=staff.locator("table.enrollment-codes"))
    codes = list(EnrollmentCode.objects.order_by("code"))
    printable = staff.context.new_page()
    printable.goto(f"{live_server.url}/admin/enrollment/{w['course'].pk}/codes/?print=1")
    expect(printable.get_by_text(codes[0].display_code)).to_be_visible()
    admin_journey.shoot(printable, "codes-printable")

    redeemer = logged_in_context(browser, live_server, UserFactory(legal_name="Priya Raman")).new_page()
    redeemer.goto(f"{live_server.url}/courses/{w['course'].pk}/code/")
    learner_journey.shoot(redeemer, "redeem-form")
    redeemer.get_by_label("Enrollment code").fill(codes[0].display_code.lower())
    redeemer.get_by_role("button", name="Enroll with this code").click()
    expect(redeemer.get_by_text(f"You are enrolled in {w['course'].title}")).to_be_visible()
    learner_journey.shoot(redeemer, "redeemed")

    other = logged_in_context(browser, live_server, UserFactory(legal_name="Lee Chen")).new_page()
    other.goto(f"{live_server.url}/courses/{w['course'].pk}/code/")
    other.get_by_label("Enrollment code").fill(codes[0].display_code)
    other.get_by_role("button", name="Enroll with this code").click()
    expect(other.get_by_text("already been used")).to_be_visible()
    learner_journey.shoot(other, "redeem-used-code")
