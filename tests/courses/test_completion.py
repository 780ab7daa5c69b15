"""Completion rules: the certificate is created exactly when the last rule is met, once, in one transaction."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from courses.completion import (
    EvaluationError,
    completion_requirements,
    course_completion_check,
    evaluation_submit,
)
from courses.models import Certificate, CertificateEvent, CourseEvaluation, Enrollment, ModuleProgress
from courses.services import enrollment_create, module_complete
from quizzes.models import Quiz
from tests.courses.certify import (  # noqa: F401
    RATINGS,
    course_finish,
    private_media,
    quiz_pass,
    small_course,
    study,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(catalogue):
    return small_course(catalogue)


def _unmet(enrollment):
    return [rule.key for rule in completion_requirements(enrollment) if not rule.met]


def test_every_rule_starts_unmet(built, learner):
    course, _ = built
    enrollment = enrollment_create(user=learner, course=course)
    assert _unmet(enrollment) == ["modules", "module_quizzes", "time", "post_test", "evaluation"]
    assert course_completion_check(enrollment) is None
    assert not Certificate.objects.exists()


def test_finishing_everything_completes_the_course_and_creates_one_pending_certificate(
    built, learner, django_capture_on_commit_callbacks
):
    course, pages = built
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enrollment = course_finish(learner, course, pages)
    assert enrollment.status == Enrollment.Status.COMPLETED and enrollment.completed_at is not None
    certificate = Certificate.objects.get()
    assert certificate.enrollment == enrollment
    assert certificate.status == Certificate.Status.PENDING  # the task runs only on commit
    # one on-commit task (the certificate), besides the learner page cache's version bumps
    assert len([c for c in callbacks if not getattr(c, "learner_cache_bump", False)]) == 1
    assert certificate.page_revision_id == course.live_revision_id
    assert list(certificate.events.values_list("action", flat=True)) == [CertificateEvent.Action.CREATED]


def test_the_last_rule_can_be_any_of_them(catalogue, learner, django_capture_on_commit_callbacks):
    """Evaluation first, post-test last (the course lets the evaluation come first): the quiz pass is
    what completes the course."""
    course, pages = small_course(catalogue, evaluation_after_post_test=False)
    enrollment = study(enrollment_create(user=learner, course=course))
    evaluation_submit(enrollment=enrollment, ratings=RATINGS)
    quiz_pass(learner, Quiz.objects.get(module=pages[0]))
    for page in pages:
        module_complete(user=learner, module=page)
    assert _unmet(enrollment) == ["post_test"]
    assert not Certificate.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        quiz_pass(learner, Quiz.objects.get(course=course, module__isnull=True))
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.status == Certificate.Status.ISSUED


def test_a_module_completed_last_completes_the_course(built, learner, django_capture_on_commit_callbacks):
    course, pages = built
    enrollment = study(enrollment_create(user=learner, course=course))
    quiz_pass(learner, Quiz.objects.get(module=pages[0]))
    quiz_pass(learner, Quiz.objects.get(course=course, module__isnull=True))
    evaluation_submit(enrollment=enrollment, ratings=RATINGS)
    module_complete(user=learner, module=pages[0])
    assert not Certificate.objects.exists()
    module_complete(user=learner, module=pages[1])
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1


def test_rules_the_course_switches_off_are_not_required(catalogue, learner):
    course, pages = small_course(
        catalogue, post_test=False, module_quiz=False, require_post_test=False, require_evaluation=False
    )
    enrollment = course_finish(learner, course, pages, evaluate=False)
    keys = [r.key for r in completion_requirements(enrollment)]
    assert keys[:3] == ["modules", "module_quizzes", "time"]
    assert "post_test" not in keys and "evaluation" not in keys
    assert Certificate.objects.filter(enrollment=enrollment).exists()


def test_a_required_post_test_that_does_not_exist_blocks_completion(catalogue, learner):
    course, pages = small_course(catalogue, post_test=False)
    enrollment = course_finish(learner, course, pages)
    rule = next(r for r in completion_requirements(enrollment) if r.key == "post_test")
    assert not rule.met and "not published" in rule.detail
    assert not Certificate.objects.exists()


def test_minimum_time_on_task(catalogue, learner):
    course, pages = small_course(catalogue, min_minutes_on_task=200, post_test_after_seat_time=False)
    enrollment = course_finish(learner, course, pages, study_minutes=150)
    assert _unmet(enrollment) == ["time"]
    ModuleProgress.objects.filter(enrollment=enrollment).update(seconds_spent=200 * 60)
    assert course_completion_check(enrollment) is not None
    assert Certificate.objects.filter(enrollment=enrollment).exists()


def test_checking_again_returns_the_same_certificate(built, learner):
    course, pages = built
    enrollment = course_finish(learner, course, pages)
    first = Certificate.objects.get()
    assert course_completion_check(enrollment).pk == first.pk
    assert course_completion_check(enrollment).pk == first.pk
    assert Certificate.objects.count() == 1


def test_the_database_refuses_a_second_certificate(built, learner):
    course, pages = built
    enrollment = course_finish(learner, course, pages)
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(enrollment=enrollment, code="AAAAA-AAAAA-AAAAA-AAAAA")


def test_a_withdrawn_enrollment_gets_no_certificate(built, learner):
    course, pages = built
    enrollment = course_finish(learner, course, pages, evaluate=False)
    Enrollment.objects.filter(pk=enrollment.pk).update(status=Enrollment.Status.WITHDRAWN)
    enrollment.refresh_from_db()
    with pytest.raises(EvaluationError):
        evaluation_submit(enrollment=enrollment, ratings=RATINGS)
    assert course_completion_check(enrollment) is None


def test_one_evaluation_per_enrollment(catalogue, learner):
    course, _ = small_course(catalogue, evaluation_after_post_test=False)
    enrollment = enrollment_create(user=learner, course=course)
    evaluation_submit(enrollment=enrollment, ratings=RATINGS, comments="  Good.  ")
    with pytest.raises(EvaluationError, match="already"):
        evaluation_submit(enrollment=enrollment, ratings={**RATINGS, "would_recommend": 1})
    stored = CourseEvaluation.objects.get(enrollment=enrollment)
    assert (stored.comments, stored.would_recommend) == ("Good.", 5)


def test_the_snapshot_freezes_what_the_certificate_prints(built, learner):
    course, pages = built
    enrollment = course_finish(learner, course, pages)
    snapshot = Certificate.objects.get().snapshot
    assert snapshot["participant_name"] == learner.legal_name
    assert snapshot["license_number"] == learner.license_number
    assert snapshot["license_state"] == "NC" and snapshot["license_state_name"] == "North Carolina"
    assert snapshot["course_title"] == course.approved_title
    assert snapshot["course_type"] == "Home Study"
    assert snapshot["ce_hours"] == "3.00" and snapshot["ce_hours_display"] == "3"
    assert snapshot["completion_date"] == enrollment.completed_at.date().isoformat()
    provider = course.provider
    assert (snapshot["provider_name"], snapshot["provider_number"]) == (
        provider.name,
        provider.ncbtmb_provider_number,
    )
    assert snapshot["provider_email"] == provider.email and snapshot["provider_address"] == provider.address
    assert (snapshot["signatory_name"], snapshot["signatory_title"]) == (
        provider.signatory_name,
        provider.signatory_title,
    )
    # Later edits change nothing already frozen.
    learner.legal_name = "Someone Else"
    learner.save()
    provider.name = "Renamed Provider"
    provider.save()
    assert Certificate.objects.get().snapshot["participant_name"] != "Someone Else"
    assert Certificate.objects.get().snapshot["provider_name"] != "Renamed Provider"


def test_completion_date_is_the_day_of_the_last_rule(built, learner, time_machine):
    from datetime import UTC, datetime

    course, pages = built
    time_machine.move_to(datetime(2026, 3, 4, 15, 0, tzinfo=UTC))
    course_finish(learner, course, pages, evaluate=False)
    time_machine.move_to(datetime(2026, 3, 9, 10, 0, tzinfo=UTC) + timedelta(minutes=1))
    enrollment = Enrollment.objects.get(user=learner)
    evaluation_submit(enrollment=enrollment, ratings=RATINGS)
    assert Certificate.objects.get().snapshot["completion_date"] == "2026-03-09"
