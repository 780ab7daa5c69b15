"""The learner's certificate page (PDF, Open Badge, LinkedIn) and the public documents behind Open Badges 3.0:
the provider's public key (JWKS, did:web) and the revocation status list."""

from __future__ import annotations

import json

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from .badge_keys import SigningKeyMissing, did_document, jwks_document
from .certificate_models import Certificate
from .certificates import code_normalize
from .links import site_url, verification_url
from .open_badges import badge_for, credential_json, status_list_jwt
from .share_links import linkedin_add_url

PUBLIC_CACHE = "public, max-age=300"


def _public(response: HttpResponse) -> HttpResponse:
    """Published for any verifier, from any origin: read-only documents, no cookies read."""
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = PUBLIC_CACHE
    return response


def _no_key() -> JsonResponse:
    return JsonResponse({"error": "This site has no Open Badges signing key configured yet."}, status=404)


@require_GET
def jwks(request):
    try:
        return _public(JsonResponse(jwks_document(), content_type="application/jwk-set+json"))
    except SigningKeyMissing:
        return _no_key()


@require_GET
def did_json(request):
    try:
        document = did_document(site_url(request))
    except SigningKeyMissing:
        return _no_key()
    return _public(JsonResponse(document, content_type="application/did+json"))


@require_GET
def status_list(request):
    """The BitstringStatusListCredential as a VC-JWT. Not cached by proxies for long: a revocation shows
    within a minute."""
    try:
        token = status_list_jwt(site_url(request))
    except SigningKeyMissing:
        return _no_key()
    response = HttpResponse(token, content_type="application/vc+jwt")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=60"
    return response


# --- the learner's own certificate ---------------------------------------------------------------------


def _own_certificate(request, code: str) -> Certificate:
    """The signed-in learner's certificate with this code; anyone else's (or none) is "not found"."""
    canonical = code_normalize(code)  # junk (a NUL byte, 10 000 characters) never reaches the database
    certificate = (
        Certificate.objects.select_related("enrollment")
        .filter(code=canonical or "", enrollment__user=request.user)
        .exclude(status__in=[Certificate.Status.FAILED])
        .first()
    )
    if certificate is None:
        raise Http404("No certificate here.")
    return certificate


def certificate_detail(request, code: str):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    certificate = _own_certificate(request, code)
    s = certificate.snapshot
    context = {"certificate": certificate, "s": s, "verify_url": verification_url(certificate.code, request)}
    if certificate.status == Certificate.Status.ISSUED:
        issued = (certificate.issued_at or certificate.created_at).date()
        context["badge"] = badge_for(certificate)
        context["linkedin_url"] = linkedin_add_url(
            name=s["course_title"],
            organization=s.get("provider_name", ""),
            issued=issued,
            cert_url=context["verify_url"],
            cert_id=certificate.code,
        )
    response = render(request, "courses/certificate_detail.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


def _badge_download(request, code: str):
    if not request.user.is_authenticated:
        return None, redirect_to_login(request.get_full_path())
    certificate = _own_certificate(request, code)
    badge = badge_for(certificate) if certificate.status == Certificate.Status.ISSUED else None
    if badge is None:
        raise Http404("This certificate has no Open Badge.")
    return (certificate, badge), None


def _attachment(response, certificate, extension):
    title = slugify(certificate.snapshot.get("course_title", "course"))[:60]
    response["Content-Disposition"] = (
        f'attachment; filename="open-badge-{title}-{certificate.code}.{extension}"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


def badge_json(request, code: str):
    """The credential as JSON (what it says, readable); its signature travels in the .jwt file."""
    found, refusal = _badge_download(request, code)
    if refusal:
        return refusal
    certificate, badge = found
    body = json.dumps(credential_json(badge.jwt), indent=2, ensure_ascii=False)
    return _attachment(HttpResponse(body, content_type="application/json"), certificate, "json")


def badge_jwt(request, code: str):
    """The signed credential: the compact JWS that wallets and verifiers check (OB 3.0, File Format)."""
    found, refusal = _badge_download(request, code)
    if refusal:
        return refusal
    certificate, badge = found
    return _attachment(HttpResponse(badge.jwt, content_type="text/plain"), certificate, "jwt")
