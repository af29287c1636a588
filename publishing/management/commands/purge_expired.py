"""manage.py purge_expired: the retention purges of seed 000 §8 that beat runs nightly."""
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Delete what is past its retention (seed 000 §8): outbox rows relayed more than 7 days ago, consumed "
        "events older than 90 days, idempotency keys 24 hours past their expiry, and preview tokens 7 days "
        "past their expiry or revocation; and it coarsens audit-log IP addresses older than AUDIT_IP_COARSEN_DAYS "
        "(default 90) to their /24 (IPv4) or /48 (IPv6) network (audit_ip_coarsen). In batches of 5,000 rows, printing progress; safe to run at any "
        "time (beat runs it daily as purge_expired_task). Runs on the service connection."
    )

    def handle(self, *args, **options):
        from publishing.retention import purge_expired

        deleted = purge_expired(progress=lambda table, total: self.stdout.write(f"{table}: {total} deleted so far"))
        for table, count in deleted.items():
            self.stdout.write(f"{table}: {count} deleted")
