"""Account views of the site's own: the profile, and sending the verification e-mail again. Sign-up,
log-in and out, e-mail verification and password reset are django-allauth's (cms/account_urls.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .accounts import completions_recheck, email_replace, email_verified, verification_email_send
from .forms import ProfileForm


@login_required
def profile(request):
    user = request.user
    email_before = user.email
    form = ProfileForm(request.POST or None, instance=user, email_verified=email_verified(user))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save(commit=False)
            new_email, user.email = user.email, email_before
            user.save()
            if new_email.lower() != email_before.lower():
                email_replace(request, user, new_email)
                messages.info(request, f"We sent a link to {new_email}: follow it to verify the address.")
        completions_recheck(user)  # a license number may have been the last rule missing
        messages.success(request, "Profile saved. New certificates will print these details.")
        return redirect("profile")
    return render(request, "account/profile.html", {"form": form})


@require_POST
@login_required
def verification_resend(request):
    """The course page's and the profile's "send the verification e-mail again" (rate-limited per account)."""
    if verification_email_send(request, request.user):
        return redirect("account_email_verification_sent")
    messages.info(request, "Your e-mail address is already verified.")
    return redirect("profile")


def healthz(request):
    """Liveness for the container healthcheck: the app answers and the database responds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
