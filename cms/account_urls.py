from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import data_export, views
from .security import PasswordResetConfirmView, client_ip, post_field, rate_limit

password_reset_limited = rate_limit("password_reset", keys=(client_ip, post_field("email")))

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
