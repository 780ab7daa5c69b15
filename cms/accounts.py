"""Accounts through django-allauth: the adapter, and the writes around e-mail verification.

An account's e-mail address is verified when allauth's EmailAddress row for it says so. Verification is
not needed to log in; it is one of the rules a certificate waits for (courses/completion.py), so the
services here re-run the completion check when an address is verified or a license number is added.
"""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth.models import Group
from django.db import transaction

from courses.completion import course_completion_check
from courses.models import Certificate, Enrollment

from .models import User
from .services import LEARNERS_GROUP

EMAIL_TAKEN = "An account with this e-mail address already exists."


class AccountAdapter(DefaultAccountAdapter):
    """allauth's adapter with the site's words and the learner's certificate details saved at sign-up."""

    error_messages = {**DefaultAccountAdapter.error_messages, "email_taken": EMAIL_TAKEN}

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        user.legal_name = data["legal_name"]
        user.learner_status = data["learner_status"]
        user.license_number = data.get("license_number", "")
        user.license_state = data.get("license_state", "")
        if commit:
            with transaction.atomic():
                user.save()
                user.groups.add(Group.objects.get_or_create(name=LEARNERS_GROUP)[0])
        return user


# --------------------------------------------------------------------------- e-mail addresses


def email_verified(user) -> bool:
    """Is the account's own address (User.email) verified? One query."""
    if not user.email:
        return False
    return EmailAddress.objects.filter(user_id=user.pk, email__iexact=user.email, verified=True).exists()


def email_replace(request, user, email: str) -> EmailAddress:
    """The profile's e-mail field changed: the new address is the account's, unverified until its
    owner follows the link sent to it now (the old address, verified or not, is forgotten)."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(email=email)
        user.email = email
        EmailAddress.objects.filter(user=user).delete()
        address = EmailAddress.objects.create(user=user, email=email.lower(), primary=True, verified=False)
    address.send_confirmation(request)
    return address


def verification_email_send(request, user) -> bool:
    """Send the link that verifies the account's address again; False when there is nothing to verify."""
    if not user.email or email_verified(user):
        return False
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        EmailAddress.objects.filter(user=user, primary=True).update(primary=False)
        address = EmailAddress.objects.create(user=user, email=user.email.lower(), primary=True)
    address.send_confirmation(request)
    return True


# --------------------------------------------------------------------------- completion


def completions_recheck(user) -> list[Certificate]:
    """Run the completion check of every course this learner has not finished yet: an account rule
    (a verified address, a license number) may have been the last one missing."""
    waiting = Enrollment.objects.filter(user=user, status=Enrollment.Status.ACTIVE, certificate__isnull=True)
    certificates = [course_completion_check(enrollment) for enrollment in waiting]
    return [certificate for certificate in certificates if certificate is not None]


def on_email_confirmed(sender, request, email_address, **kwargs):
    """allauth's email_confirmed receiver (connected in cms.apps)."""
    user = email_address.user
    if email_address.email.lower() != (user.email or "").lower():
        return
    if completions_recheck(user) and request is not None:
        messages.success(request, "Your e-mail address is verified: your certificate is being prepared.")
