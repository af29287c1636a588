"""manage.py run_schedules: run the beat's schedule scan once now."""
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Start the publish schedules that are due now (each once: FOR UPDATE SKIP LOCKED, safe beside beat's "
        "run-due-schedules), fail the ones whose version was edited since, and settle the ones whose job "
        "ended; the same use case beat runs every SCHEDULE_SCAN_SECONDS. Prints what it did."
    )

    def handle(self, *args, **options):
        from publishing.services.schedules import publish_schedules_run_due

        result = publish_schedules_run_due()
        for name in ("started", "failed", "succeeded", "deferred"):
            ids = getattr(result, name)
            self.stdout.write(f"{name}: {len(ids)}" + (f" ({', '.join(ids)})" if ids else ""))
