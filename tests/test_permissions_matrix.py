"""Every view tried by everyone: anonymous, the learner who owns the objects, another learner, the
courses' instructor, the instructor of another course and a provider admin.

The URL list is read from the project's URL resolver, so a new view fails
`test_every_url_is_classified` until it gets a row in MATRIX. Each row says the status each
visitor must get (LOGIN = a redirect to the log-in page, REDIRECT = any other redirect) and,
for views that write, what must not have changed. Nothing may answer 500.

Objects belong to the "owner" learner: course A finished with an issued certificate and submitted
quiz attempts; course B enrolled, its module quiz attempt still open. The "other" learner and the
instructors are enrolled in nothing. "instructor" is assigned to courses A and B
(courses.CourseInstructor); "other_instructor" only to course C, where the owner is not enrolled.
"provider_admin" is in the Provider admins group (cms/roles.py): assigned to nothing, sees every course.

The project's own admin views (insight, certificates, course instructors, importer, generator) get
the same treatment in ADMIN_MATRIX, keyed by route: a new one fails `test_every_admin_url_is_classified`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from allauth.account.utils import user_pk_to_url_str
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.test import TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from wagtail.models import Page

from cms.services import site_tree_ensure
from courses.ce_broker_models import CEBrokerExport, CEBrokerReport
from courses.models import (
    Certificate,
    CourseApproval,
    CourseInstructor,
    CoursePage,
    Enrollment,
    EnrollmentCode,
    LearnerOverride,
    ModuleProgress,
)
from courses.renewal_models import Credential, OutsideCertificate
from courses.review_digest import unsubscribe_token
from courses.services import course_instructor_assign
from quizzes.models import (
    Attempt,
    AttemptStatus,
    Question,
    Quiz,
    QuizAllowance,
    Response,
    ReviewCard,
    ReviewPreference,
    Topic,
)
from quizzes.review_services import DeckEntry, deck_add, family_key
from quizzes.services import attempt_start
from tests.courses.certify import course_finish, small_course
from tests.courses.media_clips import caption_document, lesson_video, media_value
from tests.factories import InstructorFactory, MuscleFactory, ProviderAdminFactory, UserFactory, module_create
from tests.shared_db import rolled_back

pytestmark = pytest.mark.heavy  # scheduled first (tests/conftest.py)

LOGIN = "login"  # 302 to the site's log-in page, with ?next=
REDIRECT = "redirect"  # 302 anywhere else
ROLES = ("anonymous", "owner", "other", "instructor", "other_instructor", "provider_admin")
ADMIN_ROLES = ("instructor", "other_instructor", "provider_admin")  # the rest get the admin's log-in

# Top-level URL prefixes served by Wagtail's or Django's own admin and documents apps: tested below
# through the admin tests, not row by row. Wagtail's page catch-all is tested through PAGES.
THIRD_PARTY_PREFIXES = ("django-admin/", "admin/", "documents/")


@dataclass
class World:
    owner: object
    other: object
    instructor: object
    other_instructor: object
    provider_admin: object
    course_a: object
    course_b: object
    modules_b: list
    quiz_b: object
    open_attempt: object
    submitted_attempt: object
    certificate: object
    muscle: object
    draft_module: object
    course_c: object
    assignment: object
    video: object
    captions: object
    review_card: object


@dataclass
class Case:
    expect: dict[str, int | str]  # role -> status, LOGIN or REDIRECT
    kwargs: Callable[[World], dict] = lambda w: {}
    method: str = "get"
    data: dict = field(default_factory=dict)
    get_status: int | None = None  # POST-only views: what a GET gets (405), from everyone
    secret: Callable[[World], str] | None = None  # owner's data no one else may see in the page
    unchanged: Callable[[World], object] | None = None  # state that only the owner may change

    def __post_init__(self):
        assert set(self.expect) == set(ROLES), self.expect


def everyone(status):
    return dict.fromkeys(ROLES, status)


def logged_in(status, anonymous=LOGIN):
    return {
        "anonymous": anonymous,
        "owner": status,
        "other": status,
        "instructor": status,
        "other_instructor": status,
        "provider_admin": status,
    }


def owner_only(owner=200, others=404, anonymous=LOGIN):
    return {
        "anonymous": anonymous,
        "owner": owner,
        "other": others,
        "instructor": others,
        "other_instructor": others,
        "provider_admin": others,
    }


def _attempt_state(world):
    world.open_attempt.refresh_from_db()
    return world.open_attempt.status, world.open_attempt.responses.count()


def _others_progress(world):
    return ModuleProgress.objects.exclude(enrollment__user=world.owner).count()


def _others_attempts(world):
    return Attempt.objects.exclude(user=world.owner).count()


def _owners_review_choice(world):
    return list(ReviewPreference.objects.filter(user=world.owner).values_list("digest", flat=True))


def _reset_uid(world):
    return user_pk_to_url_str(world.owner)


def _owner_credential(world):
    """The owner's Florida license to renew (made on first use: each test's writes roll back)."""
    credential, _ = Credential.objects.get_or_create(
        user=world.owner,
        kind="FL",
        defaults={"license_number": "MA-OWNER-CRED", "renewal_date": "2027-08-31"},
    )
    return credential


def _owner_upload(world):
    upload = OutsideCertificate.objects.filter(user=world.owner).first()
    if upload is None:
        upload = OutsideCertificate(
            user=world.owner,
            title="Owner's outside course",
            provider_name="Elsewhere",
            completed_on="2026-01-05",
            hours=3,
        )
        upload.file.save("owner.pdf", ContentFile(b"%PDF-1.4 owner"), save=True)
    return upload


def _renewal_records(world):
    return Credential.objects.count(), OutsideCertificate.objects.count()


MATRIX: dict[str, Case] = {
    # ---- knowledge base: public
    "content:muscle_list": Case(everyone(200)),
    "content:red_flag_list": Case(everyone(200)),
    "content:muscle_detail": Case(everyone(200), kwargs=lambda w: {"slug": w.muscle.slug}),
    # ---- courses
    "courses:enroll": Case(
        logged_in(REDIRECT), kwargs=lambda w: {"course_id": w.course_b.pk}, method="post", get_status=405
    ),
    "courses:module_complete": Case(
        logged_in(REDIRECT),
        kwargs=lambda w: {"module_id": w.modules_b[1].pk},
        method="post",
        get_status=405,
        unchanged=_others_progress,
    ),
    # the module page's study clock: only an enrolled learner on a module open to them; JSON answers
    "courses:module_study": Case(
        {
            "anonymous": 401,
            "owner": 200,
            "other": 403,
            "instructor": 403,
            "other_instructor": 403,
            "provider_admin": 403,
        },
        kwargs=lambda w: {"module_id": w.modules_b[0].pk},
        method="post",
        get_status=405,
        unchanged=_others_progress,
    ),
    # lesson video and captions (courses/media_views.py): those who may read the module (its enrolled
    # learner, staff who read every module); anyone else "not found", never a public file
    "courses:lesson_media": Case(
        {
            "anonymous": 404,
            "owner": 200,
            "other": 404,
            "instructor": 200,
            "other_instructor": 200,
            "provider_admin": 200,
        },
        kwargs=lambda w: {"module_id": w.modules_b[0].pk, "media_id": w.video.pk},
    ),
    "courses:lesson_media_captions": Case(
        {
            "anonymous": 404,
            "owner": 200,
            "other": 404,
            "instructor": 200,
            "other_instructor": 200,
            "provider_admin": 200,
        },
        kwargs=lambda w: {
            "module_id": w.modules_b[0].pk,
            "media_id": w.video.pk,
            "document_id": w.captions.pk,
        },
    ),
    # the admin Media library's link to a file: staff only
    "courses:lesson_media_file": Case(
        {
            "anonymous": 404,
            "owner": 404,
            "other": 404,
            "instructor": 200,
            "other_instructor": 200,
            "provider_admin": 200,
        },
        kwargs=lambda w: {"media_id": w.video.pk},
    ),
    "courses:evaluation": Case(
        owner_only(200, others=REDIRECT), kwargs=lambda w: {"course_id": w.course_b.pk}
    ),
    "dashboard": Case(logged_in(200), secret=lambda w: w.certificate.code),
    "courses:transcript": Case(logged_in(200), secret=lambda w: w.certificate.code),
    "courses:transcript_csv": Case(logged_in(200), secret=lambda w: w.certificate.code),
    "courses:transcript_pdf": Case(logged_in(200)),
    # the owner, the course's instructor (courses.view_certificate + assigned) and provider-wide staff:
    # not another course's instructor
    "courses:certificate_download": Case(
        {**owner_only(200), "instructor": 200, "provider_admin": 200},
        kwargs=lambda w: {"code": w.certificate.code},
    ),
    # anyone may verify a certificate (that is its purpose) or look one up
    "courses:certificate_verify": Case(everyone(200), kwargs=lambda w: {"code": w.certificate.code}),
    "courses:certificate_lookup": Case(everyone(200)),
    # renewal tracking (issue 15): every learner has their own page and forms; another's credential or
    # uploaded certificate is "not found" to everyone else, staff included
    "courses:renewals": Case(
        logged_in(200), kwargs=lambda w: _owner_credential(w) and {}, secret=lambda w: "MA-OWNER-CRED"
    ),
    "courses:renewal_credential_add": Case(logged_in(200)),
    "courses:renewal_credential_delete": Case(
        owner_only(REDIRECT),
        kwargs=lambda w: {"credential_id": _owner_credential(w).pk},
        method="post",
        get_status=405,
        unchanged=_renewal_records,
    ),
    "courses:renewal_outside_add": Case(logged_in(200)),
    "courses:renewal_outside_file": Case(
        owner_only(200), kwargs=lambda w: {"upload_id": _owner_upload(w).pk}
    ),
    "courses:renewal_outside_delete": Case(
        owner_only(REDIRECT),
        kwargs=lambda w: {"upload_id": _owner_upload(w).pk},
        method="post",
        get_status=405,
        unchanged=_renewal_records,
    ),
    # the learner's certificate page and its Open Badge (courses/badge_views.py): the owner's alone, staff
    # included (they have the admin's certificate pages); anyone else's code is "not found"
    "courses:certificate_detail": Case(owner_only(200), kwargs=lambda w: {"code": w.certificate.code}),
    "courses:badge_json": Case(owner_only(200), kwargs=lambda w: {"code": w.certificate.code}),
    "courses:badge_jwt": Case(owner_only(200), kwargs=lambda w: {"code": w.certificate.code}),
    # public by design: the JSON check (no license number in it), the provider's public key, the revocation list
    "courses:certificate_api": Case(
        everyone(200), kwargs=lambda w: {"code": w.certificate.code}, secret=lambda w: w.owner.license_number
    ),
    "courses:badge_jwks": Case(everyone(200)),
    "courses:badge_did": Case(everyone(200)),
    "courses:badge_status_list": Case(everyone(200)),
    # ---- quizzes: attempts are the owner's; another learner's attempt does not exist for anyone else
    "quizzes:quiz_intro": Case(logged_in(200), kwargs=lambda w: {"quiz_id": w.quiz_b.pk}),
    "quizzes:quiz_start": Case(
        logged_in(REDIRECT),
        kwargs=lambda w: {"quiz_id": w.quiz_b.pk},
        method="post",
        get_status=405,
        unchanged=_others_attempts,
    ),
    "quizzes:attempt_take": Case(owner_only(200), kwargs=lambda w: {"attempt_id": w.open_attempt.pk}),
    "quizzes:attempt_autosave": Case(
        owner_only(REDIRECT),
        kwargs=lambda w: {"attempt_id": w.open_attempt.pk},
        method="post",
        get_status=405,
        unchanged=_attempt_state,
    ),
    "quizzes:attempt_submit": Case(
        owner_only(REDIRECT),
        kwargs=lambda w: {"attempt_id": w.open_attempt.pk},
        method="post",
        get_status=405,
        unchanged=_attempt_state,
    ),
    "quizzes:attempt_result": Case(owner_only(200), kwargs=lambda w: {"attempt_id": w.submitted_attempt.pk}),
    # ---- accounts: the site's profile, and django-allauth's views (cms/account_urls.py)
    "profile": Case(logged_in(200), secret=lambda w: w.owner.license_number),
    "profile_export": Case(logged_in(200), secret=lambda w: w.owner.license_number),
    "account_verification_resend": Case(logged_in(REDIRECT), method="post", get_status=405),
    "account_signup": Case({**logged_in(REDIRECT), "anonymous": 200}),
    "account_login": Case({**logged_in(REDIRECT), "anonymous": 200}),
    "wagtailcore_login": Case(everyone(200)),  # Wagtail's log-in for private pages (the site's template)
    "account_logout": Case(everyone(REDIRECT), method="post", get_status=405),
    "account_inactive": Case(everyone(200)),
    "account_email": Case(logged_in(200), secret=lambda w: w.owner.email),
    "account_email_verification_sent": Case(everyone(200)),
    "account_confirm_email": Case(everyone(200), kwargs=lambda w: {"key": "not-a-key"}),
    "account_change_password": Case(logged_in(200)),
    "account_set_password": Case(logged_in(REDIRECT)),  # everyone here has a password: to "change"
    "account_reauthenticate": Case(logged_in(200)),
    "account_request_reauthentication_code": Case(logged_in(200)),  # a code to one's own address
    "account_confirm_reauthentication_code": Case(logged_in(REDIRECT)),  # no code asked for
    # no log-in code asked for (log-in by code is off): back to the log-in page, without a next
    "account_confirm_login_code": Case({**logged_in(REDIRECT), "anonymous": 302}),
    "account_reset_password": Case(everyone(200)),
    "account_reset_password_done": Case(everyone(200)),
    "account_reset_password_from_key": Case(
        everyone(200), kwargs=lambda w: {"uidb36": _reset_uid(w), "key": "bad-token"}
    ),
    "account_reset_password_from_key_done": Case(everyone(200)),
    "wagtailadmin_password_reset": Case(everyone(200)),  # the admin's own form, rate-limited by cms/urls.py
    # group enrollment: a learner redeems a code on the course's page; an invitation link (here a bad one)
    "courses:code_redeem": Case(logged_in(200), kwargs=lambda w: {"course_id": w.course_b.pk}),
    "account_invitation": Case(everyone(200), kwargs=lambda w: {"uidb64": "MQ", "token": "not-a-token"}),
    # ---- spaced review (courses/review_views.py): each learner's own deck; a card is its owner's only
    "review:home": Case(logged_in(200), secret=lambda w: w.review_card.label),
    "review:next": Case(logged_in(REDIRECT)),
    "review:card": Case(owner_only(200), kwargs=lambda w: {"card_id": w.review_card.pk}),
    "review:digest": Case(
        logged_in(REDIRECT),
        method="post",
        data={"digest": "on"},
        get_status=405,
        unchanged=_owners_review_choice,
    ),
    # the signed link of the digest e-mail: one click, no log-in (it only switches that e-mail off)
    "review:unsubscribe": Case(everyone(200), kwargs=lambda w: {"token": unsubscribe_token(w.owner)}),
    "healthz": Case(everyone(200)),
    "readyz": Case(everyone(200)),  # each service answers in the tests (locmem cache, memory broker)
}

# Wagtail pages (served by the catch-all): url builder -> statuses.
PAGES: dict[str, tuple[Callable[[World], str], dict]] = {
    "home": (lambda w: "/", everyone(200)),
    "catalogue": (lambda w: "/courses/", everyone(200)),
    "course": (lambda w: w.course_a.url, everyone(200)),
    "module": (lambda w: w.modules_b[0].url, everyone(200)),
    "draft module": (
        lambda w: w.draft_module.get_url() or f"{w.course_b.url}{w.draft_module.slug}/",
        everyone(404),
    ),
}


# --------------------------------------------------------------------------- the resolver


def project_url_names(patterns=None, namespace="", prefix=""):
    """(name, route) of every named URL of the project's own urlconfs, Django's auth views included."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if not prefix and route.startswith(THIRD_PARTY_PREFIXES):
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += project_url_names(entry.url_patterns, inner, route)
        elif isinstance(entry, URLPattern):
            if _is_wagtail_serve(entry):
                continue
            assert entry.name, f"URL {route} has no name: give it one and a row in MATRIX"
            found.append((namespace + entry.name, route))
    return found


