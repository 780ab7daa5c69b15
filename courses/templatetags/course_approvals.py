from django import template

from ..approval_admin import can_edit_approvals
from ..approvals import course_approvals

register = template.Library()


@register.simple_tag
def course_approvals_panel(course, user) -> dict:
    """The course page's read-only list of its approvals (none before the course is first saved)."""
    return {
        "approvals": course_approvals(course) if course is not None and course.pk else [],
        "can_edit": can_edit_approvals(user),
    }
