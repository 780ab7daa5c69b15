"""axe-core on the learner pages the journeys don't pass through: the anatomy glossary (with a search), an
unknown certificate number, the account pages (log-in with an error, the whole password reset by e-mail,
profile, password change), an empty dashboard, and the 404, 403, 429 and 500 pages. No serious or critical
violation; every page shot at both sizes.
(The learner and quiz journeys check the home page, catalogue, course, module, quiz, result, evaluation,
dashboard with certificates, verification, look-up and transcript.)"""

import logging
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import override_settings
from playwright.sync_api import expect

from cms.services import site_tree_ensure
from content.models import Muscle
from tests.e2e.a11y import check_accessibility, watch_console
from tests.e2e.screens import Journey
from tests.factories import UserFactory, wagtail_base_ensure

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def site(transactional_db, knowledge_base):
    wagtail_base_ensure()
    site_tree_ensure()
    return UserFactory(
        username="page-learner", email="page.learner@example.com", legal_name="Priya Natarajan"
    )


def visit(journey, page, name, label=None):
    journey.shoot(page, name)
    check_accessibility(page, label or name.replace("-", " "))


def test_glossary_account_and_error_pages(page, live_server, site, caplog):
    learner = site
    journey = Journey("pages")
    problems = watch_console(page)
    url = live_server.url

    with override_settings(ROOT_URLCONF="tests.e2e.urls"):
        # The anatomy glossary.
        page.goto(url + "/anatomy/")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        visit(journey, page, "glossary")
        page.get_by_label("Name or other name").fill("psoas")
        page.get_by_role("button", name="Search").click()
        expect(page).to_have_url(re.compile(r"[?&]q=psoas"))
        visit(journey, page, "glossary-search")
        psoas = Muscle.objects.get(slug="psoas-major")
        page.get_by_role("link", name=psoas.name, exact=True).first.click()
        expect(page).to_have_url(re.compile(rf"/anatomy/{psoas.slug}/$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text(psoas.name)
        visit(journey, page, "glossary-muscle")
        page.goto(url + "/anatomy/red-flags/")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        visit(journey, page, "red-flags")

        # On a phone the navigation folds into a menu button that opens it (Bootstrap's script, under the CSP).
        page.set_viewport_size({"width": 390, "height": 844})
        toggler = page.get_by_role("button", name="Toggle navigation")
        expect(toggler).to_have_attribute("aria-expanded", "false")
        toggler.click()
        expect(toggler).to_have_attribute("aria-expanded", "true")
        expect(page.locator(".site-nav").get_by_role("link", name="Anatomy glossary")).to_be_visible()
        check_accessibility(page, "phone menu open")
        if journey.enabled:
            page.screenshot(path=str(journey.folder / "phone-menu-open.png"))
        page.set_viewport_size({"width": 1280, "height": 800})

        # A certificate number that matches nothing.
        page.goto(url + "/certificates/verify/")
        page.get_by_label(re.compile("certificate number", re.I)).fill("AAAAA-BBBBB-CCCCC-DDDDD")
        page.get_by_role("button", name="Verify").click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        visit(journey, page, "certificate-not-found")

        # Error pages for a visitor.
        assert page.goto(url + "/no-such-page/").status == 404
        visit(journey, page, "404")
        assert page.goto(url + "/__e2e__/403/").status == 403
        visit(journey, page, "403-visitor", "403 for a visitor")
        assert page.goto(url + "/__e2e__/429/").status == 429
        visit(journey, page, "429")
        with caplog.at_level(logging.CRITICAL, logger="django.request"):
            assert page.goto(url + "/__e2e__/500/").status == 500
        visit(journey, page, "500")

        # Log-in, wrong password first.
        page.goto(url + "/accounts/login/")
        visit(journey, page, "login")
        page.get_by_label("Username").fill(learner.username)
        page.get_by_label("Password").fill("not the password")
        page.locator("main form").get_by_role("button", name="Log in").click()
        expect(page.locator("main .alert, main .invalid-feedback, main .errorlist").first).to_be_visible()
        visit(journey, page, "login-error", "log-in with an error")

        # The password reset, by e-mail, through to the new password.
        page.get_by_role("link", name="Forgot your password?").click()
        expect(page).to_have_url(
            re.compile(r"/accounts/password/reset/$")
        )  # axe needs the new page's document
        visit(journey, page, "password-reset")
        page.get_by_label("Email").fill(learner.email)
        page.locator("main form").get_by_role("button").click()
        expect(page).to_have_url(re.compile(r"/accounts/password/reset/done/$"))
        visit(journey, page, "password-reset-sent")
        link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", mail.outbox[-1].body).group(0)
        page.goto(url + urlsplit(link).path)
        expect(page.locator("#id_password1")).to_be_visible()
        visit(journey, page, "password-reset-new")
        page.locator("#id_password1").fill(PASSWORD + " again")
        page.locator("#id_password2").fill(PASSWORD + " again")
        page.locator("main form").get_by_role("button").click()
        expect(page).to_have_url(re.compile(r"/accounts/password/reset/key/done/$"))
        visit(journey, page, "password-reset-done")

        # Logged in: an empty dashboard, the profile, the password change, a 403.
        page.goto(url + "/accounts/login/")
        page.get_by_label("Username").fill(learner.username)
        page.get_by_label("Password").fill(PASSWORD + " again")
        page.locator("main form").get_by_role("button", name="Log in").click()
        page.goto(url + "/dashboard/")
        expect(page.get_by_role("heading", name="You are not enrolled in any course yet")).to_be_visible()
        visit(journey, page, "dashboard-empty")
        page.goto(url + "/accounts/profile/")
        expect(page.get_by_label("Legal name")).to_have_value("Priya Natarajan")
        visit(journey, page, "profile")
        page.goto(url + "/accounts/password/change/")
        visit(journey, page, "password-change")
        page.goto(url + "/accounts/confirm-email/")
        expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
        visit(journey, page, "verification-sent", "the verification e-mail was sent")
        assert page.goto(url + "/__e2e__/403/").status == 403
        expect(page.locator("main")).to_contain_text("Priya Natarajan")
        visit(journey, page, "403-learner", "403 for a logged-in learner")
        page.locator(".site-nav").get_by_role("button", name="Log out").click()
        expect(page).to_have_url(url + "/")  # LOGOUT_REDIRECT_URL: the home page, logged out
        expect(page.locator(".site-nav").get_by_role("link", name="Log in")).to_be_visible()
    assert not problems, problems
