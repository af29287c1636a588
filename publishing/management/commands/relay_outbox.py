"""manage.py relay_outbox: drain the outbox now, show its state, list or retry dead letters."""
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Deliver the outbox's due events to the local handlers and to tenants' webhooks now, the way the "
        "relay task does (woken after each commit and by beat every 15 s), printing progress per batch and "
        "the outbox's state at the end. --stats only prints that state (pending, backing off, dead "
        "letters, oldest pending age) and the seed views' lag (how far behind now, the last refresh's "
        "commit -> refreshed); --dead-letters lists dead-lettered events with their last error; "
        "--retry EVENT_ID (repeatable) or --retry-all-dead gives dead letters a fresh set of attempts, due now, "
        "audited as operator:relay_outbox, and then drains. Runs on the service connection (SERVICE_DATABASE_URL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--stats", action="store_true", help="Only print the outbox's state.")
        parser.add_argument("--dead-letters", action="store_true", help="List dead-lettered events (up to --limit).")
        parser.add_argument("--limit", type=int, default=50, help="How many dead letters to list (default 50).")
        parser.add_argument("--retry", action="append", default=[], metavar="EVENT_ID",
                            help="Retry this dead-lettered event (repeatable).")
        parser.add_argument("--retry-all-dead", action="store_true", help="Retry every dead-lettered event.")
        parser.add_argument("--batch-size", type=int, default=None, help="Events per batch (default OUTBOX_BATCH_SIZE).")
        parser.add_argument("--time-budget", type=float, default=300.0,
                            help="Stop draining after this many seconds (default 300).")

    def handle(self, *args, stats, dead_letters, limit, retry, retry_all_dead, batch_size, time_budget, **options):
        from publishing.outbox import relay
        from publishing.resolve.read_models import views_lag, views_lag_text
        from publishing.services.outbox_events import outbox_event_retry
        from themeconfig.platform.principal import Principal

        if batch_size is not None and not 1 <= batch_size <= 10_000:
            raise CommandError("--batch-size must be from 1 to 10000")
        if not 1 <= limit <= 10_000:
            raise CommandError("--limit must be from 1 to 10000")
        if time_budget <= 0:
            raise CommandError("--time-budget must be a positive number of seconds")
        if dead_letters:
            rows = relay.dead_letters(limit=limit)
            for row in rows:
                self.stdout.write(f"{row['event_id']}  {row['event_type']}  tenant={row['tenant_id']}  "
                                  f"attempts={row['attempt_count']}  dead since {row['dead_lettered_at']:%Y-%m-%d %H:%M:%S}"
                                  f"\n    {row['last_error']}")
            self.stdout.write(f"{len(rows)} dead letter(s)")
            return
        if retry or retry_all_dead:
            retried = outbox_event_retry(principal=Principal.operator("relay_outbox"),
                                         event_ids=None if retry_all_dead else retry)
            self.stdout.write(f"{len(retried)} dead letter(s) due again")
            if not retry_all_dead and (skipped := sorted(set(retry) - set(retried))):
                self.stderr.write(f"not dead letters (unknown, delivered, or still being retried): {', '.join(skipped)}")
        if not stats:
            def progress(result):
                self.stdout.write(f"batch {result.passes}: {result.published} relayed, {result.retried} to retry, "
                                  f"{result.dead_lettered} dead-lettered, {result.webhooks_delivered} webhook(s) "
                                  f"delivered, {result.webhooks_failed} failed")

            result = relay.relay_outbox(batch_size=batch_size, max_batches=1_000_000, time_budget_seconds=time_budget,
                                        progress=progress)
            for error in result.errors[:10]:
                self.stderr.write(f"  {error}")
        self.stdout.write(relay.outbox_stats_text(relay.outbox_stats()))
        self.stdout.write(views_lag_text(views_lag()))
