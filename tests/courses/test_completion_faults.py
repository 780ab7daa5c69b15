"""Issue 11, failures 2 and 3: completion commits with its last requirement or not at all, the completion
sweep heals a learner left with every rule met and no certificate, and a failing after-commit hook never
loses the certificate e-mail for good (the e-mail repair sends it, exactly once)."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from courses import completion, services, tasks
from courses.models import Certificate, CertificateEvent, CourseEvaluation
from tests.courses.certify import RATINGS, course_finish, private_media, small_course  # noqa: F401

pytestmark = pytest.mark.django_db


class CacheDown(Exception):
    pass


@pytest.fixture
def cache_set_fails_once_the_check_starts(monkeypatch):
    """From the moment course_completion_check starts, the cache's `set` raises; a post_save receiver on
    Certificate writes to the cache, as the learner-cache bump of the issue did inside the transaction."""
    failing = {"on": False, "armed": True}
    real_set = type(caches["default"]).set

    def set_(self, *args, **kwargs):
        if failing["on"]:
            raise CacheDown("Error 111 connecting to redis")
        return real_set(self, *args, **kwargs)

    def bump(sender, instance, **kwargs):
        caches["default"].set(f"learner:{instance.enrollment_id}", 1)

    real_check = completion.course_completion_check

    def check(enrollment):
        failing["on"] = failing["armed"]
        return real_check(enrollment)

    monkeypatch.setattr(type(caches["default"]), "set", set_)
    monkeypatch.setattr(completion, "course_completion_check", check)
    post_save.connect(bump, sender=Certificate, dispatch_uid="test-cache-bump")
    yield failing
    post_save.disconnect(sender=Certificate, dispatch_uid="test-cache-bump")


def test_the_evaluation_and_the_certificate_commit_together_or_not_at_all(
    catalogue, learner, cache_set_fails_once_the_check_starts
):
    course, pages = small_course(catalogue)
    enrollment = course_finish(learner, course, pages, evaluate=False)
    with pytest.raises(CacheDown):
        completion.evaluation_submit(enrollment=enrollment, ratings=RATINGS, comments="Saved?")
    evaluated = CourseEvaluation.objects.filter(enrollment=enrollment).exists()
    certified = Certificate.objects.filter(enrollment=enrollment).exists()
    assert evaluated == certified, f"evaluation saved: {evaluated}, certificate: {certified}"

    cache_set_fails_once_the_check_starts.update(on=False, armed=False)  # Redis back: the learner retries
    completion.evaluation_submit(enrollment=enrollment, ratings=RATINGS, comments="Saved.")
    assert Certificate.objects.filter(enrollment=enrollment).exists()


def test_a_second_evaluation_is_refused_with_the_clear_message(catalogue, learner):
    course, pages = small_course(catalogue)
    enrollment = course_finish(learner, course, pages)
    with pytest.raises(completion.EvaluationError, match="already evaluated"):
        completion.evaluation_submit(enrollment=enrollment, ratings=RATINGS)
    assert CourseEvaluation.objects.filter(enrollment=enrollment).count() == 1
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1


def _stranded(catalogue, learner):
    """A learner whose last requirement was saved without the completion check (the state of the issue)."""
    course, pages = small_course(catalogue)
    enrollment = course_finish(learner, course, pages, evaluate=False)
    CourseEvaluation.objects.create(enrollment=enrollment, comments="", **RATINGS)
    assert all(rule.met for rule in completion.completion_requirements(enrollment))
    assert not Certificate.objects.filter(enrollment=enrollment).exists()
    return enrollment


def test_the_completion_sweep_heals_a_stranded_learner(
    catalogue, learner, django_capture_on_commit_callbacks, private_media
):
    enrollment = _stranded(catalogue, learner)
    with django_capture_on_commit_callbacks(execute=True):
        made = completion.completion_sweep()
    assert [c.enrollment_id for c in made] == [enrollment.pk]
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.status == Certificate.Status.ISSUED and certificate.emailed_at is not None
    assert len(mail.outbox) == 1
    enrollment.refresh_from_db()
    assert enrollment.status == enrollment.Status.COMPLETED

    with django_capture_on_commit_callbacks(execute=True):
        assert completion.completion_sweep() == []  # nothing left; nothing made twice
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1 and len(mail.outbox) == 1


def test_the_completion_sweep_leaves_unfinished_learners_alone(catalogue, learner, other_learner):
    course, pages = small_course(catalogue)
    course_finish(learner, course, pages, evaluate=False)  # the evaluation is still to come
    course_finish(other_learner, course, pages[:1], evaluate=False)
    assert completion.completion_sweep() == []
    assert not Certificate.objects.exists()


def test_the_beat_task_runs_the_completion_sweep(catalogue, learner, django_capture_on_commit_callbacks):
    _stranded(catalogue, learner)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.complete_stranded_enrollments.delay().get() == 1
    assert Certificate.objects.get().status == Certificate.Status.ISSUED


# --- the e-mail ----------------------------------------------------------------------------------------


@pytest.fixture
def pending(catalogue, learner):
    course, pages = small_course(catalogue)
    enrollment = course_finish(learner, course, pages)  # on-commit hooks not run: not yet queued
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.status == Certificate.Status.PENDING
    return certificate


def _later(minutes):
    return timezone.now() + timedelta(minutes=minutes)


def test_a_failing_first_after_commit_hook_does_not_lose_the_email(
    pending, django_capture_on_commit_callbacks
):
    def failing_bump(sender, instance, **kwargs):
        if instance.status == Certificate.Status.ISSUED:
            transaction.on_commit(lambda: caches["default"].incr("no-such-key"))  # raises, not robust

    post_save.connect(failing_bump, sender=Certificate, dispatch_uid="test-failing-bump")
    try:
        with pytest.raises(ValueError), django_capture_on_commit_callbacks(execute=True):
            services.certificate_issue(certificate_id=pending.pk)
    finally:
        post_save.disconnect(sender=Certificate, dispatch_uid="test-failing-bump")
    pending.refresh_from_db()
    assert pending.status == Certificate.Status.ISSUED and pending.emailed_at is None
    assert mail.outbox == []  # the hook after the failing one was dropped: Django's rule

    # A redelivery finds it issued and returns early; only the e-mail repair can send it.
    services.certificate_issue(certificate_id=pending.pk)
    assert mail.outbox == []
    assert services.certificate_emails_repair(older_than_minutes=5) == []  # too recent
    assert services.certificate_emails_repair(older_than_minutes=5, now=_later(6)) == [pending.pk]
    assert services.certificate_emails_repair(older_than_minutes=5, now=_later(7)) == []
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [pending.enrollment.user.email]
    pending.refresh_from_db()
    assert pending.emailed_at is not None
    assert pending.events.filter(action=CertificateEvent.Action.EMAILED).count() == 1


def test_a_failed_send_releases_the_claim_and_the_repair_sends_it_once(
    pending, django_capture_on_commit_callbacks
):
    with mock.patch("courses.services.send_mail", side_effect=ConnectionRefusedError("smtp down")):
        with django_capture_on_commit_callbacks(execute=True):
            services.certificate_issue(certificate_id=pending.pk)
    pending.refresh_from_db()
    assert pending.status == Certificate.Status.ISSUED and pending.emailed_at is None
    assert mail.outbox == []
    assert services.certificate_emails_repair(older_than_minutes=5, now=_later(6)) == [pending.pk]
    assert services.certificate_emails_repair(older_than_minutes=5, now=_later(6)) == []
    assert len(mail.outbox) == 1


def test_the_email_is_claimed_once_whoever_sends_it(pending, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_issue(certificate_id=pending.pk)
    pending.refresh_from_db()
    assert len(mail.outbox) == 1 and pending.emailed_at is not None
    assert services.certificate_email(pending) is False  # a second hook or a racing repair: nothing sent
    assert services.certificate_emails_repair(older_than_minutes=0, now=_later(60)) == []
    assert len(mail.outbox) == 1


def test_no_email_for_a_learner_without_an_address_or_a_revoked_certificate(
    pending, django_capture_on_commit_callbacks
):
    user = pending.enrollment.user
    user.email = ""
    user.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_issue(certificate_id=pending.pk)
    assert services.certificate_emails_repair(older_than_minutes=0, now=_later(60)) == []
    assert mail.outbox == []


def test_the_beat_task_runs_the_email_repair(pending, django_capture_on_commit_callbacks):
    with mock.patch("courses.services.send_mail", side_effect=OSError("smtp down")):
        with django_capture_on_commit_callbacks(execute=True):
            services.certificate_issue(certificate_id=pending.pk)
    Certificate.objects.filter(pk=pending.pk).update(issued_at=timezone.now() - timedelta(hours=1))
    assert tasks.email_unsent_certificates.delay().get() == 1
    assert len(mail.outbox) == 1


def test_the_migration_counts_certificates_issued_before_it_as_emailed(
    catalogue, learner, other_learner, django_capture_on_commit_callbacks
):
    from importlib import import_module

    from django.apps import apps

    backfill = import_module("courses.migrations.0008_certificate_emailed_at").backfill
    course, pages = small_course(catalogue)
    with django_capture_on_commit_callbacks(execute=True):
        emailed = Certificate.objects.get(enrollment=course_finish(learner, course, pages))
    never = Certificate.objects.get(enrollment=course_finish(other_learner, course, pages))  # pending
    event_time = emailed.events.get(action=CertificateEvent.Action.EMAILED).created_at
    Certificate.objects.update(emailed_at=None)
    Certificate.objects.filter(pk=never.pk).update(status=Certificate.Status.ISSUED, issued_at=timezone.now())
    backfill(apps, None)
    emailed.refresh_from_db()
    never.refresh_from_db()
    assert emailed.emailed_at == event_time  # from its emailed event
    assert never.emailed_at == never.issued_at  # issued, no event: counted as sent, never mailed again
    assert services.certificate_emails_repair(older_than_minutes=0, now=_later(60)) == []
