"""The page cache (courses/caching.py): lesson bodies and course fragments per live revision, whole
anonymous pages, routes. What is cached must change on publish and never carry one learner's parts
to another viewer."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from courses import caching
from courses.models import CoursePage, ModulePage
from courses.services import enrollment_create, module_complete
from tests.factories import RedFlagFactory, UserFactory, module_create

# Parameters are not called `page` (pytest-playwright's fixture name).


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


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


# ---------------------------------------------------------------- invalidation on publish


def test_module_body_is_cached_and_a_publish_shows_the_new_body(client, learner, lesson):
    course, first, _, _ = lesson
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    assert "twelfth rib" in text(client.get(first.url))
    # A change that bypasses Wagtail (no revision, no signal) is not seen: the body comes from the cache.
    ModulePage.objects.filter(pk=first.pk).update(body=[("rich_text", "<p>Written behind the cache.</p>")])
    assert "twelfth rib" in text(client.get(first.url))

    publish(first, body=[("rich_text", "<p>The thoracolumbar fascia binds the layers.</p>")])

    body = text(client.get(first.url))
    assert "thoracolumbar fascia" in body
    assert "twelfth rib" not in body


def test_a_snippet_edit_reaches_cached_lesson_bodies(client, learner, lesson):
    course, first, _, flag = lesson
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    assert "Numbness in the saddle area" in text(client.get(first.url))
    flag.sign = "Loss of bladder control"
    flag.save()
    body = text(client.get(first.url))
    assert "Loss of bladder control" in body
    assert "Numbness in the saddle area" not in body


def test_anonymous_course_page_is_served_whole_until_the_course_is_published(client, lesson):
    course, _, _, _ = lesson
    first = client.get(course.url)
    assert first[caching.HIT_HEADER] == "miss"
    again = client.get(course.url)
    assert again[caching.HIT_HEADER] == "hit"
    assert again.content == first.content

    publish(course, summary="Now with a section on sleeping positions.")

    fresh = client.get(course.url)
    assert fresh[caching.HIT_HEADER] == "miss"
    assert "sleeping positions" in text(fresh)


def test_publishing_a_module_updates_the_cached_course_outline(client, learner, lesson):
    course, _, second, _ = lesson
    assert "The psoas" in text(client.get(course.url))
    publish(second, title="Psoas and iliacus")
    assert "Psoas and iliacus" in text(client.get(course.url))


def test_an_unpublished_module_is_gone_from_the_cache_and_its_route(client, learner, lesson):
    course, _, second, _ = lesson
    assert client.get(second.url).status_code == 200  # cached whole (anonymous) and its route kept
    assert client.get(second.url)[caching.HIT_HEADER] == "hit"
    ModulePage.objects.get(pk=second.pk).unpublish()
    assert client.get(second.url).status_code == 404
    assert "The psoas" not in text(client.get(course.url))


def test_a_view_restriction_added_after_caching_is_enforced(client, lesson):
    course, _, _, _ = lesson
    client.get(course.url)
    assert client.get(course.url)[caching.HIT_HEADER] == "hit"
    PageViewRestriction.objects.create(
        page=CoursePage.objects.get(pk=course.pk), restriction_type=PageViewRestriction.LOGIN
    )
    response = client.get(course.url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# ---------------------------------------------------------------- personal parts stay personal


def test_two_learners_with_different_progress_each_see_their_own(client, lesson):
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
    # The lesson body itself is shared: both saw it.
    assert "twelfth rib" in ahead_module and "twelfth rib" in behind_module


def test_anonymous_and_logged_in_visitors_never_share_a_whole_page(client, learner, lesson):
    course, first, _, _ = lesson
    client.get(course.url)
    assert client.get(course.url)[caching.HIT_HEADER] == "hit"  # the visitor's page is cached

    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    mine = client.get(course.url)
    assert caching.HIT_HEADER not in mine
    assert learner.display_name in text(mine) and "Your progress" in text(mine)

    client.logout()
    theirs = text(client.get(course.url))
    assert learner.display_name not in theirs and "Your progress" not in theirs
    assert "Sign up to enroll" in theirs


def test_a_pending_message_is_not_served_from_or_into_the_cache(client, lesson):
    from django.contrib.messages import INFO
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest

    course, _, _, _ = lesson
    client.get(course.url)  # cached without a message
    client.cookies["messages"] = CookieStorage(HttpRequest())._encode([Message(INFO, "You have logged out.")])
    response = client.get(course.url)
    assert caching.HIT_HEADER not in response
    assert "You have logged out." in text(response)
    assert "You have logged out." not in text(client.get(course.url))


def test_previews_neither_read_nor_fill_the_cache(rf, learner, lesson):
    from django.template.loader import render_to_string

    course, first, _, _ = lesson

    def render(module, *, preview):
        request = rf.get(first.url)
        request.user = learner
        request.is_preview = preview
        return render_to_string(
            "courses/module_page.html", {"page": module, "can_read": True}, request=request
        )

    assert "twelfth rib" in render(ModulePage.objects.get(pk=first.pk), preview=False)  # fills the cache
    draft = ModulePage.objects.get(pk=first.pk)
    draft.body = [("rich_text", "<p>A draft nobody has published.</p>")]
    assert "A draft nobody has published." in render(draft, preview=True)
    live = render(ModulePage.objects.get(pk=first.pk), preview=False)
    assert "twelfth rib" in live and "A draft nobody" not in live


# ---------------------------------------------------------------- fewer queries with the cache warm


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page_name", ["course", "module"])
def test_warm_pages_cost_fewer_queries_than_without_the_cache(
    client, learner, lesson, settings, page_name, django_assert_max_num_queries
):
    course, first, _, _ = lesson
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    url = {"course": course.url, "module": first.url}[page_name]

    settings.PAGE_CACHE_ENABLED = False
    client.get(url)
    uncached = count_queries(client, url)

    settings.PAGE_CACHE_ENABLED = True
    client.get(url)  # fills the cache
    with django_assert_max_num_queries({"course": 15, "module": 15}[page_name]):
        assert client.get(url).status_code == 200
    assert count_queries(client, url) < uncached


def test_a_cached_anonymous_page_costs_no_query(client, lesson, django_assert_max_num_queries):
    course, first, _, _ = lesson
    for url in ("/", course.url, first.url):
        client.get(url)
        with django_assert_max_num_queries(0):
            response = client.get(url)
        assert response[caching.HIT_HEADER] == "hit"
