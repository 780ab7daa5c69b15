"""Who a learner out of attempts should contact, on the quiz intro and result pages (the quiz engine's
templates know nothing of courses, so they ask through this tag)."""

from django import template

from courses.override_selectors import course_help_contact
from quizzes.selectors import out_of_attempts

register = template.Library()


@register.inclusion_tag("courses/includes/quiz_help.html")
def quiz_help_contact(quiz, user, known_out_of_attempts=None):
    """The contact box when `user` has used every attempt allowed at `quiz` without passing, else nothing.
    `known_out_of_attempts`: the page already knows (the intro page); else it is looked up (two queries)."""
    stuck = out_of_attempts(user=user, quiz=quiz) if known_out_of_attempts is None else known_out_of_attempts
    return {"contact": course_help_contact(quiz.course) if stuck else None, "quiz": quiz}
