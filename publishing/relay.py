"""The outbox relay: drains `theme_config.outbox` to local handlers and tenants' webhooks, at least once.

One pass claims a batch of due events with `FOR UPDATE SKIP LOCKED` (so relays running at once
never take the same event) and only the oldest pending event of each `partition_key` (so the
events of one theme are delivered in order; a later one waits while an earlier one backs off). For
each event, in order:

1. **Local handlers** (`publishing.events.HANDLERS`) run together in a savepoint of the relay's
   transaction, with the event's `consumed_events` row: their effects and the "seen" mark commit
   together, so a redelivered event is skipped and a handler that raises leaves nothing behind
   (its event is retried, and its effect is applied once).
2. **Webhooks**: every active subscription of the event's tenant that wants its type gets a signed
   POST (publishing/webhooks.py); a 2xx marks that (event, subscription) delivered in
   `webhook_deliveries`, and a delivered pair is never sent again.
3. All done → `published_at`. Anything failed → `attempt_count` + 1, `last_error`, and
   `next_attempt_at` after an exponential backoff with jitter; after OUTBOX_MAX_ATTEMPTS the event
   is dead-lettered (`dead_lettered_at`) and stops holding back its partition.

Runs as the service role (BYPASSRLS), outside any request. Woken after each commit that writes an
event (publishing/outbox.py) and by beat every OUTBOX_RELAY_INTERVAL_SECONDS as a safety net.
"""
from __future__ import annotations

import json
import logging
import random
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from themeconfig.platform.service_db import service_context

logger = logging.getLogger(__name__)

CLAIM_SQL = """
SELECT o.id, o.event_id, o.tenant_id, o.event_type, o.envelope, o.attempt_count
  FROM theme_config.outbox o
 WHERE o.published_at IS NULL AND o.dead_lettered_at IS NULL AND o.next_attempt_at <= now()
   AND NOT EXISTS (
         SELECT 1 FROM theme_config.outbox earlier
          WHERE earlier.partition_key = o.partition_key AND earlier.id < o.id
            AND earlier.published_at IS NULL AND earlier.dead_lettered_at IS NULL)
 ORDER BY o.id
 LIMIT %s
 FOR UPDATE OF o SKIP LOCKED
"""


@dataclass
class RelayResult:
    published: int = 0
    retried: int = 0
    dead_lettered: int = 0
    webhooks_delivered: int = 0
    webhooks_failed: int = 0
    passes: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        return self.published + self.retried + self.dead_lettered


def backoff_seconds(attempt: int) -> float:
    """Exponential (base·2^(n-1), capped) with ±20 % jitter, so failing events do not retry in step."""
    delay = min(settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempt - 1, 0), settings.OUTBOX_RETRY_MAX_SECONDS)
    return delay * random.uniform(0.8, 1.2)


def relay_outbox(*, batch_size: int | None = None, max_batches: int = 50, time_budget_seconds: float = 30.0,
                 progress=None) -> RelayResult:
    """Drains due events batch by batch until none are left, `max_batches` or the time budget."""
    batch_size = batch_size or settings.OUTBOX_BATCH_SIZE
    result = RelayResult()
    deadline = time.monotonic() + time_budget_seconds
    while result.passes < max_batches and time.monotonic() < deadline:
        claimed = _relay_batch(batch_size, result, deadline)
        result.passes += 1
        if progress:
            progress(result)
        if claimed == 0:  # a pass takes one event per partition: go on while there is work
            break
    return result


def _relay_batch(batch_size: int, result: RelayResult, deadline: float) -> int:
    from publishing.events import run_handlers

    with service_context() as alias:
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(CLAIM_SQL, [batch_size])
            rows = cursor.fetchall()
        for row_id, event_id, tenant_id, event_type, envelope, attempts in rows:
            envelope = json.loads(envelope) if isinstance(envelope, str) else envelope  # Django reads jsonb as text
            if time.monotonic() >= deadline:  # leave the rest claimed-then-released for the next pass
                break
            errors: list[str] = []
            try:
                with transaction.atomic(using=alias):
                    run_handlers(alias=alias, event_id=event_id, tenant_id=tenant_id, event_type=event_type,
                                 envelope=envelope)
            except Exception as exc:  # noqa: BLE001 - any handler fault is retried with backoff
                logger.warning("outbox handler failed for %s %s", event_type, event_id, exc_info=True)
                errors.append(f"handler: {type(exc).__name__}: {exc}")
            if not errors:
                errors += _deliver_webhooks(alias, event_id=event_id, tenant_id=tenant_id, event_type=event_type,
                                            envelope=envelope, result=result)
            _record(alias, row_id, attempts, errors, result)
        return len(rows)


