"""manage.py purge_expired: the retention purges of seed 000 §8 that beat runs nightly."""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from publishing.retention import KINDS, purge_expired


class Command(BaseCommand):
    help = (
        "Delete what is past its retention (seed 000 §8, every row; windows from the RETENTION_* settings, "
        "see the README's retention table): AI drafts, archived versions no publication references, "
        "soft-deleted themes with their children, their bundles in storage once no publication references "
        "them, preview tokens, relayed outbox rows, consumed events, idempotency keys and audit-log "
        "partitions; and it coarsens audit-log IP addresses older than AUDIT_IP_COARSEN_DAYS (default 90) "
        "to their /24 (IPv4) or /48 (IPv6) network (audit_ip_coarsen). In batches, each in a short transaction of its own, printing progress per kind; safe "
        "to run at any time and again (beat runs it daily as purge_expired_task). Runs on the service "
        "connection."
    )

    def add_arguments(self, parser):
        parser.add_argument("--only", action="append", choices=list(KINDS), metavar="KIND",
                            help=f"Purge only this kind (repeatable): {', '.join(KINDS)}.")
        parser.add_argument("--dry-run", action="store_true", help="Count what would go; delete nothing.")
        parser.add_argument("--batch", type=int, default=None,
                            help=f"Rows per DELETE (default RETENTION_BATCH, {settings.RETENTION_BATCH}).")

    def handle(self, *args, only=None, dry_run=False, batch=None, **options):
        if batch is not None and batch < 1:
            raise CommandError("--batch must be at least 1")
        deleted = purge_expired(only=only, dry_run=dry_run, batch=batch,
                                progress=lambda kind, message: self.stdout.write(message))
        for kind, count in deleted.items():
            done = "coarsened" if kind == "audit_ip_coarsen" else "deleted"
            self.stdout.write(f"{kind}: {count} {'would be ' + done if dry_run else done}")
