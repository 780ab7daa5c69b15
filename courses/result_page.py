"""The quiz result page as the course serves it: the quiz engine's result, with its feedback withheld
while the quiz is not the learner's to take (never a key of a locked quiz), and the one next step."""

from __future__ import annotations

from quizzes.selectors import out_of_attempts, result_view

from .gating import quiz_gate_refusal
from .journey import course_state
from .next_step import next_step
from .selectors import NOT_ENROLLED, enrollment_for

WITHHELD = "Feedback on this quiz is shown once it is open to you. {reason}"


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
    context["next_step"] = next_step(state) if state is not None else None
    context["module_completed"] = (
        quiz.module if state is not None and quiz.module_id in state.completed_ids else None
    )
    # out of attempts: the page says whom to contact (quiz_help) instead of offering a retry that is refused
    context["can_retry"] = not attempt.passed and not refusal and not out_of_attempts(user=user, quiz=quiz)
    return context