def _record(alias: str, row_id: int, attempts: int, errors: list[str], result: RelayResult) -> None:
    with connections[alias].cursor() as cursor:
        if not errors:
            cursor.execute("UPDATE theme_config.outbox SET published_at = now(), last_error = NULL WHERE id = %s",
                           [row_id])
            result.published += 1
            return
        attempt = attempts + 1
        message = "; ".join(errors)[:2000]
        result.errors.append(message)
        if attempt >= settings.OUTBOX_MAX_ATTEMPTS:
            cursor.execute(
                "UPDATE theme_config.outbox SET attempt_count = %s, last_error = %s, dead_lettered_at = now() "
                "WHERE id = %s", [attempt, message, row_id])
            logger.error("outbox event %s dead-lettered after %s attempts: %s", row_id, attempt, message)
            result.dead_lettered += 1
        else:
            cursor.execute(
                "UPDATE theme_config.outbox SET attempt_count = %s, last_error = %s, next_attempt_at = %s "
                "WHERE id = %s", [attempt, message, timezone.now() + timedelta(seconds=backoff_seconds(attempt)),
                                  row_id])
            result.retried += 1


def _deliver_webhooks(alias: str, *, event_id: str, tenant_id: str, event_type: str, envelope: dict,
                      result: RelayResult) -> list[str]:
    from publishing.models import WebhookDelivery, WebhookSubscription
    from publishing.webhooks import WebhookTargetError, decrypt_secret, deliver

    subscriptions = [
        s for s in WebhookSubscription.objects.using(alias).filter(tenant_id=tenant_id, is_active=True).order_by("id")
        if not s.event_types or event_type in s.event_types
    ]
    if not subscriptions:
        return []
    delivered = set(WebhookDelivery.objects.using(alias).filter(
        event_id=event_id, delivered_at__isnull=False).values_list("subscription_id", flat=True))
    errors = []
    for subscription in subscriptions:
        if subscription.pk in delivered:
            continue
        try:
            outcome = deliver(url=subscription.url, secret=decrypt_secret(subscription.secret_encrypted),
                              envelope=envelope)
        except WebhookTargetError as exc:
            ok, status, error = False, None, str(exc)
        else:
            ok, status, error = outcome.ok, outcome.status, outcome.error
        with connections[alias].cursor() as cursor:
            cursor.execute(
                "INSERT INTO theme_config.webhook_deliveries (event_id, subscription_id, tenant_id, attempt_count, "
                "last_status, last_error, delivered_at) VALUES (%s, %s, %s, 1, %s, %s, CASE WHEN %s THEN now() END) "
                "ON CONFLICT (event_id, subscription_id) DO UPDATE SET attempt_count = "
                "theme_config.webhook_deliveries.attempt_count + 1, last_status = EXCLUDED.last_status, "
                "last_error = EXCLUDED.last_error, delivered_at = EXCLUDED.delivered_at, updated_at = now()",
                [event_id, subscription.pk, tenant_id, status, error, ok])
        if ok:
            result.webhooks_delivered += 1
        else:
            result.webhooks_failed += 1
            errors.append(f"webhook {subscription.pk}: {error}")
    return errors


# --- operators -----------------------------------------------------------------------------------

def outbox_stats() -> dict:
    """Counts an operator looks at: pending (due and backing off), dead letters, oldest pending age."""
    with service_context() as alias, connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE published_at IS NULL AND dead_lettered_at IS NULL), "
            "count(*) FILTER (WHERE published_at IS NULL AND dead_lettered_at IS NULL AND next_attempt_at > now()), "
            "count(*) FILTER (WHERE dead_lettered_at IS NOT NULL AND published_at IS NULL), "
            "extract(epoch FROM now() - min(created_at) FILTER (WHERE published_at IS NULL AND dead_lettered_at IS NULL)) "
            "FROM theme_config.outbox")
        pending, backing_off, dead, oldest = cursor.fetchone()
    return {"pending": pending, "backing_off": backing_off, "dead_lettered": dead,
            "oldest_pending_seconds": round(float(oldest), 1) if oldest is not None else None}


def dead_letters(limit: int = 50) -> list[dict]:
    from publishing.models import OutboxEvent

    with service_context() as alias:
        return list(OutboxEvent.objects.using(alias).filter(dead_lettered_at__isnull=False, published_at__isnull=True)
                    .order_by("id").values("event_id", "tenant_id", "event_type", "attempt_count", "last_error",
                                           "created_at", "dead_lettered_at")[:limit])


def retry_dead_letters(event_ids: list[str] | None = None) -> int:
    """Gives dead-lettered events (all, or the ones named) a fresh set of attempts, due now."""
    from publishing.models import OutboxEvent

    with service_context() as alias:
        events = OutboxEvent.objects.using(alias).filter(dead_lettered_at__isnull=False, published_at__isnull=True)
        if event_ids is not None:
            events = events.filter(event_id__in=event_ids)
        return events.update(dead_lettered_at=None, attempt_count=0, next_attempt_at=timezone.now())
