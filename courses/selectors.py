"""Reads for course pages and the dashboard (owner: accounts/progress work)."""


def course_cards(*, user):
    from .models import CoursePage

    return [{"course": c} for c in CoursePage.objects.live().select_related("provider")]


def course_outline(*, course, user):
    return {"modules": course.get_children().live().specific()}


def module_context(*, module, user):
    return {}
