"""The question bank seen from a course: the course generated questions link to by default, and the
generator run over a course's modules (quizzes.generators takes the modules; it sits below courses)."""

from quizzes.generators import DEFAULT_SEED, SyncReport, question_bank_generate

from .models import CoursePage, ModulePage

DEFAULT_COURSE_SLUG = "massage-for-low-back-pain"


def course_find(slug: str | None = None) -> CoursePage | None:
    """The course of that slug; without one, the demo course, else the first course."""
    if slug:
        return CoursePage.objects.filter(slug=slug).first()
    return (
        CoursePage.objects.filter(slug=DEFAULT_COURSE_SLUG).first()
        or CoursePage.objects.order_by("path").first()
    )


def course_question_bank_generate(
    *, course: CoursePage | None, seed: int = DEFAULT_SEED, user=None
) -> SyncReport:
    """Generate the question bank, each question linked to the module of `course` (drafts included)
    that teaches it; no course: questions stay unlinked."""
    modules = ModulePage.objects.child_of(course).order_by("path") if course is not None else ()
    return question_bank_generate(seed=seed, modules=modules, user=user)