def _is_wagtail_serve(entry) -> bool:
    return getattr(entry.callback, "__module__", "") == "wagtail.views"


def test_every_url_is_classified():
    names = {name for name, _ in project_url_names()}
    unclassified = sorted(names - set(MATRIX))
    stale = sorted(set(MATRIX) - names)
    assert not unclassified, f"New URLs without a row in MATRIX (who may open them?): {unclassified}"
    assert not stale, f"MATRIX rows for URLs that no longer exist: {stale}"


def test_the_introspection_sees_every_app():
    routes = dict(project_url_names())
    assert routes["content:muscle_list"] == "anatomy/"
    assert routes["quizzes:attempt_take"].startswith("attempts/")
    assert routes["account_reset_password_from_key"].startswith("accounts/")
    assert not any(
        name.startswith("wagtailadmin_") and name != "wagtailadmin_password_reset" for name in routes
    )


# --------------------------------------------------------------------------- the world


def _world_build(catalogue):
    owner = UserFactory(username="owner", license_number="MT-OWNER-77")
    course_a, modules_a = small_course(catalogue, title="Course A")
    with TestCase.captureOnCommitCallbacks(execute=True):
        enrollment_a = course_finish(owner, course_a, modules_a)
    certificate = Certificate.objects.get(enrollment=enrollment_a)
    assert certificate.status == Certificate.Status.ISSUED

    course_b, modules_b = small_course(catalogue, title="Course B")
    video, captions = lesson_video(), caption_document()
    modules_b[0].body.append(("media", media_value(video, captions=[captions])))
    modules_b[0].save()
    Enrollment.objects.create(user=owner, course=course_b)
    quiz_b = Quiz.objects.get(module=modules_b[0])
    open_attempt = attempt_start(user=owner, quiz=quiz_b)
    draft = module_create(course_b, title="Unpublished part", live=False)
    course_c, _ = small_course(catalogue, title="Course C")
    instructor, other_instructor = (
        InstructorFactory(username="teacher"),
        InstructorFactory(username="teacher-c"),
    )
    assignment = course_instructor_assign(course=course_a, user=instructor)
    course_instructor_assign(course=course_b, user=instructor)
    course_instructor_assign(course=course_c, user=other_instructor)
    question = Question.objects.filter(module=modules_a[0]).first()
    entry = DeckEntry(
        family_key(question.pk, question.family), "missed", False, "The owner's own review card"
    )
    deck_add(user_id=owner.pk, course_id=course_a.pk, entries=[entry])
    return World(
        review_card=ReviewCard.objects.get(user=owner),
        owner=owner,
        other=UserFactory(username="other"),
        instructor=instructor,
        other_instructor=other_instructor,
        provider_admin=ProviderAdminFactory(username="provider-admin"),
        course_c=course_c,
        assignment=assignment,
        course_a=course_a,
        course_b=course_b,
        modules_b=modules_b,
        quiz_b=quiz_b,
        open_attempt=open_attempt,
        submitted_attempt=Attempt.objects.filter(user=owner, status=AttemptStatus.SUBMITTED).first(),
        certificate=certificate,
        muscle=MuscleFactory(name="Psoas major", slug="psoas-major"),
        draft_module=draft,
        video=video,
        captions=captions,
    )


