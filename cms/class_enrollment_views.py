"""Wagtail admin view: enroll a class from a CSV class list (upload → preview → commit).

Like the article importer (courses/article_import_views.py): a FormView in the admin's frame, the upload's
size checked before it is read. The preview carries the file to the commit in a signed field (the course,
the user and the hour it was previewed), so what is committed is exactly what was previewed by this user
for this course, and the commit re-plans it against the database as it is then (cms/class_enrollment.py).
Only the course's instructors and provider-wide staff reach a course's page; another course is not found.
"""

from __future__ import annotations

import base64
from pathlib import PurePath

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from courses.enrollment_code_views import can_enroll_learners
from courses.permissions import staff_courses

from .class_enrollment import (
    MAX_BYTES,
    MAX_ROWS,
    ClassListError,
    Outcome,
    class_list_commit,
    class_list_plan,
    class_list_read,
    plan_counts,
    size_check,
)

PREVIEW_MAX_AGE = 60 * 60  # seconds a preview may be committed


class ClassListForm(forms.Form):
    file = forms.FileField(
        label="Class list (CSV)",
        help_text=f"Columns: name, e-mail, license (such as “FL MA12345”, or “student”). UTF-8, at most "
        f"{MAX_BYTES // 1024:,} KB and {MAX_ROWS:,} learners.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class ClassListCommitForm(forms.Form):
    preview = forms.CharField(widget=forms.HiddenInput, strip=False)


def _salt(course, user) -> str:
    return f"cms.class_enrollment:{course.pk}:{user.pk}"


class ClassEnrollmentView(WagtailAdminTemplateMixin, FormView):
    form_class = ClassListForm
    template_name = "cms/admin/class_enrollment.html"
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        if not can_enroll_learners(request.user):
            raise PermissionDenied
        self.course = get_object_or_404(staff_courses(request.user), pk=kwargs["course_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"Enroll a class: {self.course.title}"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("enrollment_home"), "label": "Enroll learners"},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "course": self.course,
            "codes_url": reverse("enrollment_codes", args=[self.course.pk]),
        }

    def post(self, request, *args, **kwargs):
        if "preview" in request.POST:
            return self._commit(ClassListCommitForm(request.POST))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        file_name = PurePath(upload.name or "class.csv").name[:100]
        try:
            size_check(upload.size)  # before reading the upload into memory
            raw = upload.read()
            plans = class_list_plan(self.course, class_list_read(raw))
        except ClassListError as exc:
            form.add_error("file", str(exc))
            return self.form_invalid(form)
        payload = {"name": file_name, "raw": base64.b64encode(raw).decode("ascii")}
        token = signing.dumps(payload, salt=_salt(self.course, self.request.user), compress=True)
        counts = plan_counts(plans)
        return self.render_to_response(
            self.get_context_data(
                form=form,
                plans=plans,
                counts=counts,
                file_name=file_name,
                to_enroll=counts[Outcome.NEW] + counts[Outcome.ENROLL],
                commit_form=ClassListCommitForm(initial={"preview": token}),
            )
        )

    def _commit(self, commit_form):
        try:
            if not commit_form.is_valid():
                raise signing.BadSignature
            payload = signing.loads(
                commit_form.cleaned_data["preview"],
                salt=_salt(self.course, self.request.user),
                max_age=PREVIEW_MAX_AGE,
            )
            raw = base64.b64decode(payload["raw"])
            plans = class_list_commit(
                course=self.course,
                raw=raw,
                file_name=payload["name"],
                by=self.request.user,
                request=self.request,
            )
        except ClassListError as exc:
            messages.error(self.request, str(exc))
            return redirect(reverse("class_enrollment", args=[self.course.pk]))
        except (signing.BadSignature, KeyError, ValueError, TypeError):
            messages.error(
                self.request, "This preview is over an hour old or was changed: upload the file again."
            )
            return redirect(reverse("class_enrollment", args=[self.course.pk]))
        counts = plan_counts(plans)
        messages.success(
            self.request,
            f"{self.course.title}: {counts[Outcome.NEW]} new accounts invited, {counts[Outcome.ENROLL]} existing "
            f"accounts enrolled, {counts[Outcome.ALREADY]} already enrolled, {counts[Outcome.ERROR]} rows skipped "
            "with errors.",
        )
        return redirect(reverse("insight_roster", args=[self.course.pk]))


class_enrollment_view = ClassEnrollmentView.as_view()
