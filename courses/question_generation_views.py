"""Admin page that runs the question generators (the same as `manage.py generate_questions`)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.views.generic import FormView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from quizzes.generators import DEFAULT_SEED

from .permissions import staff_courses
from .question_bank import course_find, course_question_bank_generate


class GenerateQuestionsForm(forms.Form):
    course = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="(no course: leave questions unlinked)",
        help_text="Each question is linked to the module of this course that teaches its muscle or red flag.",
    )
    seed = forms.IntegerField(
        initial=DEFAULT_SEED,
        min_value=0,
        max_value=2**31,
        help_text="Fixes which distractors are used and their order: the same seed gives the same questions.",
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Questions are linked to modules of a course the user teaches (every course: provider-wide staff).
        courses = staff_courses(user).order_by("path")
        self.fields["course"].queryset = courses
        default = course_find()
        if default is not None and courses.filter(pk=default.pk).exists():
            self.fields["course"].initial = default


class GenerateQuestionsView(WagtailAdminTemplateMixin, FormView):
    page_title = "Generate questions from the knowledge base"
    header_icon = "cogs"
    template_name = "quizzes/admin/generate_questions.html"
    form_class = GenerateQuestionsForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("quizzes.add_question"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("wagtailsnippets_quizzes_question:list"), "label": "Question bank"},
            {"url": "", "label": "Generate questions"},
        ]

    def form_valid(self, form):
        report = course_question_bank_generate(
            seed=form.cleaned_data["seed"], course=form.cleaned_data["course"], user=self.request.user
        )
        messages.success(
            self.request,
            f"Questions generated: {report.created} new, {report.updated} updated, {report.unchanged} unchanged, "
            f"{report.kept_edited} edited by an instructor and left as they are.",
        )
        return self.render_to_response(self.get_context_data(form=form, report=report))


generate_questions_view = GenerateQuestionsView.as_view()
