"""The learner's renewal forms: a credential to track, and an outside certificate to upload."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .renewal_models import Credential, OutsideCertificate
from .renewal_rules import CE_CYCLE, LICENSE, ce_deadline, cycle_deadline, rules

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_OUTSIDE_CERTIFICATES = 100  # per learner: uploads are private files kept for years
# What an outside certificate may be: the extension and the bytes it must start with.
UPLOAD_TYPES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
}


def _short(name: str) -> str:
    """ "Florida massage therapist license" -> "Florida"."""
    return name.split(" massage")[0]


def _helper(label: str) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", label))
    return helper


class CredentialForm(forms.ModelForm):
    kind = forms.ChoiceField(label="Credential")

    class Meta:
        model = Credential
        fields = ["kind", "license_number", "renewal_date"]
        widgets = {"renewal_date": forms.DateInput(attrs={"type": "date"})}
        labels = {
            "license_number": "License or certificate number (optional)",
            "renewal_date": "Expiry or renewal date",
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        known = rules()
        self.fields["kind"].choices = [(kind, rule.name) for kind, rule in known.items()]
        snapped = [r for r in known.values() if r.fixed_cycle_end and r.deadline == LICENSE]
        cycles = [r for r in known.values() if r.deadline == CE_CYCLE]
        help_text = "The expiry or renewal date printed on your license or certificate."
        if snapped:
            help_text += (
                " Some boards give every license the same expiry date, the end of the continuing-education "
                "cycle ("
                + "; ".join(f"{_short(r.name)}: {r.fixed_cycle_end.description}" for r in snapped)
                + "): for those the date is moved to the end of the cycle it falls in."
            )
        if cycles:
            help_text += (
                " "
                + "; ".join(
                    f"{_short(r.name)} licenses renew on their own dates, but the CE hours are due "
                    f"{r.fixed_cycle_end.description} for everyone"
                    for r in cycles
                )
                + ": the CE deadline shown is the end of the cycle open today, and your date is kept as the "
                "license's renewal date."
            )
        self.fields["renewal_date"].help_text = help_text
        self.snapped_from = None  # the date entered, when clean() moved it to its cycle's end
        self.helper = _helper("Add credential")

    def clean_kind(self):
        kind = self.cleaned_data["kind"]
        if Credential.objects.filter(user=self.user, kind=kind).exists():
            raise forms.ValidationError(
                "You already track this credential: remove it first to change its date."
            )
        return kind

    def clean(self):
        cleaned = super().clean()
        kind, day = cleaned.get("kind"), cleaned.get("renewal_date")
        rule = rules().get(kind)
        if rule is not None and day is not None:
            deadline = cycle_deadline(rule, day)
            if deadline != day:
                self.snapped_from, cleaned["renewal_date"] = day, deadline
        return cleaned

    def deadline_message(self, *, today: date) -> str:
        """What the learner is told when the CE deadline is not the date they entered: moved to the end of
        its fixed cycle, or a CE cycle fixed whatever the license date. Empty otherwise."""
        rule, day = rules()[self.cleaned_data["kind"]], self.cleaned_data["renewal_date"]
        if self.snapped_from:
            return (
                f"{rule.name}: every license expires with the continuing-education cycle, "
                f"{rule.fixed_cycle_end.description}, so {self.snapped_from:%B %-d, %Y} falls in the cycle "
                f"ending {day:%B %-d, %Y}. That is the deadline shown."
            )
        if rule.deadline == CE_CYCLE:
            return (
                f"{rule.name}: the CE hours are due {rule.fixed_cycle_end.description} for every licensee, "
                f"whatever the license's date, so they are due by {ce_deadline(rule, day, today=today):%B %-d, %Y} "
                f"(the cycle open today). {day:%B %-d, %Y} is kept as your license renewal date."
            )
        return ""

    def clean_renewal_date(self):
        day = self.cleaned_data["renewal_date"]
        today = timezone.localdate()
        if day < today - timedelta(days=366):
            raise forms.ValidationError("That date is over a year ago: enter the date of your next renewal.")
        if day > today + timedelta(days=366 * 10):
            raise forms.ValidationError("That date is more than ten years away.")
        return day


class OutsideCertificateForm(forms.ModelForm):
    file = forms.FileField(
        label="Certificate file",
        help_text="A PDF, PNG or JPEG of the certificate, at most 10 MB. Only you can download it.",
    )

    class Meta:
        model = OutsideCertificate
        fields = ["title", "provider_name", "completed_on", "hours", "minutes", "subject", "delivery", "file"]
        widgets = {"completed_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["hours"].help_text = "The CE hours printed on the certificate."
        self.fields["delivery"].help_text = (
            "As the certificate says. Some boards cap distance hours (home study and live online together) "
            "and count only live hands-on classes toward hands-on hours."
        )
        self.helper = _helper("Upload certificate")
        self.helper.attrs = {"enctype": "multipart/form-data"}

    def clean(self):
        cleaned = super().clean()
        if self._at_limit():
            raise forms.ValidationError(self._limit_message())
        return cleaned

    def _at_limit(self) -> bool:
        return OutsideCertificate.objects.filter(user=self.user).count() >= MAX_OUTSIDE_CERTIFICATES

    @staticmethod
    def _limit_message() -> str:
        return (
            f"You have uploaded {MAX_OUTSIDE_CERTIFICATES} certificates, the most you can keep here: "
            "remove ones you no longer need (from past renewal cycles) before uploading another."
        )

    def save_for_learner(self) -> OutsideCertificate | None:
        """Save the upload as the learner's unless they reached the limit meanwhile: the learner's row is
        locked (on PostgreSQL; SQLite runs one write at a time) and the count taken again in the transaction
        of the insert, so two uploads at once cannot both pass a count of 99. None, with the form's error,
        when the limit is reached."""
        with transaction.atomic():
            list(get_user_model().objects.select_for_update().filter(pk=self.user.pk).values_list("pk"))
            if self._at_limit():
                self.add_error(None, self._limit_message())
                return None
            upload = self.save(commit=False)
            upload.user = self.user
            upload.save()
        return upload

    def clean_completed_on(self):
        day = self.cleaned_data["completed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The completion date cannot be in the future.")
        if day < date(1990, 1, 1):
            raise forms.ValidationError("Enter the date the course was completed.")
        return day

    def clean_hours(self):
        hours = self.cleaned_data["hours"]
        if not Decimal("0") < hours <= Decimal("100"):
            raise forms.ValidationError("Enter the hours on the certificate: more than 0, at most 100.")
        return hours

    def clean_minutes(self):
        minutes = self.cleaned_data.get("minutes")
        if minutes is not None and not 1 <= minutes <= 6000:
            raise forms.ValidationError("Enter the minutes of instruction (1 to 6000), or leave it empty.")
        return minutes

    def clean_file(self):
        upload = self.cleaned_data["file"]
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if extension not in UPLOAD_TYPES:
            raise forms.ValidationError("Upload a PDF, PNG or JPEG file (.pdf, .png, .jpg).")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"The file is {upload.size / 1048576:.1f} MB: at most 10 MB, please.")
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        if not head.startswith(UPLOAD_TYPES[extension]):
            raise forms.ValidationError(
                f"This file is not a readable {extension.upper()}: check it opens, then try again."
            )
        upload.name = f"{uuid.uuid4().hex}.{extension}"  # never the learner's own file name on disk
        return upload
