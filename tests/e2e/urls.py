"""The site's URLs plus three that only the browser tests use, to show the 403, 429 and 500 pages as a
learner would meet them (tests/e2e/test_pages_accessibility.py)."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from cms.security import too_many_requests
from cms.urls import urlpatterns as site_urlpatterns


def forbidden(request):
    raise PermissionDenied


def rate_limited(request):
    return too_many_requests(request)


def broken(request):
    raise RuntimeError("e2e: the 500 page")


urlpatterns = [
    path("__e2e__/403/", forbidden),
    path("__e2e__/429/", rate_limited),
    path("__e2e__/500/", broken),
    *site_urlpatterns,
]
