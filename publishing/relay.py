"""The outbox relay: drains `theme_config.outbox` to local handlers and tenants' webhooks, at least once.

No row lock is held over the network. A claim is one short transaction: due events are taken with
`FOR UPDATE SKIP LOCKED` (so relays running at once never take the same event), only the oldest
pending event of each `partition_key` (so the events of one theme go out in order; a later one
waits while an earlier one is leased or backs off), stamped with this relay's lease
(`locked_until`, `locked_by`) and committed. Then, per event:

1. **Local handlers** (`publishing.events.HANDLERS`) run together in one short transaction with the
   event's `consumed_events` row: their effects and the "seen" mark commit together, so a
   redelivered event is skipped and a handler that raises leaves nothing behind (its event is
   retried, and its effect is applied once).
2. **Webhooks**: every active subscription of the event's tenant that wants its type gets a signed
   POST (publishing/webhooks.py) from a pool of WEBHOOK_DELIVERY_CONCURRENCY threads, outside any
   transaction; each answer is recorded in `webhook_deliveries` as it comes (a delivered pair is
   never sent again). A receiver that hangs holds one thread and its own event (and so its
   partition); the relay keeps claiming and delivering the other partitions' events meanwhile.
3. All done → `published_at`. Anything failed → `attempt_count` + 1, `last_error`, and
   `next_attempt_at` after an exponential backoff with jitter; after OUTBOX_MAX_ATTEMPTS the event
   is dead-lettered (`dead_lettered_at`) and stops holding back its partition. The outcome is
   written only while the lease is still this relay's, and it releases the lease.

The relay renews the leases of the events it still works on; one that dies (a killed worker) stops
renewing, and once `locked_until` passes another relay takes the event again (delivery is at least
once; handlers are applied once through `consumed_events`). A relay that finds at a renewal that
another took an event over lets it go: it makes none of its POSTs that have not begun and leaves its
outcome to the other. A success recorded in `webhook_deliveries` is never undone by a duplicate's
failure.

Runs as the service role (BYPASSRLS), outside any request. Woken after each commit that writes an
event (publishing/outbox.py), at each retry's `next_attempt_at` when that comes before beat's next
tick (a countdown task scheduled when the retry is recorded, so a short backoff is the configured
one and not beat's tick), and by beat every 15 s, which drains the longer backoffs and is the
safety net.
"""
from __future__ import annotations

import json
import logging
import math
import random
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connections
from django.utils import timezone

from publishing import outbox
from themeconfig.platform.service_db import service_context

logger = logging.getLogger(__name__)

CLAIM_SQL = """
WITH due AS (
  SELECT o.id
    FROM theme_config.outbox o
   WHERE o.published_at IS NULL AND o.dead_lettered_at IS NULL AND o.next_attempt_at <= now()
     AND (o.locked_until IS NULL OR o.locked_until <= now())
     AND NOT EXISTS (
           SELECT 1 FROM theme_config.outbox earlier
            WHERE earlier.partition_key = o.partition_key AND earlier.id < o.id
              AND earlier.published_at IS NULL AND earlier.dead_lettered_at IS NULL)
   ORDER BY o.id
   LIMIT %s
   FOR UPDATE OF o SKIP LOCKED
)
UPDATE theme_config.outbox o SET locked_until = now() + make_interval(secs => %s), locked_by = %s
  FROM due WHERE o.id = due.id
RETURNING o.id, o.event_id, o.tenant_id, o.event_type, o.envelope, o.attempt_count
"""
# While deliveries are in flight, how often the relay looks for newly due events (one cheap query).
CLAIM_POLL_SECONDS = 0.2
# Retries falling due within one such slice share one wake-up (at its end: never before they are due).
WAKE_SLICE_SECONDS = 0.25
# Retries due later than this are left to beat when its relay entry has no fixed interval.
FALLBACK_TICK_SECONDS = 60.0


@dataclass
class RelayResult:
    published: int = 0
    retried: int = 0
    dead_lettered: int = 0
    webhooks_delivered: int = 0
    webhooks_failed: int = 0
    passes: int = 0
    lease_lost: int = 0
    wake_ups: int = 0
    errors: list[str] = field(default_factory=list)
    _wake_slices: set[int] = field(default_factory=set, repr=False)

    @property
    def claimed(self) -> int:
        return self.published + self.retried + self.dead_lettered


