"""Coalesced refresh of the seed's materialized views (published_theme_view, host_to_theme_view).

Public resolution reads the incrementally kept `host_resolution` table; the two views stay for
the consumers that read them and are refreshed whole by `theme_config.refresh_read_models()`,
which costs O(all themes) (about 1 s per view at 100k themes here). So a refresh is never run per
publish. `request_refresh` (the event handler) only records that one is due; the task
`refresh_read_models_task` then runs it with three guarantees, kept in the one row of
`theme_config.read_model_refresh_state`:

- at most one refresh **in flight**: a task that finds one started and not finished (less than
  STALE_AFTER ago) leaves the work to it;
- at most one **pending**: any number of requests while a refresh runs collapse into one later
  refresh (`requested_at` after `started_at`), and at most one task is scheduled for it
  (`scheduled_for`);
- not more often than READ_MODEL_REFRESH_MIN_INTERVAL_SECONDS (start to start).

The refresh runs on a Celery queue of its own (VIEWS_REFRESH_QUEUE, routed by CELERY_TASK_ROUTES), so a
refresh of several seconds never holds up a publish job on the publish worker's queue.

Its lag, commit -> refreshed, is kept in the same row for the metrics (`views_lag`): the oldest
publish commit (its event's time) that no refresh has started to cover (`pending_since`), the
oldest one the refresh in flight covers (`covering_since`), and what the last refresh measured
(`last_lag_ms`, from that oldest covered commit to the refresh's end).

Why a request can never be lost: the refresh reads a snapshot taken after `started_at` was
committed; a publish that committed after that snapshot is relayed later, so its request's
`requested_at` (clock time of the handler) is after `started_at`, and the finishing task (whose
UPDATE waits on the same row lock) sees it and schedules the next refresh.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections, transaction

from themeconfig.platform.enqueue import task_send
from themeconfig.platform.failpoints import failpoint
from themeconfig.platform.service_db import service_context

logger = logging.getLogger(__name__)
STALE_AFTER = timedelta(minutes=10)
# Sent by name: publishing/tasks.py imports this module (no import back).
REFRESH_TASK = "publishing.refresh_read_models_task"


def request_refresh(*, alias: str, committed_at: datetime | None = None) -> None:
    """Marks a refresh due, in the caller's transaction on the service connection, and schedules one.
    `committed_at` is when the change that asks for it committed (its event's time; now if unknown),
    from which the views' lag is counted."""
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "INSERT INTO theme_config.read_model_refresh_state AS s (id, requested_at, pending_since) "
            "VALUES (1, clock_timestamp(), coalesce(%s, clock_timestamp())) "
            "ON CONFLICT (id) DO UPDATE SET requested_at = EXCLUDED.requested_at, "
            "pending_since = least(s.pending_since, EXCLUDED.pending_since)", [committed_at])
    transaction.on_commit(schedule_refresh, using=alias)


def schedule_refresh() -> None:
    """Enqueues the refresh task unless one is already scheduled; waits out the minimum interval."""
    interval = settings.READ_MODEL_REFRESH_MIN_INTERVAL_SECONDS
    with service_context() as alias, connections[alias].cursor() as cursor:
        cursor.execute(
            "UPDATE theme_config.read_model_refresh_state "
            "SET scheduled_for = greatest(now(), coalesce(started_at, now()) + make_interval(secs => %s)) "
            "WHERE id = 1 AND (scheduled_for IS NULL OR scheduled_for < now() - make_interval(secs => 60)) "
            "RETURNING extract(epoch FROM scheduled_for - now())", [interval])
        row = cursor.fetchone()
    if row is None:
        return  # a task is scheduled already; it will see this request
    _schedule_in(float(row[0]))


