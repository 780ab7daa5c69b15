"""The course evaluation form and the certificate panel on the course page."""

import pytest
from django.urls import reverse

from courses.models import Certificate, CourseEvaluation
from courses.services import enrollment_create
from tests.courses.certify import RATINGS, course_finish, private_media, small_course  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(catalogue):
    return small_course(catalogue)


@pytest.fixture
def open_early(catalogue):
    """A course whose evaluation does not wait for the post-test."""
    return small_course(catalogue, evaluation_after_post_test=False)


def url(course):
    return reverse("courses:evaluation", args=[course.pk])


def test_the_form_asks_every_question_with_five_point_ratings(client, open_early, learner):
    course, _ = open_early
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    html = client.get(url(course)).content.decode()
    for name in CourseEvaluation.RATING_FIELDS:
        assert html.count(f'name="{name}"') == 5, name
    assert "The learning objectives were met" in html and 'name="comments"' in html
    assert "---------" not in html


def test_missing_ratings_are_refused_and_nothing_is_stored(client, open_early, learner):
    course, _ = open_early
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    response = client.post(url(course), {"objectives_met": 5, "comments": "Great"})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert 'value="Great"' in response.content.decode() or "Great" in response.content.decode()  # kept
    assert not CourseEvaluation.objects.exists()


def test_submitting_the_last_requirement_leads_to_the_certificate(
    client, built, learner, django_capture_on_commit_callbacks
):
    course, pages = built
    course_finish(learner, course, pages, evaluate=False)
    client.force_login(learner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(course), {**RATINGS, "comments": "Clear."})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    certificate = Certificate.objects.get()
    assert certificate.status == Certificate.Status.ISSUED
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "Download certificate" in dashboard and certificate.code in dashboard


def test_an_evaluation_before_the_post_test_is_a_clear_refusal_and_stores_nothing(client, built, learner):
    course, _ = built
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    page = client.get(url(course))
    html = page.content.decode()
    assert page.status_code == 200 and "opens once you have passed the final post-test" in html
    assert 'name="objectives_met"' not in html
    refused = client.post(url(course), RATINGS)
    assert refused.status_code == 403 and "opens once you have passed" in refused.content.decode()
    assert not CourseEvaluation.objects.exists()


def test_an_early_evaluation_goes_back_to_the_course(client, open_early, learner):
    course, _ = open_early
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    response = client.post(url(course), RATINGS)
    assert response.status_code == 302 and response["Location"] == course.url
    assert CourseEvaluation.objects.count() == 1 and not Certificate.objects.exists()
    again = client.get(url(course))  # a second time: a message, no form
    assert again.status_code == 302


def test_only_enrolled_learners_evaluate(client, built, learner):
    course, _ = built
    client.force_login(learner)
    assert client.post(url(course), RATINGS).status_code == 302
    assert not CourseEvaluation.objects.exists()
    client.logout()
    response = client.get(url(course))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_course_page_lists_what_is_left_and_then_the_certificate(
    client, built, learner, django_capture_on_commit_callbacks
):
    course, pages = built
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    html = client.get(course.url).content.decode()
    assert "Your CE certificate" in html and "Pass the final post-test" in html
    assert url(course) not in html  # no evaluation link before the post-test is passed
    with django_capture_on_commit_callbacks(execute=True):
        course_finish(learner, course, pages)
    html = client.get(course.url).content.decode()
    code = Certificate.objects.get().code
    assert reverse("courses:certificate_download", args=[code]) in html
    assert "Pass the final post-test" not in html
