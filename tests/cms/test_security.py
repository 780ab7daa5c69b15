"""Security: the Content-Security-Policy, no inline code, log-in lockout, rate limits, request and
upload limits, sanitised imports, frame and cookie headers, and `check --deploy` on production settings."""

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
import time_machine
from allauth.account.forms import default_token_generator as reset_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PILImage

from cms.models import User
from cms.security import SiteCSPMiddleware, client_ip
from courses.models import Enrollment
from quizzes.services import attempt_start
from tests.cms.test_pages import INLINE_SCRIPT
from tests.factories import MuscleFactory, RedFlagFactory, UserFactory
from tests.quizzes import factories as qf

BASE_DIR = Path(settings.BASE_DIR)
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
pytestmark = pytest.mark.django_db

STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style\b", re.IGNORECASE)


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()  # rate-limit counters
    yield
    cache.clear()


@pytest.fixture
def quiz_world(course, modules, learner):
    zones = qf.zones_create()
    qf.every_kind(modules[0], zones)  # the body map included
    quiz = qf.quiz_create(course, modules[0], title="Quiz: part 1")
    Enrollment.objects.create(user=learner, course=course)
    attempt = attempt_start(user=learner, quiz=quiz)
    return quiz, attempt


@pytest.fixture
def learner_pages(course, modules, learner, quiz_world):
    """(url, who) of every learner-facing page; who logs in first (None: anonymous)."""
    quiz, attempt = quiz_world
    MuscleFactory(name="Psoas major", slug="psoas-major")
    RedFlagFactory(slug="saddle-anaesthesia")
    return [
        ("/", None),
        ("/courses/", None),
        (course.url, None),
        (modules[0].url, None),
        (reverse("content:muscle_list"), None),
        (reverse("content:muscle_list") + "?q=psoas", None),
        (reverse("content:muscle_detail", args=["psoas-major"]), None),
        (reverse("content:red_flag_list"), None),
        (reverse("account_login"), None),
        (reverse("account_signup"), None),
        (reverse("account_reset_password"), None),
        (reverse("courses:certificate_lookup"), None),
        ("/no-such-page/", None),
        (course.url, learner),
        (modules[0].url, learner),
        (reverse("dashboard"), learner),
        (reverse("profile"), learner),
        (reverse("quizzes:quiz_intro", args=[quiz.pk]), learner),
        (reverse("quizzes:attempt_take", args=[attempt.pk]), learner),
        (reverse("courses:transcript"), learner),
        (reverse("courses:renewals"), learner),
        (reverse("courses:renewal_credential_add"), learner),
        (reverse("courses:renewal_outside_add"), learner),
    ]


# --------------------------------------------------------------------------- Content-Security-Policy


def test_learner_pages_send_the_strict_policy(client, learner_pages):
    for url, who in learner_pages:
        if who:
            client.force_login(who)
        response = client.get(url)
        assert response.status_code in (200, 404), url
        policy = csp_directives(response)
        assert policy["default-src"] == ["'self'"], url
        assert policy["script-src"] == ["'self'"], url
        assert policy["style-src"] == ["'self'"], url
        assert policy["img-src"] == ["'self'", "data:"], url
        assert policy["object-src"] == ["'none'"], url
        assert policy["frame-ancestors"] == ["'none'"], url
        assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"], url
        assert response["X-Frame-Options"] == "DENY", url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "same-origin", url


def test_no_page_needs_unsafe_inline(client, learner_pages):
    """Under a policy without 'unsafe-inline', inline scripts, style="" attributes and <style> blocks
    would be blocked by the browser: the learner pages have none."""
    for url, who in learner_pages:
        if who:
            client.force_login(who)
        html = client.get(url).content.decode()
        assert "<script" in html, url  # the site's scripts are there, from files
        assert INLINE_SCRIPT.findall(html) == [], url
        assert STYLE_ATTRIBUTE.findall(html) == [], url
        assert STYLE_BLOCK.findall(html) == [], url
        assert not re.search(r"\son[a-z]+\s*=", html, re.IGNORECASE), url  # onclick= etc.
        assert "javascript:" not in html, url


def test_quiz_result_and_error_pages_have_no_inline_code(client, learner, quiz_world):
    _, attempt = quiz_world
    client.force_login(learner)
    result = client.post(reverse("quizzes:attempt_submit", args=[attempt.pk]), follow=True)
    assert result.status_code == 200 and "Content-Security-Policy" in result
    over = {"signup": "1/h"}
    with override_settings(RATELIMIT_ENABLE=True, RATE_LIMITS={**settings.RATE_LIMITS, **over}):
        client.logout()
        client.post(reverse("account_signup"))
        limited = client.post(reverse("account_signup"))
    assert limited.status_code == 429
    for response in (result, limited):
        html = response.content.decode()
        assert INLINE_SCRIPT.findall(html) == [] and not STYLE_ATTRIBUTE.search(html)


