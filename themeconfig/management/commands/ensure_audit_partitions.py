"""manage.py ensure_audit_partitions [--months-ahead N]: the audit log's monthly partitions, idempotently."""
from django.core.management.base import BaseCommand, CommandError

from themeconfig.services.audit import audit_partitions_ensure


class Command(BaseCommand):
    help = (
        "Create the audit log's missing monthly partitions (theme_config.audit_log_YYYY_MM, UTC months) from "
        "the current month to N months ahead, and its DEFAULT partition if it is missing. Each new partition "
        "gets row level security, FORCE and the tenant_isolation policy of its own, and the request role may "
        "only read and append to it. Rows that went to the DEFAULT partition for a month created now are "
        "moved into it. Idempotent: prints each partition it created, or 'nothing to create'. Celery beat "
        "runs the same daily (ensure_audit_partitions_task); this is for operators and for catching up."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--months-ahead", type=int, default=3, metavar="N",
            help="How many months after the current one must have a partition (0-36; default 3).",
        )

    def handle(self, *args, months_ahead, **options):
        try:
            created = audit_partitions_ensure(months_ahead=months_ahead)
        except ValueError as error:
            raise CommandError(str(error)) from error
        for name in created:
            self.stdout.write(f"created theme_config.{name}")
        if not created:
            self.stdout.write("nothing to create")
