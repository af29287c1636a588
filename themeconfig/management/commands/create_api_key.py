"""manage.py create_api_key --tenant SLUG --name N --role ROLE: prints the secret alone on its last line, once."""
from django.core.management.base import BaseCommand, CommandError

from themeconfig import services
from themeconfig.management.command_errors import domain_error_message
from themeconfig.models import Role
from themeconfig.platform.errors import DomainError
from themeconfig.platform.permissions import SCOPES
from themeconfig.platform.principal import Principal
from themeconfig.selectors.operators import tenant_by_slug


class Command(BaseCommand):
    help = (
        "Create an API key for a tenant and print its secret alone on the last line. The secret is shown "
        "once and only its sha256 is stored. A live key with the same name is an error unless --rotate, "
        "which revokes it and issues a new one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="Tenant slug.")
        parser.add_argument("--name", required=True, help="Key name, unique among the tenant's live keys.")
        parser.add_argument("--role", default=Role.API, choices=Role.values, help="Role the key acts with.")
        parser.add_argument("--rotate", action="store_true", help="Revoke a live key of the same name first.")
        parser.add_argument(
            "--scope", action="append", dest="scopes", default=None, metavar="SCOPE",
            help=f"Limit the key to this scope (repeatable): {', '.join(SCOPES)}. Default: all its role allows.",
        )

    def handle(self, *args, tenant, name, role, rotate, scopes, **options):
        found = tenant_by_slug(slug=tenant)
        if found is None:
            raise CommandError(f"--tenant: no live tenant with slug {tenant!r}")
        try:
            client, secret = services.api_key_create(
                principal=Principal.operator("create_api_key", tenant_id=found.id), name=name, role=role,
                rotate=rotate, permissions=None if scopes is None else {"scopes": scopes},
            )
        except DomainError as error:
            raise CommandError(domain_error_message(error)) from error
        self.stderr.write(f"created API key {client.id} ({client.name}, role {client.role}) for {found.slug}")
        self.stdout.write(secret)