@pytest.fixture(scope="module")
def built_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once for the module (see tests/shared_db.py); each test's writes roll back."""
    private = override_settings(PRIVATE_MEDIA_ROOT=tmp_path_factory.mktemp("private"))
    with private, rolled_back(django_db_blocker):
        _, catalogue = site_tree_ensure()
        yield _world_build(catalogue)


@pytest.fixture
def world(built_world, db):
    cache.clear()  # views with their own rate limits count in the cache
    return copy.deepcopy(built_world)  # tests refresh and change these objects in memory


def _client_for(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    return client


def _assert_status(response, expected, where):
    assert response.status_code != 500, where
    if expected == LOGIN:
        assert response.status_code == 302, f"{where}: {response.status_code}, expected a redirect to log in"
        assert response["Location"].startswith(reverse("account_login") + "?next="), (
            f"{where}: {response['Location']}"
        )
    elif expected == REDIRECT:
        assert response.status_code == 302, f"{where}: {response.status_code}, expected a redirect"
        assert not response["Location"].startswith(reverse("account_login")), f"{where}: sent to log in"
    else:
        assert response.status_code == expected, f"{where}: {response.status_code}, expected {expected}"


# --------------------------------------------------------------------------- the matrix


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_url_permissions(client, world, name, role):
    case = MATRIX[name]
    url = reverse(name, kwargs=case.kwargs(world))
    client = _client_for(client, world, role)
    before = case.unchanged(world) if case.unchanged else None

    response = getattr(client, case.method)(url, case.data)

    _assert_status(response, case.expect[role], f"{role} {case.method.upper()} {url}")
    if case.secret and role != "owner" and response.status_code == 200:
        assert case.secret(world).encode() not in response.content, f"{role} sees the owner's data at {url}"
    if case.unchanged and role != "owner":
        assert case.unchanged(world) == before, f"{role} changed something through {url}"
    if case.get_status is not None:
        assert client.get(url).status_code == case.get_status, f"{role} GET {url}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", sorted(PAGES))
