"""Who counts as staff, in the three senses the site uses. Every check goes through these names.

- `reads_every_module(user)`: anyone with the Wagtail admin (instructors, superusers) reads any module,
  enrolled or not, to review the course as a learner sees it. Taking a quiz still needs an
  enrollment (courses.selectors.quiz_refusal), so staff leave no attempts in item analysis by looking.
- `sees_every_course(user)`: provider-wide staff (superusers, or anyone granted
  "courses.view_all_records") see every course's records, quizzes and item analysis.
- `is_course_staff(user, course_id)`: an instructor assigned to that course (a `CourseInstructor`),
  or provider-wide staff. `staff_courses(user)` is the same as a queryset of courses.
"""

from .models import CourseInstructor, CoursePage

ALL_RECORDS_PERMISSION = "courses.view_all_records"


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def reads_every_module(user) -> bool:
    return _active(user) and user.has_perm("wagtailadmin.access_admin")


def sees_every_course(user) -> bool:
    return _active(user) and user.has_perm(ALL_RECORDS_PERMISSION)


def staff_courses(user):
    """The courses whose records, item analysis and quizzes `user` may see (a queryset, so callers
    filter with `course__in=staff_courses(user)`); none for a learner."""
    if sees_every_course(user):
        return CoursePage.objects.all()
    if not _active(user):
        return CoursePage.objects.none()
    return CoursePage.objects.filter(instructor_assignments__user=user)


def is_course_staff(user, course_id: int) -> bool:
    return sees_every_course(user) or (
        _active(user) and CourseInstructor.objects.filter(user=user, course_id=course_id).exists()
    )


def creates_courses(user) -> bool:
    """Instructors start their own courses (courses.course_drafts): the course becomes theirs."""
    return reads_every_module(user) and user.groups.filter(name="Instructors").exists()
