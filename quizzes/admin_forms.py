"""Admin form for questions: checks the submitted options per kind (the model only sees saved ones)."""

from wagtail.admin.forms import WagtailAdminModelForm

from .models import critical_errors, question_errors
from .widgets import BodyMapZonesWidget


class QuestionAdminForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zones = self.fields.get("correct_zones")
        if zones is not None:
            zones.to_field_name = "code"  # the body map posts zone codes, as on the learner's page
            zones.widget = BodyMapZonesWidget()

    def clean(self):
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
        errors = question_errors(cleaned.get("kind"), options, len(zones))
        errors.update(
            critical_errors(cleaned.get("kind"), cleaned.get("critical"), cleaned.get("red_flag"), options)
        )
        for field, message in errors.items():
            self.add_error(field if field in self.fields else None, message)
        return cleaned
