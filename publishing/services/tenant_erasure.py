"""Erasing a tenant (issue 18): an operator asks with a confirmation (the slug typed again); the
tenant is marked, served nothing publicly from then on (host resolution keeps no row of a marked
tenant) and erased once its grace period
(TENANT_ERASURE_GRACE_DAYS) has passed, by `purge_expired` (kind `tenants`); until then the mark can
be taken back. Each step is written to the platform's operator audit under the tenant's pseudonym.

All on the service connection: erasure deletes rows the request role may not even read (the outbox,
consumed events, idempotency keys) and writes the operator audit, which has no tenant; the tables
come from the catalog (themeconfig/platform/tenant_tables.py), so a table added later is erased too.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from publishing.bundles.storage import bundle_storage
from publishing.errors import PublishingErrorCode
from publishing.resolve import cache as resolve_cache
from themeconfig.platform.errors import CoreErrorCode, DomainError
from themeconfig.platform.pseudonyms import tenant_pseudonym
from themeconfig.platform.service_db import service_context
from themeconfig.platform.tenant_tables import tenant_tables

# Storage prefixes that hold a tenant's objects, each followed by the tenant's id.
STORAGE_PREFIXES = ("bundles", "exports")


def _operator_audit(cursor: CursorWrapper, *, actor: str, action: str, tenant_id: str, details: dict[str, Any]) -> None:
    cursor.execute("INSERT INTO tenant_service.operator_audit (actor, action, subject, details) "
                   "VALUES (%s, %s, %s, %s::jsonb)", [actor, action, tenant_pseudonym(tenant_id), json.dumps(details)])


def _tenant_by_slug(cursor: CursorWrapper, slug: str) -> tuple[str, datetime | None]:
    cursor.execute("SELECT id, erasure_due_at FROM tenant_service.tenants WHERE slug = %s AND deleted_at IS NULL "
                   "FOR UPDATE", [slug])
    row = cursor.fetchone()
    if row is None:
        raise DomainError(CoreErrorCode.TENANT_NOT_FOUND, f"No tenant with slug {slug!r}.", http_status=404)
    return str(row[0]), row[1]


def _resync_hosts(cursor: CursorWrapper, tenant_id: str, alias: str) -> None:
    """Host resolution follows the mark in the same transaction; the resolve cache drops the tenant's
    hosts after the commit (here at once, elsewhere by the generation)."""
    cursor.execute("SELECT theme_config.host_resolution_sync(id, NULL) FROM theme_config.themes "
                   "WHERE tenant_id = %s ORDER BY id", [tenant_id])
    cursor.execute("SELECT host FROM tenant_service.tenant_hosts WHERE tenant_id = %s", [tenant_id])
    resolve_cache.invalidate_on_commit([row[0] for row in cursor.fetchall()], using=alias)


def tenant_erasure_request(*, slug: str, confirm: str, actor: str) -> dict[str, Any]:
    """Marks the tenant for erasure after the grace period; `confirm` must repeat the slug."""
    if confirm != slug:
        raise DomainError(PublishingErrorCode.ERASURE_CONFIRMATION,
                          f"Type the tenant's slug again to confirm: --confirm {slug}", http_status=400)
    with service_context() as alias, connections[alias].cursor() as cursor:
        tenant_id, due = _tenant_by_slug(cursor, slug)
        if due is None:
            now = timezone.now()
            due = now + timedelta(days=settings.TENANT_ERASURE_GRACE_DAYS)
            cursor.execute("UPDATE tenant_service.tenants SET erasure_requested_at = %s, erasure_due_at = %s "
                           "WHERE id = %s", [now, due, tenant_id])
            _resync_hosts(cursor, tenant_id, alias)
            _operator_audit(cursor, actor=actor, action="tenant.erasure_requested", tenant_id=tenant_id,
                            details={"erasure_due_at": due.isoformat()})
    return {"tenant_id": tenant_id, "erasure_due_at": due}


def tenant_erasure_cancel(*, slug: str, actor: str) -> dict[str, Any]:
    """Takes the mark back within the grace period: the tenant is served again as before."""
    with service_context() as alias, connections[alias].cursor() as cursor:
        tenant_id, due = _tenant_by_slug(cursor, slug)
        if due is None:
            raise DomainError(PublishingErrorCode.ERASURE_NOT_PENDING, f"Tenant {slug!r} is not marked for erasure.",
                              http_status=409)
        cursor.execute("UPDATE tenant_service.tenants SET erasure_requested_at = NULL, erasure_due_at = NULL "
                       "WHERE id = %s", [tenant_id])
        _resync_hosts(cursor, tenant_id, alias)
        _operator_audit(cursor, actor=actor, action="tenant.erasure_cancelled", tenant_id=tenant_id, details={})
    return {"tenant_id": tenant_id}


def tenant_erase(*, tenant_id: str, actor: str) -> dict[str, int]:
    """Deletes every row of the tenant in every table the catalog names (referring tables first, one
    transaction: the tenant is there whole or gone), then its objects in storage; returns rows
    deleted per table. Staff users stay (they may belong to other tenants; `erase_user` for them)."""
    deleted: dict[str, int] = {}
    with service_context() as alias, connections[alias].cursor() as cursor:
        for table in reversed(tenant_tables(cursor)):
            cursor.execute(f"DELETE FROM {table.quoted} WHERE {table.key} = %s", [tenant_id])
            deleted[table.name] = cursor.rowcount
        _operator_audit(cursor, actor=actor, action="tenant.erased", tenant_id=tenant_id,
                        details={"rows": sum(deleted.values())})
    deleted["storage objects"] = _storage_erase(tenant_id)
    return deleted


def _storage_erase(tenant_id: str) -> int:
    """After the commit (a storage call never runs inside the transaction): every object under the
    tenant's prefixes; a crash here leaves objects that a second `tenant_erase` removes."""
    storage = bundle_storage()
    removed = 0

    def walk(path: str) -> None:
        nonlocal removed
        try:
            directories, files = storage.listdir(path)
        except FileNotFoundError:
            return
        for name in files:
            storage.delete(f"{path}/{name}")
            removed += 1
        for name in directories:
            walk(f"{path}/{name}")

    for prefix in STORAGE_PREFIXES:
        walk(f"{prefix}/{tenant_id}")
    return removed


def tenants_erase_due(*, now: datetime, dry_run: bool, actor: str,
                      progress: Callable[[str], None] = lambda message: None) -> int:
    """The tenants whose grace period is over are erased (purge_expired's kind `tenants`)."""
    with service_context() as alias, connections[alias].cursor() as cursor:
        cursor.execute("SELECT id FROM tenant_service.tenants WHERE erasure_due_at <= %s ORDER BY id", [now])
        due = [row[0] for row in cursor.fetchall()]
    if dry_run:
        return len(due)
    for number, tenant_id in enumerate(due, 1):
        rows = tenant_erase(tenant_id=tenant_id, actor=actor)
        progress(f"tenants: {number}/{len(due)} erased ({sum(rows.values())} rows and objects)")
    return len(due)
