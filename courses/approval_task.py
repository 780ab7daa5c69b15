"""The Course moderation workflow's task (cms/roles.py): Wagtail's group approval, by Provider admins,
that refuses to approve a course that may not go live yet (courses/publish_checks.py), whichever screen
the approval comes from. Approving from the page editor is refused earlier by the editor's form, with
the fields marked; from the dashboard's "Awaiting your review", nothing is approved and the reviewer is
taken to the course's editor with a message naming what is missing (courses.publish_views)."""

from django.urls import reverse
from wagtail.models import AbstractGroupApprovalTask

from .publish_checks import page_publish_problems


class CourseApprovalTask(AbstractGroupApprovalTask):
    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name == "approve":
            page = task_state.workflow_state.content_object
            if page_publish_problems(page):
                # Wagtail's workflow views redirect to what on_action returns; the task state stays in progress
                return reverse("course_publish_refused", args=[page.pk])
        return super().on_action(task_state, user, action_name, **kwargs)

    @classmethod
    def get_description(cls):
        return (
            "Members of the chosen groups approve; a course needs approved CE hours, a provider number and "
            "an NCBTMB approval in force"
        )

    class Meta:
        verbose_name = "Course approval task"
        verbose_name_plural = "Course approval tasks"