@dataclass
class _Claimed:
    """An event this relay holds the lease of, and what is left of its delivery."""

    row_id: int
    event_id: str
    tenant_id: str
    event_type: str
    envelope: dict
    attempts: int
    outstanding: int = 0
    errors: list[str] = field(default_factory=list)
    lost: bool = False  # another relay holds its lease now: nothing more of it is ours to do


def backoff_seconds(attempt: int) -> float:
    """Exponential (base·2^(n-1), capped) with ±20 % jitter, so failing events do not retry in step."""
    delay = min(settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempt - 1, 0), settings.OUTBOX_RETRY_MAX_SECONDS)
    return delay * random.uniform(0.8, 1.2)


def relay_outbox(*, batch_size: int | None = None, max_batches: int = 50, time_budget_seconds: float = 30.0,
                 progress=None) -> RelayResult:
    """Drains due events until none are left, `max_batches` claims or the time budget; deliveries
    in flight when it stops claiming are waited for (each bounded by the webhook timeouts)."""
    batch_size = batch_size or settings.OUTBOX_BATCH_SIZE
    lease_seconds = float(settings.OUTBOX_LEASE_SECONDS)
    holder = f"relay-{uuid.uuid4().hex}"
    result = RelayResult()
    deadline = time.monotonic() + time_budget_seconds
    holding: dict[int, _Claimed] = {}  # events with deliveries in flight
    in_flight: dict[Future, tuple[_Claimed, str]] = {}
    renewed_at = time.monotonic()
    unreported = False  # outcomes recorded since progress was last told
    with ThreadPoolExecutor(max_workers=settings.WEBHOOK_DELIVERY_CONCURRENCY,
                            thread_name_prefix="webhook-delivery") as pool:
        while True:
            may_claim = result.passes < max_batches and time.monotonic() < deadline and len(holding) < batch_size
            claimed = _claim(batch_size - len(holding), lease_seconds, holder) if may_claim else []
            if claimed:
                result.passes += 1
            for event in claimed:
                _start(event, pool, holding, in_flight, holder, result)
            if claimed and progress:
                progress(result)
                unreported = False
            if not in_flight:
                if claimed:
                    continue  # a pass takes one event per partition: go on while there is work
                break
            # Not claiming: still wake up now and then, to renew the leases while a receiver dawdles.
            done, _ = wait(in_flight, timeout=CLAIM_POLL_SECONDS if may_claim else lease_seconds / 3,
                           return_when=FIRST_COMPLETED)
            for future in done:
                event, subscription_id = in_flight.pop(future)
                _finish_delivery(event, subscription_id, future.result(), result)
                if event.outstanding == 0 and not event.lost:
                    del holding[event.row_id]
                    _record(event, holder, result)
                    unreported = True
            if holding and time.monotonic() - renewed_at > lease_seconds / 3:
                kept = _renew(list(holding), lease_seconds, holder)
                renewed_at = time.monotonic()
                for row_id in set(holding) - kept:
                    _let_go(holding.pop(row_id), in_flight, result)
                    unreported = True
    if progress and unreported:
        progress(result)
    return result


def _claim(limit: int, lease_seconds: float, holder: str) -> list[_Claimed]:
    with service_context() as alias, connections[alias].cursor() as cursor:
        cursor.execute(CLAIM_SQL, [limit, lease_seconds, holder])
        rows = sorted(cursor.fetchall())
    return [_Claimed(row_id, event_id, tenant_id, event_type,
                     json.loads(envelope) if isinstance(envelope, str) else envelope,  # Django reads jsonb as text
                     attempts)
            for row_id, event_id, tenant_id, event_type, envelope, attempts in rows]


def _renew(row_ids: list[int], lease_seconds: float, holder: str) -> set[int]:
    """Extends this relay's leases; returns the rows it still holds (a lease that ran out and was
    taken by another relay, or whose event another relay finished, is not among them)."""
    with service_context() as alias, connections[alias].cursor() as cursor:
        cursor.execute("UPDATE theme_config.outbox SET locked_until = now() + make_interval(secs => %s) "
                       "WHERE id = ANY(%s) AND locked_by = %s AND published_at IS NULL AND dead_lettered_at IS NULL "
                       "RETURNING id", [lease_seconds, row_ids, holder])
        return {row_id for (row_id,) in cursor.fetchall()}


def _let_go(event: _Claimed, in_flight: dict, result: RelayResult) -> None:
    """The event's lease is another relay's now: its POSTs not yet begun are not made (the other
    relay makes them), and its outcome is the other's to record. A POST already under way finishes,
    and its answer is still recorded in webhook_deliveries (a success is never undone)."""
    event.lost = True
    for future, (owner, _) in list(in_flight.items()):
        if owner is event and future.cancel():
            del in_flight[future]
    logger.warning("outbox event %s: lease lost while delivering; another relay has it", event.event_id)
    result.lease_lost += 1


