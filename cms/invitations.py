"""Invitations for learners whose account staff created from a class list (cms/class_enrollment.py).

The account has no usable password. The invitation e-mail links to /accounts/invitation/<uid>/<token>/:
Django's password-reset confirmation view with its own token generator (another salt, so a password-reset
token is no invitation and the reverse). The token signs the account's password hash and last log-in,
so it works once (setting the password changes the hash) and expires after PASSWORD_RESET_TIMEOUT
(Django's default, 3 days); after that "Forgot your password?" sets one. Following the link proves the
learner reads that mailbox, so setting the password there also verifies the address (certificates need
a verified address: courses/completion.py).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.contrib.auth.views import PasswordResetConfirmView
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from courses.links import absolute_url

from .accounts import completions_recheck
from .services import email_mark_verified


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "cms.invitations.InvitationTokenGenerator"


invitation_tokens = InvitationTokenGenerator()


def invitation_url(user, request=None) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return absolute_url(
        reverse("account_invitation", args=[uid, invitation_tokens.make_token(user)]), request
    )


def invitation_days() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)


def invitation_send(user, course, *, invited_by, request=None) -> None:
    """E-mail `user` the link that sets their password and verifies their address."""
    context = {
        "user": user,
        "course": course,
        "invited_by": invited_by.display_name if invited_by else "",
        "url": invitation_url(user, request),
        "days": invitation_days(),
        "reset_url": absolute_url(reverse("account_reset_password"), request),
    }
    send_mail(
        f"You are enrolled in {course.title}: set your password",
        render_to_string("account/email/invitation_message.txt", context),
        None,
        [user.email],
    )


def enrollment_notice_send(user, course, *, request=None) -> None:
    """E-mail an existing learner that staff enrolled them (no password, no link to set one)."""
    context = {"user": user, "course": course, "url": absolute_url(course.url or "/", request)}
    send_mail(
        f"You are enrolled in {course.title}",
        render_to_string("account/email/enrolled_message.txt", context),
        None,
        [user.email],
    )


class InvitationAcceptView(PasswordResetConfirmView):
    """Set the first password from an invitation; the address is verified and the learner logged in."""

    token_generator = invitation_tokens
    template_name = "account/invitation_accept.html"
    title = "Set your password"
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("dashboard")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        for field in form.fields.values():
            field.widget.attrs.pop("autofocus", None)
        return form

    def form_valid(self, form):
        response = super().form_valid(form)
        email_mark_verified(self.user)
        completions_recheck(self.user)
        messages.success(self.request, "Your password is set and your e-mail address is verified. Welcome!")
        return response


invitation_accept = InvitationAcceptView.as_view()
