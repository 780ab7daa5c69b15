"""Per-learner overrides by course staff (courses.overrides): what each changes, the append-only history,
the exports, the admin forms, the "needs attention" list and what a stranded learner is told."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib import admin
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.snippets.models import get_snippet_models

from courses.data_export import learner_data
from courses.models import AppendOnlyError, Certificate, Enrollment, LearnerOverride, ModuleProgress
from courses.override_selectors import needs_attention
from courses.overrides import (
    OverrideError,
    override_extra_attempts,
    override_module_complete,
    override_quiz_reset,
    override_seat_time_waiver,
    override_time_accommodation,
)
from courses.roster import records_permissions_grant
from courses.services import course_instructor_assign, enrollment_create, module_complete, quiz_attempt_start
from quizzes import services as quiz_services
from quizzes.errors import AttemptNotAllowed
from quizzes.models import Attempt
from tests.courses.certify import private_media  # noqa: F401 - autouse: certificates written per test
from tests.factories import InstructorFactory, UserFactory, course_create, module_create
from tests.quizzes import factories as qf

REASON = "Learner emailed: power cut during attempt 3."
START = timezone.now().replace(microsecond=0)


@pytest.fixture
def quiz(course, modules):
    qf.single_choice(modules[0])
    qf.true_false(modules[0])
    return qf.quiz_create(course, modules[0], title="Quiz: part 1", max_attempts=3)


@pytest.fixture
def enrolled(learner, course):
    enrollment_create(user=learner, course=course)
    return learner


@pytest.fixture
def staff(assigned_instructor):
    records_permissions_grant()
    return assigned_instructor


def fail_attempt(user, quiz):
    attempt = quiz_attempt_start(user=user, quiz=quiz)
    return quiz_services.attempt_submit(attempt=attempt, answers=qf.wrong_answers(attempt)).attempt


def out_of_attempts(user, quiz):
    for _ in range(quiz.max_attempts):
        fail_attempt(user, quiz)


# --- what each override does ---------------------------------------------------------------------


def test_an_extra_attempt_lets_a_fourth_attempt_start(quiz, enrolled, staff):
    out_of_attempts(enrolled, quiz)
    with pytest.raises(AttemptNotAllowed):
        quiz_attempt_start(user=enrolled, quiz=quiz)

    row = override_extra_attempts(actor=staff, learner=enrolled, quiz=quiz, count=1, reason=REASON)

    assert quiz_attempt_start(user=enrolled, quiz=quiz).number == 4
    assert (row.action, row.quiz, row.created_by, row.reason) == ("extra_attempts", quiz, staff, REASON)
    assert row.details == {"count": 1, "attempt_limit": 4}


def test_a_reset_makes_the_count_zero_and_keeps_every_attempt(quiz, enrolled, staff):
    out_of_attempts(enrolled, quiz)
    before = list(Attempt.objects.filter(user=enrolled).values_list("pk", "number", "score", "status"))

    override_quiz_reset(actor=staff, learner=enrolled, quiz=quiz, reason=REASON)

    assert (
        list(Attempt.objects.filter(user=enrolled).values_list("pk", "number", "score", "status")) == before
    )
    assert quiz_attempt_start(user=enrolled, quiz=quiz).number == 4
    assert LearnerOverride.objects.get().details == {"reset_through": 3}


def test_a_time_accommodation_extends_the_deadline_of_a_timed_attempt(course, modules, enrolled, staff):
    qf.single_choice(modules[0])
    timed = qf.quiz_create(course, modules[0], time_limit_minutes=30)
    with time_machine.travel(START, tick=False):
        running = quiz_attempt_start(user=enrolled, quiz=timed)

    row = override_time_accommodation(
        actor=staff,
        learner=enrolled,
        course=course,
        quiz=None,
        multiplier=Decimal("1.5"),
        extra_minutes=10,
        reason=REASON,
    )

    running.refresh_from_db()
    assert running.deadline == START + timedelta(minutes=55)
    assert row.details["multiplier"] == "1.50" and row.details["running_attempts_extended"] == 1
    assert row.quiz is None and row.details["quizzes"] == [timed.pk]


def test_a_module_marked_complete_runs_the_completion_check(catalogue, provider, enrolled, staff):
    course = course_create(
        catalogue, title="Short course", provider=provider, ce_hours=Decimal("0"),
        require_post_test=False, require_evaluation=False, require_module_quizzes=True,
    )  # fmt: skip
    course_instructor_assign(course=course, user=staff)
    first, second = (module_create(course, title=f"Part {n}") for n in (1, 2))
    qf.single_choice(second)
    stuck = qf.quiz_create(course, second, max_attempts=1)
    enrollment = enrollment_create(user=enrolled, course=course)
    module_complete(user=enrolled, module=first)
    fail_attempt(enrolled, stuck)
    assert not Certificate.objects.filter(enrollment=enrollment).exists()

    # the learner cannot pass the quiz any more; staff complete the module, quiz rule waived for it
    course.require_module_quizzes = False
    course.save_revision().publish()
    with TestCase.captureOnCommitCallbacks(execute=True):
        row = override_module_complete(actor=staff, learner=enrolled, module=second, reason=REASON)

    assert ModuleProgress.objects.get(enrollment=enrollment, module=second).completed_at is not None
    assert Certificate.objects.get(enrollment=enrollment).status == Certificate.Status.ISSUED
    assert row.certificate_code == Certificate.objects.get(enrollment=enrollment).code
    with pytest.raises(OverrideError, match="already complete"):
        override_module_complete(actor=staff, learner=enrolled, module=second, reason=REASON)


def test_a_seat_time_waiver_lifts_the_minimum_and_completes_the_course(catalogue, provider, enrolled, staff):
    course = course_create(
        catalogue, title="Timed course", provider=provider, ce_hours=Decimal("1.00"),
        require_post_test=False, require_evaluation=False,
    )  # fmt: skip
    course_instructor_assign(course=course, user=staff)
    module = module_create(course, title="Only part")
    enrollment = enrollment_create(user=enrolled, course=course)
    module_complete(user=enrolled, module=module)
    assert not Certificate.objects.filter(enrollment=enrollment).exists()  # 50 minutes not studied

    with TestCase.captureOnCommitCallbacks(execute=True):
        row = override_seat_time_waiver(actor=staff, learner=enrolled, course=course, reason=REASON)

    enrollment.refresh_from_db()
    assert enrollment.seat_time_waived_at is not None
    assert Certificate.objects.filter(enrollment=enrollment).exists()
    assert row.details["required_minutes"] == 50
    with pytest.raises(OverrideError, match="already waived"):
        override_seat_time_waiver(actor=staff, learner=enrolled, course=course, reason=REASON)


# --- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_a_reason_is_required(quiz, enrolled, staff, reason):
    with pytest.raises(OverrideError, match="reason"):
        override_extra_attempts(actor=staff, learner=enrolled, quiz=quiz, count=1, reason=reason)
    assert not LearnerOverride.objects.exists()


def test_only_the_courses_staff_may_override(quiz, enrolled, catalogue, provider):
    other_instructor = InstructorFactory()
    course_instructor_assign(course=course_create(catalogue, provider=provider), user=other_instructor)
    for actor in (other_instructor, UserFactory(), enrolled):
        with pytest.raises(PermissionDenied):
            override_extra_attempts(actor=actor, learner=enrolled, quiz=quiz, count=1, reason=REASON)
    records_staff = UserFactory(is_superuser=True, is_staff=True, groups=[])
    override_extra_attempts(actor=records_staff, learner=enrolled, quiz=quiz, count=1, reason=REASON)
    assert LearnerOverride.objects.count() == 1


def test_a_learner_not_enrolled_is_refused(quiz, learner, staff):
    with pytest.raises(OverrideError, match="not enrolled"):
        override_extra_attempts(actor=staff, learner=learner, quiz=quiz, count=1, reason=REASON)


# --- the history is append-only ------------------------------------------------------------------


def test_history_rows_cannot_be_updated_or_deleted(quiz, enrolled, staff):
    row = override_extra_attempts(actor=staff, learner=enrolled, quiz=quiz, count=1, reason=REASON)
    row.reason = "Rewritten later"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        LearnerOverride.objects.filter(pk=row.pk).update(reason="Rewritten later")
    with pytest.raises(AppendOnlyError):
        LearnerOverride.objects.all().delete()
    assert LearnerOverride.objects.get(pk=row.pk).reason == REASON


def test_the_admin_offers_no_edit_view_for_the_history():
    assert LearnerOverride not in admin.site._registry
    assert LearnerOverride not in get_snippet_models()


# --- exports -------------------------------------------------------------------------------------


def test_the_learners_own_export_and_the_audit_csv_hold_the_rows(client, quiz, enrolled, staff):
    override_extra_attempts(actor=staff, learner=enrolled, quiz=quiz, count=2, reason='=HYPERLINK("x")')
    exported = learner_data(enrolled)["overrides"]
    assert [(o["action"], o["quiz"], o["by"], o["reason"]) for o in exported] == [
        ("extra_attempts", quiz.title, staff.display_name, '=HYPERLINK("x")')
    ]
    client.force_login(enrolled)
    assert b"extra_attempts" in client.get(reverse("profile_export")).content

    client.force_login(staff)
    response = client.get(reverse("insight_overrides_csv", args=[quiz.course_id]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response.status_code == 200 and "Extra attempts" in body and enrolled.username in body
    assert "'=HYPERLINK" in body  # a formula is defused (content.spreadsheets.safe_cell)


# --- the admin pages -----------------------------------------------------------------------------


def override_url(learner, action, target_id):
    return reverse("insight_learner_override", args=[learner.pk, action, target_id])


def test_the_form_grants_an_attempt_and_the_record_shows_the_history(client, quiz, enrolled, staff):
    out_of_attempts(enrolled, quiz)
    client.force_login(staff)
    url = override_url(enrolled, "extra-attempts", quiz.pk)
    assert client.get(url).status_code == 200

    response = client.post(url, {"count": "1", "reason": REASON})

    assert response.status_code == 302 and response["Location"].endswith(f"#course-{quiz.course_id}")
    record = client.get(response["Location"]).content.decode()
    assert REASON in record and "Extra attempts" in record and staff.display_name in record


@pytest.mark.parametrize(
    "action, data, error",
    [
        ("extra-attempts", {"count": "1", "reason": "  "}, "Give a reason"),
        ("extra-attempts", {"count": "0", "reason": REASON}, "greater than or equal to 1"),
        ("extra-attempts", {"count": "many", "reason": REASON}, "Enter a whole number"),
        (
            "more-time",
            {"multiplier": "10", "extra_minutes": "0", "reason": REASON},
            "less than or equal to 4",
        ),
        (
            "more-time",
            {"multiplier": "0.5", "extra_minutes": "0", "reason": REASON},
            "greater than or equal to 1",
        ),
        (
            "more-time",
            {"multiplier": "1", "extra_minutes": "9999", "reason": REASON},
            "less than or equal to 600",
        ),
        (
            "more-time",
            {"quiz": "999999", "multiplier": "1.5", "extra_minutes": "0", "reason": REASON},
            "valid choice",
        ),
        ("reset-quiz", {"reason": REASON}, "no attempts to reset"),
    ],
)
def test_bad_input_is_a_clear_message_and_changes_nothing(client, quiz, enrolled, staff, action, data, error):
    client.force_login(staff)
    target = quiz.course_id if action == "more-time" else quiz.pk
    response = client.post(override_url(enrolled, action, target), data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not LearnerOverride.objects.exists()


def test_foreign_and_tampered_ids_are_not_found(client, quiz, enrolled, staff, catalogue, provider):
    other_course = course_create(catalogue, provider=provider)
    other_quiz = qf.quiz_create(other_course, None, max_attempts=1)
    Enrollment.objects.create(user=enrolled, course=other_course)  # enrolled, but not staff's course
    stranger = UserFactory()  # in none of staff's courses
    client.force_login(staff)
    for url in (
        override_url(enrolled, "extra-attempts", other_quiz.pk),
        override_url(enrolled, "more-time", other_course.pk),
        override_url(enrolled, "complete-module", other_course.pk),  # a course id where a module is wanted
        override_url(enrolled, "complete-module", 2**31),
        override_url(enrolled, "no-such-action", quiz.pk),
        override_url(stranger, "extra-attempts", quiz.pk),
        override_url(enrolled, "extra-attempts", 10**12),
    ):
        for response in (client.get(url), client.post(url, {"count": "1", "reason": REASON})):
            assert response.status_code == 404, url
    assert not LearnerOverride.objects.exists()


def test_needs_attention_lists_learners_out_of_attempts_in_ones_own_courses(
    client, quiz, enrolled, staff, catalogue, provider
):
    passer = UserFactory()
    enrollment_create(user=passer, course=quiz.course)
    fail_attempt(passer, quiz)
    out_of_attempts(enrolled, quiz)
    assert [(r.learner, r.quiz, r.attempts_counted, r.limit) for r in needs_attention(staff)] == [
        (enrolled, quiz, 3, 3)
    ]
    other_instructor = InstructorFactory()
    course_instructor_assign(course=course_create(catalogue, provider=provider), user=other_instructor)
    assert needs_attention(other_instructor) == []

    client.force_login(staff)
    page = client.get(reverse("insight_attention")).content.decode()
    assert override_url(enrolled, "extra-attempts", quiz.pk) in page

    override_extra_attempts(actor=staff, learner=enrolled, quiz=quiz, count=1, reason=REASON)
    assert needs_attention(staff) == []


def test_the_record_page_costs_the_same_queries_with_many_overrides(client, quiz, enrolled, staff):
    fail_attempt(enrolled, quiz)
    client.force_login(staff)
    url = reverse("insight_learner", args=[enrolled.pk])
    override_extra_attempts(actor=staff, learner=enrolled, quiz=quiz, count=1, reason=REASON)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for n in range(12):
        override_extra_attempts(actor=staff, learner=enrolled, quiz=quiz, count=1, reason=f"{REASON} {n}")
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert page.content.decode().count("Learner emailed") == 13
    assert len(many.captured_queries) == len(one.captured_queries)


# --- what the stranded learner sees --------------------------------------------------------------


def test_a_learner_out_of_attempts_is_told_whom_to_contact(client, quiz, enrolled, staff):
    client.force_login(enrolled)
    intro = reverse("quizzes:quiz_intro", args=[quiz.pk])
    assert b"data-quiz-help" not in client.get(intro).content
    out_of_attempts(enrolled, quiz)
    last = Attempt.objects.filter(user=enrolled).order_by("-number").first()

    for url in (intro, reverse("quizzes:attempt_result", args=[last.pk])):
        page = client.get(url).content.decode()
        assert "data-quiz-help" in page, url
        assert staff.display_name in page and quiz.course.provider.email in page

    override_extra_attempts(actor=staff, learner=enrolled, quiz=quiz, count=1, reason=REASON)
    page = client.get(intro).content.decode()
    assert "data-quiz-help" not in page and "3 of 4 used" in page


# --- what an allowance keeps from being deleted ---------------------------------------------------


def test_a_module_whose_quiz_has_an_allowance_but_no_attempt_is_not_deleted(
    client, course, modules, enrolled, staff
):
    qf.single_choice(modules[1])
    timed = qf.quiz_create(course, modules[1], time_limit_minutes=20)
    override_time_accommodation(
        actor=staff,
        learner=enrolled,
        course=course,
        quiz=timed,
        multiplier=Decimal("2"),
        extra_minutes=0,
        reason=REASON,
    )
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    page_delete = client.post(reverse("wagtailadmin_pages:delete", args=[modules[1].pk]))
    quiz_delete = client.post(reverse("wagtailsnippets_quizzes_quiz:delete", args=[timed.pk]))
    assert page_delete.status_code == quiz_delete.status_code == 302
    messages = " ".join(str(m) for m in get_messages(quiz_delete.wsgi_request))
    assert "cannot be deleted" in messages and "1 learner overrides" in messages and "allowance" in messages
    assert modules[1].__class__.objects.filter(pk=modules[1].pk).exists()
    assert timed.__class__.objects.filter(pk=timed.pk).exists()


@pytest.mark.parametrize("hostile", [str(2**63), str(10**30), "0"])
def test_out_of_range_ids_are_never_a_500(client, quiz, enrolled, staff, hostile):
    client.force_login(staff)
    urls = [
        f"/admin/insight/learners/{hostile}/overrides/extra-attempts/{quiz.pk}/",
        f"/admin/insight/learners/{enrolled.pk}/overrides/extra-attempts/{hostile}/",
        f"/admin/insight/learners/{enrolled.pk}/overrides/complete-module/{hostile}/",
        f"/admin/insight/courses/{hostile}/overrides.csv",
    ]
    for url in urls:
        for response in (client.get(url), client.post(url, {"count": "1", "reason": "x\x00y"})):
            assert response.status_code in (400, 404), (url, response.status_code)
    url = override_url(enrolled, "more-time", quiz.course_id)
    response = client.post(
        url, {"multiplier": "1e9999", "extra_minutes": str(2**63), "reason": "\u202e" * 3000}
    )
    assert response.status_code in (200, 400) and not LearnerOverride.objects.exists()


def test_the_result_page_offers_no_retry_once_out_of_attempts(client, quiz, enrolled, staff):
    client.force_login(enrolled)
    fail_attempt(enrolled, quiz)
    first = Attempt.objects.get(user=enrolled, number=1)
    assert (
        "Review and try the quiz again"
        in client.get(reverse("quizzes:attempt_result", args=[first.pk])).content.decode()
    )
    fail_attempt(enrolled, quiz)
    fail_attempt(enrolled, quiz)
    page = client.get(reverse("quizzes:attempt_result", args=[first.pk])).content.decode()
    assert "Review and try the quiz again" not in page and "data-quiz-help" in page


def test_the_result_page_after_the_last_attempt_says_so_instead_of_continue(client, quiz, enrolled, staff):
    """After the last allowed attempt fails, the next step is not "Continue module 1" (the module cannot be
    completed without the quiz) but that they are out of attempts and should contact the instructor."""
    client.force_login(enrolled)
    first = fail_attempt(enrolled, quiz)
    page = client.get(reverse("quizzes:attempt_result", args=[first.pk])).content.decode()
    assert 'data-next-step="module"' in page  # attempts left: back to the module, then try again
    fail_attempt(enrolled, quiz)
    last = fail_attempt(enrolled, quiz)

    page = client.get(reverse("quizzes:attempt_result", args=[last.pk])).content.decode()

    assert 'data-next-step="out_of_attempts"' in page and 'data-next-step="module"' not in page
    assert "You have used all your attempts at “Quiz: part 1” without passing" in page
    assert "Contact your instructor" in page and f"mailto:{quiz.course.provider.email}" in page
    assert "Continue module" not in page and "Start module" not in page
