"""Template access to the CE-hours check for the CoursePage admin HelpPanel."""

from django import template

from courses.reading import ce_hours_check as _ce_hours_check

register = template.Library()


@register.simple_tag
def ce_hours_check(course):
    return _ce_hours_check(course)
