"""What a course needs before it goes live, checked by every route that publishes one: the page editor's
Publish and workflow Approve (courses.page_forms.CoursePageForm), the Course moderation task's Approve
from the dashboard (courses.approval_task.CourseApprovalTask), the editor's `before_publish_page` hook
and bulk publishing (courses.wagtail_hooks).

A course is certified against its approved CE hours and its provider's NCBTMB approved-provider number,
both printed on every certificate: it never goes live with 0 hours or a provider without a number.
"""

from django.apps import apps
from wagtail.models import Page


def course_publish_problems(course) -> list[str]:
    """What is missing before `course` (a page or a revision's copy of one) may go live; empty if nothing."""
    problems = []
    if course.ce_hours is None or course.ce_hours <= 0:
        problems.append("the approved CE hours (above 0): a provider admin sets them in the course editor")
    provider = course.provider if course.provider_id else None
    if provider is None:
        problems.append("a CE provider")
    elif not (provider.ncbtmb_provider_number or "").strip():
        problems.append(
            f"the NCBTMB approved-provider number of the provider “{provider.name}” (CE providers)"
        )
    return problems


def page_publish_problems(page: Page) -> list[str]:
    """For a course, what its latest revision (what publishing would put live) lacks; nothing for other pages."""
    page = page.specific_deferred if type(page) is Page else page
    if not isinstance(page, apps.get_model("courses", "CoursePage")):  # (courses.models imports this module)
        return []
    return course_publish_problems(page.get_latest_revision_as_object())


def refusal_text(course: Page, problems: list[str]) -> str:
    return f"“{course.get_admin_display_title()}” cannot be published yet. It needs {'; '.join(problems)}."
