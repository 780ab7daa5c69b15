"""Course completion: the rules, the evaluation, and the one place a certificate is born.

`course_completion_check` runs after every write that can meet a rule (a module completed,
a quiz passed, the evaluation submitted). When the last rule is met it marks the enrollment
completed and creates the pending Certificate in the same transaction; the PDF is queued on commit.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from quizzes.models import Attempt, Quiz
from quizzes.selectors import final_quiz, final_quiz_passed

from .certificates import certificate_code_new, certificate_snapshot
from .gating import evaluation_refusal
from .journey import course_state
from .models import (
    Certificate,
    CertificateEvent,
    CourseEvaluation,
    CoursePage,
    Enrollment,
    ModulePage,
    ModuleProgress,
)
from .seat_time import minutes_left, quiz_seconds_by_course, seat_time_required_seconds

log = logging.getLogger(__name__)


class EvaluationError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Requirement:
    key: str
    label: str
    met: bool
    detail: str = ""


@dataclass
class Progress:
    """What the rules look at. The course page passes what it already loaded; the check loads the rest."""

    modules: list | None = None
    completed_ids: set | None = None
    seconds: int | None = None  # time on task: module reading and quiz attempts (courses/seat_time.py)
    post_test: tuple[bool, bool] | None = None  # (exists, passed)
    evaluated: bool | None = None
    module_quizzes: tuple[int, int] | None = None  # (module quizzes, passed by this learner)
    email_verified: bool | None = None  # the learner's address (account_requirements)


def _module_quiz_counts(enrollment: Enrollment, module_ids: list[int]) -> tuple[int, int]:
    """(module quizzes, passed by this learner) in one query."""
    passed = Attempt.objects.filter(quiz=OuterRef("pk"), user_id=enrollment.user_id, passed=True)
    rows = list(
        Quiz.objects.filter(module__in=module_ids)
        .annotate(done=Exists(passed))
        .values_list("done", flat=True)
    )
    return len(rows), sum(rows)


def _progress_load(enrollment: Enrollment, course: CoursePage, known: Progress) -> Progress:
    modules = known.modules if known.modules is not None else course.live_modules()
    completed_ids, seconds = known.completed_ids, known.seconds
    if completed_ids is None or seconds is None:
        rows = list(
            ModuleProgress.objects.filter(enrollment=enrollment).values_list(
                "module_id", "completed_at", "seconds_spent"
            )
        )
        completed_ids = {module_id for module_id, done, _ in rows if done is not None}
        quiz_seconds = quiz_seconds_by_course(enrollment.user_id, [course.pk])[course.pk]
        seconds = sum(spent for _, _, spent in rows) + quiz_seconds
    post_test = known.post_test
    if post_test is None and course.require_post_test:
        quiz = final_quiz(course)
        post_test = (quiz is not None, quiz is not None and final_quiz_passed(enrollment.user, course))
    evaluated = known.evaluated
    if evaluated is None and course.require_evaluation:
        evaluated = CourseEvaluation.objects.filter(enrollment=enrollment).exists()
    module_quizzes = known.module_quizzes
    if module_quizzes is None and course.require_module_quizzes:
        module_quizzes = _module_quiz_counts(enrollment, [m.pk for m in modules])
    return Progress(modules, completed_ids, seconds, post_test, evaluated, module_quizzes)


def completion_requirements(enrollment: Enrollment, known: Progress | None = None) -> list[Requirement]:
    """Every rule of the enrollment's course with whether it is met (for the course page and the check)."""
    course = enrollment.course
    p = _progress_load(enrollment, course, known or Progress())
    complete = sum(1 for m in p.modules if m.pk in p.completed_ids)
    rules = [
        Requirement(
            "modules",
            "Complete every module",
            bool(p.modules) and complete == len(p.modules),
            f"{complete} of {len(p.modules)} complete",
        )
    ]
    if course.require_module_quizzes:
        total, passed = p.module_quizzes
        rules.append(
            Requirement(
                "module_quizzes",
                "Pass every module quiz",
                passed == total,
                f"{passed} of {total} passed" if total else "no module quizzes",
            )
        )
    required = seat_time_required_seconds(enrollment)
    if required:
        rules.append(
            Requirement(
                "time",
                f"Study for at least {math.ceil(required / 60)} minutes (reading and quizzes)",
                p.seconds >= required,
                f"{p.seconds // 60} minutes so far"
                + (f", about {minutes_left(p.seconds, required)} left" if p.seconds < required else ""),
            )
        )
    if course.require_post_test:
        exists, passed = p.post_test
        rules.append(
            Requirement(
                "post_test",
                "Pass the final post-test",
                exists and passed,
                "" if exists else "the post-test is not published yet",
            )
        )
    if course.require_evaluation:
        rules.append(Requirement("evaluation", "Submit the course evaluation", bool(p.evaluated)))
    return rules + account_requirements(enrollment.user, email_verified=known and known.email_verified)


