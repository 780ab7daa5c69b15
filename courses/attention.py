"""What needs an instructor's attention, for the admin home's panels (courses/home_panels.py): learners out of
attempts or stalled, questions item analysis flags, certificates failed or stuck, new evaluations with
comments, drafts in moderation. Each reads only the viewer's courses (courses.permissions.staff_courses:
an assigned instructor's, or every course for provider-wide staff) and runs a bounded number of queries
whatever the number of courses and learners: lists are cut to PANEL_ROWS, with the full count beside them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Max, Q
from django.utils import timezone
from wagtail.models import Page, WorkflowState

from quizzes import analysis, item_statistics
from quizzes.models import Quiz

from .caching import content_version, page_cache
from .models import Certificate, CourseEvaluation, Enrollment
from .override_selectors import needs_attention
from .permissions import staff_courses

PANEL_ROWS = 8
STALLED_AFTER = timedelta(days=14)
CERTIFICATE_PENDING_FOR = timedelta(hours=1)
NEW_EVALUATIONS = timedelta(days=14)
ANALYSED_QUIZZES = 5  # item analysis runs on the quizzes with the latest attempts, this many at most


@dataclass
class Listing:
    """The first PANEL_ROWS rows of something, and how many there are in all."""

    rows: list = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.rows))


def _cut(queryset) -> Listing:
    rows = list(queryset[:PANEL_ROWS])
    total = len(rows) if len(rows) < PANEL_ROWS else queryset.count()
    return Listing(rows, total)


# --- learners ------------------------------------------------------------------------------------------


def learners_out_of_attempts(viewer) -> Listing:
    """Five queries (override_selectors.needs_attention)."""
    rows = needs_attention(viewer)
    return Listing(rows[:PANEL_ROWS], len(rows))


def learners_stalled(viewer, now=None) -> Listing:
    """Enrollments in progress with no activity for STALLED_AFTER (or none at all since enrolling so long
    ago), the longest quiet first. One or two queries."""
    cutoff = (now or timezone.now()) - STALLED_AFTER
    quiet = Q(last_active_at__lt=cutoff) | Q(last_active_at__isnull=True, enrolled_at__lt=cutoff)
    enrollments = (
        Enrollment.objects.filter(quiet, course__in=staff_courses(viewer), status=Enrollment.Status.ACTIVE)
        .select_related("user", "course")
        .order_by("last_active_at", "enrolled_at", "pk")
    )
    return _cut(enrollments)


# --- questions -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlaggedQuestion:
    quiz: Quiz
    stat: object  # quizzes.item_statistics.QuestionStat


def flagged_questions(viewer) -> tuple[Listing, int]:
    """Questions item analysis flags (on enough responses: ITEM_ANALYSIS_MIN_RESPONSES) in the
    ANALYSED_QUIZZES quizzes of the viewer's courses with the latest attempts, and how many quizzes were
    analysed. One query; item analysis (about nine queries a quiz) only for a quiz whose attempts changed
    since it last ran (_flagged_stats)."""
    quizzes = list(
        Quiz.objects.filter(course__in=staff_courses(viewer))
        .annotate(last_attempt=Max("attempts__submitted_at"), attempt_count=Count("attempts"))
        .filter(last_attempt__isnull=False)
        .select_related("course")
        .order_by("-last_attempt", "pk")[:ANALYSED_QUIZZES]
    )
    found = []
    for quiz in quizzes:
        found += [FlaggedQuestion(quiz, stat) for stat in _flagged_stats(quiz)]
    return Listing(found[:PANEL_ROWS], len(found)), len(quizzes)


FLAGGED_CACHE_SECONDS = 15 * 60  # a bound for what the key does not see (a question's text edited)


def _flagged_stats(quiz) -> list:
    """The flagged questions' statistics of one quiz, from the page cache (courses/caching.py) while its
    attempts are unchanged: the key names the quiz, its latest submission and its number of attempts, the
    flagging threshold and the site's content version, so a new or submitted attempt makes a new entry.
    Item analysis of a quiz is the same for every viewer (the quiz query above decides who sees which
    quiz), so nothing personal is stored."""
    key = "flagged-questions:" + ":".join(
        str(part)
        for part in (
            quiz.pk,
            quiz.last_attempt.isoformat(),
            quiz.attempt_count,
            item_statistics.min_responses(),
            content_version(),
        )
    )
    stats = page_cache().get(key)
    if stats is None:
        stats = [stat for stat in analysis.item_analysis(quiz).questions if stat.flags]
        page_cache().set(key, stats, FLAGGED_CACHE_SECONDS)
    return stats


# --- certificates and evaluations ----------------------------------------------------------------------


def certificates_in_trouble(viewer, now=None) -> Listing:
    """Failed certificates, and those pending for over CERTIFICATE_PENDING_FOR (the worker or its
    queue is down: the sweep re-queues them every minute), oldest first."""
    stuck = Q(status=Certificate.Status.FAILED) | Q(
        status=Certificate.Status.PENDING, created_at__lt=(now or timezone.now()) - CERTIFICATE_PENDING_FOR
    )
    certificates = (
        Certificate.objects.filter(stuck, enrollment__course__in=staff_courses(viewer))
        .select_related("enrollment__user", "enrollment__course")
        .order_by("created_at", "pk")
    )
    return _cut(certificates)


def new_evaluations(viewer, now=None) -> Listing:
    """Evaluations with comments submitted in the last NEW_EVALUATIONS, newest first."""
    since = (now or timezone.now()) - NEW_EVALUATIONS
    evaluations = (
        CourseEvaluation.objects.filter(enrollment__course__in=staff_courses(viewer), submitted_at__gte=since)
        .exclude(comments="")
        .select_related("enrollment__user", "enrollment__course")
        .order_by("-submitted_at", "-pk")
    )
    return _cut(evaluations)


# --- moderation ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Moderation:
    state: WorkflowState
    page: Page
    course: object


def drafts_in_moderation(viewer) -> Listing:
    """Pages of the viewer's courses (the course page or any page under it) in a Wagtail workflow that is in
    progress, oldest first. Read from WorkflowState whatever the workflows are, so it is simply empty
    where no workflow exists. Three queries."""
    courses = list(staff_courses(viewer).only("pk", "title", "path", "depth"))
    if not courses:
        return Listing()
    states = list(
        WorkflowState.objects.filter(
            status=WorkflowState.STATUS_IN_PROGRESS,
            base_content_type=ContentType.objects.get_for_model(Page),
        )
        .select_related("requested_by", "current_task_state__task")
        .order_by("created_at", "pk")
    )
    pages = Page.objects.filter(pk__in=[int(s.object_id) for s in states if s.object_id.isdigit()]).in_bulk()
    found = []
    for state in states:
        page = pages.get(int(state.object_id)) if state.object_id.isdigit() else None
        course = page and next((c for c in courses if page.path.startswith(c.path)), None)
        if course is not None:
            found.append(Moderation(state, page, course))
    return Listing(found[:PANEL_ROWS], len(found))
