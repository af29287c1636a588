"""The write side of the audit log: one row per change, written inside the use case's transaction.

Use cases call `audit_record` after their write, inside their `use_case(...)` block, so the row
commits or rolls back with the change it describes. Only the fields that changed are kept; the
row says who (the principal's actor, request id and client address) and when (the transaction's
`now()`, ties broken by id). Never pass secrets or their hashes.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
import uuid
from decimal import Decimal
from enum import Enum
from typing import Any

from django.db import connection, connections

from themeconfig.platform.principal import Principal
from themeconfig.platform.service_db import service_context
from themeconfig.platform.tenant_context import current_tenant_id

# The table's CHECKs, checked here first so that a wrong call fails loudly where it is made.
_ACTION_RE = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$")
_ENTITY_TYPE_RE = re.compile(r"^[a-z][a-z_]*$")

_INSERT = (
    "INSERT INTO theme_config.audit_log "
    "(tenant_id, actor, action, entity_type, entity_id, old_values, new_values, ip, request_id) "
    "VALUES (%s, %s, %s, %s, %s, %s::jsonb, %s::jsonb, %s::inet, %s)"
)


def audit_record(
    *,
    principal: Principal,
    action: str,
    entity_type: str,
    entity_id: str,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> None:
    """Appends one audit row for a change the current transaction makes.

    `old`/`new` are the entity's fields before and after (None on create / on delete); the row
    keeps the keys whose values differ. An update that changes nothing writes nothing.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record needs the use case's transaction: the row must commit or roll back with it")
    if principal.tenant_id is None or current_tenant_id() != principal.tenant_id:
        raise RuntimeError(
            f"audit_record for tenant {principal.tenant_id} outside that tenant's context ({current_tenant_id()})"
        )
    if not isinstance(action, str) or len(action) > 100 or not _ACTION_RE.match(action):
        raise ValueError(f"audit action {action!r} must read <entity>.<verb>, e.g. theme.created")
    if not isinstance(entity_type, str) or len(entity_type) > 100 or not _ENTITY_TYPE_RE.match(entity_type):
        raise ValueError(f"audit entity type {entity_type!r} must be a lower-case word")
    if not isinstance(entity_id, str) or not 1 <= len(entity_id) <= 255:
        raise ValueError(f"audit entity id {entity_id!r} must be a string of 1 to 255 characters")

    old_values, new_values = changed_fields(old, new)
    if old is not None and new is not None and not old_values and not new_values:
        return
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, [
            principal.tenant_id, principal.actor, action, entity_type, entity_id,
            _dumps(old_values), _dumps(new_values), _client_ip(principal.ip), principal.request_id,
        ])


def changed_fields(old: dict[str, Any] | None, new: dict[str, Any] | None) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(before, after) limited to the keys whose values differ, as JSON-ready values.

    A create (old None) keeps every given field of `new`, a delete (new None) every field of
    `old`. A key on one side only counts as None on the other.
    """
    if old is None or new is None:
        return (None if old is None else jsonable(old)), (None if new is None else jsonable(new))
    keys = [k for k in {**old, **new} if old.get(k) != new.get(k)]
    return jsonable({k: old.get(k) for k in keys}), jsonable({k: new.get(k) for k in keys})


def jsonable(value: Any) -> Any:
    """`value` as plain JSON types: datetimes as ISO 8601 strings, Decimals and UUIDs as strings."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(jsonable(v) for v in value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, Enum):
        return jsonable(value.value)
    raise TypeError(f"audit values must be JSON-like, not {type(value).__name__}")


def _dumps(values: dict[str, Any] | None) -> str | None:
    return None if values is None else json.dumps(values, ensure_ascii=False, sort_keys=True)


def _client_ip(ip: str | None) -> str | None:
    # REMOTE_ADDR is whatever the server put there (empty, a unix socket path): keep real addresses only.
    try:
        return str(ipaddress.ip_address(ip)) if ip else None
    except ValueError:
        return None


def audit_partitions_ensure(*, months_ahead: int = 3) -> list[str]:
    """Creates the audit log's missing monthly partitions up to `months_ahead` months ahead (and the
    DEFAULT one if it is missing), each under RLS; returns the names created, none when all exist.

    Infrastructure work for the beat task and operators: runs theme_config.audit_log_ensure_partitions
    (SECURITY DEFINER, executable by the service role only) on the service connection.
    """
    if isinstance(months_ahead, bool) or not isinstance(months_ahead, int) or not 0 <= months_ahead <= 36:
        raise ValueError(f"months_ahead must be an integer from 0 to 36, not {months_ahead!r}")
    with service_context() as alias, connections[alias].cursor() as cursor:
        cursor.execute("SELECT theme_config.audit_log_ensure_partitions(%s)", [months_ahead])
        return [row[0] for row in cursor.fetchall()]