def account_requirements(user, *, email_verified: bool | None = None) -> list[Requirement]:
    """What every certificate needs of the learner's account: a verified e-mail address (allauth's
    EmailAddress for User.email; one query unless given) and, for a licensed learner, the license number
    and state it prints (a student's certificate prints none)."""
    if email_verified is None:
        email_verified = bool(user.email) and (
            EmailAddress.objects.filter(user_id=user.pk, email__iexact=user.email, verified=True).exists()
        )
    rules = [
        Requirement(
            "email", "Verify your e-mail address", email_verified, "" if email_verified else user.email
        )
    ]
    if getattr(user, "learner_status", "licensed") != "student":
        has_license = bool(user.license_number.strip() and user.license_state)
        rules.append(Requirement("license", "Add your license number and state to your profile", has_license))
    return rules


def course_completion_check(enrollment: Enrollment) -> Certificate | None:
    """Complete the course and create its certificate when every rule is met; else do nothing.

    Safe to call any number of times and concurrently: the enrollment row is locked and the
    certificate is unique per enrollment, so there is never a second one.
    """
    with transaction.atomic():
        locked = Enrollment.objects.select_for_update().select_related("course", "user").get(pk=enrollment.pk)
        existing = Certificate.objects.filter(enrollment=locked).first()
        if existing is not None or locked.status == Enrollment.Status.WITHDRAWN:
            return existing
        if not all(rule.met for rule in completion_requirements(locked)):
            return None
        now = timezone.now()
        locked.status = Enrollment.Status.COMPLETED
        locked.completed_at = now
        locked.save(update_fields=["status", "completed_at"])
        try:
            with transaction.atomic():  # a savepoint: a lost race leaves the outer transaction usable
                certificate = Certificate.objects.create(
                    enrollment=locked,
                    code=certificate_code_new(),
                    snapshot=certificate_snapshot(locked, completed_at=now),
                    page_revision_id=locked.course.live_revision_id,
                    created_at=now,
                    updated_at=now,
                )
        except IntegrityError:
            return Certificate.objects.get(enrollment=locked)
        CertificateEvent.objects.create(certificate=certificate, action=CertificateEvent.Action.CREATED)
        # robust: a failing hook never stops the others; should this one fail, the sweep queues it
        transaction.on_commit(lambda: certificate_queue(certificate.pk), robust=True)
    enrollment.status, enrollment.completed_at = locked.status, locked.completed_at
    return certificate


def _awaiting_completion():
    """Active enrollments with no certificate yet whose every live module is complete."""
    completed = ModuleProgress.objects.filter(
        enrollment_id=OuterRef(OuterRef("pk")), module_id=OuterRef("pk"), completed_at__isnull=False
    )
    unfinished = ModulePage.objects.live().filter(  # the course's child pages, as Page.get_children()
        ~Exists(completed), path__startswith=OuterRef("course__path"), depth=OuterRef("course__depth") + 1
    )
    return Enrollment.objects.filter(status=Enrollment.Status.ACTIVE).filter(
        ~Exists(Certificate.objects.filter(enrollment_id=OuterRef("pk"))), ~Exists(unfinished)
    )


def enrollment_awaiting_completion(*, user_id: int, course_id: int) -> Enrollment | None:
    """The active enrollment when it has no certificate yet and every live module is complete; one query.

    A cheap gate for hot paths (a quiz pass): the full check runs only when completion is possible.
    """
    return _awaiting_completion().filter(user_id=user_id, course_id=course_id).first()


COMPLETION_SWEEP_BATCH = 200


