"""Enrollment and module progress: idempotent, in order, timed on the server."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction

from courses.models import Enrollment, ModuleProgress
from courses.services import ProgressError, enrollment_create, module_complete, module_visit
from tests.factories import UserFactory

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class TestEnrollment:
    def test_enrolling_twice_gives_one_enrollment(self, learner, course):
        first = enrollment_create(user=learner, course=course)
        second = enrollment_create(user=learner, course=course)
        assert first.pk == second.pk
        assert Enrollment.objects.filter(user=learner, course=course).count() == 1
        assert first.status == Enrollment.Status.ACTIVE and first.completed_at is None

    def test_the_database_refuses_a_second_row(self, enrollment):
        with pytest.raises(IntegrityError), transaction.atomic():
            Enrollment.objects.create(user=enrollment.user, course=enrollment.course)

    def test_a_withdrawn_learner_who_enrolls_again_is_active(self, enrollment):
        enrollment.status = Enrollment.Status.WITHDRAWN
        enrollment.save()
        again = enrollment_create(user=enrollment.user, course=enrollment.course)
        assert again.pk == enrollment.pk and again.status == Enrollment.Status.ACTIVE

    def test_an_unpublished_course_refuses_enrollment(self, learner, course):
        course.unpublish()
        course.refresh_from_db()
        with pytest.raises(ProgressError, match="not open"):
            enrollment_create(user=learner, course=course)
        assert not Enrollment.objects.exists()


class TestVisit:
    def test_first_view_starts_the_clock_and_later_views_keep_it(self, enrollment, modules):
        with time_machine.travel(T0, tick=False):
            progress = module_visit(user=enrollment.user, module=modules[0])
        assert progress.started_at == T0 and progress.completed_at is None
        with time_machine.travel(T0 + timedelta(hours=3), tick=False):
            again = module_visit(user=enrollment.user, module=modules[0])
        assert again.pk == progress.pk and again.started_at == T0
        assert ModuleProgress.objects.count() == 1

    def test_visitors_who_are_not_enrolled_leave_no_trace(self, learner, modules):
        assert module_visit(user=learner, module=modules[0]) is None
        assert not ModuleProgress.objects.exists()

    def test_opening_a_locked_module_records_nothing(self, enrollment, modules):
        assert module_visit(user=enrollment.user, module=modules[1]) is None
        assert not ModuleProgress.objects.exists()


class TestComplete:
    def test_time_spent_is_activity_on_the_servers_clock_with_idle_gaps_capped(self, enrollment, modules):
        with time_machine.travel(T0, tick=False):
            module_visit(user=enrollment.user, module=modules[0])
        with time_machine.travel(T0 + timedelta(minutes=3), tick=False):
            module_visit(user=enrollment.user, module=modules[0])  # the page's study clock, or a re-read
        with time_machine.travel(T0 + timedelta(minutes=47), tick=False):  # away for 44 minutes
            progress = module_complete(user=enrollment.user, module=modules[0])
        assert progress.completed_at == T0 + timedelta(minutes=47)
        assert progress.seconds_spent == 3 * 60 + 5 * 60  # the idle gap counts at most five minutes

    def test_completing_twice_keeps_the_first_completion(self, enrollment, modules):
        with time_machine.travel(T0, tick=False):
            module_visit(user=enrollment.user, module=modules[0])
        with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
            module_complete(user=enrollment.user, module=modules[0])
        with time_machine.travel(T0 + timedelta(days=2), tick=False):
            again = module_complete(user=enrollment.user, module=modules[0])
        assert again.completed_at == T0 + timedelta(minutes=5)

    def test_completing_without_a_recorded_visit_counts_no_time(self, enrollment, modules):
        with time_machine.travel(T0, tick=False):
            progress = module_complete(user=enrollment.user, module=modules[0])
        assert progress.started_at == progress.completed_at == T0 and progress.seconds_spent == 0

    def test_a_locked_module_is_refused_with_a_clear_message(self, enrollment, modules):
        with pytest.raises(ProgressError) as refused:
            module_complete(user=enrollment.user, module=modules[2])
        assert "complete “Module 1” first" in refused.value.message
        assert not ModuleProgress.objects.exists()

    def test_modules_open_one_after_another(self, enrollment, modules):
        user = enrollment.user
        module_complete(user=user, module=modules[0])
        with pytest.raises(ProgressError, match="Module 2"):
            module_complete(user=user, module=modules[2])
        module_complete(user=user, module=modules[1])
        module_complete(user=user, module=modules[2])
        assert ModuleProgress.objects.filter(enrollment=enrollment, completed_at__isnull=False).count() == 3

    def test_reading_every_module_does_not_complete_the_course(self, enrollment, modules):
        for module in modules:
            module_complete(user=enrollment.user, module=module)
        enrollment.refresh_from_db()
        assert enrollment.completed_at is None and enrollment.status == Enrollment.Status.ACTIVE

    def test_an_unpublished_module_does_not_block_the_next(self, enrollment, modules):
        modules[0].unpublish()
        progress = module_complete(user=enrollment.user, module=modules[1])
        assert progress.is_complete

    def test_not_enrolled_is_refused(self, learner, modules):
        with pytest.raises(ProgressError, match="Enroll"):
            module_complete(user=learner, module=modules[0])
        assert not ModuleProgress.objects.exists()

    def test_one_learners_progress_is_not_anothers(self, enrollment, course, modules):
        other = UserFactory()
        other_enrollment = enrollment_create(user=other, course=course)
        module_complete(user=enrollment.user, module=modules[0])
        assert not other_enrollment.module_progress.exists()
        with pytest.raises(ProgressError):
            module_complete(user=other, module=modules[1])
