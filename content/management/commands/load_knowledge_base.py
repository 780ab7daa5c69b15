from django.core.management.base import BaseCommand, CommandError

from content.services import KnowledgeBaseError, knowledge_base_load


class Command(BaseCommand):
    help = "Load body zones, muscles and red flags from content/data/*.yaml (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir", help="Read the YAML files from this folder instead of content/data/."
        )

    def handle(self, *args, data_dir=None, **options):
        try:
            counts = knowledge_base_load(data_dir)
        except KnowledgeBaseError as exc:
            raise CommandError(f"Nothing was changed. {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                "Knowledge base loaded: {body_zones} body zones, {muscles} muscles, {red_flags} red flags "
                "({created} created, {updated} updated, the rest unchanged).".format(**counts)
            )
        )
