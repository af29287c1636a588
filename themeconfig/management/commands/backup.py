"""manage.py backup: a pg_dump archive of the service's schemas with its manifest (themeconfig/platform/backups.py)."""
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from themeconfig.platform.backups import BackupError, backup, manifest_path


class Command(BaseCommand):
    help = (
        "Back up the service's database: a pg_dump custom-format archive of the theme_config, tenant_service "
        "and public schemas (tables, rows, policies, grants, functions), and beside it <file>.manifest.json "
        "with the migrations applied, every table's row count (from the archive's own snapshot), the "
        "policies, grants, RLS flags, the service's roles and the archive's sha256. Reads through "
        "BACKUP_DATABASE_URL (default: ADMIN_DATABASE_URL on the service's database). Check it with "
        "`manage.py restore_check <file>`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=None,
                            help="Archive path (default: BACKUP_DIR/theme_config-<UTC time>.dump).")

    def handle(self, *args, output=None, **options):
        output = output or Path(settings.BACKUP_DIR) / f"theme_config-{timezone.now():%Y%m%dT%H%M%SZ}.dump"
        try:
            backup(output=output, log=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"backup written: {output} and {manifest_path(output).name}"))
