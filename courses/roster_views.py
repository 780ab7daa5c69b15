"""The roster in the Wagtail admin: a course's learners as a tool, on Wagtail's own listing (sortable
columns, the filter drawer, search and pagination from wagtail.admin.views.generic.BaseListingView with a
django-filter FilterSet), so the admin's look and behaviour come with it and no table markup is ours.

Each row links to the learner's record and offers the overrides (courses/override_views.py) on what the
learner is working on: extra attempts at or a reset of the quiz they have tried and not passed, the next
module marked complete, more time, the seat time waived. Permissions and scope as for the other records
pages (courses/insight_views.py): another course's roster is "not found". A page runs a fixed number of
queries whatever the number of learners.
"""

from __future__ import annotations

from urllib.parse import urlencode

import django_filters
from django.db.models import F, Q
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import ButtonsColumnMixin, Column, TitleColumn
from wagtail.admin.views.generic.base import BaseListingView
from wagtail.admin.widgets.button import Button, ButtonWithDropdown

from .insight_views import CourseCsvView, PermissionMixin, can_see_records
from .models import Enrollment
from .permissions import staff_courses
from .roster import ROSTER_CSV_HEADER, roster_csv_rows, roster_page_rows, roster_rows


class RosterFilterSet(WagtailFilterSet):
    q = django_filters.CharFilter(
        label="Name, e-mail, license or certificate code", method="search", max_length=100
    )
    status = django_filters.ChoiceFilter(label="Enrollment status", choices=Enrollment.Status.choices)
    enrolled = django_filters.DateFromToRangeFilter(
        label="Enrolled", field_name="enrolled_at", widget=DateRangePickerWidget
    )
    completed = django_filters.DateFromToRangeFilter(
        label="Completed", field_name="completed_at", widget=DateRangePickerWidget
    )

    class Meta:
        model = Enrollment
        fields = ["q", "status", "enrolled", "completed"]

    def search(self, queryset, name, value):
        term = value.strip()
        if not term:
            return queryset
        return queryset.filter(
            Q(user__legal_name__icontains=term)
            | Q(user__username__icontains=term)
            | Q(user__email__icontains=term)
            | Q(user__license_number__icontains=term)
            | Q(certificate__code__iexact=term)
        )


def filtered_enrollments(course, data):
    """The course's enrollments that the roster's filters (GET data) keep; invalid filters keep everyone."""
    filters = RosterFilterSet(data or None, queryset=Enrollment.objects.filter(course=course))
    return filters.qs if filters.is_valid() else Enrollment.objects.filter(course=course)


class RosterColumn(Column):
    """A cell drawn by its own small template (courses/admin/roster/<name>_cell.html), which labels itself
    for the stacked layout of narrow screens."""

    def __init__(self, name, **kwargs):
        super().__init__(name, **kwargs)
        self.cell_template_name = f"courses/admin/roster/{name}_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["row"] = instance
        return context


class LearnerColumn(ButtonsColumnMixin, TitleColumn):
    cell_template_name = "courses/admin/roster/learner_cell.html"

    def get_buttons(self, instance, parent_context):
        return [
            ButtonWithDropdown(
                label="Actions",
                buttons=learner_actions(
                    instance, back=roster_url(instance.enrollment.course_id, parent_context)
                ),
                icon_name="dots-horizontal",
                attrs={"aria-label": f"Actions for {instance.user.display_name}"},
            )
        ]


def roster_url(course_id, parent_context) -> str:
    """The roster as the viewer sees it now (filters, order, page), for an override to come back to."""
    url = reverse("insight_roster", args=[course_id])
    request = parent_context.get("request")
    query = request.GET.copy() if request else QueryDict(mutable=True)
    query.pop("_w_filter_fragment", None)
    return f"{url}?{query.urlencode()}" if query else url


