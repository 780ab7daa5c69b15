"""Course staff: assigning instructors to a course, and the page permissions that follow (writes; split from
courses/services.py, which re-exports these names)."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import GroupPagePermission

from .models import CourseInstructor, CoursePage

# What an assigned instructor may do to the course page and every module under it.
# No publish_page: an instructor submits their course for moderation (cms/roles.py, course_moderation_ensure).
COURSE_PAGE_PERMISSIONS = ("add_page", "change_page")


def course_staff_group_name(course_id: int) -> str:
    # By id, not title: titles change, and the group must be found again by the next sync.
    return f"Instructors of course #{course_id}"


def course_staff_sync(course: CoursePage):
    """Make the course's own group hold add/change (never publish) on the course page (and so on its modules)
    and exactly the course's assigned instructors as members; idempotent. Returns the group."""
    with transaction.atomic():
        group, _ = Group.objects.get_or_create(name=course_staff_group_name(course.pk))
        for permission in Permission.objects.filter(
            content_type__app_label="wagtailcore",
            content_type__model="page",
            codename__in=COURSE_PAGE_PERMISSIONS,
        ):
            GroupPagePermission.objects.get_or_create(group=group, page_id=course.pk, permission=permission)
        GroupPagePermission.objects.filter(group=group).exclude(
            page_id=course.pk, permission__codename__in=COURSE_PAGE_PERMISSIONS
        ).delete()
        assigned = set(CourseInstructor.objects.filter(course=course).values_list("user_id", flat=True))
        members = set(group.user_set.values_list("pk", flat=True))
        if assigned - members:
            group.user_set.add(*(assigned - members))
        if members - assigned:
            group.user_set.remove(*(members - assigned))
    return group


def course_instructor_assign(*, course: CoursePage, user) -> CourseInstructor:
    """Assign `user` (an Instructors group member) to `course`; idempotent."""
    with transaction.atomic():
        assignment, _ = CourseInstructor.objects.get_or_create(course=course, user=user)
        course_staff_sync(course)
    return assignment


def course_instructor_unassign(*, course: CoursePage, user) -> bool:
    """Take `user` off `course` (their page permissions on it go too); True if they were assigned."""
    with transaction.atomic():
        deleted, _ = CourseInstructor.objects.filter(course=course, user=user).delete()
        course_staff_sync(course)
    return bool(deleted)
