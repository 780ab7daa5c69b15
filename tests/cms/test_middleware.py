"""cms/middleware.py: hostile input gets a 400 (never a 500, on PostgreSQL too); whatever a logged-in
visitor gets says `Cache-Control: private, no-store`."""

import pytest
from django.http import HttpResponse
from django.urls import reverse
from django.utils.cache import get_max_age, patch_cache_control
from wagtail.models import Page

from cms.middleware import PrivateResponsesMiddleware
from courses.models import Certificate
from quizzes.models import Attempt, AttemptStatus, Quiz
from quizzes.services import attempt_start
from tests.courses.certify import course_finish, small_course
from tests.factories import MuscleFactory, UserFactory


@pytest.fixture
def finished(catalogue, learner, django_capture_on_commit_callbacks, settings, tmp_path):
    """The learner's finished course (certificate issued) and an open attempt in a second course."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    course, modules = small_course(catalogue, title="Finished course")
    with django_capture_on_commit_callbacks(execute=True):
        course_finish(learner, course, modules)
    second, second_modules = small_course(catalogue, title="Second course")
    open_attempt = attempt_start(user=learner, quiz=Quiz.objects.get(module=second_modules[0]))
    return {
        "course": course,
        "certificate": Certificate.objects.get(enrollment__user=learner, enrollment__course=course),
        "submitted": Attempt.objects.filter(user=learner, status=AttemptStatus.SUBMITTED).first(),
        "open": open_attempt,
    }


def _is_private(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives and "public" not in directives


# --------------------------------------------------------------------------- Cache-Control


def personal_urls(finished):
    return {
        "dashboard": reverse("dashboard"),
        "transcript": reverse("courses:transcript"),
        "transcript CSV": reverse("courses:transcript_csv"),
        "transcript PDF": reverse("courses:transcript_pdf"),
        "certificate PDF": reverse("courses:certificate_download", args=[finished["certificate"].code]),
        "evaluation": reverse("courses:evaluation", args=[finished["course"].pk]),
        "quiz attempt": reverse("quizzes:attempt_take", args=[finished["open"].pk]),
        "quiz result": reverse("quizzes:attempt_result", args=[finished["submitted"].pk]),
        "quiz intro": reverse("quizzes:quiz_intro", args=[finished["open"].quiz_id]),
        "profile": reverse("profile"),
        "data export": reverse("profile_export"),
        "password change": reverse("account_change_password"),
        "course page": finished["course"].url,
        "module page": finished["course"].get_children().live().first().url,
    }


def test_every_personal_page_and_file_is_private_and_not_stored(client, learner, finished):
    client.force_login(learner)
    not_private = {}
    for label, url in personal_urls(finished).items():
        response = client.get(url)
        assert response.status_code in (200, 302), f"{label} {url}: {response.status_code}"
        if not _is_private(response):
            not_private[label] = response.get("Cache-Control")
    assert not not_private, f"personal responses a shared cache may keep: {not_private}"


def test_the_admin_is_private_to_staff(client, finished):
    client.force_login(UserFactory(is_superuser=True, is_staff=True, groups=[]))
    for url in (reverse("wagtailadmin_home"), reverse("insight_courses"), reverse("insight_learners")):
        assert _is_private(client.get(url)), url


def test_anonymous_pages_are_not_marked_private(client, finished):
    # the policy is about logged-in visitors: public pages stay cacheable by whatever caches them
    for url in ("/", finished["course"].url, reverse("content:muscle_list")):
        response = client.get(url)
        assert response.status_code == 200 and not _is_private(response), url


def test_a_view_that_allowed_public_caching_is_made_private_for_a_logged_in_visitor(client, learner, rf):
    def public_view(request):
        response = HttpResponse("hi")
        patch_cache_control(response, public=True, max_age=600)
        return response

    request = rf.get("/")
    request.user = learner
    response = PrivateResponsesMiddleware(public_view)(request)
    assert _is_private(response) and get_max_age(response) == 600


# --------------------------------------------------------------------------- hostile input


def test_nul_in_a_query_string_is_a_400(client, db):
    assert client.get("/anatomy/?q=%00").status_code == 400
    assert client.get("/anatomy/?q=psoas").status_code == 200


def test_nul_in_a_certificate_code_is_a_400(client, learner):
    client.force_login(learner)
    assert client.get("/certificates/AB%00CD/download/").status_code == 400
    assert client.get("/certificates/ABCD/download/").status_code == 404


def test_nul_in_the_certificates_admin_search_is_a_400(client, db):
    client.force_login(UserFactory(is_superuser=True, is_staff=True, groups=[]))
    assert client.get("/admin/certificates/?q=%00").status_code == 400
    assert client.get("/admin/certificates/?q=AB").status_code == 200


def test_nul_in_form_fields_cookies_and_json_is_a_400(client, learner, finished):
    assert client.post(reverse("account_login"), {"login": "a\x00b", "password": "x"}).status_code == 400
    client.force_login(learner)
    url = reverse("quizzes:attempt_autosave", args=[finished["open"].pk])
    body = '{"answers": {"1": "\\u0000"}}'
    assert client.post(url, body, content_type="application/json").status_code == 400
    client.cookies["csrftoken"] = "abc\x00def"
    assert client.get(reverse("dashboard")).status_code == 400


def test_a_next_that_cannot_be_a_url_is_a_400_and_another_sites_is_ignored(client, finished):
    client.force_login(UserFactory(is_superuser=True, is_staff=True, groups=[]))
    unpublish = reverse("wagtailadmin_pages:unpublish", args=[finished["course"].pk])
    assert client.post(unpublish, {"next": "Ωмя名前اسم"}).status_code == 400
    assert Page.objects.get(pk=finished["course"].pk).live
    elsewhere = client.post(unpublish, {"next": "https://evil.example/"})
    assert elsewhere.status_code == 302 and "evil.example" not in elsewhere["Location"]


def test_a_form_missing_its_management_fields_is_a_400(client, finished):
    client.force_login(UserFactory(is_superuser=True, is_staff=True, groups=[]))
    copy = reverse("wagtailadmin_pages:copy", args=[finished["course"].pk])
    assert client.post(copy, {"new_title": "Copy"}).status_code == 400


def test_an_id_beyond_64_bits_is_never_a_500(client, db):
    # SQLite cannot bind such a number (OverflowError); PostgreSQL finds nothing
    client.force_login(UserFactory(is_superuser=True, is_staff=True, groups=[]))
    huge = 2**63
    assert client.get(f"/admin/insight/courses/{huge}/roster/").status_code in (400, 404)
    assert client.get(f"/admin/pages/{huge}/edit/").status_code in (400, 404)
    assert client.get(f"/admin/choose-page/chosen-multiple/?id={huge}").status_code in (200, 400)


def test_a_pk_that_is_not_a_number_is_a_404(client, db):
    client.force_login(UserFactory(is_superuser=True, is_staff=True, groups=[]))
    assert client.get("/admin/snippets/choose/content/muscle/chosen/%ff%fe/").status_code == 404
    muscle = MuscleFactory()
    assert client.get(f"/admin/snippets/choose/content/muscle/chosen/{muscle.pk}/").status_code == 200