def _start(event: _Claimed, pool: ThreadPoolExecutor, holding: dict, in_flight: dict, holder: str,
           result: RelayResult) -> None:
    """Runs the event's handlers, then hands its webhooks to the pool (or records it at once)."""
    from publishing.events import run_handlers
    from publishing.webhooks import WebhookTargetError, decrypt_secret, deliver

    stage = "handler"
    try:
        with service_context() as alias:  # one short transaction: the handlers' effects, then who is due a POST
            run_handlers(alias=alias, event_id=event.event_id, tenant_id=event.tenant_id,
                         event_type=event.event_type, envelope=event.envelope)
            stage = "webhook subscriptions"
            subscriptions = _undelivered_subscriptions(alias, event)
    except Exception as exc:  # noqa: BLE001 - any handler fault is retried with backoff
        logger.warning("outbox %s failed for %s %s", stage, event.event_type, event.event_id, exc_info=True)
        event.errors.append(f"{stage}: {type(exc).__name__}: {exc}")
        _record(event, holder, result)
        return
    targets = []
    for subscription_id, url, secret_encrypted in subscriptions:
        try:
            targets.append((subscription_id, url, decrypt_secret(secret_encrypted)))
        except WebhookTargetError as exc:
            _finish_delivery(event, subscription_id, (False, None, str(exc)), result)
    for subscription_id, url, secret in targets:
        event.outstanding += 1
        in_flight[pool.submit(_post, deliver, url, secret, event.envelope)] = (event, subscription_id)
    if event.outstanding:
        holding[event.row_id] = event
    else:
        _record(event, holder, result)


def _post(deliver, url: str, secret: str, envelope: dict) -> tuple[bool, int | None, str | None]:
    """In a pool thread: the network only (resolve, check, POST), no database."""
    try:
        outcome = deliver(url=url, secret=secret, envelope=envelope)
    except Exception as exc:  # noqa: BLE001 - whatever the endpoint did, it is that event's failure, retried
        logger.warning("webhook delivery to %s raised", url, exc_info=True)
        return False, None, f"{type(exc).__name__}: {exc}"[:500]
    return outcome.ok, outcome.status, outcome.error


def _undelivered_subscriptions(alias: str, event: _Claimed) -> list[tuple[str, str, str]]:
    """(id, url, encrypted secret) of the tenant's active subscriptions that want the event and have
    not acknowledged it yet."""
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT s.id, s.url, s.secret_encrypted FROM theme_config.webhook_subscriptions s "
            "WHERE s.tenant_id = %s AND s.is_active AND (cardinality(s.event_types) = 0 OR %s = ANY(s.event_types)) "
            "AND NOT EXISTS (SELECT 1 FROM theme_config.webhook_deliveries d WHERE d.event_id = %s "
            "AND d.subscription_id = s.id AND d.delivered_at IS NOT NULL) ORDER BY s.id",
            [event.tenant_id, event.event_type, event.event_id])
        return cursor.fetchall()


def _finish_delivery(event: _Claimed, subscription_id: str, outcome: tuple[bool, int | None, str | None],
                     result: RelayResult) -> None:
    ok, status, error = outcome
    with service_context() as alias, connections[alias].cursor() as cursor:
        cursor.execute(
            "INSERT INTO theme_config.webhook_deliveries (event_id, subscription_id, tenant_id, attempt_count, "
            "last_status, last_error, delivered_at) VALUES (%s, %s, %s, 1, %s, %s, CASE WHEN %s THEN now() END) "
            "ON CONFLICT (event_id, subscription_id) DO UPDATE SET attempt_count = "
            "theme_config.webhook_deliveries.attempt_count + 1, last_status = EXCLUDED.last_status, "
            "last_error = EXCLUDED.last_error, updated_at = now(), "
            # A success recorded once stays: a duplicate delivery that failed (two relays, a lease
            # lost mid-POST) must not make the subscription due again.
            "delivered_at = COALESCE(theme_config.webhook_deliveries.delivered_at, EXCLUDED.delivered_at)",
            [event.event_id, subscription_id, event.tenant_id, status, error, ok])
    if ok:
        result.webhooks_delivered += 1
    else:
        result.webhooks_failed += 1
        event.errors.append(f"webhook {subscription_id}: {error}")
    event.outstanding = max(event.outstanding - 1, 0)


