"""The site app in the Wagtail admin: enrolling a class from a CSV class list (it creates accounts, so it
lives here rather than in courses; the rest of group enrollment is in courses/wagtail_hooks.py)."""

from django.urls import path
from wagtail import hooks

from .class_enrollment_views import class_enrollment_view


@hooks.register("register_admin_urls")
def class_enrollment_urls():
    return [path("enrollment/<int:course_id>/class/", class_enrollment_view, name="class_enrollment")]