def test_page_permissions(client, world, label, role):
    build, expect = PAGES[label]
    url = build(world)
    response = _client_for(client, world, role).get(url)
    _assert_status(response, expect[role], f"{role} GET {url}")


def test_the_owner_really_can_write_where_others_cannot(client, world):
    """The rows above are not vacuous: the same requests by the owner do change things."""
    client.force_login(world.owner)
    url = reverse("quizzes:attempt_submit", kwargs={"attempt_id": world.open_attempt.pk})
    assert client.post(url, {}).status_code == 302
    world.open_attempt.refresh_from_db()
    assert world.open_attempt.status != AttemptStatus.IN_PROGRESS


def test_certificate_codes_and_attempt_ids_of_others_are_not_found_not_forbidden(client, world):
    """A 404 for someone else's object does not confirm that it exists."""
    client.force_login(world.other)
    missing_attempt = reverse("quizzes:attempt_take", kwargs={"attempt_id": 10**9})
    theirs = reverse("quizzes:attempt_take", kwargs={"attempt_id": world.open_attempt.pk})
    assert client.get(missing_attempt).status_code == client.get(theirs).status_code == 404
    missing_code = reverse("courses:certificate_download", kwargs={"code": "AAAAA-BBBBB-CCCCC"})
    their_code = reverse("courses:certificate_download", kwargs={"code": world.certificate.code})
    assert client.get(missing_code).status_code == client.get(their_code).status_code == 404


# --------------------------------------------------------------------------- the Wagtail admin


def _admin_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("wagtailadmin_login"))


