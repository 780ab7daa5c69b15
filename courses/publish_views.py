"""Where a refused approval lands (courses.approval_task.CourseApprovalTask): the course's editor, with
a message naming what the course lacks before it may go live."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from wagtail.models import Page

from .publish_checks import page_publish_problems, refusal_text


def course_publish_refused_view(request, page_id: int):
    page = Page.objects.filter(pk=page_id).first()
    if page is None or not page.permissions_for_user(request.user).can_edit():
        raise Http404("No such course.")
    problems = page_publish_problems(page)
    if problems:
        messages.error(request, f"Not approved. {refusal_text(page, problems)}")
    return redirect("wagtailadmin_pages:edit", page.pk)
