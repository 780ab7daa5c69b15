"""Order and gating: which quiz and which evaluation a learner may start now, and why not.

Each rule is a course setting, on by default (CoursePage "Order and gating"):
- quizzes_in_module_order: a module's quiz only once the module is open (every module before it complete);
- post_test_after_modules: the post-test only once every module is complete;
- post_test_after_seat_time: the post-test only once the minimum time on task is met (courses/seat_time.py);
- evaluation_after_post_test: the course evaluation only once the post-test is passed.

A refusal is a sentence for the learner; the views show it instead of a Start button (or send it as a
4xx JSON message) and nothing is started or counted.
"""

from __future__ import annotations

from .journey import CourseState


def module_blocker(state: CourseState, module_id: int):
    """The earliest incomplete module before the module `module_id`, or None when it is open."""
    for module in state.modules:
        if module.pk == module_id:
            return None
        if module.pk not in state.completed_ids:
            return module
    return None


def post_test_refusal(state: CourseState) -> str:
    course = state.course
    if course.post_test_after_modules and not state.modules_complete:
        return (
            "The post-test opens once every module is complete "
            f"({state.completed_count} of {len(state.modules)} complete so far)."
        )
    if course.post_test_after_seat_time and not state.seat_time_met:
        return (
            f"The post-test opens after the course's minimum study time of {state.minutes_required} "
            f"minutes: about {state.minutes_left} minutes of study left."
        )
    return ""


def module_quiz_refusal(state: CourseState, quiz) -> str:
    if not any(m.pk == quiz.module_id for m in state.modules):
        return "This quiz's module is not available."
    if not state.course.quizzes_in_module_order:
        return ""
    blocker = module_blocker(state, quiz.module_id)
    if blocker is not None:
        return (
            f"This quiz is locked: complete “{blocker.title}” first. Modules and their quizzes open in order."
        )
    return ""


def quiz_gate_refusal(state: CourseState, quiz) -> str:
    """Why the course's order keeps this enrolled learner from starting `quiz` now, or ""."""
    return post_test_refusal(state) if quiz.module_id is None else module_quiz_refusal(state, quiz)


def evaluation_refusal(state: CourseState) -> str:
    """Why the evaluation is not open yet, or "" (with no post-test, it waits for every module)."""
    if not state.course.evaluation_after_post_test:
        return ""
    if state.post_test is not None and not state.post_test_passed:
        return "The course evaluation opens once you have passed the final post-test."
    if state.post_test is None and not state.modules_complete:
        return "The course evaluation opens once every module is complete."
    return ""
