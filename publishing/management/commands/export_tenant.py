"""manage.py export_tenant: a tenant's archive (every row, its staff users, its bundles, a manifest)."""
import os
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from publishing.tenant_archive import archive_write
from themeconfig.management.command_errors import domain_error_message
from themeconfig.platform.errors import DomainError
from themeconfig.platform.service_db import service_context


def tenant_id_of(slug: str) -> str:
    """The operator names a tenant by slug; which id that is, is an operator look-up across tenants."""
    with service_context() as alias, connections[alias].cursor() as cursor:
        cursor.execute("SELECT id FROM tenant_service.tenants WHERE slug = %s AND deleted_at IS NULL", [slug])
        row = cursor.fetchone()
    if row is None:
        raise CommandError(f"No tenant with slug {slug!r}.")
    return row[0]


class Command(BaseCommand):
    help = ("Write a tenant's archive: a zip of every row of the tenant in every table the service owns "
            "(one JSON document per row, one file per table), the staff users it refers to, the bundles its "
            "publications reference, and manifest.json (table, count, sha256 per file, schema version). "
            "Streamed table by table; read as the request role in the tenant's context. "
            "Import it with import_tenant.")

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--output", help="The zip file to write (default <slug>.zip; - for stdout).")

    def handle(self, *args, slug, output=None, **options):
        tenant_id = tenant_id_of(slug)
        output = output or f"{slug}.zip"
        progress = (lambda message: self.stderr.write(message)) if output == "-" else self.stdout.write
        try:
            if output == "-":
                manifest = archive_write(sys.stdout.buffer, tenant_id=tenant_id, progress=progress)
            else:
                with open(output, "wb") as out:
                    manifest = archive_write(out, tenant_id=tenant_id, progress=progress)
        except DomainError as error:
            raise CommandError(domain_error_message(error)) from error
        rows = sum(entry["count"] for entry in manifest["tables"])
        if output != "-":
            progress(f"{output}: {rows} rows in {len(manifest['tables'])} tables, "
                     f"{len(manifest['bundles'])} bundle objects, {os.path.getsize(output)} bytes")
