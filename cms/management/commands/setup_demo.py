import logging
from contextlib import contextmanager

from django.core.management.base import BaseCommand, CommandError

from cms.demo import DEFAULT_DEMO_PASSWORD, demo_setup
from courses.demo import DemoDataError

# Wagtail logs every page save and publish, django_tasks every background task, at INFO.
CHATTY_LOGGERS = ["wagtail", "django_tasks"]


class Command(BaseCommand):
    help = (
        "Set up the demo: site tree, anatomy knowledge base, provider, the course 'Massage for Low Back "
        "Pain' (from content/course/*.yaml) and the users admin, instructor and learner. Safe to run "
        "every time: whatever already exists is left as it is, so instructors' edits and changed "
        "passwords survive. --reset rewrites the provider, course and modules from the files (publishing "
        "a new revision only where the content differs) and resets the demo users' passwords. "
        f"Passwords: $DEMO_PASSWORD, else '{DEFAULT_DEMO_PASSWORD}' when DEBUG is on; with DEBUG off and "
        "no DEMO_PASSWORD no users are created."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Rewrite existing demo pages, provider and users (passwords too) from the files.",
        )

    def handle(self, *args, reset=False, verbosity=1, **options):
        try:
            with _quiet(CHATTY_LOGGERS, enabled=verbosity < 2):
                report = demo_setup(reset=reset)
        except DemoDataError as error:
            raise CommandError(f"Demo course files: {error} (nothing was changed)") from error
        if verbosity == 0:
            return
        for line in report.lines:
            self.stdout.write(line)
        if report.logins:
            self.stdout.write(self.style.SUCCESS("\nLog in as (username, password, what they can do):"))
            width = max(len(username) for username, _, _ in report.logins)
            for username, password, can in report.logins:
                self.stdout.write(f"  {username:<{width}}  {password:<15}  {can}")


@contextmanager
def _quiet(names, *, enabled=True):
    loggers = [logging.getLogger(name) for name in names] if enabled else []
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)
