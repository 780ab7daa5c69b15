"""Reads: outline, module context, cards and dashboard, each seen by one learner only."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from courses.models import WORDS_PER_CE_HOUR
from courses.selectors import (
    ce_hours_differ,
    course_cards,
    course_outline,
    estimated_ce_hours,
    learner_dashboard,
    module_context,
)
from courses.services import enrollment_create, module_complete
from tests.factories import module_create


def states(outline):
    return [
        ("done" if r.completed else "next" if r.is_next else "locked" if r.locked else "open")
        for r in outline["module_rows"]
    ]


class TestCourseOutline:
    def test_visitor_sees_the_outline_without_state(self, course, modules):
        outline = course_outline(course=course, user=AnonymousUser())
        assert [r.module.pk for r in outline["module_rows"]] == [m.pk for m in modules]
        assert states(outline) == ["open", "open", "open"]
        assert outline["enrollment"] is None and outline["progress_percent"] == 0
        assert outline["ce_hours_mismatch"] is False

    def test_enrolled_learner_sees_next_and_locks(self, enrollment, course, modules):
        module_complete(user=enrollment.user, module=modules[0])
        outline = course_outline(course=course, user=enrollment.user)
        assert states(outline) == ["done", "next", "locked"]
        assert (outline["completed_count"], outline["module_count"], outline["progress_percent"]) == (
            1,
            3,
            33,
        )
        assert outline["next_module"].pk == modules[1].pk

    def test_reading_minutes_and_estimated_hours_come_from_word_counts(self, course, modules):
        outline = course_outline(course=course, user=AnonymousUser())
        assert outline["reading_minutes"] == sum(m.reading_minutes for m in modules) == 3
        assert outline["estimated_ce_hours"] == Decimal("0.00")

    def test_staff_are_warned_when_hours_and_words_disagree(self, instructor, learner, course, modules):
        assert course_outline(course=course, user=instructor)["ce_hours_mismatch"] is True
        assert course_outline(course=course, user=learner)["ce_hours_mismatch"] is False

    def test_no_warning_when_the_words_fit_the_hours(self, instructor, course_with_modules):
        course, _ = course_with_modules(0, ce_hours=Decimal("1.00"))
        module_create(
            course, title="Long read", body=[("rich_text", "<p>" + "word " * WORDS_PER_CE_HOUR + "</p>")]
        )
        outline = course_outline(course=course, user=instructor)
        assert outline["estimated_ce_hours"] == Decimal("1.00")
        assert outline["ce_hours_mismatch"] is False

    def test_drafts_are_not_part_of_the_outline(self, course, modules):
        modules[1].unpublish()
        outline = course_outline(course=course, user=AnonymousUser())
        assert [r.module.pk for r in outline["module_rows"]] == [modules[0].pk, modules[2].pk]


@pytest.mark.parametrize(
    "approved, estimate, differ",
    [
        ("2.00", "2.00", False),
        ("2.00", "1.50", False),
        ("2.00", "1.49", True),
        ("2.00", "2.51", True),
        ("0", "0", False),
        ("0", "0.10", True),
    ],
)
def test_ce_hours_tolerance_is_25_percent(approved, estimate, differ):
    assert ce_hours_differ(Decimal(approved), Decimal(estimate)) is differ


def test_estimated_hours_round_to_hundredths():
    assert estimated_ce_hours(18_000) == Decimal("1.50")
    assert estimated_ce_hours(100) == Decimal("0.01")


class TestModuleContext:
    def test_position_and_neighbours(self, enrollment, modules):
        context = module_context(module=modules[1], user=enrollment.user)
        assert (context["position"], context["module_count"]) == (2, 3)
        assert context["previous_module"].pk == modules[0].pk and context["next_module"].pk == modules[2].pk
        assert context["course"].pk == modules[1].get_parent().pk

    def test_first_module_is_always_open(self, enrollment, modules):
        context = module_context(module=modules[0], user=enrollment.user)
        assert context["can_read"] and not context["locked"] and context["can_complete"]
        assert context["previous_module"] is None

    def test_later_modules_wait_for_earlier_ones(self, enrollment, modules):
        context = module_context(module=modules[2], user=enrollment.user)
        assert context["locked"] and not context["can_read"] and not context["can_complete"]
        assert context["blocking_module"].pk == modules[0].pk

    def test_staff_read_everything_without_enrolling(self, instructor, modules):
        context = module_context(module=modules[2], user=instructor)
        assert context["can_read"] and not context["locked"] and not context["can_complete"]

    def test_visitors_cannot_read(self, learner, modules):
        for user in (AnonymousUser(), learner):
            context = module_context(module=modules[0], user=user)
            assert not context["can_read"] and context["enrollment"] is None


class TestCards:
    def test_cards_carry_counts_and_the_learners_own_progress(
        self, enrollment, other_learner, course, modules
    ):
        module_complete(user=enrollment.user, module=modules[0])
        [card] = course_cards(user=enrollment.user)
        assert (card.course.pk, card.module_count, card.reading_minutes) == (course.pk, 3, 3)
        assert card.ce_hours == course.ce_hours and card.provider == course.provider
        assert card.enrollment.pk == enrollment.pk and card.progress_percent == 33

        [theirs] = course_cards(user=other_learner)
        assert theirs.enrollment is None and theirs.progress_percent is None
        [anonymous] = course_cards(user=AnonymousUser())
        assert anonymous.progress_percent is None

    def test_unpublished_courses_are_not_listed(self, course, modules):
        course.unpublish()
        assert course_cards(user=AnonymousUser()) == []


class TestDashboard:
    def test_rows_show_progress_and_the_next_module(self, enrollment, modules):
        module_complete(user=enrollment.user, module=modules[0])
        [row] = learner_dashboard(user=enrollment.user)
        assert row.enrollment.pk == enrollment.pk
        assert (row.completed_count, row.module_count, row.progress_percent) == (1, 3, 33)
        assert row.next_module.pk == modules[1].pk and not row.completed

    def test_all_modules_read(self, enrollment, modules):
        for module in modules:
            module_complete(user=enrollment.user, module=module)
        [row] = learner_dashboard(user=enrollment.user)
        assert row.completed and row.next_module is None and row.progress_percent == 100

    def test_only_the_learners_own_enrollments(self, enrollment, other_learner, course_with_modules):
        other_course, _ = course_with_modules(2)
        enrollment_create(user=other_learner, course=other_course)
        assert [r.course.pk for r in learner_dashboard(user=enrollment.user)] == [enrollment.course_id]
        assert [r.course.pk for r in learner_dashboard(user=other_learner)] == [other_course.pk]
        assert learner_dashboard(user=AnonymousUser()) == []
