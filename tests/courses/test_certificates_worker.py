"""End to end with a real Celery worker and a real Redis: nothing lost, nothing doubled.

The worker is a subprocess, so it must see this test's database: the test is transactional
(everything is committed) and the worker gets a DATABASE_URL for it. On PostgreSQL that is the
test database itself. SQLite's test database lives in this process's memory, so the test copies
it to a file and points both this process and the worker at that file (see `shared_database`).
"""

import sqlite3
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import connections

from cms.services import site_tree_ensure
from courses.models import Certificate, CertificateEvent
from tests.courses.celery_worker import (
    celery_sender,
    queue_name,
    redis_url,
    wait_for,
    worker_start,
    worker_stop,
)
from tests.courses.certify import broker_down, course_finish, private_media, small_course  # noqa: F401
from tests.factories import UserFactory, wagtail_base_ensure

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def shared_database(tmp_path):
    """A DATABASE_URL another process can open, holding exactly this test's data."""
    connection = connections["default"]
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        user = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
        yield f"postgres://{user}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
        return
    assert connection.vendor == "sqlite"
    path = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(path) as target:
        connection.connection.backup(target)
    in_memory = connection
    on_file = in_memory.__class__({**settings, "NAME": str(path)}, "default")
    connections["default"] = on_file
    try:
        yield f"sqlite:///{path}?transaction_mode=IMMEDIATE&timeout=30"
    finally:
        on_file.close()
        connections["default"] = in_memory


@pytest.fixture
def world(tmp_path, private_media):
    wagtail_base_ensure()
    with shared_database(tmp_path) as database_url, redis_url() as broker:
        _, catalogue = site_tree_ensure()
        yield {
            "database_url": database_url,
            "broker": broker,
            "catalogue": catalogue,
            "private": private_media,
            "queue": queue_name(),
        }


@contextmanager
def running_worker(world, **kwargs):
    process = worker_start(
        broker=world["broker"],
        database_url=world["database_url"],
        private_root=str(world["private"]),
        queue=world["queue"],
        **kwargs,
    )
    try:
        yield process
    finally:
        output = worker_stop(process)
        if "Traceback" in output and "fonts missing" not in output:
            print(output)


def status_of(certificate):
    return Certificate.objects.values_list("status", flat=True).get(pk=certificate.pk)


def test_a_real_worker_issues_the_certificate_once(world):
    course, pages = small_course(world["catalogue"])
    learner = UserFactory(legal_name="Ana Worker-Test")
    with celery_sender(world["broker"], world["queue"]), running_worker(world) as worker:
        enrollment = course_finish(learner, course, pages)  # commits; on_commit sends to Redis
        certificate = Certificate.objects.get(enrollment=enrollment)
        wait_for(lambda: status_of(certificate) == Certificate.Status.ISSUED, process=worker)
        # Duplicate messages (a redelivery, a second sweep) change nothing.
        from courses.tasks import issue_certificate

        for _ in range(2):
            issue_certificate.delay(certificate.pk)
        import redis

        queue = redis.Redis.from_url(world["broker"])
        wait_for(lambda: queue.llen(world["queue"]) == 0, process=worker)
        wait_for(lambda: CertificateEvent.objects.filter(certificate=certificate, action="emailed").exists())
    certificate.refresh_from_db()
    assert certificate.attempts == 1
    assert certificate.events.filter(action=CertificateEvent.Action.ISSUED).count() == 1
    assert [p.name for p in world["private"].rglob("*.pdf")] == [f"{certificate.code}.pdf"]
    assert certificate.pdf.storage.exists(certificate.pdf.name)


def test_broker_down_at_commit_and_worker_down_lose_nothing(world):
    from courses.tasks import issue_certificate

    course, pages = small_course(world["catalogue"])
    first, second = UserFactory(), UserFactory()
    with broker_down():
        lost_message = Certificate.objects.get(enrollment=course_finish(first, course, pages))
    assert status_of(lost_message) == Certificate.Status.PENDING  # the learner saw no error

    with celery_sender(world["broker"], world["queue"]):
        # No worker yet: the message waits in Redis.
        waiting = Certificate.objects.get(enrollment=course_finish(second, course, pages))
        assert status_of(waiting) == Certificate.Status.PENDING
        with running_worker(world) as worker:
            wait_for(lambda: status_of(waiting) == Certificate.Status.ISSUED, process=worker)
            assert status_of(lost_message) == Certificate.Status.PENDING
            call_command("issue_pending_certificates", minutes=0)  # the sweep (beat runs the same task)
            wait_for(lambda: status_of(lost_message) == Certificate.Status.ISSUED, process=worker)
            issue_certificate.delay(lost_message.pk)  # and a late duplicate of the lost one
    assert Certificate.objects.count() == 2
    assert sorted(p.name for p in world["private"].rglob("*.pdf")) == sorted(
        [f"{lost_message.code}.pdf", f"{waiting.code}.pdf"]
    )
