import json

from django.core.management.base import BaseCommand, CommandError

from courses.badge_keys import SigningKeyMissing, jwks_document, key_ensure, new_key_env_line
from courses.open_badges import badges_backfill


class Command(BaseCommand):
    help = (
        "Create the provider's Open Badges 3.0 signing key (Ed25519) at settings.OPEN_BADGES_KEY_FILE unless "
        "a key is configured already (that file, or OPEN_BADGES_PRIVATE_KEY). Safe to run every time: an "
        "existing key is never replaced. setup_demo runs it. --show prints the public key set (JWKS); "
        "--backfill signs a credential for every issued certificate that has none. --new-env prints a new key "
        "as an OPEN_BADGES_PRIVATE_KEY line for the environment (production) and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--new-env", action="store_true", help="Print a new key as a .env line; store nothing."
        )
        parser.add_argument("--show", action="store_true", help="Print the public key set (JWKS).")
        parser.add_argument(
            "--backfill", action="store_true", help="Sign the credentials of issued certificates without one."
        )

    def handle(self, *args, show=False, backfill=False, new_env=False, **options):
        if new_env:
            self.stdout.write(new_key_env_line())
            return
        try:
            self.stdout.write(key_ensure())
            if show:
                self.stdout.write(json.dumps(jwks_document(), indent=2))
            if backfill:
                self.stdout.write(f"Open Badges signed: {badges_backfill()}")
        except SigningKeyMissing as error:
            raise CommandError(str(error)) from error
