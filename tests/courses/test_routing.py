"""Home, catalogue and course pages route to their children in one query each (courses/routing.py):
what is served, and what is not found, stays as with Wagtail's own routing."""

import pytest

from courses.models import CourseIndexPage


@pytest.fixture
def enrolled_client(client, enrollment):
    client.force_login(enrollment.user)
    return client


def test_module_page_links_back_to_its_course_and_the_catalogue(enrolled_client, catalogue, course, modules):
    html = enrolled_client.get(modules[0].url).content.decode()
    assert f'<a href="{catalogue.url}">Courses</a>' in html
    assert f'<a href="{course.url}">{course.title}</a>' in html
    assert "Module 1 of 3" in html


def test_course_page_links_back_to_the_catalogue(enrolled_client, catalogue, course, modules):
    html = enrolled_client.get(course.url).content.decode()
    assert f'<a href="{catalogue.url}">Courses</a>' in html
    assert course.provider.ncbtmb_provider_number in html


@pytest.mark.parametrize("suffix", ["no-such-module/", "module-1/extra/", "module-1/extra/more/"])
def test_unknown_paths_under_a_course_are_404(enrolled_client, course, modules, suffix):
    assert enrolled_client.get(course.url + suffix).status_code == 404


def test_unknown_course_is_404(enrolled_client, catalogue):
    assert enrolled_client.get(catalogue.url + "no-such-course/").status_code == 404
    assert enrolled_client.get("/no-such-section/").status_code == 404


def test_drafts_are_404(enrolled_client, course, modules):
    modules[1].unpublish()
    assert enrolled_client.get(modules[1].url).status_code == 404
    assert enrolled_client.get(modules[0].url).status_code == 200
    course.unpublish()
    assert enrolled_client.get(course.url).status_code == 404


def test_a_child_of_another_type_is_still_served(enrolled_client, course, modules):
    """The admin allows only modules under a course; a page of another type put there anyway is routed
    by Wagtail's default, as before."""
    other = course.add_child(instance=CourseIndexPage(title="Odd one out", slug="odd-one-out"))
    response = enrolled_client.get(other.url)
    assert response.status_code == 200
    assert b"Odd one out" in response.content
