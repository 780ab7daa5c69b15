"""Site-wide security glue: the Content-Security-Policy middleware, the client address (django-ipware),
rate limits (django-ratelimit) and the log-in lockout (django-axes).

Rate limits are django-ratelimit's fixed windows in the default cache (Redis in production, so every
gunicorn worker shares the count; local memory in dev and tests). Rates live in settings.RATE_LIMITS,
read per request; a view is limited by its group, and over the limit the RatelimitMiddleware answers
with too_many_requests (RATELIMIT_VIEW):

    @ratelimit(group="signup", key="ip", rate=rate_for, method="POST")
    def signup(request): ...
"""

from __future__ import annotations

from axes.helpers import get_cool_off
from axes.utils import reset
from csp.middleware import CSPMiddleware
from csp.utils import default_config
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import JsonResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage
from ipware import get_client_ip

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


# --------------------------------------------------------------------------- client address (django-ipware)


def client_ip(request) -> str | None:
    """The client's address (AXES_CLIENT_IP_CALLABLE), or None when the request has none.

    Behind TRUSTED_PROXY_COUNT reverse proxies, each appending to X-Forwarded-For, the client is that
    many entries from the right; anything further left was written by the client and is not trusted.
    ipware counts only the proxies listed before the client's entry, hence one less. Without enough
    entries, REMOTE_ADDR. None rather than a word: axes stores it in an IP field (PostgreSQL's inet).
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded, _ = get_client_ip(
            request, proxy_count=proxies - 1, request_header_order=["HTTP_X_FORWARDED_FOR"], strict=False
        )
        if forwarded:
            return forwarded
    address, _ = get_client_ip(request, request_header_order=["REMOTE_ADDR"])
    return address


def rate_limit_address(request) -> str:
    """RATELIMIT_IP_META_KEY: django-ratelimit counts by the same address; requests without one share
    a bucket."""
    return client_ip(request) or "0.0.0.0"


# --------------------------------------------------------------------------- rate limits (django-ratelimit)


def rate_for(group: str, request) -> str:
    """The `rate` of every @ratelimit here: settings.RATE_LIMITS[group], read per request."""
    return settings.RATE_LIMITS[group]


def email_key(group: str, request) -> str:
    """A rate-limit key: the e-mail address a password reset is sent to, case-folded."""
    return (request.POST.get("email") or "").strip().casefold()


# The 429 page says what was refused. django-ratelimit's exception does not carry its group, so the
# limited views are named here (cms/account_urls.py, cms/urls.py, courses/views.py).
RATE_LIMITED_VIEWS = {
    "account_signup": "signup",
    "account_reset_password": "password_reset",
    "account_verification_resend": "verification_email",
    "account_email": "verification_email",
    "wagtailadmin_password_reset": "password_reset",
    "courses:certificate_lookup": "certificate_verify",
    "courses:certificate_verify": "certificate_verify",
}
RATE_LIMIT_MESSAGES = {
    "signup": "Too many accounts have been created from your network in a short time.",
    "password_reset": "Too many password reset requests have been made in a short time.",
    "certificate_verify": "Too many certificate look-ups have been made from your network in a short time.",
    "verification_email": "Several verification e-mails have been sent to you in a short time: the last one's link still works.",
}
# The groups counted per account (the rest per client address): the 429 page reads the same bucket.
RATE_LIMIT_KEYS = {"verification_email": "user_or_ip"}


def _minutes_up(seconds: int) -> int:
    """Whole minutes to wait, rounded up, at least one."""
    return max(1, -(-seconds // 60))


def too_many_requests(request, exception=None):
    """RATELIMIT_VIEW: the 429 page in the site style, with Retry-After: when the address's window ends."""
    match = request.resolver_match
    group = RATE_LIMITED_VIEWS.get(match.view_name if match else "")
    key = RATE_LIMIT_KEYS.get(group, "ip")
    usage = group and get_usage(request, group=group, key=key, rate=rate_for, method=request.method)
    retry_after = max(1, usage["time_left"]) if usage else 60
    context = {
        "message": RATE_LIMIT_MESSAGES.get(group, "Too many requests have been made in a short time."),
        "retry_minutes": _minutes_up(retry_after),
    }
    response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    return response


