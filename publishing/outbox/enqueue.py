"""Enqueueing CloudEvents 1.0 envelopes into the transactional outbox (seed 000 §3.12).

The row is written in the use case's own transaction (it commits or rolls back with the change),
by a plain INSERT without RETURNING: the request role may append its own tenant's events and
nothing else (the `tenant_append` policy). The relay (publishing/outbox/relay.py) drains them as the
service role; it is woken once the transaction commits, when a retry falls due, and by beat as a
safety net.
"""
from __future__ import annotations

import json

from django.db import connection, transaction
from django.utils import timezone
from ulid import ULID

from themeconfig.platform.enqueue import task_send

SOURCE = "urn:theme-config"
TOPIC = "theme-config.events"
# Sent by name: publishing/tasks.py imports the relay, which imports this module (no import back).
RELAY_TASK = "publishing.relay_outbox_task"


def outbox_enqueue(*, tenant_id: str, event_type: str, subject: str, data: dict, partition_key: str) -> str:
    """Appends one event; returns its id. A transaction must be open (the change's own)."""
    if not connection.in_atomic_block:
        raise RuntimeError("outbox_enqueue needs the use case's transaction: the event must commit with it")
    event_id = str(ULID())
    envelope = {
        "specversion": "1.0", "id": event_id, "source": SOURCE, "type": event_type, "subject": subject,
        "time": timezone.now().isoformat(), "datacontenttype": "application/json",
        "data": {"tenant_id": tenant_id, **data},
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO theme_config.outbox (event_id, tenant_id, event_type, topic, partition_key, envelope, attributes) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [event_id, tenant_id, event_type, TOPIC, partition_key, json.dumps(envelope),
             json.dumps({"tenant_id": tenant_id})],
        )
    transaction.on_commit(wake_relay)
    return event_id


def wake_relay() -> None:
    """Asks a worker to drain the outbox now; losing this is harmless (beat drains it anyway)."""
    task_send(RELAY_TASK, fallback="beat's relay-outbox")


def wake_relay_in(seconds: float) -> None:
    """Asks a worker to drain the outbox in `seconds` (when a retry falls due), so backoff is kept to
    the configured delays rather than beat's tick; losing this is harmless (beat drains it anyway)."""
    task_send(RELAY_TASK, fallback="beat's relay-outbox", countdown=seconds)