def learner_actions(row, back: str = "") -> list[Button]:
    """The overrides an instructor may open for this learner, on what they are working on (each comes back
    to `back` when done); the record last."""
    user = row.user
    next_query = f"?{urlencode({'next': back})}" if back else ""

    def override(action, target_id):
        return reverse("insight_learner_override", args=[user.pk, action, target_id]) + next_query

    course_id = row.enrollment.course_id
    buttons = []
    quiz = row.open_quiz
    if quiz is not None and quiz.max_attempts is not None:
        buttons.append(
            Button(f"Extra attempt: {quiz.title}", override("extra-attempts", quiz.pk), icon_name="plus")
        )
    if quiz is not None:
        buttons.append(Button(f"Reset: {quiz.title}", override("reset-quiz", quiz.pk), icon_name="rotate"))
    buttons.append(Button("More time on timed quizzes", override("more-time", course_id), icon_name="time"))
    if row.next_module is not None:
        buttons.append(
            Button(
                f"Mark complete: {row.next_module.title}",
                override("complete-module", row.next_module.pk),
                icon_name="check",
            )
        )
    if not row.seat_time_met:  # met, or waived already (nothing required then)
        buttons.append(
            Button("Waive the seat time", override("waive-seat-time", course_id), icon_name="resubmit")
        )
    record = reverse("insight_learner", args=[user.pk]) + f"#course-{course_id}"
    buttons.append(Button("Learner record and history", record, icon_name="user"))
    for priority, button in enumerate(buttons):
        button.priority = priority  # the dropdown sorts its buttons
    return buttons


class RosterView(PermissionMixin, BaseListingView):
    permission_check = staticmethod(can_see_records)
    results_template_name = "courses/admin/roster_results.html"
    header_icon = "group"
    paginate_by = 50
    filterset_class = RosterFilterSet
    default_ordering = "user__legal_name"
    verbose_name = "enrollment"
    verbose_name_plural = "enrollments"
    table_classname = "listing roster-table"

    def load(self, request, **kwargs):
        self.course = get_object_or_404(
            staff_courses(request.user).select_related("provider"), pk=kwargs["course_id"]
        )

    @cached_property
    def columns(self):
        return [
            LearnerColumn(
                "learner",
                label="Learner",
                accessor=lambda row: row.user.legal_name or row.user.username,
                sort_key="user__legal_name",
                get_url=self.record_url,
                width="24%",
            ),
            RosterColumn("status", label="Status", sort_key="status", width="17%"),
            RosterColumn("progress", label="Progress", sort_key="modules_done", width="13%"),
            RosterColumn("time", label="Time on task", width="15%"),
            RosterColumn("post_test", label="Post-test", sort_key="best_score", width="13%"),
            RosterColumn("certificate", label="Certificate", sort_key="certificate__status", width="18%"),
        ]

    def record_url(self, row):
        return reverse("insight_learner", args=[row.user.pk]) + f"#course-{self.course.pk}"

    def get_page_title(self):
        return f"Roster: {self.course.title}"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("insight_courses"), "label": "Course records"},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_index_url(self):
        return reverse("insight_roster", args=[self.course.pk])

    def get_index_results_url(self):
        return reverse("insight_roster_results", args=[self.course.pk])

    def get_base_queryset(self):
        queryset, self.module_total, self.quiz_id = roster_rows(self.course)
        return queryset

    def order_queryset(self, queryset):
        ordering = self.ordering or self.default_ordering
        field = F(ordering.lstrip("-"))
        first = field.desc(nulls_last=True) if ordering.startswith("-") else field.asc(nulls_last=True)
        # learners without a score or a certificate sort last either way; the name breaks ties
        return queryset.order_by(first, "user__legal_name", "user__username", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = roster_page_rows(self.course, context["object_list"], self.module_total)
        context["table"] = self.get_table(rows)
        query = self.request.GET.copy()
        query.pop(self.page_kwarg, None)
        query.pop("ordering", None)
        csv_url = reverse("insight_roster_csv", args=[self.course.pk])
        context.update(
            course=self.course,
            has_post_test=self.quiz_id is not None,
            csv_url=f"{csv_url}?{query.urlencode()}" if query else csv_url,
            csv_filtered=bool(query),
        )
        return context


class RosterCsvView(CourseCsvView):
    export_name = "roster"
    header = ROSTER_CSV_HEADER

    def rows(self, course):
        queryset, module_total, _ = roster_rows(course, filtered_enrollments(course, self.request.GET))
        return roster_csv_rows(queryset, module_total)


roster_view = RosterView.as_view()
roster_results_view = RosterView.as_view(results_only=True)
roster_csv_view = RosterCsvView.as_view()