def _denied_in_admin(response) -> bool:
    """Wagtail answers a missing permission with a redirect to the dashboard and a message (or 403)."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    )


def admin_urls(world):
    course_page = Page.objects.get(pk=world.course_b.pk)
    return {
        "dashboard": "/admin/",
        "page explorer": f"/admin/pages/{course_page.pk}/",
        "page editor": f"/admin/pages/{world.modules_b[0].pk}/edit/",
        "muscles": "/admin/snippets/content/muscle/",
        "questions": "/admin/snippets/quizzes/question/",
        "media library": "/admin/media/",  # lesson video and audio (wagtailmedia), like images
        # question topics are data course staff extend (add, change, view; deleting is a superuser's)
        "question topics": reverse("wagtailsnippets_quizzes_topic:list"),
        "new question topic": reverse("wagtailsnippets_quizzes_topic:add"),
        "topic editor": reverse(
            "wagtailsnippets_quizzes_topic:edit", args=[Topic.objects.get(slug=Topic.GENERAL).pk]
        ),
    }


FORBIDDEN_ADMIN_AREAS = {  # label -> URL name: the admin's settings areas
    "users": "wagtailusers_users:index",
    "new user": "wagtailusers_users:add",
    "groups": "wagtailusers_groups:index",
    "sites": "wagtailsites:index",
    "collections": "wagtailadmin_collections:index",
    "workflows": "wagtailadmin_workflows:index",
    "redirects": "wagtailredirects:index",
}


def forbidden_admin_urls():
    return {label: reverse(name) for label, name in FORBIDDEN_ADMIN_AREAS.items()}


@pytest.mark.parametrize("role", ["anonymous", "owner", "other"])
def test_learners_and_visitors_get_no_admin(client, world, role):
    client = _client_for(client, world, role)
    for label, url in {**admin_urls(world), **forbidden_admin_urls()}.items():
        response = client.get(url)
        assert _admin_login_redirect(response), f"{role} {label} {url}: {response.status_code}"
    django_admin = client.get("/django-admin/")
    assert django_admin.status_code == 302 and "/django-admin/login/" in django_admin["Location"]


@pytest.mark.parametrize("role", ["instructor", "provider_admin"])
def test_staff_reach_pages_and_snippets(client, world, role):
    client.force_login(getattr(world, role))
    for label, url in admin_urls(world).items():
        assert client.get(url).status_code == 200, f"{role} {label} {url}"


@pytest.mark.parametrize("role", ADMIN_ROLES)
@pytest.mark.parametrize("area", sorted(FORBIDDEN_ADMIN_AREAS))
def test_staff_get_no_users_groups_or_settings(client, world, area, role):
    client.force_login(getattr(world, role))
    response = client.get(reverse(FORBIDDEN_ADMIN_AREAS[area]))
    assert _denied_in_admin(response), f"{role} {area}: {response.status_code} {response.get('Location')}"


@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_staff_cannot_open_the_django_admin(client, world, role):
    client.force_login(getattr(world, role))
    response = client.get("/django-admin/")
    assert response.status_code == 302 and "/django-admin/login/" in response["Location"]


def project_admin_urls():
    """Admin views the project registers through hooks (importer, question generator, insight pages)."""
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and str(entry.pattern) == "admin/":
            yield from _project_patterns(entry.url_patterns, "admin/")


def _project_patterns(patterns, prefix):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _project_patterns(entry.url_patterns, route)
        elif entry.callback.__module__.split(".")[0] in ("cms", "content", "courses", "quizzes"):
            yield entry.name, route


def test_learners_get_none_of_the_projects_admin_views(client, world):
    found = list(project_admin_urls())
    assert any(name == "content_article_import" for name, _ in found)
    client.force_login(world.other)
    for name, route in found:
        # the admin refuses a learner before it looks anything up, so any value will do
        url = "/" + re.sub(r"<int:\w+>", "1", re.sub(r"<(?:str|slug|path|uuid):\w+>|<\w+>", "x", route))
        url = re.sub(r"[\^$]", "", url)  # a regex route's anchors
        response = client.get(url)
        assert _admin_login_redirect(response), f"learner {name} {url}: {response.status_code}"


# --------------------------------------------------------------------------- pages per course


def test_another_courses_instructor_cannot_edit_these_pages(client, world):
    """Page permissions follow the assignment: the course's own group, nothing catalogue-wide."""
    client.force_login(world.other_instructor)
    for page in (world.course_b, world.modules_b[0], world.course_a):
        response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        assert _denied_in_admin(response), f"other_instructor edits {page.title}: {response.status_code}"
    before = world.modules_b[0].title
    client.post(
        reverse("wagtailadmin_pages:edit", args=[world.modules_b[0].pk]),
        {"title": "Hijacked", "slug": world.modules_b[0].slug, "summary": "", "body-count": "0"},
    )
    world.modules_b[0].refresh_from_db()
    assert world.modules_b[0].title == before
    own_module = world.course_c.get_children().first()
    assert client.get(reverse("wagtailadmin_pages:edit", args=[own_module.pk])).status_code == 200
    response = client.get(reverse("wagtailadmin_pages:add_subpage", args=[world.course_a.pk]))
    assert _denied_in_admin(response)


def test_a_provider_admin_edits_every_courses_pages_but_deletes_none_with_records(client, world):
    """Provider admins hold their page permissions on the catalogue: every course, assigned or not."""
    client.force_login(world.provider_admin)
    for page in (world.course_a, world.modules_b[0], world.course_c, world.draft_module):
        response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        assert response.status_code == 200, f"provider_admin edits {page.title}: {response.status_code}"
    catalogue = world.course_a.get_parent()
    add_course = reverse("wagtailadmin_pages:add", args=["courses", "coursepage", catalogue.pk])
    assert client.get(add_course).status_code == 200
    client.post(reverse("wagtailadmin_pages:delete", args=[world.course_a.pk]))
    assert Page.objects.filter(pk=world.course_a.pk).exists()  # learners' records keep it
    assert client.get(reverse("wagtailadmin_pages:edit", args=[catalogue.get_parent().pk])).status_code != 200


@pytest.mark.parametrize("view", ["edit", "copy", "history", "usage", "delete"])
def test_another_courses_instructor_cannot_open_these_quizzes(client, world, view):
    client.force_login(world.other_instructor)
    url = reverse(f"wagtailsnippets_quizzes_quiz:{view}", args=[world.quiz_b.pk])
    for response in (client.get(url), client.post(url, {})):
        # another course's quiz is not found; deleting quizzes is no instructor's permission anyway
        assert response.status_code == 404 or (view == "delete" and _denied_in_admin(response)), response
    assert Quiz.objects.filter(pk=world.quiz_b.pk, title=world.quiz_b.title).exists()
    listing = client.get(reverse("wagtailsnippets_quizzes_quiz:list")).content.decode()
    assert reverse("wagtailsnippets_quizzes_quiz:edit", args=[world.quiz_b.pk]) not in listing
    client.force_login(world.instructor)
    assert client.get(reverse("wagtailsnippets_quizzes_quiz:edit", args=[world.quiz_b.pk])).status_code == 200


# --------------------------------------------------------------------------- the project's admin views

ADMIN_LOGIN = "admin login"  # 302 to Wagtail's log-in page
DENIED = "denied"  # Wagtail's "no permission": 302 to the dashboard with a message (or 403)


@dataclass
class AdminCase:
    instructor: int | str  # the courses' instructor
    other_instructor: int | str  # the instructor of course C only
    provider_admin: int | str  # Provider admins: every course, the provider, course staff, certificates
    kwargs: Callable[[World], list] = lambda w: []
    method: str = "get"
    secret: Callable[[World], str] | None = None  # what other_instructor must not see in a 200
    unchanged: Callable[[World], object] | None = None
    writers: tuple[str, ...] = ()  # roles that may change `unchanged` (their write is the point)


def _certificate_state(world):
    world.certificate.refresh_from_db()
    return world.certificate.status, world.certificate.events.count()


def _assignments(world):
    return sorted(CourseInstructor.objects.values_list("course_id", "user_id"))


def _quizzes(world):
    return sorted(Quiz.objects.values_list("pk", "title"))


def _overrides(world):
    return LearnerOverride.objects.count(), sorted(QuizAllowance.objects.values_list("pk", "extra_attempts"))


