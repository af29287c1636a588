"""manage.py restore_check: the restore drill for one backup (themeconfig/platform/backups.py)."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from themeconfig.platform.backups import BackupError, restore_check


class Command(BaseCommand):
    help = (
        "Restore a `manage.py backup` archive into a scratch database on the ADMIN_DATABASE_URL cluster "
        "(roles created as bootstrap_db does), compare it with its manifest (sha256, migrations, row counts "
        "per table, policies, grants, RLS flags, owners, roles), run check_rls's audit there, and drop the "
        "scratch database (--keep leaves it). Exits 1 naming each difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="The .dump file; its .manifest.json must be beside it.")
        parser.add_argument("--keep", action="store_true", help="Leave the scratch database for inspection.")

    def handle(self, *args, archive, keep=False, **options):
        try:
            report = restore_check(archive=archive, keep=keep, log=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from None
        for problem in report.problems:
            self.stdout.write(self.style.ERROR(f"  FAIL  {problem}"))
        if report.problems:
            raise CommandError(f"restore check failed: {len(report.problems)} difference(s)")
        self.stdout.write(self.style.SUCCESS(
            f"restore check passed: {report.tables} tables, {report.rows} rows restored and matching the manifest"
            + (f"; scratch database {report.scratch} kept" if keep else "")))
