"""Site-wide security helpers: the Content-Security-Policy middleware, the client address, rate limits.

Rate limits are fixed windows counted in the default cache (Redis in production, so every gunicorn
worker shares the count; local memory in dev and tests). Rules live in settings.RATE_LIMITS:

    RATE_LIMITS = {"signup": "5/h", "password_reset": "5/h", "certificate_verify": "30/m"}

    @rate_limit("signup")                      # POSTs only, counted per client address
    def signup(request): ...

    @rate_limit("password_reset", keys=(client_ip, post_field("email")))
    ...

    if rate_limit_hit(request, "certificate_verify", methods=("GET",)):   # inside a view
        return too_many_requests(request, "certificate_verify")
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps

from csp.middleware import CSPMiddleware
from csp.utils import default_config
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.shortcuts import render

# --------------------------------------------------------------------------- Content-Security-Policy


def _is_admin_path(path: str) -> bool:
    return path.startswith(tuple(getattr(settings, "CSP_ADMIN_URL_PREFIXES", ())))


class SiteCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the relaxed CSP_ADMIN_DIRECTIVES under the admin prefixes
    and for Wagtail's preview renderings.

    The Wagtail and Django admins write inline scripts and styles and frame their own previews;
    the learner site gets the strict CONTENT_SECURITY_POLICY. A view's own @csp_replace/@csp_update
    still applies on top of either.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        # Wagtail renders previews by sending a dummy request for the page's own URL through the
        # middleware; the admin frames the result, so it gets the admin's policy.
        in_admin = _is_admin_path(request.path_info) or getattr(request, "is_dummy", False)
        if not report_only and parts.config is None and in_admin:
            parts.config = default_config(settings.CSP_ADMIN_DIRECTIVES)
        return parts


# --------------------------------------------------------------------------- client address


UNKNOWN_ADDRESS = "unknown"


def client_ip(request) -> str:
    """The client's address. Behind TRUSTED_PROXY_COUNT reverse proxies, each appending to
    X-Forwarded-For, the client is that many entries from the right; anything further left was
    written by the client and is not trusted."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if proxies > 0:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
        ]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
            if _valid_ip(candidate):
                return candidate
    return remote if _valid_ip(remote) else UNKNOWN_ADDRESS  # requests without one share a bucket


def _valid_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def axes_client_ip(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: django-axes counts failures by the same address as the rate limits.

    None when there is no address (the test client's force_login): axes stores it in an IP field,
    which PostgreSQL refuses to fill with anything but an address."""
    address = client_ip(request)
    return None if address == UNKNOWN_ADDRESS else address


def post_field(name: str) -> Callable:
    """A rate-limit key: a POSTed field, case-folded (e.g. the e-mail a password reset is sent to)."""

    def key(request) -> str:
        return (request.POST.get(name) or "").strip().casefold()

    key.__name__ = f"post_{name}"
    return key


# --------------------------------------------------------------------------- rate limits


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds

    UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

    @classmethod
    def parse(cls, text: str) -> Rate:
        """'5/h', '30/m', '100/10m'."""
        count, _, per = text.partition("/")
        number, unit = per[:-1] or "1", per[-1:]
        if unit not in cls.UNITS or not count.isdigit() or not number.isdigit():
            raise ValueError(f"Bad rate {text!r}: use a count and a period like '5/h' or '30/10m'.")
        return cls(limit=int(count), period=int(number) * cls.UNITS[unit])


def rate_for(scope: str) -> Rate:
    return Rate.parse(settings.RATE_LIMITS[scope])


def _cache_key(scope: str, key_name: str, ident: str, window: int) -> str:
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]  # no raw e-mail addresses in cache keys
    return f"ratelimit:{scope}:{key_name}:{digest}:{window}"


def _count(cache_key: str, period: int) -> int:
    if cache.add(cache_key, 1, timeout=period + 1):
        return 1
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=period + 1)
        return 1


def rate_limit_hit(
    request, scope: str, *, keys: Iterable[Callable] = (client_ip,), methods: Iterable[str] = ("POST",)
) -> bool:
    """Count this request against `scope` under every key; True when any key is over the limit.

    Requests with other methods are neither counted nor limited. Disabled by RATE_LIMIT_ENABLED=False.
    """
    if not getattr(settings, "RATE_LIMIT_ENABLED", True) or request.method not in methods:
        return False
    rate = rate_for(scope)
    window = int(time.time()) // rate.period
    over = False
    for key in keys:
        ident = key(request)
        if not ident:
            continue
        if _count(_cache_key(scope, key.__name__, ident, window), rate.period) > rate.limit:
            over = True
    if over:
        request.rate_limited_scope = scope
        request.rate_limit_retry_after = rate.period - int(time.time()) % rate.period
    return over


RATE_LIMIT_MESSAGES = {
    "signup": "Too many accounts have been created from your network in a short time.",
    "password_reset": "Too many password reset requests have been made in a short time.",
    "certificate_verify": "Too many certificate look-ups have been made from your network in a short time.",
}


def too_many_requests(request, scope: str):
    """The 429 page in the site style, with Retry-After."""
    retry_after = getattr(request, "rate_limit_retry_after", rate_for(scope).period)
    context = {
        "message": RATE_LIMIT_MESSAGES.get(scope, "Too many requests have been made in a short time."),
        "retry_minutes": max(1, -(-retry_after // 60)),
    }
    response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def rate_limit(scope: str, *, keys: Iterable[Callable] = (client_ip,), methods: Iterable[str] = ("POST",)):
    """View decorator: answer 429 (site-styled page, Retry-After) once `scope`'s rate is exceeded."""
    keys, methods = tuple(keys), tuple(methods)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if rate_limit_hit(request, scope, keys=keys, methods=methods):
                return too_many_requests(request, scope)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# --------------------------------------------------------------------------- log-in lockout (django-axes)


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the lockout page in the site style (429), for the site and admin log-ins."""
    from axes.helpers import get_client_username, get_cool_off, get_failure_limit

    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "username": get_client_username(request, credentials) or "",
        "cooloff_minutes": max(1, round(cool_off.total_seconds() / 60)) if cool_off else None,
    }
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.headers.get("x-requested-with") == "XMLHttpRequest":
        from django.http import JsonResponse

        return JsonResponse({"error": "Too many failed log-in attempts.", **context}, status=status)
    return render(request, "account/lockout.html", context, status=status)


def lockout_clear(username: str) -> None:
    """Forget the failed log-ins of an account (after its owner proved they read its e-mail)."""
    from axes.utils import reset

    if username:  # an empty username would match every record
        reset(username=username)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's reset confirmation; a new password also ends a log-in lockout of the account."""

    def form_valid(self, form):
        response = super().form_valid(form)
        lockout_clear(form.user.get_username())
        return response
