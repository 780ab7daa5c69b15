"""The question bank is shared for reading and copying, but a question in a course's module is changed
or deleted only by that course's staff, and an instructor files questions only under their own modules."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from courses.quiz_admin import CourseQuestionViewSet
from courses.services import course_instructor_assign
from quizzes.models import Question
from quizzes.permissions import instructor_quiz_permissions_grant
from tests.factories import InstructorFactory, course_create, module_create
from tests.quizzes import factories as qf

EDIT = "wagtailsnippets_quizzes_question:edit"
DELETE = "wagtailsnippets_quizzes_question:delete"


@pytest.fixture(autouse=True)
def quiz_permissions(db):
    instructor_quiz_permissions_grant()


@pytest.fixture
def question(modules):
    return qf.single_choice(modules[0], stem="Where does psoas major insert?")


@pytest.fixture
def neck_module(catalogue):
    return module_create(course_create(catalogue, title="Massage for Neck Pain"), title="Upper trapezius")


@pytest.fixture
def neck_instructor(neck_module):
    instructor = InstructorFactory()
    course_instructor_assign(course=neck_module.get_parent().specific, user=instructor)
    return instructor


def test_another_courses_instructor_can_neither_edit_nor_delete_it(client, question, neck_instructor):
    # Instructors may not delete bank questions at all; grant it here to show the scope holds regardless.
    neck_instructor.user_permissions.add(Permission.objects.get(codename="delete_question"))
    client.force_login(neck_instructor)

    assert client.get(reverse(EDIT, args=[question.pk])).status_code == 404
    assert client.post(reverse(DELETE, args=[question.pk])).status_code == 404

    question.refresh_from_db()
    assert Question.objects.filter(pk=question.pk).exists()


def test_the_courses_own_instructor_edits_it(client, question, assigned_instructor):
    client.force_login(assigned_instructor)

    assert client.get(reverse(EDIT, args=[question.pk])).status_code == 200


def test_the_module_field_offers_only_the_instructors_own_modules(
    question, modules, neck_module, assigned_instructor
):
    form_class = CourseQuestionViewSet.edit_handler.bind_to_model(Question).get_form_class()

    form = form_class(instance=question, for_user=assigned_instructor)

    offered = set(form.fields["module"].queryset.values_list("pk", flat=True))
    assert offered == {module.pk for module in modules}
    assert neck_module.pk not in offered
