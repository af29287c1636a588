"""manage.py erase_tenant: mark a tenant for erasure after a grace period (operators only), or take it back."""
import getpass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from publishing.services.tenant_erasure import tenant_erasure_cancel, tenant_erasure_request
from themeconfig.management.command_errors import domain_error_message
from themeconfig.platform.errors import DomainError


class Command(BaseCommand):
    help = ("Mark a tenant for erasure: from now on no host resolves to it, and purge_expired erases every row and stored object of it once "
            "TENANT_ERASURE_GRACE_DAYS have passed. --confirm must repeat the slug. --cancel takes the mark back "
            "within the grace period. Each step is written to the operators' audit (tenant_service.operator_audit) "
            "under the tenant's pseudonym. Operators only: runs on the service connection.")

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--confirm", metavar="SLUG", help="The tenant's slug again.")
        parser.add_argument("--cancel", action="store_true", help="Take back a pending erasure.")

    def handle(self, *args, slug, confirm=None, cancel=False, **options):
        actor = f"operator:{getpass.getuser()}"
        try:
            if cancel:
                tenant_erasure_cancel(slug=slug, actor=actor)
                self.stdout.write(f"erasure of {slug} cancelled: it is served again")
                return
            if confirm is None:
                raise CommandError(f"Erasing {slug} deletes every row and stored object of it after "
                                   f"{settings.TENANT_ERASURE_GRACE_DAYS} days. Run again with --confirm {slug}.")
            marked = tenant_erasure_request(slug=slug, confirm=confirm, actor=actor)
        except DomainError as error:
            raise CommandError(domain_error_message(error)) from error
        self.stdout.write(f"{slug} ({marked['tenant_id']}) marked for erasure: no host resolves to it from now on, erased by "
                          f"purge_expired after {marked['erasure_due_at']:%Y-%m-%d %H:%M} UTC "
                          f"(erase_tenant {slug} --cancel takes it back until then)")
