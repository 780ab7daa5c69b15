"""The quiz result page as the course serves it: the quiz engine's result, with its feedback withheld
while the quiz is not the learner's to take (never a key of a locked quiz), and the one next step."""

from __future__ import annotations

from urllib.parse import quote

from quizzes.selectors import out_of_attempts, result_view

from .gating import quiz_gate_refusal
from .journey import course_state
from .next_step import NextStep, next_step
from .selectors import NOT_ENROLLED, enrollment_for

WITHHELD = "Feedback on this quiz is shown once it is open to you. {reason}"


def out_of_attempts_step(quiz) -> NextStep:
    """Instead of a next step the quiz stands in the way of: say so, and whom to ask (the help box above
    names the course's instructors and the provider's contact)."""
    email = quiz.course.provider.email
    return NextStep(
        "out_of_attempts",
        f"You have used all your attempts at “{quiz.title}” without passing",
        "Contact your course staff",
        f"mailto:{email}?subject={quote(quiz.title)}" if email else "#quiz-help-heading",
        "Contact your instructor: they can give you another attempt, more time or another way forward. "
        "Until then the course cannot go on past this quiz.",
    )


def attempt_result_context(*, user, attempt) -> dict:
    quiz = attempt.quiz
    context = result_view(attempt=attempt)
    enrollment = enrollment_for(user=user, course=quiz.course)
    state = None
    if enrollment is None:
        refusal = NOT_ENROLLED
    else:
        enrollment.course = quiz.course
        state = course_state(enrollment)
        refusal = quiz_gate_refusal(state, quiz)
    if refusal:
        context.update(
            show_items=False,
            show_key=False,
            items=[],
            critical_wrong=[],
            key_hidden_note=WITHHELD.format(reason=refusal),
        )
    stuck = not attempt.passed and not refusal and out_of_attempts(user=user, quiz=quiz)
    context["out_of_attempts"] = None if refusal else stuck  # None: the help box looks it up itself
    context["next_step"] = (
        None if state is None else out_of_attempts_step(quiz) if stuck else next_step(state)
    )
    context["module_completed"] = (
        quiz.module if state is not None and quiz.module_id in state.completed_ids else None
    )
    # out of attempts: the page says whom to contact (quiz_help) instead of offering a retry that is refused
    context["can_retry"] = not attempt.passed and not refusal and not stuck
    return context