def _record(event: _Claimed, holder: str, result: RelayResult) -> None:
    """The event's outcome, written only under this relay's lease (which it releases)."""
    lease = "AND locked_by = %s AND published_at IS NULL AND dead_lettered_at IS NULL"
    with service_context() as alias, connections[alias].cursor() as cursor:
        if not event.errors:
            cursor.execute("UPDATE theme_config.outbox SET published_at = now(), last_error = NULL, "
                           f"locked_until = NULL, locked_by = NULL WHERE id = %s {lease}", [event.row_id, holder])
            outcome = "published"
        else:
            attempt = event.attempts + 1
            message = "; ".join(event.errors)[:2000]
            if attempt >= settings.OUTBOX_MAX_ATTEMPTS:
                cursor.execute(
                    "UPDATE theme_config.outbox SET attempt_count = %s, last_error = %s, dead_lettered_at = now(), "
                    f"locked_until = NULL, locked_by = NULL WHERE id = %s {lease}",
                    [attempt, message, event.row_id, holder])
                outcome = "dead_lettered"
            else:
                delay = backoff_seconds(attempt)
                cursor.execute(
                    "UPDATE theme_config.outbox SET attempt_count = %s, last_error = %s, next_attempt_at = %s, "
                    f"locked_until = NULL, locked_by = NULL WHERE id = %s {lease}",
                    [attempt, message, timezone.now() + timedelta(seconds=delay), event.row_id, holder])
                outcome = "retried"
        recorded = cursor.rowcount == 1
    if not recorded:  # the lease ran out and another relay took the event: its outcome will count
        logger.warning("outbox event %s: lease lost before its outcome (%s) was recorded", event.event_id, outcome)
        result.lease_lost += 1
        return
    setattr(result, outcome, getattr(result, outcome) + 1)
    if outcome == "retried":
        _wake_when_due(delay, result)
    if event.errors:
        result.errors.append("; ".join(event.errors)[:2000])
    if outcome == "dead_lettered":
        logger.error("outbox event %s dead-lettered after %s attempts: %s", event.row_id, event.attempts + 1,
                     result.errors[-1])


def _wake_when_due(delay: float, result: RelayResult) -> None:
    """Schedules a relay run for when a retry falls due (the committed `next_attempt_at`); retries due
    in the same slice of time share one. Beat's tick stays the safety net for a lost wake-up.

    Only for a retry due sooner than beat's next relay tick: a later one is drained by the tick, at
    most a tick late, which a backoff that long hardly notices. A countdown task waits in a worker's
    memory until it is due, and a late-acked one due past the broker's visibility timeout (an hour on
    Redis) is delivered again meanwhile: long countdowns would pile up and multiply."""
    if delay >= relay_tick_seconds():
        return
    due = time.time() + delay
    slice_end = math.ceil(due / WAKE_SLICE_SECONDS)
    if slice_end in result._wake_slices:
        return
    result._wake_slices.add(slice_end)
    result.wake_ups += 1
    outbox.wake_relay_in(slice_end * WAKE_SLICE_SECONDS - time.time())


def relay_tick_seconds() -> float:
    """How often beat runs the relay (its CELERY_BEAT_SCHEDULE entry: seconds, a timedelta or a
    Celery `schedule`); FALLBACK_TICK_SECONDS when there is no such entry or it has no fixed interval
    (a crontab)."""
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        if entry.get("task") != outbox.RELAY_TASK:
            continue
        every = entry.get("schedule")
        every = getattr(every, "run_every", every)  # celery.schedules.schedule
        if isinstance(every, timedelta):
            return every.total_seconds()
        if isinstance(every, int | float):
            return float(every)
    return FALLBACK_TICK_SECONDS


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


def outbox_stats_text(state: dict) -> str:
    """`outbox_stats()` in words, as the command and the operators' admin print it."""
    oldest = state["oldest_pending_seconds"]
    return (f"outbox: {state['pending']} pending ({state['backing_off']} backing off), "
            f"{state['dead_lettered']} dead-lettered, oldest pending: {'none' if oldest is None else f'{oldest} s'}")


def dead_letters(limit: int = 50) -> list[dict]:
    from publishing.models import OutboxEvent

    with service_context() as alias:
        return list(OutboxEvent.objects.using(alias).filter(dead_lettered_at__isnull=False, published_at__isnull=True)
                    .order_by("id").values("event_id", "tenant_id", "event_type", "attempt_count", "last_error",
                                           "created_at", "dead_lettered_at")[:limit])
