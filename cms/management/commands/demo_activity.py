from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from cms.demo_activity import PEOPLE, demo_activity_run
from cms.management.commands.setup_demo import _quiet
from courses.models import CoursePage

CHATTY_LOGGERS = ["wagtail", "django_tasks", "weasyprint", "celery", "fontTools"]


class Command(BaseCommand):
    help = (
        "Simulated learners take the demo course (module quizzes, post-test, evaluation, certificate) so "
        "that item analysis, the roster and the evaluation summary have something to show. Run setup_demo "
        "first. Learners who already exist are left alone, so running it again adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--course", default="massage-for-low-back-pain", help="Slug of the course.")
        parser.add_argument(
            "--learners",
            type=int,
            default=24,
            choices=range(1, len(PEOPLE) + 1),
            metavar=f"1..{len(PEOPLE)}",
            help="How many simulated learners (default 24).",
        )

    def handle(self, *args, course, learners, verbosity=1, **options):
        page = CoursePage.objects.live().filter(slug=course).first()
        if page is None:
            raise CommandError(f"No live course with the slug {course!r}: run `manage.py setup_demo` first.")
        # Certificates issued in this process (Celery eager) would e-mail invented example.org addresses.
        with (
            _quiet(CHATTY_LOGGERS, enabled=verbosity < 2),
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
        ):
            report = demo_activity_run(page, learners=learners)
        if verbosity:
            for line in report.lines:
                self.stdout.write(line)
