"""Quizzes per course: item analysis, the quiz snippets and the question generator show an instructor
only the courses they are assigned to; another course's instructor gets 404 and no data."""

import csv
import io

import pytest
from django.urls import reverse

from courses.services import course_instructor_assign
from quizzes.models import Quiz
from quizzes.permissions import instructor_quiz_permissions_grant
from tests.factories import InstructorFactory, UserFactory, course_create, module_create
from tests.quizzes import factories as qf
from tests.quizzes.test_item_analysis import record_attempts


@pytest.fixture
def other_course(catalogue, provider):
    course = course_create(
        catalogue, title="Neck and Shoulder Work", slug="neck-and-shoulder", provider=provider
    )
    module_create(course, title="The upper trapezius", body=[("rich_text", "<p>Upper trapezius.</p>")])
    return course


@pytest.fixture
def other_instructor(other_course):
    """An instructor assigned to `other_course` only."""
    user = InstructorFactory(username="neck-teacher")
    course_instructor_assign(course=other_course, user=user)
    return user


@pytest.fixture
def taken_quiz(course, module):
    questions = [qf.single_choice(module, stem=f"Scoped question {n}") for n in range(1, 3)]
    quiz = qf.quiz_create(course, module, title="Low back module quiz")
    record_attempts(quiz, questions, {"A": [1, 1], "B": [1, 0], "C": [0, 0]})
    return quiz


@pytest.fixture(autouse=True)
def quiz_permissions(db):
    instructor_quiz_permissions_grant()


def test_the_assigned_instructor_reads_item_analysis_and_its_csv(client, assigned_instructor, taken_quiz):
    client.force_login(assigned_instructor)
    index = client.get(reverse("insight_quizzes")).content.decode()
    assert reverse("insight_item_analysis", args=[taken_quiz.pk]) in index
    page = client.get(reverse("insight_item_analysis", args=[taken_quiz.pk]))
    assert page.status_code == 200 and "Scoped question 1" in page.content.decode()
    response = client.get(reverse("insight_item_analysis_csv", args=[taken_quiz.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert response.status_code == 200 and {row[5] for row in rows[1:3]} == {
        "Scoped question 1",
        "Scoped question 2",
    }


def test_another_courses_instructor_gets_404_and_no_statistics(client, other_instructor, taken_quiz):
    client.force_login(other_instructor)
    for name in ("insight_item_analysis", "insight_item_analysis_csv"):
        response = client.get(reverse(name, args=[taken_quiz.pk]))
        assert response.status_code == 404, name
        assert b"Scoped question" not in response.content
    index = client.get(reverse("insight_quizzes"))
    assert index.status_code == 200
    assert reverse("insight_item_analysis", args=[taken_quiz.pk]) not in index.content.decode()
    assert "Low back module quiz" not in index.content.decode()


def test_a_learner_gets_the_admin_log_in(client, learner, taken_quiz):
    client.force_login(learner)
    response = client.get(reverse("insight_item_analysis", args=[taken_quiz.pk]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_provider_wide_staff_read_every_quiz(client, taken_quiz, other_course):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(reverse("insight_item_analysis", args=[taken_quiz.pk])).status_code == 200


def test_the_quiz_list_and_editor_are_per_course(client, assigned_instructor, other_instructor, taken_quiz):
    edit = reverse("wagtailsnippets_quizzes_quiz:edit", args=[taken_quiz.pk])
    client.force_login(other_instructor)
    assert (
        "Low back module quiz"
        not in client.get(reverse("wagtailsnippets_quizzes_quiz:list")).content.decode()
    )
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"title": "Renamed"}).status_code == 404
    assert Quiz.objects.get(pk=taken_quiz.pk).title == "Low back module quiz"
    client.force_login(assigned_instructor)
    assert "Low back module quiz" in client.get(reverse("wagtailsnippets_quizzes_quiz:list")).content.decode()
    assert client.get(edit).status_code == 200


def _quiz_form(title, course, module):
    return {
        "title": title,
        "course": course.pk,
        "module": module.pk,
        "pass_mark": 80,
        "cooldown_minutes": 0,
        "grace_seconds": 30,
        "feedback_policy": "full_explanations",
        "rules-TOTAL_FORMS": 0,
        "rules-INITIAL_FORMS": 0,
        "rules-MIN_NUM_FORMS": 0,
        "rules-MAX_NUM_FORMS": 1000,
    }


def test_the_quiz_form_accepts_only_ones_own_courses_and_modules(
    client, course, module, other_course, other_instructor
):
    client.force_login(other_instructor)
    add = reverse("wagtailsnippets_quizzes_quiz:add")
    assert client.get(add).status_code == 200
    response = client.post(add, _quiz_form("Smuggled quiz", course, module))
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Quiz.objects.filter(title="Smuggled quiz").exists()
    own_module = other_course.get_children().first()
    mixed = client.post(
        add, _quiz_form("Mixed quiz", other_course, module)
    )  # own course, someone else's module
    assert mixed.status_code == 200 and not Quiz.objects.filter(title="Mixed quiz").exists()
    response = client.post(add, _quiz_form("Trapezius quiz", other_course, own_module))
    assert response.status_code == 302
    assert Quiz.objects.get(title="Trapezius quiz").course_id == other_course.pk


def test_the_generator_offers_only_ones_own_courses(client, course, other_course, other_instructor):
    client.force_login(other_instructor)
    page = client.get(reverse("quizzes_generate")).content.decode()
    assert "Neck and Shoulder Work" in page and "Massage for Low Back Pain" not in page
    response = client.post(reverse("quizzes_generate"), {"course": course.pk, "seed": 1})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_an_unassigned_instructor_still_has_the_question_bank(client, instructor, taken_quiz):
    client.force_login(instructor)
    assert client.get(reverse("wagtailsnippets_quizzes_question:list")).status_code == 200
    assert client.get(reverse("insight_item_analysis", args=[taken_quiz.pk])).status_code == 404
