from django.contrib.auth import views as auth_views
from django.urls import include, path
from django_ratelimit.decorators import ratelimit

from courses import data_export

from . import views
from .security import PasswordResetConfirmView, email_key, rate_for


def password_reset_limited(view):
    """Reset requests counted per client address and per e-mail address asked for."""
    per_email = ratelimit(group="password_reset", key=email_key, rate=rate_for, method="POST")(view)
    return ratelimit(group="password_reset", key="ip", rate=rate_for, method="POST")(per_email)


urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("profile/", views.profile, name="profile"),
    path("profile/export/", data_export.profile_export, name="profile_export"),
    # Django's own views: the reset request rate-limited, the confirmation also ending a log-in lockout
    path(
        "password_reset/",
        password_reset_limited(auth_views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path("reset/<uidb64>/<token>/", PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    # login, logout (POST only), password_change, password_reset and the reset confirmation steps
    path("", include("django.contrib.auth.urls")),
]
