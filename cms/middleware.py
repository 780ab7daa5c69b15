"""Two request-wide policies, kept out of the views so that no view can forget them.

HostileInputMiddleware answers 400 to input no honest client sends, before or instead of a 500:
- a NUL character anywhere a view might pass on to a query (path, query string, form fields,
  cookies, a JSON body): PostgreSQL text and jsonb columns cannot hold one (a DataError);
- a `next` that cannot be a URL at all (no "/" and no "."): Wagtail's views hand it to
  `redirect()`, which takes such a word for a URL name and fails with NoReverseMatch. A URL on
  another site passes: the views ignore it (Django's `url_has_allowed_host_and_scheme`);
- a `pk` in the URL that is not a whole number: every model here has an integer key, and some
  of Wagtail's views (the choosers' "chosen" step) pass it to the database unchecked (a 404);
- form data missing a field a view reads directly (MultiValueDictKeyError, e.g. Wagtail's
  StreamField and page-copy forms read their management fields that way), and a number too
  large for the database (OverflowError: SQLite refuses integers beyond 64 bits).
The last two are caught as the view raises them and logged with their traceback.

PrivateResponsesMiddleware: whatever a logged-in visitor gets (dashboard, transcript, certificate,
quiz attempt, profile, data export, admin) is theirs alone. Every such response says
`Cache-Control: private, no-store`, so no proxy or shared browser cache keeps it.
"""

import logging
import re

from django.core.exceptions import BadRequest, RequestDataTooBig
from django.http import Http404
from django.utils.cache import patch_cache_control
from django.utils.datastructures import MultiValueDictKeyError
from django.views.defaults import bad_request

logger = logging.getLogger(__name__)

NUL = "\x00"
WHOLE_NUMBER = re.compile(r"[0-9]+")
REFUSED_FROM_VIEWS = (MultiValueDictKeyError, OverflowError)


def _has_nul(pairs) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in pairs)


def _json_has_nul(request) -> bool:
    try:
        body = request.body
    except RequestDataTooBig:
        return False  # the view refuses an oversized body itself, with its own status
    return b"\x00" in body or b"\\u0000" in body.lower()


def request_has_nul(request) -> bool:
    if NUL in request.path or NUL in request.META.get("QUERY_STRING", ""):
        return True
    if _has_nul(request.GET.lists()) or _has_nul((k, [v]) for k, v in request.COOKIES.items()):
        return True
    if request.method != "POST":
        return False
    if request.content_type == "application/json":
        return _json_has_nul(request)
    return _has_nul(request.POST.lists())


def _could_be_a_url(value: str) -> bool:
    # django.shortcuts.resolve_url reverses anything without "/" or "." as a URL name
    return "/" in value or "." in value


def request_has_bad_next(request) -> bool:
    values = request.GET.getlist("next")
    if request.method == "POST" and request.content_type != "application/json":
        values += request.POST.getlist("next")
    return any(value and not _could_be_a_url(value) for value in values)


class HostileInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request_has_nul(request):
            raise BadRequest("The request contains a NUL character.")
        if request_has_bad_next(request):
            raise BadRequest("`next` must be a URL.")
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        pk = view_kwargs.get("pk")
        if isinstance(pk, str) and not WHOLE_NUMBER.fullmatch(pk):
            raise Http404("No such object.")
        return None

    def process_exception(self, request, exception):
        if not isinstance(exception, REFUSED_FROM_VIEWS):
            return None
        logger.warning("Bad request data at %s", request.path, exc_info=exception)
        return bad_request(request, exception)


class PrivateResponsesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