def _enrollment_state(world):
    return EnrollmentCode.objects.count(), Enrollment.objects.count(), get_user_model().objects.count()


def _pool_state(world):
    return sorted(Question.objects.values_list("pk", "module_id")), Question.objects.count()


def _attempts_and_responses(world):
    return Attempt.objects.count(), Response.objects.count()


def _topics(world):
    return sorted(Topic.objects.values_list("slug", flat=True))


def _course_pages(world):
    return sorted(CoursePage.objects.values_list("pk", "title"))


def _approvals(world):
    return sorted(CourseApproval.objects.values_list("pk", "body", "provider_number", "hours"))


def _approval_pk(world):
    """Course A's NCBTMB approval (made on first use: each test's writes roll back)."""
    approval, _ = CourseApproval.objects.get_or_create(
        course=world.course_a,
        body="NCBTMB",
        defaults={"provider_number": "451234-10", "hours": 3, "valid_from": "2020-01-01"},
    )
    return [approval.pk]


def _ce_broker_exports(world):
    return CEBrokerExport.objects.count(), CEBrokerReport.objects.count()


def _ce_broker_export_pk(world):
    export = CEBrokerExport.objects.create(state="FL", date_from="2026-03-01", date_to="2026-03-31")
    export.file.save("probe.xlsx", ContentFile(b"probe"), save=True)
    return [export.pk]


def _roster_url(world):
    return reverse("insight_roster", args=[world.course_a.pk])


def _item_analysis_url(world):
    return reverse("insight_item_analysis", args=[world.quiz_b.pk])


