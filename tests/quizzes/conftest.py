import pytest

from tests.quizzes import factories as qf


@pytest.fixture
def zones(db):
    return qf.zones_create()


@pytest.fixture
def module(modules):
    return modules[0]


@pytest.fixture
def enrolled(learner, course):
    from courses.models import Enrollment

    Enrollment.objects.create(user=learner, course=course)
    return learner


@pytest.fixture
def all_kinds_quiz(course, module, zones):
    qf.every_kind(module, zones)
    return qf.quiz_create(course, module, title="Module 1 quiz")