def test_the_admin_gets_its_own_relaxed_policy(client, instructor):
    anonymous = csp_directives(client.get(reverse("wagtailadmin_login")))
    client.force_login(instructor)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    policy = csp_directives(response)
    for directives in (anonymous, policy):
        assert "'unsafe-inline'" in directives["script-src"]  # Wagtail writes inline scripts
        assert directives["frame-ancestors"] == ["'self'"]  # the editor frames its own previews
        assert directives["default-src"] == ["'self'"] and directives["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"  # Wagtail's preview view relaxes this itself


def test_wagtail_previews_get_the_admin_policy():
    """Wagtail renders a preview by sending a dummy request for the page's own URL through the middleware."""
    middleware = SiteCSPMiddleware(lambda request: HttpResponse("page"))
    site_request = RequestFactory().get("/courses/")
    preview_request = RequestFactory().get("/courses/")
    preview_request.is_dummy = True
    assert "frame-ancestors 'none'" in middleware(site_request)["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in middleware(preview_request)["Content-Security-Policy"]


def test_the_page_editor_preview_is_framed_by_the_admin(client, modules, assigned_instructor):
    client.force_login(assigned_instructor)
    module = modules[0]
    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=[module.pk])
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[module.pk]))
    assert edit.status_code == 200
    form_data = {"title": "Edited", "slug": module.slug, "body-count": "0", "summary": "", "body": "[]"}
    client.post(preview_url, form_data)
    response = client.get(preview_url, {"in_preview_panel": "true"})
    assert response.status_code == 200
    assert "<title>Edited · Bodywork CE</title>" in response.content.decode()  # the edited page, rendered
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert response.get("X-Frame-Options", "SAMEORIGIN") == "SAMEORIGIN"


# --------------------------------------------------------------------------- log-in lockout (django-axes)


def _log_in(client, username, password, **extra):
    return client.post(reverse("account_login"), {"login": username, "password": password}, **extra)


