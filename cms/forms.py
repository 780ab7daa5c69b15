"""Account forms. Every form renders through crispy-forms (Bootstrap 5)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Fieldset, Layout, Submit
from django import forms
from django.contrib.auth.forms import UserCreationForm

from .models import User

LEGAL_NAME_HELP = "As printed on your CE certificates."


def _helper(submit_label: str, *layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # templates write the <form> tag, with the CSRF token and ?next=
    helper.layout = Layout(*layout, Submit("submit", submit_label, css_class="btn-primary mt-2"))
    return helper


class EmailUniqueMixin:
    """Password reset e-mails go to every account with the address, so one address, one account."""

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        others = User.objects.filter(email__iexact=email)
        if self.instance and self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError("An account with this e-mail address already exists.")
        return email


class SignupForm(EmailUniqueMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email", "legal_name", "license_number", "license_state")
        help_texts = {"legal_name": LEGAL_NAME_HELP}
        labels = {
            "legal_name": "Legal name",
            "license_number": "License number",
            "license_state": "License state",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["legal_name"].required = True
        self.fields["legal_name"].help_text = LEGAL_NAME_HELP
        self.fields["license_number"].required = True
        self.fields["license_state"].required = True
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["legal_name"].widget.attrs["autocomplete"] = "name"
        self.helper = _helper(
            "Create account",
            Fieldset("Your account", "username", "email"),
            Fieldset(
                "For your certificates",
                "legal_name",
                Div(
                    Div(Field("license_number"), css_class="col-sm-7"),
                    Div(Field("license_state"), css_class="col-sm-5"),
                    css_class="row",
                ),
            ),
            Fieldset("Password", "password1", "password2"),
        )


class ProfileForm(EmailUniqueMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ("legal_name", "license_number", "license_state", "email")
        help_texts = {"legal_name": LEGAL_NAME_HELP}
        labels = {
            "legal_name": "Legal name",
            "license_number": "License number",
            "license_state": "License state",
            "email": "E-mail",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.fields:
            self.fields[name].required = True
        self.fields["legal_name"].help_text = LEGAL_NAME_HELP
        self.helper = _helper(
            "Save profile",
            "legal_name",
            Div(
                Div(Field("license_number"), css_class="col-sm-7"),
                Div(Field("license_state"), css_class="col-sm-5"),
                css_class="row",
            ),
            "email",
        )
