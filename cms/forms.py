"""Account forms. Every form renders through crispy-forms (Bootstrap 5).

Sign-up is allauth's form (username, e-mail, passwords) with what a certificate prints: the legal name,
and whether the learner is a student or licensed, with the license number and state for the licensed.
"""

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from django import forms

from .licenses import license_number_clean, license_number_validate
from .models import US_STATES, LearnerStatus, User
from .validators import LegalNameFormField

LEGAL_NAME_HELP = "As printed on your CE certificates."
LICENSE_HELP = "Licensed therapists only: as your board prints it. Students leave it empty."
LICENSE_REQUIRED = "Licensed therapists need their license number on their certificates."
STATE_REQUIRED = "Choose the state that issued your license."
STATE_CHOICES = [("", "Choose…"), *US_STATES]


def _helper(submit_label: str, *layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # templates write the <form> tag, with the CSRF token and ?next=
    helper.layout = Layout(*layout, Submit("submit", submit_label, css_class="btn-primary mt-2"))
    return helper


def _license_layout():
    return Div(
        Div(Field("license_number"), css_class="col-sm-7"),
        Div(Field("license_state"), css_class="col-sm-5"),
        css_class="row license-fields",
    )


class LearnerDetailsMixin:
    """The legal name, student or licensed, and the license for the licensed (checked per state)."""

    def _details_fields_setup(self):
        self.fields["legal_name"].help_text = LEGAL_NAME_HELP
        self.fields["legal_name"].widget.attrs["autocomplete"] = "name"
        self.fields["learner_status"].widget = forms.RadioSelect(choices=LearnerStatus.choices)
        self.fields["license_number"].required = False
        self.fields["license_number"].help_text = LICENSE_HELP
        self.fields["license_state"].required = False

    def _license_clean(self, cleaned):
        if cleaned.get("learner_status") == LearnerStatus.STUDENT:
            cleaned["license_number"], cleaned["license_state"] = "", ""
            return cleaned
        if cleaned.get("learner_status") != LearnerStatus.LICENSED:
            return cleaned
        number = license_number_clean(cleaned.get("license_number", ""))
        state = cleaned.get("license_state", "")
        cleaned["license_number"] = number
        if not number:
            self.add_error("license_number", LICENSE_REQUIRED)
        if not state and "license_state" not in self.errors:
            self.add_error("license_state", STATE_REQUIRED)
        if number and state:
            try:
                license_number_validate(state, number)
            except forms.ValidationError as error:
                self.add_error("license_number", error)
        return cleaned


class LoginForm(AllauthLoginForm):
    """ACCOUNT_FORMS["login"]: allauth's, with a label that says what to type (the page links the reset)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Username or e-mail"
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["password"].help_text = ""
        self.fields["password"].widget.attrs.pop("placeholder", None)


class SignupForm(LearnerDetailsMixin, AllauthSignupForm):
    """ACCOUNT_FORMS["signup"]: allauth saves the account; cms.accounts.AccountAdapter the details."""

    legal_name = LegalNameFormField(label="Legal name")  # the shared rules: cms/validators.py
    learner_status = forms.ChoiceField(label="I am", choices=LearnerStatus.choices)
    license_number = forms.CharField(label="License number", max_length=64)
    license_state = forms.ChoiceField(label="License state", choices=STATE_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._details_fields_setup()
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)  # the labels say it
        self.fields["email"].label = "E-mail"
        self.fields["email"].help_text = "We send a link to verify it: certificates need a verified address."
        self.helper = _helper(
            "Create account",
            Fieldset("Your account", "username", "email"),
            Fieldset(
                "For your certificates",
                "legal_name",
                "learner_status",
                _license_layout(),
            ),
            Fieldset("Password", "password1", "password2"),
        )

    def clean(self):
        return self._license_clean(super().clean())


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


class ProfileForm(LearnerDetailsMixin, EmailUniqueMixin, forms.ModelForm):
    legal_name = LegalNameFormField(label="Legal name")

    class Meta:
        model = User
        fields = ("legal_name", "learner_status", "license_number", "license_state", "email")
        labels = {
            "legal_name": "Legal name",
            "license_number": "License number",
            "license_state": "License state",
            "email": "E-mail",
        }

    def __init__(self, *args, email_verified: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.email_verified = email_verified
        self.fields["email"].required = True
        self.fields["license_state"].choices = STATE_CHOICES
        self._details_fields_setup()
        status = (
            '<p class="small mb-3 email-status is-verified">✓ Verified</p>'
            if email_verified
            else '<p class="small mb-3 email-status">Not verified yet: certificates wait for it. '
            "Changing it sends a new link to the new address.</p>"
        )
        self.helper = _helper(
            "Save profile",
            "legal_name",
            "learner_status",
            _license_layout(),
            "email",
            HTML(status),
        )

    def clean(self):
        return self._license_clean(super().clean())
