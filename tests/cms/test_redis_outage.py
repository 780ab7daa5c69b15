"""Redis down (issue 11, failure 1): the production cache, session and broker settings pointed at a port
where nothing listens. A logged-in learner still logs in, reads, takes a quiz, completes modules and
submits the evaluation (200 or 302, never a 500), and everything they did is in the database; the
certificate waits, pending, for the sweep."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from courses import tasks
from courses.models import Certificate, CourseEvaluation, ModuleProgress
from courses.services import certificate_issue, enrollment_create
from quizzes.models import Attempt, Quiz
from tests.cms.production_settings import closed_port, production_settings
from tests.courses.celery_worker import celery_sender
from tests.courses.certify import RATINGS, small_course, study
from tests.factories import UserFactory
from tests.quizzes import factories as qf

PASSWORD = "correct horse battery staple"


@pytest.fixture
def redis_down(settings):
    """The cache, sessions and rate limits exactly as production configures them, with Redis unreachable;
    Celery sends to the (unreachable) broker instead of running tasks in-process."""
    port = closed_port()
    production = production_settings(REDIS_URL=f"redis://127.0.0.1:{port}/0")
    settings.CACHES = production.CACHES
    settings.SESSION_ENGINE = production.SESSION_ENGINE
    settings.RATELIMIT_ENABLE = production.RATELIMIT_ENABLE
    settings.RATELIMIT_FAIL_OPEN = getattr(production, "RATELIMIT_FAIL_OPEN", False)
    with celery_sender(production.CELERY_BROKER_URL, declare=False):
        yield production


def test_the_production_settings_under_test_use_redis(redis_down):
    assert "redis" in redis_down.CACHES["default"]["BACKEND"].lower()
    assert redis_down.CELERY_BROKER_URL.startswith("redis://")


def test_a_learner_keeps_working_while_redis_is_down(
    client, catalogue, redis_down, django_capture_on_commit_callbacks
):
    course, pages = small_course(
        catalogue, modules=2, module_quiz=True, post_test=False, require_post_test=False
    )
    learner = UserFactory()
    enrollment = enrollment_create(user=learner, course=course)
    study(enrollment)  # the course's minimum time on task, as the server counts it

    # Log-in: the session is written, the rate limits and the lockout are consulted.
    # the field is "username" in Django's form, "login" in allauth's: each ignores the other
    credentials = {"username": learner.username, "login": learner.username, "password": PASSWORD}
    response = client.post(resolve_url(settings.LOGIN_URL), credentials)
    assert response.status_code == 302, response.content[:500]

    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get(pages[0].url).status_code == 200  # the lesson body goes through {% wagtailpagecache %}
    assert ModuleProgress.objects.filter(enrollment=enrollment, module=pages[0]).exists()

    quiz = Quiz.objects.get(module=pages[0])
    started = client.post(reverse("quizzes:quiz_start", args=[quiz.pk]))
    assert started.status_code == 302
    attempt = Attempt.objects.get(user=learner, quiz=quiz)
    submitted = client.post(
        reverse("quizzes:attempt_submit", args=[attempt.pk]),
        {"answers": qf.key_answers(attempt)},
        content_type="application/json",
    )
    assert submitted.status_code in (200, 302)
    attempt.refresh_from_db()
    assert attempt.passed

    for page in pages:
        assert client.post(reverse("courses:module_complete", args=[page.pk])).status_code == 302
    assert ModuleProgress.objects.filter(enrollment=enrollment, completed_at__isnull=False).count() == 2

    with django_capture_on_commit_callbacks(execute=True):  # queueing fails: the broker is down too
        evaluated = client.post(
            reverse("courses:evaluation", args=[course.pk]), {**RATINGS, "comments": "Offline."}
        )
    assert evaluated.status_code == 302
    assert CourseEvaluation.objects.filter(enrollment=enrollment).exists()
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.status == Certificate.Status.PENDING  # the sweep queues it when the broker is back

    # The worker issues it later (here in-process); the learner downloads it while Redis is still down.
    certificate_issue(certificate_id=certificate.pk)
    assert client.get(reverse("dashboard")).status_code == 200
    download = client.get(reverse("courses:certificate_download", args=[certificate.code]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"

    client.logout()  # the session is deleted from the database
    assert client.get(reverse("dashboard")).status_code == 302  # and it stays logged out


def test_anonymous_pages_and_the_page_cache_bump_survive_redis_down(client, catalogue, redis_down):
    course, pages = small_course(catalogue, modules=1, module_quiz=False, post_test=False)
    assert client.get("/").status_code == 200
    assert client.get(course.url).status_code == 200
    course.save_revision().publish()  # page_published: the content version bump writes to the cache
    assert client.get(course.url).status_code == 200


# --- the settings behind it ------------------------------------------------------------------------------


def test_the_broker_has_a_url_of_its_own():
    shared = production_settings(REDIS_URL="redis://cache.internal:6379/0")
    assert shared.CELERY_BROKER_URL == "redis://cache.internal:6379/1"
    assert shared.CELERY_TASK_ALWAYS_EAGER is False
    apart = production_settings(REDIS_URL="redis://cache:6379/0", CELERY_BROKER_URL="redis://broker:6379/0")
    assert apart.CELERY_BROKER_URL == "redis://broker:6379/0" and apart.CACHES["default"][
        "LOCATION"
    ].startswith("redis://cache:6379/0")
    neither = production_settings(REDIS_URL="", CELERY_BROKER_URL="")
    assert neither.CELERY_BROKER_URL == "memory://" and neither.CELERY_TASK_ALWAYS_EAGER is True


def test_cache_sessions_and_rate_limits_survive_an_outage_by_configuration():
    production = production_settings(REDIS_URL="redis://redis:6379/0")
    for name in ("default", "pages"):
        options = production.CACHES[name]["OPTIONS"]
        assert production.CACHES[name]["BACKEND"] == "django_redis.cache.RedisCache"
        assert options["IGNORE_EXCEPTIONS"] is True
        assert options["SOCKET_CONNECT_TIMEOUT"] <= 0.5 and options["SOCKET_TIMEOUT"] <= 0.5
    assert production.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS is True
    assert production.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert production.RATELIMIT_FAIL_OPEN is True


def test_a_killed_workers_task_comes_back_and_a_waiting_retry_is_never_handed_out_twice():
    production = production_settings(REDIS_URL="redis://redis:6379/0")
    assert production.CELERY_TASK_ACKS_LATE and production.CELERY_TASK_REJECT_ON_WORKER_LOST
    task = tasks.issue_certificate
    assert task.acks_late and task.reject_on_worker_lost
    assert task.soft_time_limit < task.time_limit == tasks.TIME_LIMIT
    visibility = production.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert visibility > tasks.MAX_COUNTDOWN + tasks.TIME_LIMIT
    assert max(tasks.retry_countdown(n) for n in range(tasks.MAX_RETRIES + 1) for _ in range(50)) <= 300
    schedule = production.CELERY_BEAT_SCHEDULE
    digest = schedule["review-digest"]  # the review e-mail digest: a few times a day, sent at most weekly
    assert digest["task"] == "courses.tasks.send_review_digests" and digest["schedule"] == 6 * 3600
    others = ("send-renewal-reminders", "review-digest")
    sweeps = {name: entry for name, entry in schedule.items() if name not in others}
    assert {entry["schedule"] for entry in sweeps.values()} == {60}
    assert schedule["issue-pending-certificates"]["kwargs"] == {"older_than_minutes": 1}
    assert {entry["task"] for entry in sweeps.values()} == {
        "courses.tasks.issue_pending_certificates",
        "courses.tasks.complete_stranded_enrollments",
        "courses.tasks.email_unsent_certificates",
    }
    assert schedule["send-renewal-reminders"]["task"] == "courses.tasks.send_renewal_reminders"  # hourly
