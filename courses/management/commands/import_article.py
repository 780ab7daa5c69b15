"""manage.py import_article FILE --course SLUG: an article copied from a web page -> a draft module."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from content.importer import ArticleError, check_size, input_kind
from courses.article_import import article_import


class Command(BaseCommand):
    help = (
        "Import an article (.txt, .md or .html) as a draft lesson module under a course. "
        "Re-importing the same file name updates that draft; an unchanged file does nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the article file (.txt, .md, .html).")
        parser.add_argument("--course", required=True, help="Slug of the CoursePage to add the module to.")
        parser.add_argument("--user", help="Username recorded as the importer and revision author.")
        parser.add_argument(
            "--force", action="store_true", help="Save a new draft revision even if the file is unchanged."
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        user = self._user(options.get("user"))
        try:
            input_kind(path.name)
            if not path.is_file():
                raise ArticleError(f"No such file: {path}")
            check_size(path.stat().st_size)  # before reading a huge file into memory
            result = article_import(
                raw=path.read_bytes(),
                file_name=path.name,
                course_slug=options["course"],
                user=user,
                force=options["force"],
            )
        except ArticleError as exc:
            raise CommandError(str(exc)) from None
        style = self.style.WARNING if result.status == "unchanged" else self.style.SUCCESS
        self.stdout.write(style(result.message))
        self.stdout.write(f"Edit the draft: {result.edit_url}")
        return None

    def _user(self, username):
        if not username:
            return None
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named “{username}”.") from None
