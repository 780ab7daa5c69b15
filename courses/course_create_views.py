"""Wagtail admin view: an instructor starts a new course from the CE course template."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .course_drafts import CourseDraftError, course_draft_create
from .models import CourseType
from .permissions import creates_courses


class CourseStartForm(forms.Form):
    title = forms.CharField(
        max_length=255,
        help_text="The course's name on the site. You can change it, and everything else, in the editor.",
    )
    course_type = forms.ChoiceField(
        choices=CourseType.choices,
        initial=CourseType.HOME_STUDY,
        help_text="Home study: online and self-paced, with seat time counted by the site. Live: taught in "
        "person.",
    )


class CourseCreateView(WagtailAdminTemplateMixin, FormView):
    form_class = CourseStartForm
    template_name = "courses/admin/course_create.html"
    page_title = "New course"
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        if not creates_courses(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def form_valid(self, form):
        try:
            course = course_draft_create(user=self.request.user, **form.cleaned_data)
        except CourseDraftError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"“{course.title}” is your draft course. Fill in each field, add modules, then submit it for "
            "moderation: a provider admin approves the CE hours and publishes it.",
        )
        return redirect(reverse("wagtailadmin_pages:edit", args=[course.pk]))


course_create_view = CourseCreateView.as_view()
