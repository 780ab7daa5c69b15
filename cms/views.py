"""Account views: sign-up and profile. Log in, log out and password reset are Django's own."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django_ratelimit.decorators import ratelimit

from .forms import ProfileForm, SignupForm
from .security import rate_for
from .services import learner_create


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@ratelimit(group="signup", key="ip", rate=rate_for, method="POST")
def signup(request):
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = learner_create(
            username=data["username"],
            email=data["email"],
            password=data["password1"],
            legal_name=data["legal_name"],
            license_number=data["license_number"],
            license_state=data["license_state"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.display_name}. Your account is ready.")
        return redirect(_next_url(request))
    next_url = request.POST.get("next") or request.GET.get("next", "")
    return render(request, "account/signup.html", {"form": form, "next": next_url})


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Profile saved. New certificates will print these details.")
        return redirect("profile")
    return render(request, "account/profile.html", {"form": form})


def healthz(request):
    """Liveness for the container healthcheck: the app answers and the database responds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
