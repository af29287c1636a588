"""manage.py erase_user: replace a staff user's personal data by a stable pseudonym everywhere."""
from django.core.management.base import BaseCommand, CommandError

from themeconfig.management.command_errors import domain_error_message
from themeconfig.platform.errors import DomainError
from themeconfig.services.user_erasure import user_erase


class Command(BaseCommand):
    help = ("Erase a staff user's personal data (GDPR): e-mail, names and username become a stable pseudonym "
            "in the user row, every *_by column and job principal, audit rows (actor; the IP address removed; "
            "the e-mail inside changed values) and invitations; the user's sessions are deleted and the user can "
            "no longer sign in. Idempotent. Operators only: runs on the service connection.")

    def add_arguments(self, parser):
        parser.add_argument("user", help="The user's id or e-mail.")

    def handle(self, *args, user, **options):
        try:
            erased = user_erase(identifier=user)
        except DomainError as error:
            raise CommandError(domain_error_message(error)) from error
        for place, count in erased.rows.items():
            self.stdout.write(f"{place}: {count}")
        self.stdout.write(f"user {erased.user_id} erased: now {erased.pseudonym}")
