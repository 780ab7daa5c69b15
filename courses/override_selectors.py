"""Reads for per-learner overrides: the history, what the learner record offers staff to act on, the
learners who need attention (out of attempts on a quiz they have not passed), who a stranded learner
should contact, and the audit CSV. Each runs a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Max, Q

from quizzes.models import Attempt, AttemptStatus, Quiz, QuizAllowance

from .models import CourseInstructor, CoursePage, Enrollment, LearnerOverride, ModulePage, ModuleProgress
from .permissions import staff_courses

# --- the history -------------------------------------------------------------------------------------


def override_history(*, learner, course_ids=None) -> list[LearnerOverride]:
    """The learner's overrides, newest first (one query); `course_ids` limits them to those courses."""
    rows = LearnerOverride.objects.filter(learner=learner).select_related(
        "course", "quiz", "module", "created_by"
    )
    if course_ids is not None:
        rows = rows.filter(course_id__in=course_ids)
    return list(rows)


def override_export_rows(learner) -> list[dict]:
    """The learner's overrides as JSON-ready values (their own data export)."""
    return [
        {
            "created_at": o.created_at,
            "course_id": o.course_id,
            "course": o.course.title,
            "action": o.action,
            "action_display": o.get_action_display(),
            "quiz": o.quiz.title if o.quiz else "",
            "module": o.module.title if o.module else "",
            "details": o.details,
            "summary": o.summary,
            "reason": o.reason,
            "by": o.created_by.display_name,
        }
        for o in override_history(learner=learner)
    ]


# --- what the learner record offers ------------------------------------------------------------------


@dataclass
class QuizStanding:
    quiz: Quiz
    attempts_total: int = 0
    attempts_counted: int = 0
    passed: bool = False
    in_progress: bool = False
    allowance: QuizAllowance | None = None

    @property
    def limit(self) -> int | None:
        if self.quiz.max_attempts is None:
            return None
        return self.quiz.max_attempts + (self.allowance.extra_attempts if self.allowance else 0)

    @property
    def out_of_attempts(self) -> bool:
        return (
            self.limit is not None
            and not self.passed
            and not self.in_progress
            and self.attempts_counted >= self.limit
        )

    @property
    def resettable(self) -> bool:
        reset_through = self.allowance.attempts_reset_through if self.allowance else 0
        closed = self.attempts_total - (1 if self.in_progress else 0)
        return closed > reset_through


@dataclass
class CourseOverrides:
    enrollment: Enrollment
    quizzes: list[QuizStanding] = field(default_factory=list)
    modules: list[tuple[ModulePage, bool]] = field(default_factory=list)
    history: list[LearnerOverride] = field(default_factory=list)

    @property
    def course(self) -> CoursePage:
        return self.enrollment.course

    @property
    def timed_quizzes(self) -> bool:
        return any(q.quiz.time_limit_minutes for q in self.quizzes)


def _children_q(courses) -> Q:
    query = Q(pk__in=[])
    for course in courses:
        query |= Q(path__startswith=course.path, depth=course.depth + 1)
    return query


def learner_overrides(*, learner, viewer) -> list[CourseOverrides]:
    """For each of the learner's enrollments in the viewer's courses: the quizzes with the learner's
    standing and allowance, the live modules with their completion, and the history. Seven queries."""
    enrollments = list(
        Enrollment.objects.filter(user=learner, course__in=staff_courses(viewer))
        .select_related("course")
        .order_by("course__path")
    )
    if not enrollments:
        return []
    courses = [e.course for e in enrollments]
    by_course = {e.course_id: CourseOverrides(e) for e in enrollments}
    quizzes = list(
        Quiz.objects.filter(course__in=courses).select_related("module").order_by("module__path", "pk")
    )
    standings = {q.pk: QuizStanding(q) for q in quizzes}
    for allowance in QuizAllowance.objects.filter(user=learner, quiz__in=quizzes):
        standings[allowance.quiz_id].allowance = allowance
    rows = (
        Attempt.objects.filter(user=learner, quiz__in=quizzes)
        .order_by()
        .values_list("quiz_id", "number", "status", "passed")
    )
    for quiz_id, number, status, passed in rows:
        standing = standings[quiz_id]
        standing.attempts_total += 1
        reset_through = standing.allowance.attempts_reset_through if standing.allowance else 0
        standing.attempts_counted += number > reset_through
        standing.passed |= bool(passed)
        standing.in_progress |= status == AttemptStatus.IN_PROGRESS
    for quiz in quizzes:  # module quizzes in module order, the post-test last
        by_course[quiz.course_id].quizzes.append(standings[quiz.pk])
    for group in by_course.values():
        group.quizzes.sort(key=lambda s: s.quiz.module_id is None)
    completed = set(
        ModuleProgress.objects.filter(enrollment__in=enrollments, completed_at__isnull=False).values_list(
            "module_id", flat=True
        )
    )
    paths = {c.path: c.pk for c in courses}
    modules = (
        ModulePage.objects.live().filter(_children_q(courses)).only("title", "path", "depth").order_by("path")
    )
    for module in modules:
        by_course[paths[module.path[: -module.steplen]]].modules.append((module, module.pk in completed))
    for override in override_history(learner=learner, course_ids=list(by_course)):
        by_course[override.course_id].history.append(override)
    return list(by_course.values())