ADMIN_MATRIX: dict[str, AdminCase] = {  # route -> who gets what (learners and visitors: the admin log-in)
    "admin/import-article/": AdminCase(200, 200, 200),
    "admin/quizzes/generate/": AdminCase(200, 200, 200),
    "admin/snippets/quizzes/question/": AdminCase(200, 200, 200),
    "admin/snippets/quizzes/question/results/": AdminCase(200, 200, 200),
    # The question bank is shared by every course's instructors (quizzes and item analysis are scoped).
    "admin/snippets/quizzes/question/add/": AdminCase(200, 200, 200),
    "admin/snippets/quizzes/question/copy/<int:pk>/": AdminCase(
        200, 200, 200, kwargs=lambda w: [Question.objects.filter(module=w.modules_b[0]).first().pk]
    ),
    # ...but only a question's own course changes it (or anyone, for a question in no module; deleting:
    # tests/courses/test_question_scope.py)
    "admin/snippets/quizzes/question/edit/<int:pk>/": AdminCase(
        200, 404, 200, kwargs=lambda w: [Question.objects.filter(module=w.modules_b[0]).first().pk]
    ),
    # quizzes: only one's own courses' (another course's quiz is not found, whatever the view)
    "admin/snippets/quizzes/quiz/edit/<int:pk>/": AdminCase(200, 404, 200, kwargs=lambda w: [w.quiz_b.pk]),
    "admin/snippets/quizzes/quiz/copy/<int:pk>/": AdminCase(200, 404, 200, kwargs=lambda w: [w.quiz_b.pk]),
    "admin/snippets/quizzes/quiz/history/<int:pk>/": AdminCase(200, 404, 200, kwargs=lambda w: [w.quiz_b.pk]),
    "admin/snippets/quizzes/quiz/history-results/<int:pk>/": AdminCase(
        200, 404, 200, kwargs=lambda w: [w.quiz_b.pk]
    ),
    "admin/snippets/quizzes/quiz/usage/<int:pk>/": AdminCase(200, 404, 200, kwargs=lambda w: [w.quiz_b.pk]),
    # quiz authoring in one place (issue 14): adding from the bank to the pool, and the preview, which
    # records nothing; another course's quiz is not found (the pool itself is a tab of the edit view)
    "admin/snippets/quizzes/quiz/pool/<int:pk>/add/": AdminCase(
        200, 404, 200, kwargs=lambda w: [w.quiz_b.pk], method="post", unchanged=_pool_state
    ),
    "admin/snippets/quizzes/quiz/preview/<int:pk>/": AdminCase(
        200, 404, 200, kwargs=lambda w: [w.quiz_b.pk], unchanged=_attempts_and_responses
    ),
    # topics are shared data instructors extend; deleting one is nobody's but a superuser's (and refused
    # while questions or rules use it)
    "admin/snippets/quizzes/topic/delete/<int:pk>/": AdminCase(
        DENIED,
        DENIED,
        DENIED,
        kwargs=lambda w: [Topic.objects.get(slug=Topic.GENERAL).pk],
        method="post",
        unchanged=_topics,
    ),
    # deleting quizzes is no instructor's or provider admin's permission; another course's quiz is not
    # even found
    "admin/snippets/quizzes/quiz/delete/<int:pk>/": AdminCase(
        DENIED, 404, DENIED, kwargs=lambda w: [w.quiz_b.pk], method="post", unchanged=_quizzes
    ),
    # the knowledge base is shared by every instructor
    "admin/snippets/content/muscle/": AdminCase(200, 200, 200),
    "admin/snippets/content/muscle/results/": AdminCase(200, 200, 200),
    "admin/snippets/content/redflag/": AdminCase(200, 200, 200),
    "admin/snippets/content/redflag/results/": AdminCase(200, 200, 200),
    # certificate management is provider-wide ("change_certificate"): provider admins, no instructor
    "admin/certificates/": AdminCase(DENIED, DENIED, 200),
    "admin/certificates/<int:pk>/": AdminCase(DENIED, DENIED, 200, kwargs=lambda w: [w.certificate.pk]),
    "admin/certificates/<int:pk>/<str:action>/": AdminCase(
        DENIED,
        DENIED,
        302,
        kwargs=lambda w: [w.certificate.pk, "revoke"],
        method="post",
        unchanged=_certificate_state,
        writers=("provider_admin",),
    ),
    # item analysis: the quizzes of one's own courses
    "admin/insight/quizzes/": AdminCase(200, 200, 200, secret=_item_analysis_url),
    "admin/insight/quizzes/<int:quiz_id>/": AdminCase(200, 404, 200, kwargs=lambda w: [w.quiz_b.pk]),
    "admin/insight/quizzes/<int:quiz_id>/export.csv": AdminCase(
        200, 404, 200, kwargs=lambda w: [w.quiz_b.pk]
    ),
    # course records: one's own courses
    "admin/insight/courses/": AdminCase(200, 200, 200, secret=_roster_url),
    "admin/insight/courses/<int:course_id>/roster/": AdminCase(
        200, 404, 200, kwargs=lambda w: [w.course_a.pk]
    ),
    "admin/insight/courses/<int:course_id>/roster/results/": AdminCase(
        200, 404, 200, kwargs=lambda w: [w.course_a.pk]
    ),
    "admin/insight/courses/<int:course_id>/roster.csv": AdminCase(
        200, 404, 200, kwargs=lambda w: [w.course_a.pk]
    ),
    "admin/insight/courses/<int:course_id>/evaluations/": AdminCase(
        200, 404, 200, kwargs=lambda w: [w.course_a.pk]
    ),
    "admin/insight/courses/<int:course_id>/evaluations.csv": AdminCase(
        200, 404, 200, kwargs=lambda w: [w.course_a.pk]
    ),
    # retention of the course's red-flag review cards (courses/retention_views.py): the course's staff
    "admin/insight/courses/<int:course_id>/retention/": AdminCase(
        200, 404, 200, kwargs=lambda w: [w.course_a.pk]
    ),
    # learner records: learners enrolled in one's own courses; all of a learner's data is provider-wide
    "admin/insight/learners/": AdminCase(200, 200, 200, secret=lambda w: w.owner.license_number),
    "admin/insight/learners/<int:user_id>/": AdminCase(200, 404, 200, kwargs=lambda w: [w.owner.pk]),
    "admin/insight/learners/<int:user_id>/data.json": AdminCase(
        DENIED, DENIED, 200, kwargs=lambda w: [w.owner.pk]
    ),
    # per-learner overrides (courses/override_views.py): the learner's courses that one teaches; every
    # action by every role, records staff included, is tried in test_override_actions_by_every_role
    "admin/insight/learners/<int:user_id>/overrides/<slug:action>/<int:target_id>/": AdminCase(
        200,
        404,
        200,
        kwargs=lambda w: [w.owner.pk, "reset-quiz", w.quiz_b.pk],
        method="post",
        unchanged=_overrides,
    ),
    "admin/insight/attention/": AdminCase(200, 200, 200),
    "admin/insight/courses/<int:course_id>/overrides.csv": AdminCase(
        200, 404, 200, kwargs=lambda w: [w.course_a.pk]
    ),
    # the grading scale and blueprint of a course's quizzes (issue 13): one's own courses
    "admin/insight/courses/<int:course_id>/assessment.csv": AdminCase(
        200, 404, 200, kwargs=lambda w: [w.course_a.pk]
    ),
    # group enrollment (cms/class_enrollment_views.py, courses/enrollment_code_views.py): one's own courses,
    # every course for a provider admin. The POSTs carry no file and no count: refused, nothing written.
    "admin/enrollment/": AdminCase(
        200, 200, 200, secret=lambda w: reverse("enrollment_codes", args=[w.course_a.pk])
    ),
    "admin/enrollment/<int:course_id>/codes/": AdminCase(
        200, 404, 200, kwargs=lambda w: [w.course_a.pk], method="post", unchanged=_enrollment_state
    ),
    "admin/enrollment/<int:course_id>/codes.csv": AdminCase(200, 404, 200, kwargs=lambda w: [w.course_a.pk]),
    "admin/enrollment/<int:course_id>/class/": AdminCase(
        200, 404, 200, kwargs=lambda w: [w.course_a.pk], method="post", unchanged=_enrollment_state
    ),
    # an instructor starts a draft course (courses/course_create_views.py); provider admins use Wagtail's own
    # add form on the catalogue. The POST has no title: refused, no course made (the creation itself is
    # tested in tests/courses/test_course_creation.py)
    "admin/courses/new/": AdminCase(200, 200, DENIED, method="post", unchanged=_course_pages),
    # where a refused course approval lands (courses/publish_views.py): the course's editor, with what it
    # lacks; only for those who may edit the course (another course's instructor: not found)
    "admin/courses/<int:page_id>/not-published/": AdminCase(302, 404, 302, kwargs=lambda w: [w.course_a.pk]),
    # who teaches what: managed by provider admins and superusers ("manage course staff"), never by
    # instructors. The POSTs ask for an assignment that exists (course C's): refused, nothing written.
    "admin/course_instructors/": AdminCase(DENIED, DENIED, 200),
    "admin/course_instructors/results/": AdminCase(DENIED, DENIED, 200),
    "admin/course_instructors/new/": AdminCase(DENIED, DENIED, 200, method="post", unchanged=_assignments),
    "admin/course_instructors/edit/<int:pk>/": AdminCase(
        DENIED, DENIED, 200, kwargs=lambda w: [w.assignment.pk], method="post", unchanged=_assignments
    ),
    "admin/course_instructors/delete/<int:pk>/": AdminCase(
        DENIED,
        DENIED,
        302,
        kwargs=lambda w: [w.assignment.pk],
        method="post",
        unchanged=_assignments,
        writers=("provider_admin",),
    ),
    # course approvals (issue 15): every instructor reads them (they print on certificates); only provider
    # admins (and superusers) add, change or delete. The POSTs lack the form's fields: refused, nothing written.
    "admin/course_approvals/": AdminCase(200, 200, 200),
    "admin/course_approvals/results/": AdminCase(200, 200, 200),
    "admin/course_approvals/inspect/<int:pk>/": AdminCase(200, 200, 200, kwargs=_approval_pk),
    "admin/course_approvals/new/": AdminCase(DENIED, DENIED, 200, method="post", unchanged=_approvals),
    "admin/course_approvals/edit/<int:pk>/": AdminCase(
        DENIED, DENIED, 200, kwargs=_approval_pk, method="post", unchanged=_approvals
    ),
    "admin/course_approvals/delete/<int:pk>/": AdminCase(
        DENIED,
        DENIED,
        302,
        kwargs=_approval_pk,
        method="post",
        unchanged=_approvals,
        writers=("provider_admin",),
    ),
    # CE Broker reporting (issue 15): provider admins only. The POST has no state or dates: refused with the
    # form's errors, nothing recorded.
    "admin/ce-broker/": AdminCase(DENIED, DENIED, 200, method="post", unchanged=_ce_broker_exports),
    "admin/ce-broker/exports/<int:pk>.xlsx": AdminCase(DENIED, DENIED, 200, kwargs=_ce_broker_export_pk),
}


