"""manage.py rotate_encryption_keys [--batch N]: re-encrypt every encrypted value with the newest key."""
from django.core.management.base import BaseCommand, CommandError

from themeconfig.platform.encryption import EncryptionKeyError
from themeconfig.services.encryption_keys import DEFAULT_BATCH, encryption_keys_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every value encrypted at rest (invitation e-mails with their look-up hashes, webhook "
        "signing secrets) with the newest key of FIELD_ENCRYPTION_KEYS, in batches, printing progress. "
        "Values already under the newest key are left alone, so it is safe to run again or to resume. "
        "Runs on the service connection. Procedure: put the new key first in FIELD_ENCRYPTION_KEYS "
        "everywhere, run this, then remove the old key."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=DEFAULT_BATCH, metavar="N",
                            help=f"Rows per transaction (default {DEFAULT_BATCH}).")

    def handle(self, *args, batch, **options):
        try:
            rewritten = encryption_keys_rotate(
                batch=batch,
                progress=lambda column, seen, done: self.stdout.write(f"{column}: {seen} seen, {done} re-encrypted"),
            )
        except (ValueError, EncryptionKeyError) as error:
            raise CommandError(str(error)) from error
        for column, count in rewritten.items():
            self.stdout.write(f"{column}: {count} re-encrypted")
        self.stdout.write("every encrypted value is under the newest key")