def test_five_wrong_passwords_lock_that_username_from_that_address(client, learner):
    for _ in range(4):
        response = _log_in(client, learner.username, "wrong password")
        assert response.status_code == 200  # the form again, with its error
    locked = _log_in(client, learner.username, "wrong password")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Log-in paused" in html and "15 minutes" in html and "css/site.css" in html
    assert INLINE_SCRIPT.findall(html) == []
    # now even the right password is refused, from this address
    assert _log_in(client, learner.username, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    # the same username from another address, and another username from this one, are not locked
    assert _log_in(client, learner.username, PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 302
    client.logout()
    other = UserFactory()
    assert _log_in(client, other.username, PASSWORD).status_code == 302


def test_the_lockout_ends_after_fifteen_minutes(client, learner):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            _log_in(client, learner.username, "wrong password")
        assert _log_in(client, learner.username, PASSWORD).status_code == 429
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert _log_in(client, learner.username, PASSWORD).status_code == 429
    with time_machine.travel(
        start + timedelta(minutes=14 + 16), tick=False
    ):  # the last try restarted the clock
        response = _log_in(client, learner.username, PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")


def test_the_admin_log_in_is_throttled_too(client, instructor):
    url = reverse("wagtailadmin_login")
    for _ in range(5):
        client.post(url, {"username": instructor.username, "password": "wrong password"})
    response = client.post(url, {"username": instructor.username, "password": PASSWORD})
    assert response.status_code == 429 and "Log-in paused" in response.content.decode()


def test_a_password_reset_ends_the_lockout(client, learner):
    for _ in range(5):
        _log_in(client, learner.username, "wrong password")
    assert _log_in(client, learner.username, PASSWORD).status_code == 429
    token = reset_token_generator.make_token(learner)
    key_url = reverse(
        "account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(learner), "key": token}
    )
    confirm = client.get(key_url, follow=True)
    new_password = "a brand new pass phrase 7"
    done = client.post(confirm.redirect_chain[-1][0], {"password1": new_password, "password2": new_password})
    assert done.status_code == 302
    assert _log_in(client, learner.username, new_password).status_code == 302


def test_a_successful_log_in_clears_earlier_failures(client, learner):
    for _ in range(4):
        _log_in(client, learner.username, "wrong password")
    assert _log_in(client, learner.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert _log_in(client, learner.username, "wrong password").status_code == 200
    assert _log_in(client, learner.username, PASSWORD).status_code == 302


def test_one_address_trying_many_usernames_is_locked_out(client, learner):
    """Password spraying: one wrong password for each of 30 usernames from one address. Each pair stays
    under axes' limit of 5; the address's budget across usernames (20) does not."""
    with limits(login_failures="20/15m"):
        statuses = [_log_in(client, f"someone{n}", "wrong password").status_code for n in range(30)]
        assert statuses[:20] == [200] * 20  # the form again, with its error
        assert set(statuses[20:]) == {429}
        refused = _log_in(client, learner.username, PASSWORD)  # even a right password, from here
        assert refused.status_code == 429 and "_auth_user_id" not in client.session
        html = refused.content.decode()
        assert "Log-in paused" in html and "for several accounts" in html
        assert _log_in(client, learner.username, PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 302


def test_a_few_wrong_passwords_for_each_of_several_users_add_up(client):
    """6 real users × 4 wrong passwords from one address: never 5 for one user, 24 for the address."""
    users = UserFactory.create_batch(6)
    with limits(login_failures="20/15m"):
        statuses = [
            _log_in(client, u.username, "wrong password").status_code for u in users for _ in range(4)
        ]
        assert 429 in statuses and statuses.index(429) == 20
        # a log-in of one's own account does not clear the address's budget
        assert _log_in(client, users[0].username, PASSWORD).status_code == 429


def test_the_address_budget_ends_with_its_window(client, learner):
    start = timezone.now()
    with limits(login_failures="3/15m"):
        with time_machine.travel(start, tick=False):
            for n in range(4):
                _log_in(client, f"someone{n}", "wrong password")
            assert _log_in(client, learner.username, PASSWORD).status_code == 429
        with time_machine.travel(start + timedelta(minutes=16), tick=False):
            assert _log_in(client, learner.username, PASSWORD).status_code == 302


def test_the_per_user_lockout_does_not_follow_the_user_to_other_addresses(client, learner):
    """A username is locked per address, as before: strangers elsewhere cannot lock its owner out."""
    with limits():
        for n in range(6):
            for _ in range(5):
                _log_in(client, learner.username, "wrong password", REMOTE_ADDR=f"198.51.100.{n + 1}")
        assert _log_in(client, learner.username, PASSWORD, REMOTE_ADDR="198.51.100.1").status_code == 429
        assert _log_in(client, learner.username, PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 302


def test_sessions_and_log_ins_work_with_the_first_backend(client, learner):
    """A session naming AUTHENTICATION_BACKENDS[0] (as bench/quiz_submit.py writes them), force_login
    and Client.login (given a request, as axes needs) all load the user."""
    session = SessionStore()
    session[SESSION_KEY] = str(learner.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = learner.get_session_auth_hash()
    session.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    assert client.get(reverse("dashboard")).status_code == 200
    client.logout()
    client.force_login(learner)
    assert client.get(reverse("dashboard")).status_code == 200
    client.logout()
    assert client.login(request=RequestFactory().post("/"), username=learner.username, password=PASSWORD)
    assert client.get(reverse("dashboard")).status_code == 200


# --------------------------------------------------------------------------- rate limits


def limits(**rates):
    return override_settings(RATELIMIT_ENABLE=True, RATE_LIMITS={**settings.RATE_LIMITS, **rates})


def _signup_data(n):
    return {
        "username": f"new{n}",
        "email": f"new{n}@example.com",
        "legal_name": f"New Learner {n}",
        "learner_status": "licensed",
        "license_number": f"MT-{n}",
        "license_state": "NC",
        "password1": "a long pass phrase 42",
        "password2": "a long pass phrase 42",
    }


def test_sign_up_is_rate_limited_per_address(client):
    with limits(signup="3/h"):
        for n in range(3):
            assert client.post(reverse("account_signup"), _signup_data(n)).status_code == 302
            client.logout()
        refused = client.post(reverse("account_signup"), _signup_data(99))
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) > 0
        html = refused.content.decode()
        assert "Please wait a little" in html and "css/site.css" in html
        assert not User.objects.filter(username="new99").exists()
        assert client.get(reverse("account_signup")).status_code == 200  # reading the form is not limited
        other_address = client.post(reverse("account_signup"), _signup_data(100), REMOTE_ADDR="198.51.100.7")
        assert other_address.status_code == 302


def test_the_limit_window_passes(client):
    start = timezone.now().replace(minute=0, second=1)
    with limits(signup="1/h"):
        with time_machine.travel(start, tick=False):
            client.post(reverse("account_signup"), {})
            assert client.post(reverse("account_signup"), {}).status_code == 429
        with time_machine.travel(start + timedelta(hours=1), tick=False):
            assert client.post(reverse("account_signup"), {}).status_code == 200  # the form, with its errors


def test_password_reset_is_rate_limited_per_address_and_per_email(client, learner):
    url = reverse("account_reset_password")
    with limits(password_reset="2/h"):
        for n in range(2):
            assert client.post(url, {"email": f"someone{n}@example.com"}).status_code == 302
        refused = client.post(url, {"email": "someone-else@example.com"})
        assert refused.status_code == 429 and "password reset" in refused.content.decode()
        # one e-mail address asked for from many addresses: limited by the address it is sent to
        for n in range(2):
            response = client.post(url, {"email": learner.email.upper()}, REMOTE_ADDR=f"198.51.100.{n + 1}")
            assert response.status_code == 302
        assert client.post(url, {"email": learner.email}, REMOTE_ADDR="198.51.100.50").status_code == 429
        assert len(mail.outbox) == 2 and mail.outbox[0].to == [learner.email]


def test_the_admin_password_reset_is_rate_limited_too(client):
    url = reverse("wagtailadmin_password_reset")
    assert url == "/admin/password_reset/"
    with limits(password_reset="1/h"):
        assert client.post(url, {"email": "a@example.com"}).status_code == 302
        assert client.post(url, {"email": "b@example.com"}).status_code == 429


def test_client_address_behind_trusted_proxies(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"  # no proxy trusted: the header is the client's to forge
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.5"  # the address our proxy saw, not the forged left part
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.2"  # fewer entries than proxies: fall back
    garbage = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-ip")
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(garbage) == "10.0.0.2"


# --------------------------------------------------------------------------- request and upload limits


@pytest.mark.parametrize("name", ["account_login", "account_signup", "account_reset_password"])
def test_an_oversized_form_post_is_a_400_not_a_500(client, name):
    body = "x=" + "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1024)
    with limits():
        response = client.post(reverse(name), body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (400, 413)


def test_too_many_form_fields_is_a_400(client):
    body = "&".join(f"f{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = client.post(reverse("account_signup"), body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


def _png(size=(40, 40)):
    buffer = BytesIO()
    PILImage.new("RGB", size, "#2f6f68").save(buffer, format="PNG")
    return buffer.getvalue()


def _image_form(upload):
    from wagtail.images import get_image_model
    from wagtail.images.forms import get_image_form

    form_class = get_image_form(get_image_model())
    return form_class({"title": "Upload"}, {"file": upload})


def test_image_uploads_are_limited_in_type(db):
    svg = SimpleUploadedFile(
        "diagram.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        content_type="image/svg+xml",
    )
    form = _image_form(svg)
    assert not form.is_valid() and "file" in form.errors
    assert "svg" not in settings.WAGTAILIMAGES_EXTENSIONS
    assert _image_form(SimpleUploadedFile("ok.png", _png(), content_type="image/png")).is_valid()


def test_image_uploads_are_limited_in_size(db, settings):
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 1024
    form = _image_form(
        SimpleUploadedFile("big.png", _png((400, 400)) + b"\0" * 2048, content_type="image/png")
    )
    assert not form.is_valid() and "file" in form.errors
    assert settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS <= 50_000_000


def test_article_import_refuses_large_files_and_other_types(client, instructor, course):
    from content.importer import MAX_ARTICLE_BYTES

    client.force_login(instructor)
    url = reverse("content_article_import")
    big = SimpleUploadedFile("article.txt", b"a" * (MAX_ARTICLE_BYTES + 1), content_type="text/plain")
    response = client.post(url, {"course": course.pk, "file": big})
    assert response.status_code == 200 and "too large" in response.content.decode()
    exe = SimpleUploadedFile("article.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = client.post(url, {"course": course.pk, "file": exe})
    assert response.status_code == 200 and "Unsupported file type" in response.content.decode()


# --------------------------------------------------------------------------- sanitised rich text


HOSTILE_ARTICLE = b"""<html><head><title>Psoas notes</title>
<link rel="canonical" href="javascript:alert(1)"></head><body>
<h1>Psoas notes</h1>
<p onclick="alert(1)">The psoas <b onmouseover="x()">major</b> <a href="javascript:alert(2)">flexes</a> the hip.
<img src="x" onerror="alert(3)"> <script>alert(4)</script><iframe src="https://evil.example"></iframe></p>
<p style="color:red">It inserts on the <a href="https://example.com/femur" target="_blank" onclick="y()">lesser trochanter</a>.</p>
<svg><script>alert(5)</script></svg><object data="x.swf"></object>
</body></html>"""


def test_imported_html_keeps_only_the_rich_text_vocabulary():
    from content.importer import article_body, parse_article

    article = parse_article(HOSTILE_ARTICLE, "notes.html")
    body = json.dumps(article_body(article))
    for forbidden in (
        "<script",
        "onclick",
        "onmouseover",
        "onerror",
        "javascript:",
        "<iframe",
        "<img",
        "<svg",
        "<object",
        "style=",
        "target=",
    ):
        assert forbidden not in body.lower(), forbidden
    assert 'href=\\"https://example.com/femur\\"' in body  # a plain http(s) link survives
    assert "alert(4)" not in body


def test_templates_never_mark_user_input_safe():
    """|safe and autoescape off bypass Django's escaping: none in the site's HTML templates
    (the plain-text e-mail body is the one exception)."""
    allowed: set[str] = set()
    offenders = []
    for path in (BASE_DIR / "templates").rglob("*.html"):
        relative = path.relative_to(BASE_DIR / "templates").as_posix()
        text = path.read_text()
        if relative not in allowed and ("|safe" in text or "autoescape off" in text):
            offenders.append(relative)
    assert offenders == []


# --------------------------------------------------------------------------- production settings


def _production_env(**extra):
    dropped = (
        "DATABASE_URL",
        "REDIS_URL",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    )  # the last is set by tests/conftest.py
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "cms.settings.production",
            "SECRET_KEY": "x7#Lq!9vR2@mZ4$wT8^kP1&nB6*hJ3(cF5)dG0-sY_eU+aV=iO~lN|rX;Q:bM",
            "ALLOWED_HOSTS": "example.com",
            "DATABASE_URL": "sqlite:////tmp/bodywork-deploy-check.sqlite3",
        }
    )
    env.update(extra)
    return env


def test_deploy_checks_pass_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output and "ERRORS" not in output, output
    assert "no issues" in output


def test_production_settings_secure_cookies_and_transport():
    script = (
        "import json, django; from django.conf import settings as s; django.setup(); print(json.dumps({"
        "'session_secure': s.SESSION_COOKIE_SECURE, 'csrf_secure': s.CSRF_COOKIE_SECURE,"
        "'session_httponly': s.SESSION_COOKIE_HTTPONLY, 'csrf_httponly': s.CSRF_COOKIE_HTTPONLY,"
        "'hsts': s.SECURE_HSTS_SECONDS, 'hsts_sub': s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        "'ssl_redirect': s.SECURE_SSL_REDIRECT, 'proxy_header': s.SECURE_PROXY_SSL_HEADER,"
        "'xfo': s.X_FRAME_OPTIONS, 'referrer': s.SECURE_REFERRER_POLICY, 'debug': s.DEBUG,"
        "'admin_base': s.WAGTAILADMIN_BASE_URL, 'csp': s.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src'],"
        "'backends': s.AUTHENTICATION_BACKENDS, 'axes_limit': s.LOGIN_FAILURE_LIMIT}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["session_secure"] and values["csrf_secure"]
    assert values["session_httponly"] and values["csrf_httponly"]
    assert values["hsts"] >= 31_536_000 and values["hsts_sub"]
    assert values["ssl_redirect"] and values["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["xfo"] == "DENY" and values["referrer"] == "same-origin" and values["debug"] is False
    assert values["admin_base"] == "https://example.com"  # the user bar loads from the site itself
    assert values["csp"] == ["'self'"]
    assert values["backends"][0] == "axes.backends.AxesBackend" and values["axes_limit"] == 5


def test_production_refuses_to_start_without_a_secret_key():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=_production_env(SECRET_KEY=""),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_a_request_without_an_address_logs_in_on_every_database(client, learner):
    """force_login sends no REMOTE_ADDR: axes must store no address rather than a word (PostgreSQL's inet)."""
    from axes.models import AccessLog

    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="")) is None
    client.force_login(learner)
    assert AccessLog.objects.filter(username=learner.username, ip_address__isnull=True).exists()


def test_wagtails_own_front_end_log_in_is_the_sites(client):
    response = client.get(reverse("wagtailcore_login"))
    html = response.content.decode()
    assert response.status_code == 200 and "css/site.css" in html and 'action="/accounts/login/"' in html
    assert INLINE_SCRIPT.findall(html) == [] and "Content-Security-Policy" in response
    assert reverse("account_login") == settings.WAGTAIL_FRONTEND_LOGIN_URL
