"""The page cache (courses/caching.py): lesson bodies per page.cache_key, whole pages only for visitors
without cookies. Nothing restricted, previewed, personal or cookie-setting is ever stored or served."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from wagtail import hooks
from wagtail.models import PageViewRestriction

from courses.caching import HIT_HEADER
from courses.models import CoursePage, ModulePage
from courses.services import enrollment_create, module_complete
from tests.factories import RedFlagFactory, UserFactory, course_create, module_create

# Parameters are not called `page` (pytest-playwright's fixture name).

PASSWORD_FORM = 'name="password"'


@pytest.fixture
def lesson(course):
    flag = RedFlagFactory(sign="Numbness in the saddle area")
    first = module_create(
        course,
        title="Lumbar anatomy",
        body=[
            ("rich_text", "<p>Quadratus lumborum runs from the iliac crest to the twelfth rib.</p>"),
            ("red_flag", {"red_flag": flag, "note": ""}),
        ],
    )
    second = module_create(course, title="The psoas", body=[("rich_text", "<p>Psoas major and iliacus.</p>")])
    return course, first, second, flag


def publish(page, **fields):
    page = type(page).objects.get(pk=page.pk)
    for name, value in fields.items():
        setattr(page, name, value)
    page.save_revision().publish()
    return page


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def cookieless():
    """A new visitor: no cookie of any kind (what wrk and a first visit send)."""
    return Client()


# ---------------------------------------------------------------- the password-protected page leak


def test_a_password_protected_page_never_reaches_a_visitor_without_the_password(admin_client, lesson):
    course, _, _, _ = lesson
    first, second = cookieless(), cookieless()
    assert "Take this course" in text(first.get(course.url))
    assert first.get(course.url)[HIT_HEADER] == "hit"  # public: stored for visitors without cookies

    # The admin sets a password in the page's privacy dialog.
    response = admin_client.post(
        reverse("wagtailadmin_pages:set_privacy", args=[course.pk]),
        {"restriction_type": PageViewRestriction.PASSWORD, "password": "sesame"},
    )
    assert response.status_code == 200
    restriction = PageViewRestriction.objects.get(page=course)

    # Visitor A enters the password, then reloads.
    form = first.get(course.url)
    assert PASSWORD_FORM in text(form) and HIT_HEADER not in form
    authenticate = reverse("wagtailcore_authenticate_with_password", args=[restriction.pk, course.pk])
    assert first.post(authenticate, {"password": "sesame", "return_url": course.url}).status_code == 302
    for _ in range(3):
        shown = first.get(course.url)
        assert "Take this course" in text(shown) and HIT_HEADER not in shown
        assert "no-store" in shown["Cache-Control"]

    # Visitor B, no cookies, gets the password form: never the page, never from the cache.
    for _ in range(3):
        response = second.get(course.url)
        assert PASSWORD_FORM in text(response)
        assert "Take this course" not in text(response)
        assert HIT_HEADER not in response
    assert PASSWORD_FORM in text(cookieless().get(course.url))


def password(course):
    return PageViewRestriction.objects.create(
        page=course, restriction_type=PageViewRestriction.PASSWORD, password="sesame"
    )


def login(course):
    return PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.LOGIN)


def groups(course):
    restriction = PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(Group.objects.create(name="Members"))
    return restriction


def assert_restricted(response):
    """The password form, or a redirect to log in: never the page."""
    if response.status_code == 200:
        assert PASSWORD_FORM in response.content.decode()
        assert "Take this course" not in response.content.decode()
    else:
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert HIT_HEADER not in response


@pytest.mark.parametrize("restrict", [password, login, groups])
def test_a_restricted_page_stays_restricted_for_every_visitor(client, learner, lesson, restrict):
    course, first, _, _ = lesson
    for url in (course.url, first.url):  # warm the cache with the public pages
        cookieless().get(url)
        assert cookieless().get(url)[HIT_HEADER] == "hit"

    restrict(CoursePage.objects.get(pk=course.pk))  # on the course: its modules inherit it

    for url in (course.url, first.url):
        for _ in range(2):
            assert_restricted(cookieless().get(url))
    client.force_login(learner)  # logged in, but without the password or the group
    if restrict is not login:
        assert_restricted(client.get(course.url))
    else:  # a log-in restriction lets any logged-in visitor in, and their page is theirs alone
        assert HIT_HEADER not in client.get(course.url)
        assert_restricted(cookieless().get(course.url))


def test_a_page_seen_by_a_member_of_the_allowed_group_is_not_kept_for_others(client, learner, lesson):
    course, _, _, _ = lesson
    restriction = groups(CoursePage.objects.get(pk=course.pk))
    learner.groups.add(restriction.groups.get())
    client.force_login(learner)
    for _ in range(2):
        shown = client.get(course.url)
        assert course.title in text(shown) and HIT_HEADER not in shown
    assert_restricted(cookieless().get(course.url))


# ---------------------------------------------------------------- never stored or served


def test_a_visitor_with_any_cookie_never_gets_a_stored_page(lesson):
    course, _, _, _ = lesson
    cookieless().get(course.url)
    assert cookieless().get(course.url)[HIT_HEADER] == "hit"
    visitor = Client()
    visitor.cookies["csrftoken"] = "x" * 32
    assert HIT_HEADER not in visitor.get(course.url)
    assert HIT_HEADER not in cookieless().get(course.url + "?utm=1")  # nor a query string


def test_logged_in_pages_are_never_stored(client, learner, lesson):
    course, first, _, _ = lesson
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    for url in (course.url, first.url, course.url):
        response = client.get(url)
        assert HIT_HEADER not in response
        assert "private" in response["Cache-Control"]
    theirs = text(cookieless().get(course.url))
    assert learner.display_name not in theirs and "Your progress" not in theirs


def test_a_response_that_sets_a_cookie_is_never_stored(lesson):
    course, _, _, _ = lesson

    def sets_a_cookie(serve):
        def inner(page, request, args, kwargs):
            response = serve(page, request, args, kwargs)
            response.set_cookie("seen", "yes")
            return response

        return inner

    with hooks.register_temporarily("on_serve_page", sets_a_cookie):
        for _ in range(2):
            response = cookieless().get(course.url)
            assert response.cookies["seen"].value == "yes"
            assert HIT_HEADER not in response


def test_a_preview_is_never_stored_or_served_from_the_cache(lesson):
    course, first, _, _ = lesson
    cookieless().get(first.url)
    assert cookieless().get(first.url)[HIT_HEADER] == "hit"

    draft = ModulePage.objects.get(pk=first.pk)
    draft.title = "A draft title nobody has published"
    for _ in range(2):  # Wagtail's dummy request for the page's own URL, here with no cookie
        preview = draft.make_preview_request()
        assert "A draft title nobody has published" in text(preview)
        assert HIT_HEADER not in preview

    live = cookieless().get(first.url)
    assert live[HIT_HEADER] == "hit"
    assert "Lumbar anatomy" in text(live) and "A draft title" not in text(live)


# ---------------------------------------------------------------- invalidation


def test_a_publish_refreshes_the_stored_page_and_a_draft_does_not(lesson):
    course, _, _, _ = lesson
    cookieless().get(course.url)
    assert cookieless().get(course.url)[HIT_HEADER] == "hit"

    draft = CoursePage.objects.get(pk=course.pk)
    draft.summary = "A draft about sleeping positions."
    draft.save_revision()  # an editor's save or autosave
    assert cookieless().get(course.url)[HIT_HEADER] == "hit"

    publish(course, summary="Now with a section on sleeping positions.")
    fresh = cookieless().get(course.url)
    assert fresh[HIT_HEADER] == "miss" and "sleeping positions" in text(fresh)


def test_an_unpublished_module_is_gone_from_the_cache(lesson):
    course, _, second, _ = lesson
    cookieless().get(second.url)
    assert cookieless().get(second.url)[HIT_HEADER] == "hit"
    ModulePage.objects.get(pk=second.pk).unpublish()
    assert cookieless().get(second.url).status_code == 404
    assert "The psoas" not in text(cookieless().get(course.url))


def test_a_moved_module_is_not_served_at_its_old_address(lesson, catalogue, provider):
    course, first, _, _ = lesson
    old_url = first.url
    cookieless().get(old_url)
    assert cookieless().get(old_url)[HIT_HEADER] == "hit"
    other = course_create(catalogue, slug="another-course", provider=provider)
    ModulePage.objects.get(pk=first.pk).move(other, pos="last-child")
    moved = cookieless().get(old_url)
    assert HIT_HEADER not in moved
    assert moved.status_code == 301 and moved["Location"] == "/courses/another-course/lumbar-anatomy/"


def test_the_lesson_body_is_cached_and_a_publish_shows_the_new_body(client, learner, lesson):
    course, first, _, _ = lesson
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    assert "twelfth rib" in text(client.get(first.url))
    # A change that bypasses Wagtail (no revision, no signal) is not seen: the body comes from the cache.
    ModulePage.objects.filter(pk=first.pk).update(body=[("rich_text", "<p>Written behind the cache.</p>")])
    assert "twelfth rib" in text(client.get(first.url))

    publish(first, body=[("rich_text", "<p>The thoracolumbar fascia binds the layers.</p>")])

    body = text(client.get(first.url))
    assert "thoracolumbar fascia" in body and "twelfth rib" not in body


def test_a_knowledge_base_edit_reaches_cached_lesson_bodies_and_pages(client, learner, lesson):
    course, first, _, flag = lesson
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    cookieless().get(course.url)
    assert cookieless().get(course.url)[HIT_HEADER] == "hit"
    assert "Numbness in the saddle area" in text(client.get(first.url))
    flag.sign = "Loss of bladder control"
    flag.save()
    html = text(client.get(first.url))
    assert "Loss of bladder control" in html and "Numbness in the saddle area" not in html
    assert cookieless().get(course.url)[HIT_HEADER] == "miss"  # whole pages follow it too


def test_page_cache_enabled_false_turns_it_off(lesson, settings):
    course, _, _, _ = lesson
    settings.CACHES = {**settings.CACHES, "pages": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    for _ in range(2):
        assert cookieless().get(course.url)[HIT_HEADER] == "miss"  # rendered every time


def test_a_stored_page_costs_no_query_and_keeps_its_headers(lesson, django_assert_max_num_queries):
    course, first, _, _ = lesson
    for url in ("/", course.url, first.url):
        served = cookieless().get(url)
        with django_assert_max_num_queries(0):
            stored = cookieless().get(url)
        assert stored[HIT_HEADER] == "hit" and stored.content == served.content
        assert stored["Content-Security-Policy"] == served["Content-Security-Policy"]
        assert "Cookie" in stored["Vary"] and not stored.cookies


def test_two_learners_share_the_lesson_body_and_nothing_else(client, lesson):
    course, first, _, _ = lesson
    ahead = UserFactory(legal_name="Avery Ahead")
    behind = UserFactory(legal_name="Blake Behind")
    for user in (ahead, behind):
        enrollment_create(user=user, course=course)
    module_complete(user=ahead, module=first)

    client.force_login(ahead)
    ahead_module, ahead_course = text(client.get(first.url)), text(client.get(course.url))
    client.force_login(behind)
    behind_module, behind_course = text(client.get(first.url)), text(client.get(course.url))

    assert "Module complete" in ahead_module and "Mark complete" not in ahead_module
    assert "Mark complete" in behind_module and "Module complete" not in behind_module
    assert "Avery Ahead" in ahead_module and "Avery Ahead" not in behind_module
    assert "Blake Behind" in behind_module
    assert "1 of 2 modules complete" in ahead_course
    assert "0 of 2 modules complete" in behind_course and "Avery Ahead" not in behind_course
    assert "twelfth rib" in ahead_module and "twelfth rib" in behind_module  # the shared fragment
