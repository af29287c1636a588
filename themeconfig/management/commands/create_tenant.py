"""manage.py create_tenant --slug S --name N [--host H]...: idempotent by slug."""
from django.core.management.base import BaseCommand, CommandError

from themeconfig import services
from themeconfig.management.command_errors import domain_error_message
from themeconfig.models import TenantPlan
from themeconfig.platform.errors import DomainError
from themeconfig.platform.principal import Principal


class Command(BaseCommand):
    help = (
        "Create a tenant with its hosts. Idempotent: when a live tenant with this slug exists, its name "
        "is left alone, missing hosts are added, and the command succeeds. Prints the tenant id last."
    )

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True, help="URL-safe identifier: lower-case letters, digits, hyphens.")
        parser.add_argument("--name", required=True, help="Display name.")
        parser.add_argument("--plan", default=TenantPlan.FREE, choices=TenantPlan.values, help="Subscription plan.")
        parser.add_argument(
            "--host", action="append", default=[], dest="hosts", help="A host served by the tenant (repeatable)."
        )

    def handle(self, *args, slug, name, plan, hosts, **options):
        try:
            tenant, created = services.tenant_ensure(
                principal=Principal.operator("create_tenant"), slug=slug, name=name, plan=plan, hosts=hosts
            )
        except DomainError as error:
            raise CommandError(domain_error_message(error)) from error
        if created:
            self.stdout.write(f"created tenant {tenant.slug} with {len(hosts)} host(s)")
        else:
            self.stdout.write(f"tenant {tenant.slug} exists; hosts ensured")
        self.stdout.write(tenant.id)
