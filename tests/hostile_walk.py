"""Every URL the resolver knows, tried by every role with hostile values: nothing may answer 500.

The URL list is read from the project's resolver (Wagtail's admin, snippets and documents, Django's
admin and auth views, the project's own views and Wagtail's page catch-all), so a new view is walked
without being listed here. Each path parameter is filled with each hostile value its converter
accepts (a NUL, 10 kB of text, mixed scripts, invalid UTF-8, integers too large for a bigint, negative,
zero); each view is also opened with its parameters pointing at real objects and hostile query strings,
and sent hostile form data. CI runs this on PostgreSQL, which refuses NUL characters and big integers
where SQLite does not.

One world is built per test module and rolled back after it. The walks are split over test modules
(tests/test_hostile_input*.py) so that `make test`'s processes share them: each role's walk is one test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

from cms.services import site_tree_ensure
from courses import services as course_services
from courses.models import Certificate
from courses.services import course_instructor_assign, enrollment_create
from quizzes.models import Attempt, AttemptStatus, Quiz
from quizzes.services import attempt_start
from tests.courses.certify import course_finish, small_course
from tests.factories import InstructorFactory, MuscleFactory, UserFactory

MIXED = "Ωмя名前اسم"


@dataclass(frozen=True)
class Hostile:
    label: str
    in_url: str  # as written in the URL (percent-encoded where needed)
    seen: str  # as Django's resolver sees it (for matching a converter)


SEGMENTS = [  # an integer converter accepts only the last two
    Hostile("NUL", "%00", "\x00"),
    Hostile("10 kB", "a" * 10_000, "a" * 10_000),
    Hostile("mixed scripts", quote(MIXED), MIXED),
    Hostile("bad UTF-8", "%ff%fe", "%FF%FE"),  # Django re-percent-encodes bytes that are not UTF-8
    Hostile("negative", "-1", "-1"),
    Hostile("bigint + 1", str(2**63), str(2**63)),
    Hostile("zero", "0", "0"),
]
QUERY_STRINGS = [
    "q=%00",
    "page=-1&p=-1&q=" + quote(MIXED * 50),
    "page=99999999999999999999&id=9223372036854775808&ordering=%ff%fe&collection_id=-1&locale=%ff&q=%ff%fe",
]
POST_BODIES = [
    {"q": "\x00", "title": "\x00"},
    dict.fromkeys(
        ("title", "name", "username", "email", "code", "q", "comments", "stem", "slug"), "x" * 10_000
    )
    | {"id": str(2**63), "pk": "-1", "page": "9" * 20, "course": "9" * 20, "user": "0", "next": MIXED},
]
TINY_PDF = b"%PDF-1.4\n%%EOF\n"
ADMIN_ROLES = ("instructor", "superuser")
ADMIN_PREFIXES = ("/admin/", "/django-admin/")

_GROUP = re.compile(r"\((?!\?:)(?:\?P<(?P<name>\w+)>)?")


# --------------------------------------------------------------------------- the resolver


@dataclass(frozen=True)
class Route:
    name: str
    parts: tuple  # (pattern, namespace) per level, outermost first


def all_routes(patterns=None, parents=(), namespace=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        level = (*parents, entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from all_routes(entry.url_patterns, level, inner)
        elif isinstance(entry, URLPattern):
            yield Route(namespace + (entry.name or ""), level)


def _regex_groups(regex: str):
    """(start, end, name, inner) of each top-level capturing group of a route's regex."""
    groups, depth, start, name, inner_start = [], 0, None, None, None
    i = 0
    while i < len(regex):
        char = regex[i]
        if char == "\\":
            i += 2
            continue
        if char == "(":
            if depth == 0:
                match = _GROUP.match(regex, i)
                start, name, inner_start = (
                    i,
                    match["name"] if match else None,
                    match.end() if match else i + 1,
                )
                if not match:  # a non-capturing group at top level: part of the literal text
                    start = None
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0 and start is not None:
                groups.append((start, i + 1, name, regex[inner_start:i]))
                start = None
        i += 1
    return groups


def _literal(regex: str) -> str:
    return regex.replace("^", "").replace("$", "").replace("\\", "")


def _fill_regex(regex: str, value_for) -> str | None:
    out, last = [], 0
    for start, end, name, inner in _regex_groups(regex):
        value = value_for(name, inner)
        if value is None:
            return None
        out += [_literal(regex[last:start]), value]
        last = end
    return "".join(out) + _literal(regex[last:])


_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def _fill_route(pattern, value_for) -> str | None:
    text = str(pattern)
    out, last = [], 0
    for match in _PARAM.finditer(text):
        value = value_for(match["name"], pattern.converters[match["name"]].regex)
        if value is None:
            return None
        out += [text[last : match.start()], value]
        last = match.end()
    return _literal("".join(out) + text[last:])


def build_url(route: Route, value_for) -> str | None:
    """The route's URL with each parameter from value_for(name, regex) (None: no such URL)."""
    pieces = []
    for pattern in route.parts:
        if isinstance(pattern, RegexPattern):
            piece = _fill_regex(str(pattern), value_for)
        else:
            piece = _fill_route(pattern, value_for)
        if piece is None:
            return None
        pieces.append(piece)
    return "/" + "".join(pieces)


def _accepts(regex: str, seen: str) -> bool:
    return re.fullmatch(regex, seen) is not None


