"""URL conf for bench/pages.py: the project's URLs plus /bench/minimal/, which the app itself never serves."""

from django.http import HttpResponse
from django.urls import path

from cms.urls import urlpatterns as project_urlpatterns


def minimal(request):
    """The floor: the whole middleware stack (sessions, CSRF, CSP, axes...) and no database or template."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/minimal/", minimal, name="bench_minimal"), *project_urlpatterns]
