"""Retention of a course's safety-critical knowledge, for its instructors (Admin → Course records →
a course → Retention): the share of learners who completed the course whose red-flag review cards are
all still retained (FSRS retrievability at or above REVIEW_DESIRED_RETENTION) 30, 90 and 180 days after
completion, and the items most forgotten in review. The numbers come from quizzes.review_selectors;
the course scope (another course is "not found") and the permission are the course records' own."""

from quizzes.review_selectors import course_retention

from .models import Enrollment
from .records_views import CourseRecordsMixin, RecordsPage


def course_completions(course) -> dict[int, object]:
    """{learner id: completed_at} of the course's completed enrollments."""
    rows = Enrollment.objects.filter(course=course, completed_at__isnull=False).values_list(
        "user_id", "completed_at"
    )
    return dict(rows)


class RetentionView(CourseRecordsMixin, RecordsPage):
    section = "Retention"
    template_name = "courses/admin/retention.html"

    def get_context_data(self, **kwargs):
        completions = course_completions(self.course)
        return {
            **super().get_context_data(**kwargs),
            "course": self.course,
            "completed": len(completions),
            "retention": course_retention(course_id=self.course.pk, completions=completions),
        }


retention_view = RetentionView.as_view()
