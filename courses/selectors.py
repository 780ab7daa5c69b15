"""Reads for the catalogue, course pages, module pages and the learner dashboard.

Every selector runs a fixed number of queries, whatever the number of courses or modules:
module lists come from one query each (StreamField bodies deferred) and progress from one more.
A learner only ever sees their own enrollments and progress: everything is looked up by `user`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from operator import or_

from django.db.models import Q
from wagtail.models import Page

from quizzes import selectors as quiz_selectors
from quizzes.models import Attempt, Quiz
from quizzes.policy import quiz_policy_for
from quizzes.selectors import module_quiz, quiz_panel, quiz_panels

from .completion import Progress, completion_requirements
from .gating import evaluation_refusal, post_test_refusal, quiz_gate_refusal
from .journey import course_state, course_states
from .models import (
    MODULE_LIST_FIELDS,
    WORDS_PER_CE_HOUR,
    CourseInstructor,
    CoursePage,
    Enrollment,
    ModulePage,
    ModuleProgress,
    reading_minutes_for,
)
from .next_step import NextStep, next_step, study_left_text
from .override_selectors import override_records_under
from .permissions import reads_every_module

RELATED = ("certificate", "evaluation")  # what the completion panel and the next step show
# Approved CE hours may differ this much from the estimate from word counts before staff are warned.
CE_HOURS_TOLERANCE = Decimal("0.25")


@dataclass(frozen=True)
class ModuleRow:
    module: ModulePage
    position: int
    progress: ModuleProgress | None
    locked: bool
    is_next: bool

    @property
    def completed(self) -> bool:
        return self.progress is not None and self.progress.completed_at is not None

    @property
    def started(self) -> bool:
        return self.progress is not None


@dataclass(frozen=True)
class CourseCard:
    course: CoursePage
    module_count: int
    reading_minutes: int
    enrollment: Enrollment | None
    completed_count: int

    @property
    def provider(self):
        return self.course.provider

    @property
    def ce_hours(self) -> Decimal:
        return self.course.ce_hours

    @property
    def progress_percent(self) -> int | None:
        """None for a visitor who is not enrolled (templates then show no progress bar)."""
        return percent(self.completed_count, self.module_count) if self.enrollment else None


@dataclass(frozen=True)
class DashboardRow:
    enrollment: Enrollment
    module_count: int
    completed_count: int
    next_module: ModulePage | None
    next_step: NextStep | None = None  # the same step the course page and the result pages offer
    study_left: str = ""

    @property
    def course(self) -> CoursePage:
        return self.enrollment.course

    @property
    def progress_percent(self) -> int:
        return percent(self.completed_count, self.module_count)

    @property
    def completed(self) -> bool:
        """Every module read. Course completion (quizzes, evaluation) is decided elsewhere."""
        return self.module_count > 0 and self.completed_count == self.module_count


def percent(part: int, whole: int) -> int:
    return (part * 100) // whole if whole else 0


def enrollment_for(*, user, course: CoursePage, related: tuple[str, ...] = ()) -> Enrollment | None:
    """The learner's enrollment in the course unless withdrawn, with the `related` objects (select_related)."""
    if not (user and user.is_authenticated):
        return None
    active = Enrollment.objects.exclude(status=Enrollment.Status.WITHDRAWN).select_related(*related)
    try:
        return active.get(user=user, course=course)  # one per learner and course (a unique constraint)
    except Enrollment.DoesNotExist:
        return None


def progress_by_module(enrollment: Enrollment | None) -> dict[int, ModuleProgress]:
    if enrollment is None:
        return {}
    return {p.module_id: p for p in ModuleProgress.objects.filter(enrollment=enrollment)}


def first_incomplete_index(modules: list[ModulePage], completed_ids: set[int]) -> int | None:
    """Index of the first module not yet complete; every later module is locked."""
    for index, module in enumerate(modules):
        if module.pk not in completed_ids:
            return index
    return None


def blocking_module(
    modules: list[ModulePage], completed_ids: set[int], module: ModulePage
) -> ModulePage | None:
    """The earliest incomplete module before `module`, or None when `module` is open."""
    for earlier in modules:
        if earlier.pk == module.pk:
            return None
        if earlier.pk not in completed_ids:
            return earlier
    return None


def _completed_ids(progress: dict[int, ModuleProgress]) -> set[int]:
    return {module_id for module_id, p in progress.items() if p.completed_at is not None}


