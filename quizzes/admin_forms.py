"""Admin form for questions: checks the submitted options per kind (the model only sees saved ones)."""

from wagtail.admin.forms import WagtailAdminModelForm


class QuestionAdminForm(WagtailAdminModelForm):
    def clean(self):
        from .models import question_errors

        cleaned = super().clean()
        self.instance._options_checked_by_form = True
        formset = self.formsets.get("options")
        if formset is None or not formset.is_valid():
            return cleaned
        options = [
            {
                "text": form.cleaned_data.get("text") or "",
                "is_correct": bool(form.cleaned_data.get("is_correct")),
                "match_text": form.cleaned_data.get("match_text") or "",
            }
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        zones = cleaned.get("correct_zones") or []
        for field, message in question_errors(cleaned.get("kind"), options, len(zones)).items():
            self.add_error(field if field in self.fields else None, message)
        return cleaned


class QuizAdminForm(WagtailAdminModelForm):
    """An instructor sets quizzes only on the courses they teach (courses.selectors.staff_courses)."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is None:
            return
        from functools import reduce
        from operator import or_

        from django.db.models import Q

        from courses.models import ModulePage
        from courses.selectors import sees_every_course, staff_courses

        if sees_every_course(for_user):
            return
        courses = staff_courses(for_user)
        if "course" in self.fields:
            self.fields["course"].queryset = courses
        if "module" in self.fields:
            paths = [Q(path__startswith=path) for path in courses.values_list("path", flat=True)]
            self.fields["module"].queryset = (
                ModulePage.objects.filter(reduce(or_, paths)) if paths else ModulePage.objects.none()
            )
