from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.urls import reverse


class DigestForm(forms.Form):
    digest = forms.BooleanField(
        required=False,
        label="E-mail me when review cards are due (at most once a week)",
        help_text="Every e-mail has a one-click link to stop them.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = reverse("review:digest")
        self.helper.add_input(Submit("save", "Save"))