def estimated_ce_hours(words: int) -> Decimal:
    return (Decimal(words) / WORDS_PER_CE_HOUR).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def ce_hours_differ(approved: Decimal, estimate: Decimal) -> bool:
    if not approved:
        return estimate > 0
    return abs(approved - estimate) / approved > CE_HOURS_TOLERANCE


def module_rows(modules, progress, *, enrolled: bool, staff: bool) -> list[ModuleRow]:
    """One row per module: enrolled learners see their progress, the next module and what is still locked."""
    frontier = first_incomplete_index(modules, _completed_ids(progress)) if enrolled else None
    return [
        ModuleRow(
            module=module,
            position=index + 1,
            progress=progress.get(module.pk),
            locked=enrolled and not staff and frontier is not None and index > frontier,
            is_next=enrolled and index == frontier,
        )
        for index, module in enumerate(modules)
    ]


def course_outline(*, course: CoursePage, user) -> dict:
    """Everything a course page shows: the ordered module list with this viewer's state."""
    modules = course.live_modules()
    # With what the completion panel shows; the page in hand is the course its rules read.
    enrollment = enrollment_for(user=user, course=course, related=RELATED)
    if enrollment is not None:
        enrollment.course, enrollment.user = course, user  # the account rules read the user in hand
    progress = progress_by_module(enrollment)
    staff = reads_every_module(user)
    rows = module_rows(modules, progress, enrolled=enrollment is not None, staff=staff)
    estimate = estimated_ce_hours(sum(m.word_count for m in modules))
    completed_count = sum(1 for row in rows if row.completed)
    final_panel, module_panels = _course_quiz_panels(user, course, modules)
    state = _state(
        enrollment, course, modules, progress, (final_panel["quiz"], bool(final_panel.get("passed")))
    )
    if state is not None and final_panel["quiz"] is not None and not final_panel.get("in_progress"):
        final_panel["refusal"] = post_test_refusal(state)
    return {
        "learner_state": state,
        "next_step": next_step(state) if state else None,
        "study_left": study_left_text(state) if state else "",
        "enrollment": enrollment,
        "module_rows": rows,
        "module_count": len(modules),
        "completed_count": completed_count,
        "progress_percent": percent(completed_count, len(modules)),
        "next_module": next((row.module for row in rows if row.is_next), None),
        "reading_minutes": sum(m.reading_minutes for m in modules),
        "estimated_ce_hours": estimate,
        "ce_hours_mismatch": staff and ce_hours_differ(course.ce_hours, estimate),
        "final_quiz_panel": final_panel,
        "module_quiz_panels": module_panels,
        "reads_every_module": staff,
    }


def _course_quiz_panels(user, course: CoursePage, modules) -> tuple[dict, list[dict]]:
    """The post-test's panel and those of the live modules' quizzes (two queries for them all)."""
    quizzes = Quiz.objects.filter(Q(course=course, module__isnull=True) | Q(module__in=modules))
    panels = quiz_panels(user, quizzes)
    final = next((panel for panel in panels if panel["quiz"].is_final), {"quiz": None})
    return final, [panel for panel in panels if not panel["quiz"].is_final]


def module_context(*, module: ModulePage, user, course: CoursePage | None = None) -> dict:
    """Everything a module page shows around the body: where it sits and whether this viewer may read it.
    `course`: the module's course when the caller has it (the course's route does)."""
    course = course or CoursePage.objects.parent_of(module).first()
    modules = course.live_modules() if course else []
    enrollment = enrollment_for(user=user, course=course, related=RELATED) if course else None
    progress = progress_by_module(enrollment)
    completed_ids = _completed_ids(progress)
    staff = reads_every_module(user)
    state = _state(enrollment, course, modules, progress)

    index = next((i for i, m in enumerate(modules) if m.pk == module.pk), None)
    blocker = blocking_module(modules, completed_ids, module) if enrollment and index is not None else None
    own_progress = progress.get(module.pk)
    locked = blocker is not None and not staff
    rows = module_rows(modules, progress, enrolled=enrollment is not None, staff=staff)
    completed_count = sum(1 for row in rows if row.completed)
    panel = quiz_panel(user, module_quiz(module))
    quiz_open = panel["quiz"] is not None and not panel.get("passed")
    return {
        "quiz_panel": panel,
        "quiz_blocks_completion": quiz_open,
        "course": course,
        "enrollment": enrollment,
        "progress": own_progress,
        "locked": locked,
        "blocking_module": blocker,
        "can_read": staff or (enrollment is not None and not locked),
        "can_complete": enrollment is not None
        and blocker is None
        and index is not None
        and not (own_progress and own_progress.completed_at)
        and not quiz_open,
        "previous_module": modules[index - 1] if index else None,
        "next_module": modules[index + 1] if index is not None and index + 1 < len(modules) else None,
        "position": index + 1 if index is not None else None,
        "module_count": len(modules),
        "module_rows": rows,
        "completed_count": completed_count,
        "progress_percent": percent(completed_count, len(modules)),
        "reads_every_module": staff,
        "study_left": study_left_text(state) if state else "",
    }


