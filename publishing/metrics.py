"""Publishing's gauges computed at scrape time (themeconfig/platform/metrics.py, `serve_metrics`): the
outbox's backlog and dead letters, and the lag of the read models behind the commits they follow.

Each is one query on the service connection (the rows of every tenant), in its own transaction
under `SET LOCAL statement_timeout` = METRICS_QUERY_TIMEOUT_MS, so a slow database costs one gauge
missing from a scrape (theme_config_scrape_query_success 0), never a stuck scraper.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections

from themeconfig.platform.metrics import ScrapeGauge, query_timeout_ms, scrape_gauge_register
from themeconfig.platform.service_db import service_context

# The events whose relay marks the seed's views due a refresh (publishing/outbox/events.py).
VIEW_EVENTS = ("theme.published.v1", "theme.rolled_back.v1")


def _one_row(sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...]:
    with service_context() as alias, connections[alias].cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{query_timeout_ms()}ms"])
        cursor.execute(sql, params)
        row = cursor.fetchone()
    assert row is not None
    return tuple(row)


def outbox_events() -> list[tuple[dict[str, str], float]]:
    """Events not relayed yet, pending and dead-lettered: one scan of the unpublished rows
    (outbox_unpublished_idx holds only those)."""
    pending, dead = _one_row(
        "SELECT count(*) FILTER (WHERE dead_lettered_at IS NULL), count(*) FILTER (WHERE dead_lettered_at IS NOT NULL) "
        "FROM theme_config.outbox WHERE published_at IS NULL")
    return [({"state": "pending"}, float(pending)), ({"state": "dead_lettered"}, float(dead))]


def outbox_oldest_pending_age() -> list[tuple[dict[str, str], float]]:
    (age,) = _one_row(
        "SELECT coalesce(extract(epoch FROM clock_timestamp() - min(created_at)), 0) FROM theme_config.outbox "
        "WHERE published_at IS NULL AND dead_lettered_at IS NULL")
    return [({}, max(0.0, float(age)))]


# host_resolution: a host whose row names another publication than its theme's active one shows a
# commit it has not caught up with, counted from that publication's commit (the triggers keep every
# row current in the commit's own transaction, so this is 0 unless they were bypassed or broke).
_HOST_RESOLUTION_LAG = (
    "SELECT coalesce(extract(epoch FROM clock_timestamp() - min(p.published_at)), 0) "
    "FROM theme_config.host_resolution r "
    "JOIN theme_config.theme_publications p ON p.theme_id = r.theme_id AND p.is_active "
    "WHERE r.publication_id <> p.id")
# The seed's views hold the snapshot their last finished refresh took when it started (while one is
# in flight: the one before it, which started its duration before it finished); every publish or
# rollback written to the outbox after that snapshot is not in them yet. No state row, or no refresh
# finished yet: every such event counts. Such an event is either relayed after the snapshot or not
# relayed at all, so the two indexes (outbox_published_at_idx, outbox_unpublished_idx) find it
# without reading the week of relayed events retention keeps.
_VIEWS_SNAPSHOT = (
    "coalesce((SELECT CASE WHEN s.finished_at >= s.started_at THEN s.started_at "
    "ELSE s.finished_at - make_interval(secs => coalesce(s.last_duration_ms, 0) / 1000) END "
    "FROM theme_config.read_model_refresh_state s WHERE s.id = 1), '-infinity')")
_VIEWS_LAG = (
    f"WITH snapshot AS (SELECT {_VIEWS_SNAPSHOT} AS at) "
    "SELECT coalesce(extract(epoch FROM clock_timestamp() - least("
    "(SELECT min(o.created_at) FROM theme_config.outbox o, snapshot WHERE o.published_at > snapshot.at "
    "AND o.created_at > snapshot.at AND o.event_type = ANY(%s)), "
    "(SELECT min(o.created_at) FROM theme_config.outbox o, snapshot WHERE o.published_at IS NULL "
    "AND o.created_at > snapshot.at AND o.event_type = ANY(%s)))), 0)")


def read_model_lag() -> list[tuple[dict[str, str], float]]:
    """Seconds since the oldest commit each read model does not show yet (0 when current), in one query."""
    resolution, views = _one_row(f"SELECT ({_HOST_RESOLUTION_LAG}), ({_VIEWS_LAG})", [list(VIEW_EVENTS)] * 2)
    return [({"read_model": "host_resolution"}, max(0.0, float(resolution))),
            ({"read_model": "views"}, max(0.0, float(views)))]


def views_refresh_duration() -> list[tuple[dict[str, str], float]]:
    (ms,) = _one_row("SELECT coalesce((SELECT last_duration_ms FROM theme_config.read_model_refresh_state WHERE id = 1), 0)")
    return [({}, float(ms) / 1000)]


OUTBOX_EVENTS = ScrapeGauge(
    name="theme_config_outbox_events",
    documentation="Outbox events not relayed yet, by state: pending (to relay or backing off) and dead_lettered.",
    read=outbox_events, labels=("state",))
OUTBOX_OLDEST_PENDING = ScrapeGauge(
    name="theme_config_outbox_oldest_pending_age_seconds",
    documentation="Age of the oldest outbox event still pending (not relayed, not dead-lettered); 0 when none.",
    read=outbox_oldest_pending_age)
READ_MODEL_LAG = ScrapeGauge(
    name="theme_config_read_model_lag_seconds",
    documentation="Seconds since the oldest commit a read model does not show yet, per read model "
                  "(host_resolution; views: the seed's materialized views); 0 when current.",
    read=read_model_lag, labels=("read_model",))
VIEWS_REFRESH_DURATION = ScrapeGauge(
    name="theme_config_read_model_views_refresh_duration_seconds",
    documentation="How long the last refresh of the seed's materialized views took.",
    read=views_refresh_duration)


def register() -> None:
    for gauge in (OUTBOX_EVENTS, OUTBOX_OLDEST_PENDING, READ_MODEL_LAG, VIEWS_REFRESH_DURATION):
        scrape_gauge_register(gauge)
