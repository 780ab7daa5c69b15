"""Thin views: look the page up, call a service, say what happened, redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .models import CoursePage, ModulePage
from .selectors import course_modules, learner_dashboard
from .services import ProgressError, enrollment_create, module_complete as module_complete_service


@require_POST
def enroll(request, course_id: int):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    if not request.user.is_authenticated:
        return redirect_to_login(course.get_url(request))
    try:
        enrollment_create(user=request.user, course=course)
    except ProgressError as error:
        messages.error(request, error.message)
        return redirect(course.get_url(request))
    messages.success(request, f"You are enrolled in {course.title}. Modules open in order: start with the first.")
    return redirect(course.get_url(request))


@require_POST
def module_complete(request, module_id: int):
    module = get_object_or_404(ModulePage.objects.live(), pk=module_id)
    if not request.user.is_authenticated:
        return redirect_to_login(module.get_url(request))
    try:
        module_complete_service(user=request.user, module=module)
    except ProgressError as error:
        messages.error(request, error.message)
        return redirect(module.get_url(request))
    messages.success(request, f"“{module.title}” marked complete.")
    return redirect(_after_completion_url(request, module))


def _after_completion_url(request, module: ModulePage) -> str:
    course = CoursePage.objects.parent_of(module).first()
    modules = course_modules(course)
    index = next(i for i, m in enumerate(modules) if m.pk == module.pk)
    if index + 1 < len(modules):
        return modules[index + 1].get_url(request)
    return course.get_url(request)


@login_required
def dashboard(request):
    return render(request, "courses/dashboard.html", {"enrollments": learner_dashboard(user=request.user)})
