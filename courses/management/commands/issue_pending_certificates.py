from django.core.management.base import BaseCommand

from courses.services import certificates_requeue


class Command(BaseCommand):
    help = (
        "Re-queue certificates left pending (a broker outage, a lost worker) and failed ones whose back-off "
        "has passed (5 min, 30 min, 2 h, 12 h after each failure); --retry-failed: every failed one now."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--minutes", type=int, default=5, help="Pending for at least this long (default 5)."
        )
        parser.add_argument(
            "--retry-failed",
            action="store_true",
            help="Retry every failed certificate now, whatever its back-off.",
        )

    def handle(self, *args, minutes, retry_failed, **options):
        ids = certificates_requeue(older_than_minutes=minutes, retry_failed=retry_failed)
        self.stdout.write(f"Re-queued {len(ids)} certificate(s).")
