"""Local consumers of the outbox's events, run by the relay (publishing/outbox/relay.py).

A handler is `handler(*, alias, event_id, tenant_id, envelope)`, called inside the relay's
transaction on the service connection `alias`, together with every other handler of that type and
the event's `consumed_events` row: all of them take effect, with the mark, or none does. So a
handler may raise (the event is retried with backoff, nothing half-applied) and never sees an
event twice once it succeeded. A handler whose effect lives outside the database must be
idempotent on its own (deleting a cache key is).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import connections

Handler = Callable[..., None]


def request_read_model_refresh(*, alias: str, envelope: dict, **_event) -> None:
    """theme.published.v1 / theme.rolled_back.v1: the seed's materialized views are due a refresh
    (coalesced); their lag is counted from the event's time, written in the change's transaction."""
    from publishing.resolve.read_models import request_refresh

    try:
        committed_at = datetime.fromisoformat(envelope["time"])
    except (KeyError, TypeError, ValueError):
        committed_at = None
    request_refresh(alias=alias, committed_at=committed_at)


HANDLERS: dict[str, list[Handler]] = {
    "theme.published.v1": [request_read_model_refresh],
    "theme.rolled_back.v1": [request_read_model_refresh],
}


def handlers_for(event_type: str) -> list[Handler]:
    return HANDLERS.get(event_type, [])


def run_handlers(*, alias: str, event_id: str, tenant_id: str, event_type: str, envelope: dict) -> bool:
    """Runs the event's handlers unless it was consumed before; False when it was (skipped)."""
    handlers = handlers_for(event_type)
    if not handlers:
        return True
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "INSERT INTO theme_config.consumed_events (event_id, tenant_id, event_type) VALUES (%s, %s, %s) "
            "ON CONFLICT (event_id) DO NOTHING", [event_id, tenant_id, event_type])
        if cursor.rowcount == 0:
            return False
    for handler in handlers:
        handler(alias=alias, event_id=event_id, tenant_id=tenant_id, envelope=envelope)
    return True