def test_every_admin_url_is_classified():
    routes = {route for _, route in project_admin_urls()}
    assert not sorted(routes - set(ADMIN_MATRIX)), "project admin views without a row in ADMIN_MATRIX"
    assert not sorted(set(ADMIN_MATRIX) - routes), "ADMIN_MATRIX rows for admin views that no longer exist"


def _admin_url(world, route, case):
    name = next(name for name, r in project_admin_urls() if r == route)
    snippet = route.split("/")[2:4] if route.startswith("admin/snippets/") else None
    if snippet:
        name = f"wagtailsnippets_{snippet[0]}_{snippet[1]}:{name}"
    elif route.startswith("admin/course_instructors/"):
        name = f"course_instructors:{name}"
    elif route.startswith("admin/course_approvals/"):
        name = f"course_approvals:{name}"
    return reverse(name, args=case.kwargs(world))


@pytest.mark.parametrize("route", sorted(ADMIN_MATRIX))
def test_admin_url_permissions(client, world, route):
    # every role in one test: the admin views are the slow requests
    for role in ROLES:
        client.logout()
        _check_admin_url(_client_for(client, world, role), world, route, role)


def _check_admin_url(client, world, route, role):
    case = ADMIN_MATRIX[route]
    url = _admin_url(world, route, case)
    before = case.unchanged(world) if case.unchanged else None

    response = getattr(client, case.method)(
        url, {"revoke-reason": "probing", "course": world.course_c.pk, "user": world.other_instructor.pk}
    )

    where = f"{role} {case.method.upper()} {url}"
    assert response.status_code != 500, where
    expected = getattr(case, role) if role in ADMIN_ROLES else ADMIN_LOGIN
    if expected == ADMIN_LOGIN:
        assert _admin_login_redirect(response), f"{where}: {response.status_code}"
    elif expected == DENIED:
        assert _denied_in_admin(response), f"{where}: {response.status_code} {response.get('Location')}"
    else:
        assert response.status_code == expected, f"{where}: {response.status_code}, expected {expected}"
    if case.secret and role == "other_instructor" and response.status_code == 200:
        body = response.content if not response.streaming else b"".join(response.streaming_content)
        assert case.secret(world).encode() not in body, f"{role} sees another course's data at {url}"
    if case.unchanged and role not in case.writers:
        assert case.unchanged(world) == before, f"{role} changed something through {url}"
    elif case.unchanged:
        assert case.unchanged(world) != before, f"{role} could not do what {url} is for"


def test_the_admin_matrix_is_not_vacuous(client, world):
    """What instructors may not do, a superuser does; what the other instructor may not see, exists."""
    client.force_login(world.instructor)
    assert _roster_url(world).encode() in client.get(reverse("insight_courses")).content
    assert _item_analysis_url(world).encode() in client.get(reverse("insight_quizzes")).content
    assert world.owner.license_number.encode() in client.get(reverse("insight_learners")).content
    client.force_login(world.provider_admin)  # every course, without being assigned to any
    course_c_roster = reverse("insight_roster", args=[world.course_c.pk]).encode()
    assert course_c_roster in client.get(reverse("insight_courses")).content
    client.force_login(UserFactory(is_superuser=True, is_staff=True, groups=[]))
    for route in (
        "admin/certificates/",
        "admin/course_instructors/",
        "admin/insight/learners/<int:user_id>/data.json",
        "admin/insight/courses/<int:course_id>/roster/",
    ):
        url = _admin_url(world, route, ADMIN_MATRIX[route])
        assert client.get(url).status_code == 200, url


# --------------------------------------------------------------------------- per-learner overrides

OVERRIDE_TARGETS = {  # action -> the owner's target in course B (taught by "instructor", not "other_instructor")
    "extra-attempts": lambda w: w.quiz_b.pk,
    "reset-quiz": lambda w: w.quiz_b.pk,
    "more-time": lambda w: w.course_b.pk,
    "complete-module": lambda w: w.modules_b[1].pk,
    "waive-seat-time": lambda w: w.course_b.pk,
}
OVERRIDE_DATA = {"count": "1", "multiplier": "1.5", "extra_minutes": "10", "reason": "Probing the matrix"}


@pytest.mark.parametrize("action", sorted(OVERRIDE_TARGETS))
def test_override_actions_by_every_role(client, world, action):
    """Anonymous visitors and learners get the admin log-in; another course's instructor "not found"
    (GET and POST, nothing written); the assigned instructor, provider admins and records staff may open
    and apply it."""
    world.quiz_b.max_attempts = 3  # extra attempts need a limit
    world.quiz_b.save(update_fields=["max_attempts"])
    attempt = world.open_attempt
    attempt.status, attempt.score, attempt.passed = AttemptStatus.SUBMITTED, 0, False
    attempt.save(update_fields=["status", "score", "passed"])  # a closed attempt to reset
    url = reverse("insight_learner_override", args=[world.owner.pk, action, OVERRIDE_TARGETS[action](world)])
    records_staff = UserFactory(username="records", is_superuser=True, is_staff=True, groups=[])
    for role in (*ROLES, "records_staff"):
        client.logout()
        if role == "records_staff":
            client.force_login(records_staff)
        else:
            _client_for(client, world, role)
        before = _overrides(world)
        get, post = client.get(url), client.post(url, OVERRIDE_DATA)
        where = f"{role} {action}"
        assert 500 not in (get.status_code, post.status_code), where
        if role in ("anonymous", "owner", "other"):
            assert _admin_login_redirect(get) and _admin_login_redirect(post), where
        elif role == "other_instructor":
            assert get.status_code == post.status_code == 404, where
        else:
            assert get.status_code == 200, where
            assert post.status_code in (200, 302), where  # 200: refused with a message (already done)
        if role not in ("instructor", "provider_admin", "records_staff"):
            assert _overrides(world) == before, f"{role} changed something through {url}"
    rows = LearnerOverride.objects.filter(learner=world.owner, course=world.course_b)
    assert rows.filter(created_by=world.instructor).count() == 1, action  # the first one applied it
    assert not rows.filter(created_by=world.other_instructor).exists()
