"""An instructor starts a course: a draft CoursePage made from the CE course template, under the catalogue,
owned by them and assigned to them (so they edit it, its modules and quizzes), never published here.

Instructors hold no page permission on the catalogue (that would open every course's pages to them), so
this service, not Wagtail's add view, creates the page; from then on Wagtail's editor and the Course
moderation workflow (cms/roles.py) take over: submit for moderation, a provider admin approves.
"""

from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify
from wagtail.log_actions import log

from .models import CourseIndexPage, CoursePage, CourseType, Provider
from .staff_services import course_instructor_assign

# The template: sensible starting values; what is left for the instructor is explained in help text and
# checked when they submit (courses.page_forms.CoursePageForm).
TEMPLATE_CE_HOURS = Decimal("0")  # the provider admin approves the hours
TEMPLATE_PASS_MARK = 80


class CourseDraftError(Exception):
    pass


def _free_slug(catalogue, title: str) -> str:
    base = slugify(title)[:200] or "course"
    taken = set(catalogue.get_children().filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def course_draft_create(*, user, title: str, course_type: str = CourseType.HOME_STUDY) -> CoursePage:
    """Create the draft course and assign `user` (an Instructors member) to it; returns the page."""
    catalogue = CourseIndexPage.objects.first()
    provider = Provider.objects.order_by("pk").first()
    if catalogue is None or provider is None:
        raise CourseDraftError("There is no course catalogue or CE provider yet: ask a provider admin.")
    with transaction.atomic():
        course = CoursePage(
            title=title,
            slug=_free_slug(catalogue, title),
            approved_title=title,
            course_type=course_type,
            ce_hours=TEMPLATE_CE_HOURS,
            provider=provider,
            pass_mark=TEMPLATE_PASS_MARK,
            owner=user,
            live=False,
        )
        catalogue.add_child(instance=course)
        course.save_revision(user=user, log_action=False)
        log(instance=course, action="wagtail.create", user=user)
        course_instructor_assign(course=course, user=user)
    return course
