"""Put every learner's past graded attempts and completed modules into their review decks (idempotent)."""

from django.core.management.base import BaseCommand

from courses.review_deck import review_deck_backfill


class Command(BaseCommand):
    help = "Build learners' spaced-review decks from the attempts and module completions already recorded."

    def handle(self, *args, **options):
        added = review_deck_backfill()
        self.stdout.write(f"{added} review card(s) added.")