def _state(enrollment, course, modules, progress, post_test=None):
    """The learner's CourseState from what the page loaded (None when not enrolled)."""
    if enrollment is None:
        return None
    enrollment.course = course
    return course_state(enrollment, modules=modules, progress=progress, post_test=post_test)


def course_page_context(*, course: CoursePage, user) -> dict:
    """The course page's outline and completion panel for this viewer."""
    context = course_outline(course=course, user=user)
    context["completion"] = completion_panel(enrollment=context["enrollment"], outline=context)
    return context


def dashboard_context(*, user) -> dict:
    """The dashboard's enrollments, newest first, with progress and the next module to read, and the
    learner's certificates, newest first, whatever became of their enrollment (three queries)."""
    if not (user and user.is_authenticated):
        return {"enrollments": [], "certificates": []}
    enrollments = list(
        Enrollment.objects.filter(user=user)
        .select_related("course", "course__provider", "certificate")
        .order_by("-enrolled_at", "-pk")
    )
    certificates = [e.certificate for e in enrollments if getattr(e, "certificate", None) is not None]
    active = [e for e in enrollments if e.status != Enrollment.Status.WITHDRAWN and e.course.live]
    return {
        "enrollments": _dashboard_rows(user, active),
        "certificates": sorted(certificates, key=lambda c: (c.created_at, c.pk), reverse=True),
    }


def _children_q(courses) -> Q:
    return reduce(or_, (ModulePage.objects.child_of_q(c) for c in courses))


def _module_stats(courses) -> dict[str, list[tuple[int, int]]]:
    """{course path: [(module id, word count), ...] in tree order} for live modules, in one query."""
    stats: dict[str, list[tuple[int, int]]] = {c.path: [] for c in courses}
    if not courses:
        return stats
    rows = (
        ModulePage.objects.live()
        .filter(_children_q(courses))
        .order_by("path")
        .values_list("path", "pk", "word_count")
    )
    for path, pk, words in rows:
        stats[path[: -ModulePage.steplen]].append((pk, words))
    return stats


def _completed_pairs(enrollments) -> set[tuple[int, int]]:
    """{(enrollment id, module id)} of completed modules, in one query."""
    if not enrollments:
        return set()
    return set(
        ModuleProgress.objects.filter(enrollment__in=enrollments, completed_at__isnull=False).values_list(
            "enrollment_id", "module_id"
        )
    )


def _active_enrollments(user):
    if not (user and user.is_authenticated):
        return Enrollment.objects.none()
    return Enrollment.objects.filter(user=user).exclude(status=Enrollment.Status.WITHDRAWN)


def course_cards(*, user) -> list[CourseCard]:
    """Every live course for the catalogue and home page, with this learner's progress (4 queries)."""
    courses = list(CoursePage.objects.live().select_related("provider", "hero_image").order_by("path"))
    stats = _module_stats(courses)
    enrollments = {e.course_id: e for e in _active_enrollments(user)} if courses else {}
    done = _completed_pairs(list(enrollments.values()))
    cards = []
    for course in courses:
        modules = stats[course.path]
        enrollment = enrollments.get(course.pk)
        completed = sum(1 for pk, _ in modules if enrollment and (enrollment.pk, pk) in done)
        cards.append(
            CourseCard(
                course=course,
                module_count=len(modules),
                reading_minutes=sum(reading_minutes_for(words) for _, words in modules),
                enrollment=enrollment,
                completed_count=completed,
            )
        )
    return cards


def learner_dashboard(*, user) -> list[DashboardRow]:
    """The dashboard's rows (`dashboard_context`)."""
    return dashboard_context(user=user)["enrollments"]


def _dashboard_rows(user, enrollments) -> list[DashboardRow]:
    modules = _live_modules_by_course([e.course for e in enrollments])
    states = course_states(user, enrollments, modules)
    rows = []
    for enrollment in enrollments:
        state = states[enrollment.pk]
        rows.append(
            DashboardRow(
                enrollment=enrollment,
                module_count=len(state.modules),
                completed_count=state.completed_count,
                next_module=state.first_incomplete,
                next_step=next_step(state),
                study_left=study_left_text(state),
            )
        )
    return rows


