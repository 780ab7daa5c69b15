"""Template access to the CE-hours check for the CoursePage admin HelpPanel, and to the CE hours a
certificate states (one figure, or each approving body's: courses.approvals.certificate_hours)."""

from django import template

from courses.approvals import certificate_hours
from courses.reading import ce_hours_check as _ce_hours_check

register = template.Library()


@register.simple_tag
def ce_hours_check(course):
    return _ce_hours_check(course)


@register.filter
def ce_hours_text(snapshot) -> str:
    """A certificate snapshot's CE hours as the certificate prints them: "3 CE hours", or, when the bodies
    approved different hours, "NCBTMB: 3 CE hours · Florida: 2 CE hours" (only bodies that approved it)."""
    return certificate_hours(snapshot or {})["text"]
