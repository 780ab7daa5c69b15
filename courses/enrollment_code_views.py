"""Group enrollment in the Wagtail admin, course side: the "Enroll learners" home (each course one
teaches, with its class-list upload and its codes) and a course's enrollment codes (issue a batch, the
list on screen, printable, and as CSV). The class-list upload itself creates accounts, so it lives in
cms (cms/class_enrollment_views.py). Scope as for the roster: the course's instructors and provider-wide
staff; another course is not found (404)."""

from datetime import datetime, time

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.generic import View

from .enrollment_codes import (
    CODES_CSV_HEADER,
    MAX_BATCH,
    CodeError,
    code_status,
    codes_csv_rows,
    codes_issue,
    course_codes,
)
from .exports import csv_response, export_filename
from .insight_views import PermissionMixin, can_see_records
from .links import site_url
from .permissions import staff_courses
from .records_views import CourseRecordsMixin, RecordsPage, _course

CODES_PER_PAGE_LIMIT = 2000  # the on-screen and printed list; the CSV has every code


def can_enroll_learners(user) -> bool:
    return can_see_records(user)


class EnrollmentHomeView(RecordsPage):
    page_title = "Enroll learners"
    template_name = "courses/admin/enrollment_home.html"
    permission_check = staticmethod(can_enroll_learners)

    def get_context_data(self, **kwargs):
        courses = (
            staff_courses(self.request.user)
            .annotate(
                enrollment_count=Count("enrollments", distinct=True),
                code_count=Count("enrollment_codes", distinct=True),
                unused_code_count=Count(
                    "enrollment_codes", filter=Q(enrollment_codes__redeemed_by__isnull=True), distinct=True
                ),
            )
            .order_by("path")
        )
        return {**super().get_context_data(**kwargs), "courses": courses}


class CodeBatchForm(forms.Form):
    count = forms.IntegerField(
        label="Number of codes",
        min_value=1,
        max_value=MAX_BATCH,
        initial=20,
        help_text=f"One per learner; each code enrolls one person. At most {MAX_BATCH} at a time.",
    )
    batch = forms.CharField(
        label="Batch name",
        required=False,
        max_length=100,
        help_text="Optional: who the codes are for, such as “Spring cohort, Durham school”.",
    )
    expires_on = forms.DateField(
        label="Expires after",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional: the last day the codes can be used. Leave empty for codes that do not expire.",
    )

    def clean_expires_on(self):
        day = self.cleaned_data.get("expires_on")
        if day and day < timezone.localdate():
            raise forms.ValidationError("This day has passed: choose today or a later day, or none.")
        return day

    def expires_at(self):
        day = self.cleaned_data.get("expires_on")
        if not day:
            return None
        return timezone.make_aware(datetime.combine(day, time.max))  # the end of that day, local time


class EnrollmentCodesView(CourseRecordsMixin, RecordsPage):
    section = "Enrollment codes"
    template_name = "courses/admin/enrollment_codes.html"
    permission_check = staticmethod(can_enroll_learners)

    def trail(self):
        return [
            {"url": reverse("enrollment_home"), "label": "Enroll learners"},
            {"url": "", "label": self.get_page_title()},
        ]

    def get(self, request, *args, **kwargs):
        if request.GET.get("print"):
            return render(request, "courses/admin/enrollment_codes_print.html", self._codes_context())
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        form = CodeBatchForm(request.POST)
        if form.is_valid():
            try:
                codes = codes_issue(
                    course=self.course,
                    count=form.cleaned_data["count"],
                    by=request.user,
                    batch=form.cleaned_data["batch"],
                    expires_at=form.expires_at(),
                )
            except CodeError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"{len(codes)} enrollment codes issued for {self.course.title}.")
                return redirect(reverse("enrollment_codes", args=[self.course.pk]))
        return self.render_to_response(self.get_context_data(form=form))

    def _codes_context(self):
        now = timezone.now()
        codes = list(course_codes(self.course)[:CODES_PER_PAGE_LIMIT])
        for code in codes:
            code.status = code_status(code, now)
        return {
            "course": self.course,
            "codes": codes,
            "redeem_url": site_url(self.request) + reverse("courses:code_redeem", args=[self.course.pk]),
        }

    def get_context_data(self, form=None, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            **self._codes_context(),
            "form": form or CodeBatchForm(),
            "csv_url": reverse("enrollment_codes_csv", args=[self.course.pk]),
            "class_upload_url": reverse("class_enrollment", args=[self.course.pk]),
        }


class EnrollmentCodesCsvView(PermissionMixin, View):
    permission_check = staticmethod(can_enroll_learners)

    def get(self, request, course_id):
        course = _course(request.user, course_id)
        return csv_response(
            export_filename("enrollment-codes", course.slug), CODES_CSV_HEADER, codes_csv_rows(course)
        )


enrollment_home_view = EnrollmentHomeView.as_view()
enrollment_codes_view = EnrollmentCodesView.as_view()
enrollment_codes_csv_view = EnrollmentCodesCsvView.as_view()
