"""Certificates in the Wagtail admin: list, detail with history, and the staff actions.

Every action needs "courses.change_certificate" (superusers have it); each is recorded as a
CertificateEvent with the user and the time by the service it calls.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from .certificates import learner_fields
from .links import verification_url
from .models import SWEEP_RETRY_DELAYS, Certificate
from .services import (
    CertificateError,
    certificate_regenerate,
    certificate_reissue,
    certificate_retry,
    certificate_revoke,
)

PERMISSION = "courses.change_certificate"
# The failed certificates the sweep no longer retries (courses.services.certificates_requeue): staff's turn.
GAVE_UP = "gave_up"
GAVE_UP_FILTER = Q(status=Certificate.Status.FAILED, sweep_retries__gte=len(SWEEP_RETRY_DELAYS))


def can_manage_certificates(user) -> bool:
    return bool(user and user.is_active and user.has_perm(PERMISSION))


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=1000, required=False)


class RevokeForm(ReasonForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        help_text="Kept in the history; the public verification page shows only that it was revoked and when.",
    )


class CertificatePermissionMixin:
    def dispatch(self, request, *args, **kwargs):
        if not can_manage_certificates(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class CertificateIndexView(CertificatePermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    page_title = "Certificates"
    header_icon = "doc-full"
    template_name = "courses/admin/certificate_index.html"
    per_page = 50

    def get_queryset(self):
        qs = Certificate.objects.select_related("enrollment__user", "enrollment__course").order_by(
            "-created_at", "-pk"
        )
        status = self.request.GET.get("status", "")
        if status in Certificate.Status.values:
            qs = qs.filter(status=status)
        elif status == GAVE_UP:
            qs = qs.filter(GAVE_UP_FILTER)
        query = self.request.GET.get("q", "").strip()
        if query:
            qs = qs.filter(
                Q(code__icontains=query)
                | Q(snapshot__participant_name__icontains=query)
                | Q(enrollment__user__username__icontains=query)
                | Q(enrollment__user__email__icontains=query)
            )
        return qs

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": "Certificates"}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(self.get_queryset(), self.per_page).get_page(self.request.GET.get("p"))
        counts = dict.fromkeys(Certificate.Status.values, 0)
        for status in Certificate.objects.values_list("status", flat=True):
            counts[status] += 1
        gave_up = (GAVE_UP, "Failed — the sweep gave up", Certificate.objects.filter(GAVE_UP_FILTER).count())
        context.update(
            {
                "page_obj": page,
                "certificates": page.object_list,
                "statuses": [
                    *((value, label, counts[value]) for value, label in Certificate.Status.choices),
                    gave_up,
                ],
                "status": self.request.GET.get("status", ""),
                "q": self.request.GET.get("q", ""),
            }
        )
        return context


class CertificateDetailView(CertificatePermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    header_icon = "doc-full"
    template_name = "courses/admin/certificate_detail.html"

    def get_page_title(self):
        return f"Certificate {self.certificate.code}"

    def dispatch(self, request, *args, **kwargs):
        self.certificate = get_object_or_404(
            Certificate.objects.select_related("enrollment__user", "enrollment__course", "page_revision"),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("courses_certificates"), "label": "Certificates"},
            {"url": "", "label": self.certificate.code},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        certificate = self.certificate
        current = learner_fields(certificate.enrollment.user)
        changed = {
            k: (certificate.snapshot.get(k), v)
            for k, v in current.items()
            if certificate.snapshot.get(k) != v
        }
        context.update(
            {
                "certificate": certificate,
                "s": certificate.snapshot,
                "events": certificate.events.select_related("user"),
                "learner": certificate.enrollment.user,
                "profile_changes": changed,
                "verify_url": verification_url(certificate.code, self.request),
                "revoke_form": RevokeForm(prefix="revoke"),
                "reason_form": ReasonForm(),
                "can_revoke": certificate.status != Certificate.Status.REVOKED,
                "can_reissue": certificate.status != Certificate.Status.REVOKED,
                "can_regenerate": certificate.status == Certificate.Status.ISSUED,
                "can_retry": certificate.status == Certificate.Status.FAILED,
            }
        )
        return context


ACTIONS = {
    "revoke": (certificate_revoke, "revoked"),
    "reissue": (certificate_reissue, "reissued with the learner's current details: new PDF, same number"),
    "regenerate": (certificate_regenerate, "regenerated from its stored details"),
    "retry": (certificate_retry, "queued again"),
}


@require_POST
def certificate_action(request, pk: int, action: str):
    if not can_manage_certificates(request.user):
        raise PermissionDenied
    if action not in ACTIONS:
        raise Http404
    certificate = get_object_or_404(Certificate, pk=pk)
    service, done = ACTIONS[action]
    form = RevokeForm(request.POST, prefix="revoke") if action == "revoke" else ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason for revoking the certificate.")
        return redirect("courses_certificate", pk=pk)
    kwargs = {"certificate": certificate, "user": request.user}
    if action != "retry":
        kwargs["reason"] = form.cleaned_data.get("reason", "")
    try:
        service(**kwargs)
    except CertificateError as error:  # the action's own refusal, or its PDF failing (logged by the service)
        messages.error(request, error.message)
    else:
        messages.success(request, f"Certificate {certificate.code} {done}.")
    return redirect("courses_certificate", pk=pk)


certificate_index_view = CertificateIndexView.as_view()
certificate_detail_view = CertificateDetailView.as_view()
