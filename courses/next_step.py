"""The learner's one next step in a course, for every page that points the way on: the quiz result
page, the course page, the module page and the dashboard ("Your next step") all ask `next_step`, so
they always agree. The steps follow the gates (courses/gating.py): a step is never a closed door.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from .gating import post_test_refusal
from .journey import CourseState
from .models import Certificate


@dataclass(frozen=True)
class NextStep:
    kind: str  # module, study, post_test, evaluation, certificate, certificate_pending, course
    title: str  # what to do, as a sentence
    label: str  # the button
    url: str
    detail: str = ""


def study_left_text(state: CourseState) -> str:
    """ "About 40 minutes of study left before the post-test opens" (or before the certificate), or ""."""
    if state.seat_time_met:
        return ""
    gate = (
        state.post_test is not None and state.course.post_test_after_seat_time and not state.post_test_passed
    )
    before = "the post-test opens" if gate else "your certificate can be issued"
    return f"About {state.minutes_left} minutes of study left before {before}."


def _module_step(state: CourseState, module) -> NextStep:
    position = next(i for i, m in enumerate(state.modules, start=1) if m.pk == module.pk)
    verb = "Continue" if module.pk in state.started_ids else "Start"
    return NextStep(
        "module",
        f"{verb} module {position} of {len(state.modules)}: “{module.title}”",
        f"{verb} module {position}: {module.title}",
        module.url,
        f"{module.reading_minutes} min read" if module.reading_minutes else "",
    )


def _certificate_step(certificate: Certificate) -> NextStep | None:
    if certificate.status == Certificate.Status.ISSUED:
        url = reverse("courses:certificate_download", args=[certificate.code])
        return NextStep("certificate", "Your CE certificate is ready", "Download your certificate", url)
    if certificate.status == Certificate.Status.REVOKED:
        return None
    return NextStep(
        "certificate_pending",
        "Course complete: your certificate is being prepared",
        "Go to your dashboard",
        reverse("dashboard"),
        "It appears on your dashboard in a moment, and you are e-mailed when it is ready.",
    )


def next_step(state: CourseState) -> NextStep | None:
    """The one thing to do next in the course, or None (a revoked certificate: nothing to do)."""
    course = state.course
    if state.certificate is not None:
        return _certificate_step(state.certificate)
    module = state.first_incomplete
    if module is not None:
        return _module_step(state, module)
    study = NextStep(
        "study",
        study_left_text(state),
        "Review the modules",
        f"{course.url}#modules-heading",
        f"{state.minutes_done} of {state.minutes_required} minutes of study so far, counted while you "
        "read the modules and take their quizzes.",
    )
    if state.post_test is not None and not state.post_test_passed:
        if post_test_refusal(state) and not state.seat_time_met:
            return study
        return NextStep(
            "post_test",
            "Take the final post-test",
            "Go to the post-test",
            reverse("quizzes:quiz_intro", args=[state.post_test.pk]),
            f"Pass it with {state.post_test.pass_mark}% or more to complete the course.",
        )
    if not state.seat_time_met:
        return study
    if course.require_evaluation and not state.evaluated:
        return NextStep(
            "evaluation",
            "Evaluate the course",
            "Evaluate the course",
            reverse("courses:evaluation", args=[course.pk]),
            "The last step before your certificate: five ratings and any comments.",
        )
    return NextStep(
        "course",
        "See what is left before your certificate",
        "See what’s left",
        f"{course.url}#completion-heading",
    )
