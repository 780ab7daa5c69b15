"""The learner's renewal tracking pages: their credentials with progress, adding and removing credentials,
and outside certificates (uploaded, downloaded by their owner only, removed). Everything is the learner's
own: another learner's credential or upload is "not found"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .renewal_forms import CredentialForm, OutsideCertificateForm
from .renewal_models import Credential, OutsideCertificate
from .renewals import renewal_overview


@login_required
def renewals(request):
    return render(request, "courses/renewals.html", renewal_overview(user=request.user))


@login_required
def credential_add(request):
    form = CredentialForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        credential = form.save(commit=False)
        credential.user = request.user
        try:
            with transaction.atomic():
                credential.save()
        except IntegrityError:  # the same credential added twice at once
            form.add_error("kind", "You already track this credential.")
            return render(
                request, "courses/renewal_form.html", {"form": form, "heading": "Add a credential to renew"}
            )
        messages.success(request, f"Added: {dict(form.fields['kind'].choices)[credential.kind]}.")
        if notice := form.deadline_message(today=timezone.localdate()):
            messages.info(request, notice)
        return redirect("courses:renewals")
    return render(
        request, "courses/renewal_form.html", {"form": form, "heading": "Add a credential to renew"}
    )


@require_POST
@login_required
def credential_delete(request, credential_id: int):
    credential = get_object_or_404(Credential, pk=credential_id, user=request.user)
    credential.delete()
    messages.success(request, "Credential removed.")
    return redirect("courses:renewals")


@login_required
def outside_add(request):
    form = OutsideCertificateForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid() and (upload := form.save_for_learner()):
        messages.success(request, f"Uploaded: {upload.title} ({upload.hours:g} hours).")
        return redirect("courses:renewals")
    return render(
        request,
        "courses/renewal_form.html",
        {"form": form, "heading": "Upload a certificate from another provider"},
    )


@login_required
def outside_file(request, upload_id: int):
    upload = get_object_or_404(OutsideCertificate, pk=upload_id, user=request.user)
    try:
        handle = upload.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The file is missing.") from error
    extension = upload.file.name.rsplit(".", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=f"outside-certificate-{upload.pk}.{extension}")


@require_POST
@login_required
def outside_delete(request, upload_id: int):
    upload = get_object_or_404(OutsideCertificate, pk=upload_id, user=request.user)
    upload.file.delete(save=False)
    upload.delete()
    messages.success(request, "Certificate removed.")
    return redirect("courses:renewals")
