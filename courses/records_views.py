"""Course records in the Wagtail admin: roster, evaluations and learner records, each scoped to the
courses the user teaches (provider-wide staff see every course). Permissions: see insight_views."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import View

from quizzes.models import Quiz

from .data_export import learner_data, learner_data_response
from .insight_views import CourseCsvView, InsightPage, PermissionMixin, can_see_records
from .models import Enrollment
from .override_selectors import learner_overrides
from .permissions import sees_every_course, staff_courses
from .roster import (
    certificate_history,
    evaluation_comments,
    evaluation_csv_header,
    evaluation_csv_rows,
    evaluation_summary,
)

# --- course records: roster and evaluations -----------------------------------------------------


class RecordsPage(InsightPage):
    permission_check = staticmethod(can_see_records)
    header_icon = "group"


def _course(user, course_id):
    """The course if `user` may see its records; another course is not found."""
    return get_object_or_404(staff_courses(user).select_related("provider"), pk=course_id)


class CourseRecordsListView(RecordsPage):
    page_title = "Course records"
    template_name = "courses/admin/roster_index.html"

    def get_context_data(self, **kwargs):
        courses = (
            staff_courses(self.request.user)
            .annotate(
                enrollment_count=Count("enrollments", distinct=True),
                completed_count=Count(
                    "enrollments", filter=Q(enrollments__status="completed"), distinct=True
                ),
                evaluation_count=Count("enrollments__evaluation", distinct=True),
            )
            .order_by("path")
        )
        return {**super().get_context_data(**kwargs), "courses": courses}


class CourseRecordsMixin:
    def load(self, request, **kwargs):
        self.course = _course(request.user, kwargs["course_id"])

    def trail(self):
        return [
            {"url": reverse("insight_courses"), "label": "Course records"},
            {"url": "", "label": f"{self.section}: {self.course.title}"},
        ]

    def get_page_title(self):
        return f"{self.section}: {self.course.title}"


class EvaluationsView(CourseRecordsMixin, RecordsPage):
    section = "Evaluations"
    template_name = "courses/admin/evaluations.html"

    def get_context_data(self, **kwargs):
        comments = Paginator(evaluation_comments(self.course), 50).get_page(self.request.GET.get("p"))
        return {
            **super().get_context_data(**kwargs),
            "course": self.course,
            "summary": evaluation_summary(self.course),
            "comments": comments,
            "csv_url": reverse("insight_evaluations_csv", args=[self.course.pk]),
        }


class EvaluationsCsvView(CourseCsvView):
    export_name = "evaluations"

    def get_header(self, course):
        return evaluation_csv_header()

    def rows(self, course):
        return evaluation_csv_rows(course)


course_records_view = CourseRecordsListView.as_view()
evaluations_view = EvaluationsView.as_view()
evaluations_csv_view = EvaluationsCsvView.as_view()


# --- learner records -----------------------------------------------------------------------------------


class LearnerSearchForm(forms.Form):
    q = forms.CharField(
        label="Find a learner",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "Legal name, username, e-mail, license number"}),
    )


LEARNER_PAGE_SIZE = 50


def _visible_enrollments(user):

    return Enrollment.objects.filter(course__in=staff_courses(user))


def learners_visible_to(user):
    """Everyone for provider-wide staff; for an instructor, the learners enrolled in their courses."""

    users = get_user_model().objects.all()
    if sees_every_course(user):
        return users.annotate(enrollment_count=Count("enrollments"))
    return users.filter(pk__in=_visible_enrollments(user).values("user_id")).annotate(
        enrollment_count=Count("enrollments", filter=Q(enrollments__course__in=staff_courses(user)))
    )


class LearnerListView(RecordsPage):
    page_title = "Learner records"
    template_name = "courses/admin/roster_learners.html"

    def get_context_data(self, **kwargs):
        form = LearnerSearchForm(self.request.GET or None)
        users = learners_visible_to(self.request.user).order_by("legal_name", "username")
        term = form.cleaned_data["q"].strip() if form.is_valid() else ""
        if term:
            users = users.filter(
                Q(legal_name__icontains=term)
                | Q(username__icontains=term)
                | Q(email__icontains=term)
                | Q(license_number__icontains=term)
            )
        page = Paginator(users, LEARNER_PAGE_SIZE).get_page(self.request.GET.get("p"))
        return {**super().get_context_data(**kwargs), "form": form, "page": page, "term": term}


def learner_records(learner, viewer) -> dict:
    """The learner's records as the admin shows them: every course for provider-wide staff, only the
    viewer's courses (enrollments, certificates, attempts) for an instructor."""

    data = learner_data(learner, include_responses=False)
    if not sees_every_course(viewer):
        course_ids = set(staff_courses(viewer).values_list("pk", flat=True))
        quiz_ids = set(Quiz.objects.filter(course_id__in=course_ids).values_list("pk", flat=True))
        data["enrollments"] = [e for e in data["enrollments"] if e["course_id"] in course_ids]
        data["quiz_attempts"] = [a for a in data["quiz_attempts"] if a["quiz_id"] in quiz_ids]
        data["overrides"] = [o for o in data["overrides"] if o["course_id"] in course_ids]
    history = certificate_history(learner)
    for enrollment in data["enrollments"]:
        certificate = enrollment["certificate"]
        if certificate:
            certificate["events"] = history.get(certificate["code"], [])
    return data


class LearnerRecordsView(RecordsPage):
    template_name = "courses/admin/roster_learner.html"

    def load(self, request, **kwargs):
        self.learner = get_object_or_404(learners_visible_to(request.user), pk=kwargs["user_id"])

    def get_page_title(self):
        return f"Records: {self.learner.display_name}"

    def trail(self):
        return [
            {"url": reverse("insight_learners"), "label": "Learner records"},
            {"url": "", "label": self.learner.display_name},
        ]

    def get_context_data(self, **kwargs):
        everything = sees_every_course(self.request.user)
        return {
            **super().get_context_data(**kwargs),
            "learner": self.learner,
            "data": learner_records(self.learner, self.request.user),
            "override_courses": learner_overrides(learner=self.learner, viewer=self.request.user),
            "every_course": everything,
            "json_url": reverse("insight_learner_json", args=[self.learner.pk]) if everything else "",
        }


def can_export_learner_data(user) -> bool:
    """All of a learner's data (every course, every answer) is for provider-wide staff only."""
    return can_see_records(user) and sees_every_course(user)


class LearnerJsonView(PermissionMixin, View):
    permission_check = staticmethod(can_export_learner_data)

    def get(self, request, user_id):
        return learner_data_response(get_object_or_404(get_user_model(), pk=user_id))


learner_list_view = LearnerListView.as_view()
learner_records_view = LearnerRecordsView.as_view()
learner_json_view = LearnerJsonView.as_view()
