"""Two request-wide policies, kept out of the views so that no view can forget them.

RejectNulBytesMiddleware: PostgreSQL text and jsonb columns cannot hold a NUL character, so a NUL
anywhere a view might pass on to a query (path, query string, form fields, cookies, a JSON body)
would end as a DataError and a 500. No legitimate request carries one: it gets a 400 up front.

PrivateResponsesMiddleware: whatever a logged-in visitor gets (dashboard, transcript, certificate,
quiz attempt, profile, data export, admin) is theirs alone. Every such response says
`Cache-Control: private, no-store`, so no proxy or shared browser cache keeps it.
"""

from django.core.exceptions import BadRequest, RequestDataTooBig
from django.utils.cache import patch_cache_control

NUL = "\x00"


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


class RejectNulBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request_has_nul(request):
            raise BadRequest("The request contains a NUL character.")
        return self.get_response(request)


class PrivateResponsesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
