"""A module with a quiz is complete only after its quiz is passed (issue 3, item 4), and the pass
completes it (issue 12, item 3)."""

import pytest

from courses.models import Enrollment, ModuleProgress
from courses.services import ProgressError, module_complete, module_visit
from quizzes.services import attempt_start, attempt_submit
from tests.quizzes import factories as qf


@pytest.fixture
def gated_module(course, modules, learner):
    Enrollment.objects.create(user=learner, course=course)
    module = modules[0]
    for n in range(3):
        qf.single_choice(module, stem=f"Question {n}?")
    quiz = qf.quiz_create(course, module, rules=[("", "", 3)], pass_mark=80)
    module_visit(user=learner, module=module)
    return module, quiz


def test_completing_a_module_before_passing_its_quiz_is_refused(gated_module, learner):
    module, quiz = gated_module
    with pytest.raises(ProgressError, match="Pass the quiz"):
        module_complete(user=learner, module=module)

    attempt = attempt_start(user=learner, quiz=quiz)
    attempt_submit(attempt=attempt, answers=qf.wrong_answers(attempt))
    with pytest.raises(ProgressError, match="Pass the quiz"):
        module_complete(user=learner, module=module)


def test_passing_the_quiz_completes_the_module(gated_module, learner):
    module, quiz = gated_module
    attempt = attempt_start(user=learner, quiz=quiz)
    graded = attempt_submit(attempt=attempt, answers=qf.key_answers(attempt)).attempt

    progress = ModuleProgress.objects.get(enrollment__user=learner, module=module)
    assert progress.completed_at == graded.submitted_at  # no second click (issue 12)
    assert module_complete(user=learner, module=module).completed_at == progress.completed_at  # idempotent


def test_the_module_page_shows_the_quiz_instead_of_mark_complete(gated_module, learner, client):
    module, _ = gated_module
    client.force_login(learner)
    html = client.get(module.url).content.decode()
    assert "Take the quiz" in html
    assert "Pass the module quiz above" in html
    assert "Mark complete" not in html
