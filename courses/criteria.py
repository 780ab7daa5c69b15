"""What a course asks before its certificate is issued, as facts frozen in the certificate's snapshot and as
the sentence an Open Badge states (`criteria.narrative` of its Achievement, courses/open_badges.py).

The facts follow courses.completion.completion_requirements, the rules the certificate was earned under:
every live module complete (always), each module quiz passed (`require_module_quizzes`), the seat time
(`CoursePage.seat_time_minutes`), the final post-test passed at its quiz's own pass mark
(`require_post_test`; the quiz's `pass_mark` is what grading uses), the evaluation (`require_evaluation`).
They describe the course, not one learner: a seat time an instructor waived for someone is an override on
their record (courses.overrides), not a different achievement.
"""

from __future__ import annotations

from quizzes.models import Quiz
from quizzes.selectors import final_quiz

from .models import ModulePage


def criteria_facts(course) -> dict:
    """The course's completion rules now (three queries at most), for the certificate's snapshot."""
    module_ids = list(ModulePage.objects.live().child_of(course).values_list("pk", flat=True))
    module_quizzes = (
        Quiz.objects.filter(module_id__in=module_ids).count() if course.require_module_quizzes else 0
    )
    post_test = final_quiz(course) if course.require_post_test else None
    return {
        "modules": len(module_ids),
        "module_quizzes": module_quizzes,
        "seat_minutes": course.seat_time_minutes,
        "post_test_pass_mark": post_test.pass_mark if post_test is not None else None,
        "evaluation": bool(course.require_evaluation),
    }


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def criteria_narrative(facts: dict) -> str:
    """One sentence a wallet or an employer reads: what the learner had to do to earn the credential."""
    modules = facts.get("modules") or 0
    steps = [
        "Completed the course's module" if modules == 1 else f"Completed all {modules} modules of the course"
    ]
    quizzes = facts.get("module_quizzes") or 0
    if quizzes:
        steps.append(
            "passed its module quiz" if quizzes == 1 else f"passed each of its {quizzes} module quizzes"
        )
    minutes = facts.get("seat_minutes") or 0
    if minutes:
        steps.append(
            f"studied for at least {_count(minutes, 'minute')} (reading and quizzes, timed by the server)"
        )
    mark = facts.get("post_test_pass_mark")
    if mark is not None:
        steps.append(f"passed the final post-test with a score of at least {mark}%")
    if facts.get("evaluation"):
        steps.append("submitted the course evaluation")
    text = steps[0] if len(steps) == 1 else ", ".join(steps[:-1]) + " and " + steps[-1]
    return text + "."
