from django.urls import include, path

from . import views

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("profile/", views.profile, name="profile"),
    # login, logout (POST only), password_change, password_reset and the reset confirmation steps
    path("", include("django.contrib.auth.urls")),
]
