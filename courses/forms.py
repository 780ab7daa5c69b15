from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from .certificates import code_normalize
from .models import CourseEvaluation


class CourseEvaluationForm(forms.ModelForm):
    class Meta:
        model = CourseEvaluation
        fields = [*CourseEvaluation.RATING_FIELDS, "comments"]
        widgets = dict.fromkeys(CourseEvaluation.RATING_FIELDS, forms.RadioSelect) | {
            "comments": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in CourseEvaluation.RATING_FIELDS:
            self.fields[name].choices = CourseEvaluation.RATINGS  # no empty "---------" radio
        self.fields["comments"].help_text = "Optional. What helped, what was unclear, what to add."
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", "Submit evaluation"))

    def ratings(self) -> dict:
        return {name: self.cleaned_data[name] for name in CourseEvaluation.RATING_FIELDS}


class CertificateLookupForm(forms.Form):
    code = forms.CharField(
        label="Certificate number",
        max_length=40,
        help_text="Printed on the certificate, e.g. K7QHD-2MZXA-PL4RT-WN6EB (dashes and case do not matter).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.add_input(Submit("submit", "Verify"))

    def clean_code(self):
        code = code_normalize(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                "That is not a certificate number: it has 20 letters and digits (2–7), usually in groups of five."
            )
        return code


class EnrollmentCodeForm(forms.Form):
    code = forms.CharField(
        label="Enrollment code",
        max_length=40,
        help_text="From your instructor, such as K7QHD-2MZXA (dashes and case do not matter).",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", "Enroll with this code"))
