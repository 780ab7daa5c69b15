"""The admin home's "needs attention" panels (issue 14, item 6): what each shows and links to, for the
course's instructor and for provider-wide staff; nothing of it for another course's instructor; empty
states; queries bounded whatever the number of courses and learners."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import GroupApprovalTask, Workflow, WorkflowTask

from courses import attention
from courses.home_panels import PANELS, attention_panels
from courses.models import Certificate, CourseEvaluation, Enrollment
from courses.roster import records_permissions_grant
from courses.services import course_instructor_assign
from tests.courses.test_roster import graded_attempt
from tests.factories import InstructorFactory, ProviderAdminFactory, UserFactory, course_create, module_create
from tests.quizzes import factories as qf
from tests.quizzes.test_item_analysis import MATRIX, record_attempts

RATINGS = dict.fromkeys(
    ("objectives_met", "content_relevant", "materials_quality", "instructor_quality", "would_recommend"), 4
)


def _trouble(course, module, tag):
    """One of each kind of trouble in `course`; returns the strings each panel must show."""
    now = timezone.now()
    stuck = UserFactory(legal_name=f"Stuck {tag}")
    quiz = qf.quiz_create(course, module, title=f"Quiz {tag}", max_attempts=1)
    Enrollment.objects.create(user=stuck, course=course, last_active_at=now)
    graded_attempt(stuck, quiz, 1, "20.00", False)
    quiet = UserFactory(legal_name=f"Quiet {tag}")
    Enrollment.objects.create(user=quiet, course=course, last_active_at=now - timedelta(days=20))
    busy = UserFactory(legal_name=f"Busy {tag}")
    recent = Enrollment.objects.create(user=busy, course=course, last_active_at=now - timedelta(days=2))
    failed = Certificate.objects.create(
        enrollment=Enrollment.objects.get(user=quiet, course=course),
        code=f"FAIL-{tag}",
        status=Certificate.Status.FAILED,
        last_error="SMTP refused",
    )
    old_pending = Certificate.objects.create(
        enrollment=Enrollment.objects.get(user=stuck, course=course),
        code=f"SLOW-{tag}",
        created_at=now - timedelta(hours=2),
    )
    Certificate.objects.create(enrollment=recent, code=f"FRESH-{tag}")  # pending 0 min: fine
    CourseEvaluation.objects.create(enrollment=recent, comments=f"Loved it {tag}", **RATINGS)
    CourseEvaluation.objects.create(enrollment=old_pending.enrollment, comments="", **RATINGS)
    old = CourseEvaluation.objects.create(enrollment=failed.enrollment, comments=f"Long ago {tag}", **RATINGS)
    CourseEvaluation.objects.filter(pk=old.pk).update(submitted_at=now - timedelta(days=30))
    return {
        "shown": [f"Stuck {tag}", f"Quiet {tag}", f"FAIL-{tag}", f"SLOW-{tag}", f"Loved it {tag}"],
        "hidden": [f"FRESH-{tag}", f"Long ago {tag}"],
        "quiz": quiz,
        "stuck": stuck,
    }


def _moderate(page, user):
    group = Group.objects.get_or_create(name="Provider admins")[0]
    task = GroupApprovalTask.objects.create(name="Provider approval")
    task.groups.set([group])
    workflow = Workflow.objects.create(name="Course moderation")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    page.save_revision(user=user)
    return workflow.start(page, user)


@pytest.fixture
def staff(catalogue, course, modules, assigned_instructor, settings):
    settings.ITEM_ANALYSIS_MIN_RESPONSES = 6
    records_permissions_grant()
    trouble = _trouble(course, modules[0], "A")
    questions = [qf.single_choice(modules[1], stem=f"Hand-computed question {n}") for n in range(1, 5)]
    record_attempts(qf.quiz_create(course, modules[1], title="Hand quiz"), questions, MATRIX)
    _moderate(modules[2], assigned_instructor)
    other_course = course_create(catalogue, slug="other-course")
    other_module = module_create(other_course, title="Other module")
    other = InstructorFactory()
    course_instructor_assign(course=other_course, user=other)
    return {"trouble": trouble, "other": other, "other_course": other_course, "other_module": other_module}


def test_the_instructor_sees_what_needs_attention_in_their_course(
    client, staff, assigned_instructor, modules
):
    client.force_login(assigned_instructor)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    for text in staff["trouble"]["shown"]:
        assert text in html, text
    for text in staff["trouble"]["hidden"]:
        assert text not in html, text
    stalled = attention.learners_stalled(assigned_instructor).rows
    assert [e.user.legal_name for e in stalled] == ["Quiet A"]  # Busy A was active 2 days ago
    # every row links to where it is dealt with
    stuck, quiz = staff["trouble"]["stuck"], staff["trouble"]["quiz"]
    assert reverse("insight_learner_override", args=[stuck.pk, "extra-attempts", quiz.pk]) in html
    assert reverse("insight_learner", args=[stuck.pk]) in html
    assert "Hand-computed question 4" in html and "too hard" in html  # facility 1/6 on 6 responses
    assert "Hand-computed question 2" not in html  # not flagged
    assert (
        reverse("wagtailsnippets_quizzes_question:edit", args=[_question_id("Hand-computed question 4")])
        in html
    )
    assert (
        f"{reverse('insight_roster', args=[quiz.course_id])}?q=SLOW-A" in html
    )  # no certificate admin for them
    assert reverse("insight_evaluations", args=[quiz.course_id]) in html
    assert modules[2].title in html and reverse("wagtailadmin_pages:edit", args=[modules[2].pk]) in html


def _question_id(stem):
    from quizzes.models import Question

    return Question.objects.get(stem=stem).pk


def test_another_courses_instructor_sees_nothing_of_it(client, staff):
    client.force_login(staff["other"])
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    for text in [*staff["trouble"]["shown"], "Hand-computed question 4", "Provider approval"]:
        assert text not in html, text
    for empty in (
        "No learner is out of attempts.",
        "Every learner in progress has been active in the last 14 days.",
        "No question is flagged: no quiz of your courses has been taken yet.",
        "No certificate has failed or been pending for over 60 minutes.",
        "No evaluation with comments in the last 14 days.",
        "No course draft is awaiting moderation.",
    ):
        assert empty in html, empty


def test_provider_wide_staff_see_every_course_and_the_certificate_admin(client, staff):
    trouble_b = _trouble(staff["other_course"], staff["other_module"], "B")
    failed = Certificate.objects.get(code="FAIL-B")
    for user in (UserFactory(is_superuser=True, is_staff=True, groups=[]), ProviderAdminFactory()):
        client.force_login(user)
        html = client.get(reverse("wagtailadmin_home")).content.decode()
        for text in staff["trouble"]["shown"] + trouble_b["shown"]:
            assert text in html, (user, text)
        assert reverse("courses_certificate", args=[failed.pk]) in html, user


def test_learners_and_instructors_without_a_course_get_no_panels(rf, staff, learner):
    for user in (learner, InstructorFactory()):
        request = rf.get("/admin/")
        request.user = user
        assert attention_panels(request) == []


def _panel_queries(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    counts = {}
    for panel in attention_panels(request):
        with CaptureQueriesContext(connection) as queries:
            panel.render_html({"request": request})
        counts[type(panel).__name__] = len(queries)
    return counts


def test_panel_queries_do_not_grow_with_courses_or_learners(catalogue, staff, monkeypatch):
    monkeypatch.setattr(attention, "ANALYSED_QUIZZES", 1)
    superuser = UserFactory(is_superuser=True, is_staff=True, groups=[])
    few = _panel_queries(superuser)
    assert set(few) == {panel.__name__ for panel in PANELS}
    for n in range(3):
        extra = course_create(catalogue, slug=f"extra-{n}")
        module = module_create(extra, title=f"Extra module {n}")
        _trouble(extra, module, f"X{n}")
        _moderate(module, superuser)
    many = _panel_queries(superuser)
    # the same fixed bounds with one course or four: cut lists add one count query, item analysis runs on
    # ANALYSED_QUIZZES quizzes at most (about nine queries each, fewer for a quiz with no responses)
    bounds = {
        "LearnersPanel": 7,
        "FlaggedQuestionsPanel": 1 + 9 * attention.ANALYSED_QUIZZES,
        "CertificatesPanel": 2,
        "EvaluationsPanel": 2,
        "ModerationPanel": 4,
    }
    for counts in (few, many):
        assert all(counts[name] <= bound for name, bound in bounds.items()), counts
    assert many["LearnersPanel"] == few["LearnersPanel"] and many["ModerationPanel"] == few["ModerationPanel"]


def test_the_moderation_panel_names_who_submitted_by_full_name_else_e_mail(
    client, staff, assigned_instructor
):
    from courses.home_panels import ModerationPanel

    assigned_instructor.legal_name = "Dana Q. Instructor"
    assigned_instructor.save(update_fields=["legal_name"])
    client.force_login(assigned_instructor)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    panel = html[html.index("Course drafts awaiting moderation") :]
    assert "by Dana Q. Instructor," in panel and f"by {assigned_instructor.username}," not in panel

    assigned_instructor.legal_name = ""
    assigned_instructor.save(update_fields=["legal_name"])
    request = RequestFactory().get("/admin/")
    request.user = assigned_instructor
    rows = ModerationPanel(request).contents()["rows"]
    assert [row["requested_by"] for row in rows] == [assigned_instructor.email]


def test_the_admin_home_does_not_rerun_item_analysis_nor_grow_with_questions(
    client, staff, assigned_instructor, course, modules, django_assert_max_num_queries
):
    """Item analysis (about nine queries a quiz) runs for a quiz only when its attempts changed; the whole
    admin home then costs the same with four questions or sixteen more, all with responses."""
    client.force_login(assigned_instructor)

    def home():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("wagtailadmin_home"))
        assert response.status_code == 200
        return len(queries), response.content.decode()

    cold, _ = home()
    warm, html = home()
    assert "Hand-computed question 4" in html and "Hand-computed question 2" not in html  # from the cache
    assert warm <= cold - 8, (cold, warm)

    module = module_create(course, title="Module 4")
    questions = [qf.single_choice(module, stem=f"Extra question {n}") for n in range(16)]
    record_attempts(
        qf.quiz_create(course, module, title="Big quiz"),
        questions,
        {name: row * 4 for name, row in MATRIX.items()},
    )
    _, html = home()  # the new quiz's attempts: analysed once
    assert "Extra question" in html  # its flagged questions are listed
    with django_assert_max_num_queries(warm):
        client.get(reverse("wagtailadmin_home"))
