"""Where a learner stands in a course: what the gates (courses/gating.py) and the next step
(courses/next_step.py) read. One enrollment costs a fixed handful of queries; the dashboard's many
enrollments cost the same handful together (`course_states`), whatever the number of modules.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from quizzes.models import Attempt, Quiz

from .models import Certificate, CourseEvaluation, CoursePage, Enrollment, ModulePage, ModuleProgress
from .seat_time import minutes_left, quiz_seconds_by_course, seat_time_required_seconds


@dataclass
class CourseState:
    enrollment: Enrollment
    modules: list[ModulePage]
    completed_ids: set[int]
    started_ids: set[int]
    module_seconds: int
    quiz_seconds: int
    required_seconds: int
    post_test: Quiz | None
    post_test_passed: bool
    evaluated: bool
    certificate: Certificate | None

    @property
    def course(self) -> CoursePage:
        return self.enrollment.course

    @property
    def seconds(self) -> int:
        return self.module_seconds + self.quiz_seconds

    @property
    def completed_count(self) -> int:
        return sum(1 for m in self.modules if m.pk in self.completed_ids)

    @property
    def modules_complete(self) -> bool:
        return bool(self.modules) and self.completed_count == len(self.modules)

    @property
    def first_incomplete(self) -> ModulePage | None:
        return next((m for m in self.modules if m.pk not in self.completed_ids), None)

    @property
    def seat_time_met(self) -> bool:
        return self.seconds >= self.required_seconds

    @property
    def minutes_left(self) -> int:
        return minutes_left(self.seconds, self.required_seconds)

    @property
    def minutes_done(self) -> int:
        return self.seconds // 60

    @property
    def minutes_required(self) -> int:
        return -(-self.required_seconds // 60)


def _final_quiz_with_pass(user_id, course_ids) -> dict[int, tuple[Quiz, bool]]:
    """{course id: (its post-test, passed by this learner)}, in one query."""
    passed = Attempt.objects.filter(quiz=OuterRef("pk"), user_id=user_id, passed=True)
    quizzes = Quiz.objects.filter(course_id__in=course_ids, module__isnull=True).annotate(done=Exists(passed))
    found: dict[int, tuple[Quiz, bool]] = {}
    for quiz in quizzes.order_by("pk"):
        found.setdefault(quiz.course_id, (quiz, quiz.done))
    return found


def course_state(
    enrollment: Enrollment,
    *,
    modules: list[ModulePage] | None = None,
    progress: dict[int, ModuleProgress] | None = None,
    post_test: tuple[Quiz | None, bool] | None = None,
) -> CourseState:
    """One enrollment's state (its `course` is read as given); callers pass what they already loaded."""
    course = enrollment.course
    if modules is None:
        modules = course.live_modules()
    if progress is None:
        progress = {p.module_id: p for p in ModuleProgress.objects.filter(enrollment=enrollment)}
    if post_test is None:
        post_test = _final_quiz_with_pass(enrollment.user_id, [course.pk]).get(course.pk, (None, False))
    live_ids = {m.pk for m in modules}
    if _cached(enrollment, "evaluation"):
        evaluated = getattr(enrollment, "evaluation", None) is not None
    else:
        evaluated = CourseEvaluation.objects.filter(enrollment=enrollment).exists()
    if _cached(enrollment, "certificate"):
        certificate = getattr(enrollment, "certificate", None)
    else:
        certificate = Certificate.objects.filter(enrollment=enrollment).first()
    return CourseState(
        enrollment=enrollment,
        modules=modules,
        completed_ids={pk for pk, p in progress.items() if p.completed_at is not None and pk in live_ids},
        started_ids=set(progress),
        module_seconds=sum(p.seconds_spent for p in progress.values()),
        quiz_seconds=quiz_seconds_by_course(enrollment.user_id, [course.pk])[course.pk],
        required_seconds=seat_time_required_seconds(enrollment),
        post_test=post_test[0],
        post_test_passed=post_test[1],
        evaluated=evaluated,
        certificate=certificate,
    )


def _cached(enrollment: Enrollment, relation: str) -> bool:
    """True when `relation` was loaded with the enrollment (select_related), found or not."""
    return Enrollment._meta.get_field(relation).is_cached(enrollment)


def course_states(
    user, enrollments: list[Enrollment], modules_by_course: dict[str, list[ModulePage]]
) -> dict[int, CourseState]:
    """{enrollment id: state} for one learner's enrollments (loaded with course and certificate) and
    their live modules by course path, in four queries whatever their number."""
    if not enrollments:
        return {}
    course_ids = [e.course_id for e in enrollments]
    rows = ModuleProgress.objects.filter(enrollment__in=enrollments).values_list(
        "enrollment_id", "module_id", "completed_at", "seconds_spent"
    )
    completed: dict[int, set[int]] = defaultdict(set)
    started: dict[int, set[int]] = defaultdict(set)
    seconds: dict[int, int] = defaultdict(int)
    for enrollment_id, module_id, completed_at, spent in rows:
        seconds[enrollment_id] += spent
        started[enrollment_id].add(module_id)
        if completed_at is not None:
            completed[enrollment_id].add(module_id)
    quiz_seconds = quiz_seconds_by_course(user, course_ids)
    finals = _final_quiz_with_pass(user.pk, course_ids)
    evaluated = set(
        CourseEvaluation.objects.filter(enrollment__in=enrollments).values_list("enrollment_id", flat=True)
    )
    states = {}
    for enrollment in enrollments:
        modules = modules_by_course[enrollment.course.path]
        live_ids = {m.pk for m in modules}
        final, passed = finals.get(enrollment.course_id, (None, False))
        states[enrollment.pk] = CourseState(
            enrollment=enrollment,
            modules=modules,
            completed_ids=completed[enrollment.pk] & live_ids,
            started_ids=started[enrollment.pk],
            module_seconds=seconds[enrollment.pk],
            quiz_seconds=quiz_seconds[enrollment.course_id],
            required_seconds=seat_time_required_seconds(enrollment),
            post_test=final,
            post_test_passed=passed,
            evaluated=enrollment.pk in evaluated,
            certificate=getattr(enrollment, "certificate", None),
        )
    return states
