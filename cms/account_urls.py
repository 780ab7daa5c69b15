"""/accounts/: django-allauth's views (sign-up, log-in, log-out, e-mail verification, password reset and
change), with the site's rate limits (settings.RATE_LIMITS, django-ratelimit: allauth's own are off), and
the site's profile pages."""

from allauth.account import views as allauth_views
from django.urls import include, path
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from courses import data_export

from . import views
from .invitations import invitation_accept
from .security import email_key, rate_for


def password_reset_limited(view):
    """Reset requests counted per client address and per e-mail address asked for."""
    per_email = ratelimit(group="password_reset", key=email_key, rate=rate_for, method="POST")(view)
    return ratelimit(group="password_reset", key="ip", rate=rate_for, method="POST")(per_email)


def verification_email_limited(view):
    return ratelimit(group="verification_email", key="user_or_ip", rate=rate_for, method="POST")(view)


urlpatterns = [
    path("profile/", views.profile, name="profile"),
    # a learner enrolled from a class list sets their first password here (cms/invitations.py)
    path("invitation/<uidb64>/<token>/", invitation_accept, name="account_invitation"),
    path("profile/export/", data_export.profile_export, name="profile_export"),
    path(
        "profile/verify-email/",
        verification_email_limited(views.verification_resend),
        name="account_verification_resend",
    ),
    # allauth's views where the site adds a rate limit or a method, before allauth's own patterns
    path(
        "signup/",
        ratelimit(group="signup", key="ip", rate=rate_for, method="POST")(allauth_views.signup),
        name="account_signup",
    ),
    path("logout/", require_POST(allauth_views.logout), name="account_logout"),  # a link cannot log out
    path(
        "password/reset/",
        password_reset_limited(allauth_views.password_reset),
        name="account_reset_password",
    ),
    path("email/", verification_email_limited(allauth_views.email), name="account_email"),
    path("", include("allauth.account.urls")),
]
