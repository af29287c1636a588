"""manage.py import_tenant: restore a tenant from its archive into a database where it does not exist."""
from django.core.management.base import BaseCommand, CommandError

from publishing.tenant_archive import archive_read
from themeconfig.management.command_errors import domain_error_message
from themeconfig.platform.errors import DomainError


class Command(BaseCommand):
    help = ("Restore a tenant from an export_tenant archive, ids kept, into this database, where the tenant "
            "must not exist. Every file's sha256 and the schema version are checked before anything is "
            "written; a mismatch is refused. One transaction, as the request role in the tenant's context.")

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            manifest = archive_read(file, progress=self.stdout.write)
        except (DomainError, OSError) as error:
            message = domain_error_message(error) if isinstance(error, DomainError) else str(error)
            raise CommandError(message) from error
        rows = sum(entry["count"] for entry in manifest["tables"])
        self.stdout.write(f"tenant {manifest['tenant']['slug']} ({manifest['tenant']['id']}) imported: "
                          f"{rows} rows, {manifest['users']['count']} staff users, {len(manifest['bundles'])} bundle objects")
