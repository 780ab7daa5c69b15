"""The machine-readable certificate check: GET /api/certificates/<code>/ answers JSON, for employers and boards.

Rate-limited with the HTML look-up's own budget (the same django-ratelimit group and key, so a guesser gets no
more tries by asking both), open to scripts on any origin (CORS, GET only), and never a 500: a code that
cannot be one (NUL bytes, 10 000 characters, any script) is a 404 like an unknown one.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.http import JsonResponse
from django.utils.cache import patch_vary_headers
from django_ratelimit.core import get_usage, is_ratelimited

from .approvals import certificate_hours
from .certificate_models import Certificate
from .certificates import code_normalize
from .links import verification_url

RATE_GROUP = "certificate_verify"  # the HTML look-up's group, key and method (courses.views.verify_rate_limit): one count


def _rate(group, request):
    return settings.RATE_LIMITS[group]


def approvals_for(certificate: Certificate) -> list[dict]:
    """The course approvals the certificate prints, as frozen in its snapshot (courses/approvals.py): NCBTMB's
    and the learner's license state's, in force on the completion date. A certificate from before approvals
    were recorded has none."""
    return list(certificate.snapshot.get("approvals") or [])


def hours_by_body(snapshot: dict) -> list[dict]:
    """Each approving body's CE hours on the certificate ({body, name, hours}, hours as "2.50"), as it prints
    them (courses.approvals.certificate_hours): NCBTMB's only when NCBTMB approved the course; empty when
    no body did."""
    return [
        {"body": row["body"], "name": row["name"], "hours": f"{Decimal(row['hours']):.2f}"}
        for row in certificate_hours(snapshot)["by_body"]
    ]


def certificate_status_json(certificate: Certificate, request) -> dict:
    s = certificate.snapshot
    revoked = certificate.status == Certificate.Status.REVOKED
    issued = certificate.issued_at or certificate.created_at
    return {
        "code": certificate.code,
        "status": "revoked" if revoked else "valid",
        "revoked": revoked,
        "revoked_on": certificate.revoked_at.date().isoformat()
        if revoked and certificate.revoked_at
        else None,
        "name": s.get("participant_name", ""),
        "course": s.get("course_title", ""),
        "course_type": s.get("course_type", ""),
        "hours": s.get("ce_hours", ""),  # the course's CE hours (NCBTMB's, when NCBTMB approved it)
        "hours_by_body": hours_by_body(s),
        "completion_date": s.get("completion_date"),
        "issue_date": issued.date().isoformat(),
        "provider": {
            "name": s.get("provider_name", ""),
            "ncbtmb_provider_number": s.get("provider_number", ""),
        },
        "approvals": approvals_for(certificate),
        "verification_url": verification_url(certificate.code, request),
    }


def _cors(response: JsonResponse) -> JsonResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "GET, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Accept"
    response["Cache-Control"] = "no-store"
    patch_vary_headers(response, ["Origin"])
    return response


def _error(message: str, status: int) -> JsonResponse:
    return _cors(JsonResponse({"error": message}, status=status))


def certificate_api(request, code: str):
    if request.method == "OPTIONS":  # a browser's preflight: allowed for GET only
        response = _cors(JsonResponse({}, status=200))
        response["Access-Control-Max-Age"] = "86400"
        return response
    if request.method not in ("GET", "HEAD"):
        response = _error("Only GET is allowed here.", 405)
        response["Allow"] = "GET, HEAD, OPTIONS"
        return response
    if is_ratelimited(request, group=RATE_GROUP, key="ip", rate=_rate, method="GET", increment=True):
        usage = get_usage(request, group=RATE_GROUP, key="ip", rate=_rate, method="GET")
        response = _error("Too many certificate look-ups from your network: try again later.", 429)
        response["Retry-After"] = str(max(1, usage["time_left"]) if usage else 60)
        return response
    canonical = code_normalize(code)
    certificate = (
        Certificate.objects.filter(
            code=canonical, status__in=[Certificate.Status.ISSUED, Certificate.Status.REVOKED]
        ).first()
        if canonical
        else None
    )
    if certificate is None:
        return _error("No certificate has this number.", 404)
    return _cors(
        JsonResponse(certificate_status_json(certificate, request), json_dumps_params={"ensure_ascii": False})
    )