def hostile_urls(route: Route) -> set[str]:
    urls = set()
    for hostile in SEGMENTS:

        def value_for(name, regex, hostile=hostile):
            for candidate in (hostile.seen, hostile.seen + "/"):  # "(?:[\w-]+/)*" wants a slash
                if _accepts(regex, candidate):
                    return hostile.in_url + candidate[len(hostile.seen) :]
            return None

        url = build_url(route, value_for)
        if url is not None and url != build_url(route, lambda *_: ""):
            urls.add(url)
    return urls


# --------------------------------------------------------------------------- the world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    private = tmp_path_factory.mktemp("private")
    with (
        pytest.MonkeyPatch.context() as patch,
        django_db_blocker.unblock(),
        transaction.atomic(),
        override_settings(PRIVATE_MEDIA_ROOT=private),
    ):
        patch.setattr(
            course_services, "_pdf_render", lambda certificate: TINY_PDF
        )  # who may fetch it is tested
        yield _world_build()
        transaction.set_rollback(True)


def _world_build() -> dict:
    catalogue = site_tree_ensure()[1]
    learner = UserFactory(username="hostile-learner")
    course, modules = small_course(catalogue, title="Hostile course")
    with TestCase.captureOnCommitCallbacks(execute=True):
        course_finish(learner, course, modules)
    other_course, other_modules = small_course(catalogue, title="Open course")
    open_quiz = Quiz.objects.get(module=other_modules[0])
    enrollment_create(user=learner, course=other_course)
    open_attempt = attempt_start(user=learner, quiz=open_quiz)
    instructor = InstructorFactory(username="hostile-instructor")
    course_instructor_assign(course=course, user=instructor)
    return {
        "learner": learner,
        "instructor": instructor,
        "superuser": UserFactory(username="hostile-admin", is_superuser=True, is_staff=True, groups=[]),
        "ids": {
            "page_id": course.pk,
            "parent_page_id": catalogue.pk,
            "course_id": course.pk,
            "module_id": modules[0].pk,
            "quiz_id": open_quiz.pk,
            "attempt_id": Attempt.objects.filter(user=learner, status=AttemptStatus.SUBMITTED).first().pk,
            "user_id": learner.pk,
            "code": Certificate.objects.get(enrollment__user=learner, enrollment__course=course).code,
            "slug": MuscleFactory(name="Psoas major", slug="psoas-major").slug,
            # allauth's password reset and e-mail verification links, real ones
            "uidb36": user_pk_to_url_str(learner),
            "key": EmailConfirmationHMAC(EmailAddress.objects.get(user=learner)).key,
        },
        "open_attempt": open_attempt.pk,
    }


def _real_value(world, route: Route):
    """value_for that points a route's parameters at real objects (None where it cannot)."""
    snippet = re.match(r"wagtailsnippets_(\w+?)_(\w+):", route.name)

    def value_for(name, regex):
        if name == "pk" and snippet:
            model = apps.get_model(snippet[1], snippet[2])
            first = model.objects.order_by("pk").first()
            return str(first.pk) if first else None
        if name == "pk" and route.name.startswith("wagtailadmin_pages:"):
            return str(world["ids"]["page_id"])
        value = world["ids"].get(name)
        return str(value) if value is not None and _accepts(regex, str(value)) else None

    return value_for


# --------------------------------------------------------------------------- the walk


def _walk_requests(world, role):
    """(method, url, data) of every request of the walk."""
    for hostile in SEGMENTS:  # paths no pattern matches, or only Wagtail's page catch-all
        yield "get", f"/{hostile.in_url}/", None
        yield "get", f"/courses/{hostile.in_url}/", None
    for route in all_routes():
        if route.name == "wagtailadmin_error_test":  # Wagtail's deliberate 500, for testing error pages
            continue
        requests = list(_route_requests(world, route))
        if role not in ADMIN_ROLES and build_url(route, lambda *_: "").startswith(ADMIN_PREFIXES):
            # the admins send anyone else to their log-in page before reading anything: one of each
            requests = list(
                {(method, data is None): (method, url, data) for method, url, data in requests}.values()
            )
        yield from requests


def _route_requests(world, route):
    urls = hostile_urls(route)
    for url in sorted(urls, key=len):
        yield "get", url, None
    if urls:  # one hostile form post per view: its parameters are what the GETs probe
        yield "post", min(urls, key=len), POST_BODIES[1]
    real = build_url(route, _real_value(world, route))
    if real is None:
        return
    for query in QUERY_STRINGS:
        yield "get", f"{real}?{query}", None
    if "delete" not in route.name and "logout" not in route.name:  # a real delete is no probe
        for body in POST_BODIES:
            yield "post", real, body


def _logged_out(client) -> bool:
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return cookie is None or not cookie.value


def _login(client, world, role):
    if role != "anonymous":
        client.force_login(world[role])


def walk(client, world, role) -> None:
    """Every request of the walk as `role`; fails listing each one that answered 5xx."""
    cache.clear()
    client.raise_request_exception = False
    _login(client, world, role)
    failures, tried = [], 0
    for method, url, data in _walk_requests(world, role):
        response = getattr(client, method)(url, data) if data is not None else client.get(url)
        tried += 1
        if response.status_code >= 500:
            error = response.exc_info[1] if getattr(response, "exc_info", None) else ""
            failures.append(f"{method.upper()} {url[:160]} -> {response.status_code} {error!r:.200}")
        if role != "anonymous" and _logged_out(client):
            _login(client, world, role)  # a probe logged us out: keep walking as this role
    assert tried > 500, f"the walk tried only {tried} requests: is the resolver read?"
    assert not failures, f"{len(failures)} of {tried} requests as {role} answered 5xx:\n" + "\n".join(
        failures
    )