def _live_modules_by_course(courses) -> dict[str, list[ModulePage]]:
    """{course path: its live modules in tree order, as module lists show them}, in one query."""
    modules: dict[str, list[ModulePage]] = {c.path: [] for c in courses}
    if courses:
        rows = (
            ModulePage.objects.live().filter(_children_q(courses)).only(*MODULE_LIST_FIELDS).order_by("path")
        )
        for module in rows:
            modules[module.path[: -ModulePage.steplen]].append(module)
    return modules


# --- completion and certificates ---------------------------------------------------------------------


def completion_panel(*, enrollment, outline: dict) -> dict:
    """For the course page: what is left before the certificate, the evaluation, and the certificate.

    Uses only what `course_outline` loaded (the enrollment comes with its certificate and evaluation):
    no query of its own.
    """
    if enrollment is None:
        return {}
    certificate = getattr(enrollment, "certificate", None)
    evaluated = getattr(enrollment, "evaluation", None) is not None
    if certificate is not None:
        return {"certificate": certificate, "evaluated": evaluated, "requirements": []}
    rows = outline["module_rows"]
    panel = outline["final_quiz_panel"]
    module_panels = outline["module_quiz_panels"]
    known = Progress(
        modules=[row.module for row in rows],
        completed_ids={row.module.pk for row in rows if row.completed},
        seconds=outline["learner_state"].seconds,
        post_test=(panel["quiz"] is not None, bool(panel.get("passed"))),
        evaluated=evaluated,
        module_quizzes=(len(module_panels), sum(1 for p in module_panels if p["passed"])),
    )
    requirements = completion_requirements(enrollment, known)
    state = outline["learner_state"]
    return {
        "requirements": requirements,
        "certificate": None,
        "evaluated": evaluated,
        "evaluation_open": not evaluation_refusal(state),
    }


def course_instructors(course: CoursePage):
    return CourseInstructor.objects.filter(course=course).select_related("user").order_by("user__legal_name")


# --- records that keep a page (or a quiz) from being deleted ------------------------------------------


def learner_records_under(page) -> dict[str, int]:
    """Learners' records that hang on `page` or a page below it: deleting it would lose them, so the
    models PROTECT them and the admin refuses first (courses/wagtail_hooks.py). Five queries."""
    subtree = Page.objects.filter(path__startswith=page.path, depth__gte=page.depth).values("pk")
    return {
        "enrollments": Enrollment.objects.filter(course_id__in=subtree).count(),
        "module progress records": ModuleProgress.objects.filter(module_id__in=subtree).count(),
        "quiz attempts": Attempt.objects.filter(
            Q(quiz__course_id__in=subtree) | Q(quiz__module_id__in=subtree)
        ).count(),
        **override_records_under(subtree),
    }


def records_text(records: dict[str, int]) -> str:
    return ", ".join(f"{count} {name}" for name, count in records.items() if count)


# --- quizzes as the course serves them ------------------------------------------------------------

NOT_ENROLLED = "Enroll in the course before taking its quizzes."


def quiz_refusal(*, user, quiz) -> str:
    """Why the course refuses this learner the quiz (before the quiz's own limits), or "": not enrolled,
    or closed by the course's order (courses/gating.py)."""
    return _refusal_and_state(user, quiz)[0]


def _refusal_and_state(user, quiz):
    # An active enrollment, staff included: an attempt is a learner's record that item analysis counts.
    enrollment = enrollment_for(user=user, course=quiz.course)
    if enrollment is None:
        return NOT_ENROLLED, None
    enrollment.course = quiz.course
    state = course_state(enrollment)
    return quiz_gate_refusal(state, quiz), state


def quiz_intro_context(*, user, quiz, now=None) -> dict:
    """The quiz engine's intro; when the course refuses the quiz, the reason (no Start button) and the
    learner's next step instead."""
    context = quiz_selectors.quiz_intro(user=user, quiz=quiz, now=now)
    context["policy"] = quiz_policy_for(user=user, quiz=quiz)  # grading scale and blueprint (issue 13)
    refusal, state = _refusal_and_state(user, quiz)
    if refusal:
        step = next_step(state) if state is not None else None
        context.update(refusal=refusal, can_start=False, in_progress=None, next_step=step)
    return context
