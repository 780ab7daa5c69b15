from django.core.management.base import BaseCommand, CommandError

from courses.question_bank import course_find, course_question_bank_generate
from quizzes.generators import DEFAULT_SEED


class Command(BaseCommand):
    help = (
        "Build questions from the anatomy knowledge base (attachments, actions, referred pain, red flags) "
        "plus the hand-written vignettes and questions in quizzes/data/, and link each to the module that "
        "teaches it. Idempotent: re-runs add no duplicates and keep instructors' edits."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"Fixes distractors and option order (default {DEFAULT_SEED}).",
        )
        parser.add_argument(
            "--course",
            help="Slug of the course whose modules the questions link to "
            "(default: massage-for-low-back-pain, else the first course).",
        )

    def handle(self, *args, seed, course=None, **options):
        target = course_find(course)
        if course and target is None:
            raise CommandError(f"No course with the slug {course!r}. Nothing was changed.")
        report = course_question_bank_generate(seed=seed, course=target)
        where = f"linked to “{target.title}”" if target else "not linked to any course (no course yet)"
        self.stdout.write(self.style.SUCCESS(f"Questions generated with seed {seed}, {where}:"))
        for line in report.lines():
            self.stdout.write(f"  {line}")