# --- who needs attention -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AttentionRow:
    learner: object
    quiz: Quiz
    attempts_counted: int
    limit: int
    last_attempt_at: object


def needs_attention(viewer) -> list[AttentionRow]:
    """Learners out of attempts on a quiz of the viewer's courses that they have not passed (and with no
    attempt running), the most recent first. Five queries whatever the number of learners and quizzes."""
    quizzes = Quiz.objects.filter(course__in=staff_courses(viewer), max_attempts__isnull=False)
    candidates = list(
        Attempt.objects.filter(quiz__in=quizzes)
        .values("user_id", "quiz_id")
        .annotate(
            total=Count("pk"),
            passes=Count("pk", filter=Q(passed=True)),
            running=Count("pk", filter=Q(status=AttemptStatus.IN_PROGRESS)),
            max_attempts=Max("quiz__max_attempts"),
            last=Max("submitted_at"),
        )
        .filter(passes=0, running=0, total__gte=F("max_attempts"))
        .order_by()
    )
    if not candidates:
        return []
    user_ids = {row["user_id"] for row in candidates}
    quiz_ids = {row["quiz_id"] for row in candidates}
    allowances = {
        (a.user_id, a.quiz_id): a
        for a in QuizAllowance.objects.filter(user_id__in=user_ids, quiz_id__in=quiz_ids)
    }
    quiz_by_id = Quiz.objects.select_related("course", "module").in_bulk(quiz_ids)
    enrolled = set(
        Enrollment.objects.filter(
            user_id__in=user_ids, course_id__in={q.course_id for q in quiz_by_id.values()}
        )
        .exclude(status=Enrollment.Status.WITHDRAWN)
        .values_list("user_id", "course_id")
    )
    users = get_user_model().objects.in_bulk(user_ids)
    found = []
    for row in candidates:
        quiz = quiz_by_id[row["quiz_id"]]
        allowance = allowances.get((row["user_id"], quiz.pk))
        # Attempts are numbered 1, 2, 3… and never deleted: a reset through N takes the first N off the count.
        counted = row["total"] - min(row["total"], allowance.attempts_reset_through if allowance else 0)
        limit = quiz.max_attempts + (allowance.extra_attempts if allowance else 0)
        if counted >= limit and (row["user_id"], quiz.course_id) in enrolled:
            found.append(AttentionRow(users[row["user_id"]], quiz, counted, limit, row["last"]))
    found.sort(key=lambda r: (r.last_attempt_at is None, r.last_attempt_at), reverse=True)
    return found


# --- who a stranded learner should contact -----------------------------------------------------------


def course_help_contact(course: CoursePage) -> dict:
    """The course's instructors (names) and the provider's contact e-mail and phone."""
    names = list(
        CourseInstructor.objects.filter(course=course)
        .select_related("user")
        .order_by("user__legal_name", "user__username")
    )
    provider = course.provider
    return {
        "instructors": [a.user.display_name for a in names],
        "email": provider.email,
        "phone": provider.phone,
        "provider": provider.name,
    }


# --- the provider's audit export ----------------------------------------------------------------------

OVERRIDES_CSV_HEADER = [
    "created_at",
    "course",
    "learner_legal_name",
    "learner_username",
    "learner_email",
    "license_number",
    "license_state",
    "action",
    "quiz",
    "module",
    "what",
    "reason",
    "by_username",
    "by_name",
]


def overrides_csv_rows(course: CoursePage):
    rows = (
        LearnerOverride.objects.filter(course=course)
        .select_related("course", "learner", "quiz", "module", "created_by")
        .order_by("created_at", "pk")
    )
    for o in rows.iterator(chunk_size=1000):
        yield [
            o.created_at,
            o.course.title,
            o.learner.legal_name,
            o.learner.username,
            o.learner.email,
            o.learner.license_number,
            o.learner.license_state,
            o.get_action_display(),
            o.quiz.title if o.quiz else "",
            o.module.title if o.module else "",
            o.summary,
            o.reason,
            o.created_by.username,
            o.created_by.display_name,
        ]


# --- records that keep a page or a quiz from being deleted ---------------------------------------------


def override_records_under(subtree) -> dict[str, int]:
    """Overrides and quiz allowances on the pages of `subtree` (a queryset of page ids) or their quizzes:
    they PROTECT what they point to, so courses.selectors.learner_records_under counts them too."""
    on_quizzes = Q(quiz__course_id__in=subtree) | Q(quiz__module_id__in=subtree)
    overrides = LearnerOverride.objects.filter(
        Q(course_id__in=subtree) | Q(module_id__in=subtree) | on_quizzes
    )
    return {
        "learner overrides": overrides.count(),
        "quiz allowances": QuizAllowance.objects.filter(on_quizzes).count(),
    }


def quizzes_with_overrides(quizzes) -> list[str]:
    """Titles of the quizzes that a learner's allowance or override points to (they are kept with it)."""
    kept = Q(allowances__isnull=False) | Q(learner_overrides__isnull=False)
    return list(
        Quiz.objects.filter(kept, pk__in=[q.pk for q in quizzes]).values_list("title", flat=True).distinct()
    )