def completion_sweep(*, limit: int = COMPLETION_SWEEP_BATCH) -> list[Certificate]:
    """Complete every enrollment whose rules are all met but that has no certificate (a completion check
    that failed after its last requirement was saved, or rules met some other way); returns the new ones.

    Beat runs it every minute (courses.tasks.complete_stranded_enrollments). One query picks at most
    `limit` candidates: every module done and, where the course asks for it, the evaluation in; taken in
    random order, so learners who stay candidates without completing (a post-test not passed) never
    starve the others. Each then gets the full check, which locks the enrollment, so a sweep and a
    learner's request never make two certificates.
    """
    evaluated = Exists(CourseEvaluation.objects.filter(enrollment_id=OuterRef("pk")))
    candidates = (
        _awaiting_completion()
        .filter(Q(course__require_evaluation=False) | evaluated)
        .order_by("?")
        .values_list("pk", flat=True)[:limit]
    )
    made = []
    for enrollment in Enrollment.objects.filter(pk__in=list(candidates)):
        certificate = course_completion_check(enrollment)
        if certificate is not None:
            made.append(certificate)
            log.warning(
                "Completion sweep: enrollment %s completed, certificate %s", enrollment.pk, certificate.pk
            )
    return made


def module_complete_on_pass(attempt) -> ModuleProgress | None:
    """A passed module quiz completes its module, no second click, when the module is open to the
    learner (with the course's quiz order switched off, a quiz passed early leaves "Mark complete")."""
    quiz = attempt.quiz
    enrollment = (
        Enrollment.objects.filter(user_id=attempt.user_id, course_id=quiz.course_id)
        .exclude(status=Enrollment.Status.WITHDRAWN)
        .first()
    )
    if enrollment is None:
        return None
    completed = set(
        ModuleProgress.objects.filter(enrollment=enrollment, completed_at__isnull=False).values_list(
            "module_id", flat=True
        )
    )
    if quiz.module_id in completed:
        return None
    for module_id in (
        ModulePage.objects.child_of(quiz.course).live().order_by("path").values_list("pk", flat=True)
    ):
        if module_id == quiz.module_id:
            break
        if module_id not in completed:
            return None  # an earlier module is still incomplete: the module is not open
    else:
        return None  # not a live module of the course
    now = attempt.submitted_at or timezone.now()
    progress, _ = ModuleProgress.objects.get_or_create(
        enrollment=enrollment, module_id=quiz.module_id, defaults={"started_at": now}
    )
    ModuleProgress.objects.filter(pk=progress.pk, completed_at__isnull=True).update(completed_at=now)
    progress.completed_at = progress.completed_at or now
    return progress


def on_attempt_passed(sender, attempt, **kwargs) -> None:
    """A quiz pass may complete its module and meet the course's last rule; quizzes sends this inside
    its grading transaction, so the pass, the module and a pending certificate commit together."""
    if attempt.quiz.module_id is not None:
        module_complete_on_pass(attempt)
    enrollment = enrollment_awaiting_completion(user_id=attempt.user_id, course_id=attempt.quiz.course_id)
    if enrollment is not None:
        course_completion_check(enrollment)


def certificate_queue(certificate_id: int) -> bool:
    """Send the issue task. A broker outage is not the learner's problem: the sweep sends it later."""
    from .tasks import issue_certificate  # noqa: PLC0415 - tasks import the services, which import this module

    try:
        issue_certificate.apply_async(
            (certificate_id,),
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1},
        )
    except Exception:
        log.warning("Could not queue certificate %s; the sweep will retry", certificate_id, exc_info=True)
        return False
    return True


def evaluation_submit(*, enrollment: Enrollment, ratings: dict, comments: str = "") -> CourseEvaluation:
    """Store the learner's one evaluation of the course and check completion, in one transaction: the
    evaluation and the certificate it earns commit together or not at all."""
    if enrollment.status == Enrollment.Status.WITHDRAWN:
        raise EvaluationError("Enroll in this course again before evaluating it.")
    refusal = evaluation_refusal(course_state(enrollment))
    if refusal:
        raise EvaluationError(refusal)
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: the duplicate's error is ours to word
                evaluation = CourseEvaluation.objects.create(
                    enrollment_id=enrollment.pk, comments=comments.strip(), **ratings
                )
        except IntegrityError:
            raise EvaluationError("You have already evaluated this course. Thank you!") from None
        course_completion_check(enrollment)
    return evaluation
