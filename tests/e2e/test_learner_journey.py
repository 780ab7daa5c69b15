"""A learner's first hour, in Chromium: sign up, enroll, read a module, mark it complete, see the progress."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cms.services import site_tree_ensure
from courses.models import ModuleProgress
from tests.factories import ProviderFactory, course_create, module_create, wagtail_base_ensure

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}}


def module_body(topic):
    return [
        ("heading", {"text": f"Why {topic} matters", "anchor": f"why-{topic.lower().replace(' ', '-')}"}),
        ("rich_text", f"<p>This module looks at {topic} and how it relates to low back pain in the clinic.</p>"
                      "<p>Palpate gently, ask about symptoms, and refer when a red flag appears.</p>"),
        ("key_points", {"title": "Key points", "points": [f"{topic.capitalize()} can refer pain to the low back.",
                                                          "Work within your scope of practice."]}),
    ]


@pytest.fixture
def live_course(transactional_db):
    wagtail_base_ensure()
    _, catalogue = site_tree_ensure()
    course = course_create(
        catalogue, title="Massage for Low Back Pain", slug="massage-for-low-back-pain",
        provider=ProviderFactory(), ce_hours=Decimal("3.00"),
        summary="Assess and treat the muscles behind common low back pain, and know when to refer.",
        learning_objectives=[("objective", "Locate psoas major and quadratus lumborum by palpation."),
                             ("objective", "Recognise red flags that need medical referral.")],
    )
    modules = [module_create(course, title=title, summary=f"An introduction to {topic}.", body=module_body(topic))
               for title, topic in [("The psoas and iliacus", "the iliopsoas"),
                                    ("Quadratus lumborum", "quadratus lumborum"),
                                    ("Red flags", "red flags")]]
    return course, modules


def shoot(page, name, *, full_page=False):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def test_sign_up_enroll_read_complete_and_see_progress(page, live_server, live_course):
    course, modules = live_course
    course_url = live_server.url + course.url

    # A visitor sees the outline and is asked to sign up.
    page.goto(course_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Massage for Low Back Pain")
    expect(page.locator(".module-list li")).to_have_count(3)
    shoot(page, "01-course-visitor")
    page.get_by_role("link", name="Sign up to enroll").click()

    # Sign up; the form returns to the course.
    expect(page).to_have_url(re.compile(r"/accounts/signup/\?next="))
    page.get_by_label("Username").fill("maria.lopez")
    page.get_by_label("Email").fill("maria@example.com")
    page.get_by_label("Legal name").fill("María José López")
    page.get_by_label("License number").fill("LMBT 20417")
    page.get_by_label("License state").select_option("NC")
    page.locator("#id_password1").fill("iliac-crest-2026!")
    page.locator("#id_password2").fill("iliac-crest-2026!")
    shoot(page, "02-signup")
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(course_url)
    expect(page.locator(".site-nav")).to_contain_text("María José López")

    # Enroll: the first module is next, the others locked.
    page.get_by_role("button", name="Enroll").click()
    expect(page.locator(".alert")).to_contain_text("You are enrolled")
    expect(page.locator(".module-list li.is-next")).to_have_count(1)
    expect(page.locator(".module-list li.is-locked")).to_have_count(2)
    shoot(page, "03-course-enrolled", full_page=True)

    # Read the first module.
    page.get_by_role("link", name="Start: The psoas and iliacus").click()
    expect(page).to_have_url(live_server.url + modules[0].url)
    expect(page.locator(".lesson-position")).to_have_text("Module 1 of 3")
    expect(page.locator(".lesson-body")).to_contain_text("relates to low back pain")
    shoot(page, "04-module")
    assert ModuleProgress.objects.filter(module=modules[0], completed_at__isnull=True).count() == 1

    # Mark it complete: on to the second module, now open.
    page.get_by_role("button", name="Mark complete").click()
    expect(page).to_have_url(live_server.url + modules[1].url)
    expect(page.locator(".alert")).to_contain_text("marked complete")
    expect(page.locator(".lesson-body")).to_contain_text("quadratus lumborum")
    shoot(page, "05-next-module")

    # Progress on the course page and the dashboard.
    page.goto(course_url)
    course_progress = page.locator(".progress-summary", has_text="Your progress")
    expect(course_progress).to_contain_text("1 of 3 modules complete")
    expect(course_progress.locator("progress")).to_have_attribute("value", "33")
    expect(page.locator(".module-list li.is-complete")).to_have_count(1)
    shoot(page, "06-course-progress", full_page=True)

    page.locator(".site-nav").get_by_role("link", name="My learning", exact=True).click()
    row = page.locator(".dashboard-enrollments li").first
    expect(row).to_contain_text("Massage for Low Back Pain")
    expect(row).to_contain_text("1 of 3 modules complete")
    expect(row.get_by_role("link", name=re.compile("Continue: Quadratus lumborum"))).to_be_visible()
    shoot(page, "07-dashboard")

    progress = ModuleProgress.objects.get(module=modules[0])
    assert progress.completed_at is not None and progress.seconds_spent >= 0
