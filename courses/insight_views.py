"""Instructor and provider insight in the Wagtail admin: item analysis, roster, evaluations, records.

Permissions, in two layers. The model permission says what kind of page one may open: item
analysis needs "can change quiz", roster, evaluations and learner records "can view enrollment"
(the Instructors group has both). The course scope says which courses: provider-wide staff
(superusers, "courses.view_all_records") see every course; an instructor only the courses they
are assigned to (courses.CourseInstructor, courses.selectors.staff_courses). Another course's quiz,
roster or evaluations is "not found" (404), never a page of someone else's data.

Learner records: provider-wide staff look up any learner and download all their data (JSON); an
instructor finds only learners enrolled in their courses and sees only those courses' enrollments
and attempts, with no full-data download (403).

Wagtail's admin URL wrapper sends anonymous visitors to the login page and users without admin
access away; a PermissionDenied raised here becomes Wagtail's "no permission" redirect.
"""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView, View
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from quizzes import analysis, insight_charts, item_statistics
from quizzes.models import Quiz

from .exports import csv_response, export_filename
from .permissions import staff_courses

ITEM_ANALYSIS_PERMISSION = "quizzes.change_quiz"
RECORDS_PERMISSION = "courses.view_enrollment"
ITEMS_PER_PAGE = 25  # questions per page in each group of the item analysis


def can_see_item_analysis(user) -> bool:
    return user.is_active and user.has_perm(ITEM_ANALYSIS_PERMISSION)


def can_see_records(user) -> bool:
    return user.is_active and user.has_perm(RECORDS_PERMISSION)


class PermissionMixin:
    permission_check = staticmethod(can_see_item_analysis)

    def dispatch(self, request, *args, **kwargs):
        if not self.permission_check(request.user):
            raise PermissionDenied
        self.load(request, **kwargs)  # the object, within the user's courses: after the permission check
        return super().dispatch(request, *args, **kwargs)

    def load(self, request, **kwargs):
        pass


class CourseCsvView(PermissionMixin, View):
    """A CSV export of one course the user may see (another course is not found): subclasses name the
    file and give the header and the rows."""

    permission_check = staticmethod(can_see_records)
    export_name = ""
    header: list[str] = []

    def get(self, request, course_id):
        course = get_object_or_404(staff_courses(request.user).select_related("provider"), pk=course_id)
        return csv_response(
            export_filename(self.export_name, course.slug), self.get_header(course), self.rows(course)
        )

    def get_header(self, course) -> list[str]:
        return self.header

    def rows(self, course):
        raise NotImplementedError