def run_refresh() -> str:
    """One coalesced refresh if one is due: 'refreshed', 'nothing_pending', 'in_flight' or 'too_soon'."""
    interval = settings.READ_MODEL_REFRESH_MIN_INTERVAL_SECONDS
    with service_context() as alias, connections[alias].cursor() as cursor:
        _ensure_state(cursor)
        cursor.execute(
            "SELECT requested_at, started_at, finished_at, now() FROM theme_config.read_model_refresh_state "
            "WHERE id = 1 FOR UPDATE")
        requested, started, finished, now = cursor.fetchone()
        cursor.execute("UPDATE theme_config.read_model_refresh_state SET scheduled_for = NULL WHERE id = 1")
        if requested is None or (started is not None and requested <= started):
            return "nothing_pending"
        if started is not None and (finished is None or finished < started) and now - started < STALE_AFTER:
            return "in_flight"  # that refresh's finish schedules the next one
        if started is not None and (now - started).total_seconds() < interval:
            wait = interval - (now - started).total_seconds()
            transaction.on_commit(lambda: _schedule_in(wait), using=alias)
            cursor.execute("UPDATE theme_config.read_model_refresh_state SET scheduled_for = now() + "
                           "make_interval(secs => %s) WHERE id = 1", [wait])
            return "too_soon"
        # What this refresh covers: every commit pending now (and a lost refresh's, if one never finished).
        cursor.execute("UPDATE theme_config.read_model_refresh_state SET started_at = clock_timestamp(), "
                       "covering_since = least(covering_since, pending_since), pending_since = NULL WHERE id = 1")
    began = time.perf_counter()
    refreshed = False
    try:
        with service_context() as alias, connections[alias].cursor() as cursor:
            cursor.execute("SELECT theme_config.refresh_read_models()")
            failpoint("views.refresh")  # refreshed, not committed: as a refresh that fails
        refreshed = True
    finally:
        duration_ms = round((time.perf_counter() - began) * 1000, 1)
        with service_context() as alias, connections[alias].cursor() as cursor:
            if refreshed:
                cursor.execute(
                    "UPDATE theme_config.read_model_refresh_state SET finished_at = clock_timestamp(), "
                    "last_duration_ms = %s, refresh_count = refresh_count + 1, "
                    "last_lag_ms = round(1000 * extract(epoch FROM clock_timestamp() - covering_since), 1), "
                    "covering_since = NULL WHERE id = 1 RETURNING requested_at > started_at", [duration_ms])
            else:  # what it covered is pending again, and due: the next task (or beat's) retries it
                cursor.execute(
                    "UPDATE theme_config.read_model_refresh_state SET finished_at = clock_timestamp(), "
                    "last_duration_ms = %s, requested_at = clock_timestamp(), "
                    "pending_since = least(pending_since, covering_since), covering_since = NULL WHERE id = 1 "
                    "RETURNING false", [duration_ms])
            again = cursor.fetchone()[0]
    logger.info("read models refreshed in %s ms", duration_ms)
    if again:
        schedule_refresh()
    return "refreshed"


def _schedule_in(seconds: float) -> None:
    task_send(REFRESH_TASK, fallback="beat's refresh-read-models", countdown=seconds)


def _ensure_state(cursor) -> None:
    cursor.execute("INSERT INTO theme_config.read_model_refresh_state (id) VALUES (1) ON CONFLICT (id) DO NOTHING")


def views_lag() -> dict:
    """The seed's views' lag for the metrics: `lag_seconds`, how far behind the oldest commit they
    have not caught up with is now (0 when none is pending or being refreshed); `last_lag_seconds`,
    commit -> refreshed as the last refresh measured it; `last_refreshed_at`; `last_duration_seconds`.
    One row, O(1). It sees a commit once the relay has run its handler: an event still waiting in the
    outbox is not counted here (the Prometheus gauge, publishing/metrics.py, reads those from the outbox)."""
    with service_context() as alias, connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT extract(epoch FROM clock_timestamp() - least(pending_since, covering_since)), last_lag_ms, "
            "finished_at, last_duration_ms FROM theme_config.read_model_refresh_state WHERE id = 1")
        row = cursor.fetchone()
    behind, last_lag_ms, finished_at, duration_ms = row if row is not None else (None, None, None, None)
    return {
        "lag_seconds": max(float(behind), 0.0) if behind is not None else 0.0,
        "last_lag_seconds": float(last_lag_ms) / 1000 if last_lag_ms is not None else None,
        "last_refreshed_at": finished_at,
        "last_duration_seconds": float(duration_ms) / 1000 if duration_ms is not None else None,
    }


def views_lag_text(lag: dict) -> str:
    """`views_lag()` in words, as `relay_outbox --stats` prints it."""
    if lag["last_refreshed_at"] is None:
        last = "never refreshed"
    else:
        last = (f"last refresh {lag['last_refreshed_at']:%Y-%m-%d %H:%M:%S} took {lag['last_duration_seconds']:.2f} s"
                + (f", commit -> refreshed {lag['last_lag_seconds']:.2f} s" if lag["last_lag_seconds"] is not None
                   else ""))
    return f"seed views: {lag['lag_seconds']:.1f} s behind, {last}"


def refresh_state() -> dict:
    with service_context() as alias, connections[alias].cursor() as cursor:
        _ensure_state(cursor)
        cursor.execute("SELECT requested_at, scheduled_for, started_at, finished_at, last_duration_ms, refresh_count, "
                       "pending_since, covering_since, last_lag_ms FROM theme_config.read_model_refresh_state WHERE id = 1")
        keys = ("requested_at", "scheduled_for", "started_at", "finished_at", "last_duration_ms", "refresh_count",
                "pending_since", "covering_since", "last_lag_ms")
        return dict(zip(keys, cursor.fetchone(), strict=True))