# --------------------------------------------------------------------------- log-in lockout (django-axes)

# Two limits. django-axes locks one username from one address after LOGIN_FAILURE_LIMIT wrong passwords
# (AXES_LOCKOUT_PARAMETERS), and a log-in clears it. An address that tries many usernames is held by a
# second, larger budget, RATE_LIMITS["login_failures"], counted by django-ratelimit on every failure and
# not cleared by a log-in (one account of one's own would otherwise reset it). Axes has one limit for all
# its parameters, so the budget reaches axes through its limit: none at all for a spent address.
LOGIN_FAILURES = "login_failures"


def _address_failures(request, *, increment: bool) -> dict | None:
    return get_usage(request, group=LOGIN_FAILURES, key="ip", rate=rate_for, increment=increment)


def count_login_failure_per_address(sender, credentials, request=None, **kwargs):
    """user_login_failed receiver (connected in cms.apps)."""
    if request is not None:
        _address_failures(request, increment=True)


def address_locked_out(request) -> bool:
    """Has this address used up its budget of failed log-ins across usernames?"""
    usage = _address_failures(request, increment=False)
    return bool(usage and usage["should_limit"])


def login_failure_limit(request, credentials=None) -> int:
    """AXES_FAILURE_LIMIT: LOGIN_FAILURE_LIMIT for each username and address; 0 from a spent address."""
    return 0 if address_locked_out(request) else settings.LOGIN_FAILURE_LIMIT


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the lockout page in the site style (429), for the site and admin log-ins."""
    status = settings.AXES_HTTP_RESPONSE_CODE
    if address_locked_out(request):
        wait = _address_failures(request, increment=False)["time_left"]
        context = {"whole_network": True, "cooloff_minutes": _minutes_up(wait)}
    else:
        cool_off = get_cool_off(request)
        context = {
            "failure_limit": settings.LOGIN_FAILURE_LIMIT,
            "username": _typed_login(request, credentials),  # as typed: never the account an address names
            "cooloff_minutes": max(1, round(cool_off.total_seconds() / 60)) if cool_off else None,
        }
    if request.headers.get("x-requested-with") == "XMLHttpRequest":
        return JsonResponse({"error": "Too many failed log-in attempts.", **context}, status=status)
    return render(request, "account/lockout.html", context, status=status)


def lockout_clear(username: str) -> None:
    """Forget the failed log-ins of an account (after its owner proved they read its e-mail)."""
    if username:  # an empty username would match every record
        reset(username=username)


def lockout_clear_after_password_reset(sender, request, user, **kwargs):
    """allauth's password_reset receiver (connected in cms.apps): a new password ends a lockout."""
    lockout_clear(user.get_username())


def _typed_login(request, credentials=None) -> str:
    credentials = credentials or {}
    data = getattr(request, "POST", None) or {}
    typed = (
        credentials.get("email") or credentials.get("username") or data.get("login") or data.get("username")
    )
    return (typed or "").strip()


def login_username(request, credentials=None) -> str | None:
    """AXES_USERNAME_CALLABLE: the account a log-in tries, whichever way it was named.

    allauth's form posts "login" (a username or an e-mail address) and authenticates with "username" and,
    for an address, "email"; Wagtail's admin posts "username". An e-mail address of an account counts as
    that account's username, so typing one or the other shares one lockout; an unknown address is its
    own key, case-folded.
    """
    typed = _typed_login(request, credentials)
    if "@" not in typed:
        return typed or None
    username = get_user_model().objects.filter(email__iexact=typed).values_list("username", flat=True).first()
    return username or typed.casefold()