class InsightPage(PermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    header_icon = "table"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + self.trail()

    def trail(self) -> list[dict]:
        return [{"url": "", "label": self.get_page_title()}]


# --- item analysis -----------------------------------------------------------------------------------


def _quiz_queryset(user):
    """The quizzes of the courses `user` may see (another course's quiz is not found)."""
    return Quiz.objects.filter(course__in=staff_courses(user)).select_related("course", "module")


class QuizListView(InsightPage):
    page_title = "Item analysis"
    template_name = "quizzes/admin/item_analysis_index.html"

    def get_context_data(self, **kwargs):
        closed = Q(attempts__status__in=analysis.CLOSED)
        quizzes = (
            _quiz_queryset(self.request.user)
            .annotate(
                closed_attempts=Count("attempts", filter=closed), last_attempt=Max("attempts__submitted_at")
            )
            .order_by("course__path", "module__path")
        )
        return {**super().get_context_data(**kwargs), "quizzes": quizzes}


def _missing_last(value, sign=1):
    return (value is None, sign * (value or 0))


SORTS = {
    "flags": ("Flagged first", lambda s: (not s.flags, -s.responses)),
    "facility": ("Hardest first", lambda s: _missing_last(s.facility)),
    "discrimination": ("Least discriminating first", lambda s: _missing_last(s.discrimination)),
    "responses": ("Most responses first", lambda s: -s.responses),
}


class ItemAnalysisView(InsightPage):
    template_name = "quizzes/admin/item_analysis.html"

    def load(self, request, **kwargs):
        self.quiz = get_object_or_404(_quiz_queryset(request.user), pk=kwargs["quiz_id"])

    def get_page_title(self):
        return f"Item analysis: {self.quiz.title}"

    def trail(self):
        return [
            {"url": reverse("insight_quizzes"), "label": "Item analysis"},
            {"url": "", "label": self.quiz.title},
        ]

    def get_context_data(self, **kwargs):
        report = analysis.item_analysis(self.quiz)
        sort = self.request.GET.get("sort", "")
        rows = [
            {
                "number": n,
                "stat": stat,
                "edit_url": reverse("wagtailsnippets_quizzes_question:edit", args=[stat.question_id]),
            }
            for n, stat in enumerate(report.questions, start=1)
        ]
        if sort in SORTS:
            rows.sort(key=lambda row: SORTS[sort][1](row["stat"]))
        minimum = report.min_responses
        sections = [
            self._section("flagged", "Flagged", [r for r in rows if r["stat"].flags], collapsed=False),
            self._section("fine", "No flag", [r for r in rows if not r["stat"].few and not r["stat"].flags]),
            self._section("few", "Not enough data yet", [r for r in rows if r["stat"].few]),
        ]
        return {
            **super().get_context_data(**kwargs),
            "quiz": self.quiz,
            "report": report,
            "summary": report.summary,
            "sections": sections,
            "page_size": ITEMS_PER_PAGE,
            "most_responses": max((stat.responses for stat in report.questions), default=0),
            "sort": sort if sort in SORTS else "",
            "sorts": [(key, label) for key, (label, _) in SORTS.items() if key != "flags"],
            "histogram": insight_charts.histogram(report.summary.histogram, self.quiz.pass_mark),
            "scatter": insight_charts.scatter([s for s in report.questions if not s.few]),
            "thresholds": {
                "too_hard": item_statistics.TOO_HARD,
                "too_easy": item_statistics.TOO_EASY,
                "low_discrimination": item_statistics.LOW_DISCRIMINATION,
                "few": minimum,
            },
            "csv_url": reverse("insight_item_analysis_csv", args=[self.quiz.pk]),
        }

    def _section(self, key: str, title: str, rows: list[dict], *, collapsed: bool = True) -> dict:
        """One paginated group of questions; its page is `?<key>_page=N` (a bad number gives page 1 or the last)."""
        param = f"{key}_page"
        page = Paginator(rows, ITEMS_PER_PAGE).get_page(self.request.GET.get(param))

        def link(number):
            query = self.request.GET.copy()
            query[param] = number
            return f"?{query.urlencode()}#section-{key}"

        return {
            "key": key,
            "title": title,
            "count": len(rows),
            "page": page,
            "open": not collapsed or param in self.request.GET,
            "previous_url": link(page.previous_page_number()) if page.has_previous() else "",
            "next_url": link(page.next_page_number()) if page.has_next() else "",
        }


ITEM_CSV_HEADER = [
    "number",
    "question_id",
    "kind",
    "topic",
    "critical",
    "question",
    "responses",
    "omitted",
    "facility",
    "fully_correct",
    "discrimination",
    "point_biserial",
    "upper_group_n",
    "lower_group_n",
    "flags",
    "choices",
]
SUMMARY_CSV_FIELDS = [
    ("attempts", "attempts"),
    ("learners", "learners"),
    ("mean score", "mean"),
    ("median score", "median"),
    ("standard deviation", "sd"),
    ("passed", "passed"),
    ("pass rate", "pass_rate"),
    ("questions per attempt", "questions_per_attempt"),
    ("reliability", "reliability"),
]


def _r(value, digits=4):
    return None if value is None else round(value, digits)


def _choices_text(stat) -> str:
    parts = []
    for c in stat.choices:
        mark = " (correct)" if c.is_correct else ""
        parts.append(f"{c.label}{mark}: {c.picked} ({round(100 * c.share)}%)")
    return "; ".join(parts) or stat.choices_note


def item_analysis_rows(quiz, report):
    """Question rows, then the quiz summary as label/value rows under a blank line."""
    for n, s in enumerate(report.questions, start=1):
        yield [
            n,
            s.question_id,
            s.kind,
            s.topic,
            s.critical,
            s.stem,
            s.responses,
            s.omitted,
            _r(s.facility),
            _r(s.fully_correct),
            _r(s.discrimination),
            _r(s.point_biserial),
            s.upper_n,
            s.lower_n,
            ", ".join(s.flags),
            _choices_text(s),
        ]
    yield []
    yield ["quiz", quiz.title]
    for label, attribute in SUMMARY_CSV_FIELDS:
        value = getattr(report.summary, attribute)
        yield [label, _r(value) if isinstance(value, float) else value]
    yield ["reliability statistic", report.summary.reliability_label]
    yield ["score distribution (10-point bands)", " ".join(str(n) for n in report.summary.histogram)]


class ItemAnalysisCsvView(PermissionMixin, View):
    def get(self, request, quiz_id):
        quiz = get_object_or_404(_quiz_queryset(request.user), pk=quiz_id)
        report = analysis.item_analysis(quiz)
        return csv_response(
            export_filename("item-analysis", quiz.title), ITEM_CSV_HEADER, item_analysis_rows(quiz, report)
        )


quiz_list_view = QuizListView.as_view()
item_analysis_view = ItemAnalysisView.as_view()
item_analysis_csv_view = ItemAnalysisCsvView.as_view()
