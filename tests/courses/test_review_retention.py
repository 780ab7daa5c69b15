"""Instructors' retention page (issue 16): red-flag cards retained 30/90/180 days after completion."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from fsrs import Card, Rating, Scheduler

from courses.models import Enrollment
from courses.retention_views import course_completions
from courses.services import course_instructor_assign
from quizzes.models import ReviewCard
from quizzes.review_selectors import course_retention
from quizzes.review_services import review_answer, review_serve
from tests.factories import InstructorFactory, UserFactory
from tests.quizzes import factories as qf
from tests.quizzes.review_world import form_answer, review_world, take_quiz

pytestmark = pytest.mark.django_db
COMPLETED = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
NOW = COMPLETED + timedelta(days=200)


@pytest.fixture
def world(catalogue, provider):
    return review_world(catalogue, provider)


def _finished(world, user):
    """A learner who took the quiz (red flag met) and completed the course at COMPLETED (ORM)."""
    take_quiz(user, world, answers_for=qf.wrong_answers, now=COMPLETED - timedelta(hours=1))
    Enrollment.objects.filter(user=user, course=world.course).update(
        status="completed", completed_at=COMPLETED
    )
    return ReviewCard.objects.get(user=user, family="saddle-numbness")


def _review(card, days: float, *, right: bool):
    card.refresh_from_db()
    moment = COMPLETED + timedelta(days=days)
    served = review_serve(card=card, now=moment, rng=random.Random(1))
    return review_answer(
        card=card,
        token=served["token"],
        form_data=form_answer(served, right=right),
        now=moment + timedelta(seconds=20),
    )


def _library_retained(card_id, reviews, horizon_days):
    """The library's own answer: replay the ratings, retrievability at completion + horizon >= 0.9."""
    scheduler, card = Scheduler(desired_retention=0.9), Card(card_id=card_id, due=COMPLETED)
    moment = COMPLETED + timedelta(days=horizon_days)
    for days, rating in reviews:
        at = COMPLETED + timedelta(days=days, seconds=20)
        if at <= moment:
            card, _ = scheduler.review_card(card, rating, review_datetime=at)
    return scheduler.get_card_retrievability(card, moment) >= 0.9


def test_retention_follows_fsrs_at_each_horizon(world, client):
    diligent, lapsed, never = UserFactory(), UserFactory(), UserFactory()
    plan = {
        diligent: [(1, True), (4, True), (14, True), (27, True), (80, True), (170, True)],
        lapsed: [(1, True), (20, False), (21, True)],
        never: [],
    }
    expected = {30: 0, 90: 0, 180: 0}
    for user, reviews in plan.items():
        card = _finished(world, user)
        for days, right in reviews:
            _review(card, days, right=right)
        ratings = [(d, Rating.Good if r else Rating.Again) for d, r in reviews]
        for horizon in expected:
            expected[horizon] += bool(reviews) and _library_retained(card.card["card_id"], ratings, horizon)
    completions = course_completions(world.course)
    assert set(completions) == {u.pk for u in plan}
    result = course_retention(course_id=world.course.pk, completions=completions, now=NOW)
    got = {h.days: h.retained for h in result.horizons}
    assert got == expected
    assert all(h.learners == 3 for h in result.horizons)
    assert got[30] >= 1 and got[180] < 3  # not vacuous: someone retained, someone not
    assert result.forgotten[0].family == "saddle-numbness" and result.forgotten[0].forgotten == 1

    # before a horizon has come, nobody is counted there
    early = course_retention(
        course_id=world.course.pk, completions=completions, now=COMPLETED + timedelta(days=40)
    )
    assert [h.learners for h in early.horizons] == [3, 0, 0]

    instructor, stranger = InstructorFactory(), InstructorFactory()
    course_instructor_assign(course=world.course, user=instructor)
    url = f"/admin/insight/courses/{world.course.pk}/retention/"
    client.force_login(instructor)
    page = client.get(url)
    assert page.status_code == 200 and b'data-horizon="180"' in page.content
    assert b"A test sign (emergency)" in page.content  # the most forgotten item, by its label
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 302  # a learner: the admin's log-in


def test_the_retention_page_is_linked_from_the_course_records(world, client):
    instructor = InstructorFactory()
    course_instructor_assign(course=world.course, user=instructor)
    client.force_login(instructor)
    page = client.get(f"/admin/insight/courses/{world.course.pk}/evaluations/")
    assert f"/admin/insight/courses/{world.course.pk}/retention/".encode() in page.content
    assert timezone.now()  # the page renders with no completions either
    assert client.get(f"/admin/insight/courses/{world.course.pk}/retention/").status_code == 200
