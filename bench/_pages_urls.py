"""URL conf for bench/pages.py: the project's URLs plus two minimal views the app itself never serves."""

from django.http import HttpResponse, HttpResponseForbidden
from django.urls import path

from cms.urls import urlpatterns as project_urlpatterns


def minimal(request):
    """The floor: the whole middleware stack (sessions, CSRF, CSP, axes...) and no database or template."""
    return HttpResponse("ok", content_type="text/plain")


def learner_minimal(request):
    """The learner floor: the middleware stack with the session and the user loaded, nothing else."""
    if not request.user.is_authenticated:
        return HttpResponseForbidden("not logged in")
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


urlpatterns = [
    path("bench/minimal/", minimal, name="bench_minimal"),
    path("bench/learner-minimal/", learner_minimal, name="bench_learner_minimal"),
    *project_urlpatterns,
]
