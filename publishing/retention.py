"""Retention of seed 000 §8, every row, on the service connection (`manage.py purge_expired`, nightly
by beat as `purge_expired_task`). Windows come from the RETENTION_* settings (README, "Retention").

Kinds, in the order they run (a later kind finds what an earlier one freed):
- ai_drafts: palette/translation/content drafts decided (or, never decided, created) longer ago than
  the window, and generation jobs finished longer ago;
- versions: archived versions archived longer ago, except any version a publication row references
  (a rollback target: its publication keeps the bundle URL) or a kept AI draft was applied to;
- themes: soft-deleted themes, deleted longer ago, with every child (versions, publications, tokens,
  drafts, jobs); their bundles' storage keys are queued in the same transaction;
- bundles: queued bundles no publication row references any more leave storage, after the commit;
- preview_tokens (after expiry or revocation), outbox (after relay), consumed_events,
  idempotency_keys (after `expires_at`);
- audit_log: monthly partitions wholly older than the window detached and dropped, older rows of
  the partition the cutoff falls in deleted.
- audit_ip_coarsen: audit-log addresses older than AUDIT_IP_COARSEN_DAYS cut to /24 or /48
  (themeconfig/services/audit_ip_coarsening.py; its count is rows changed, not deleted).

Every DELETE takes at most `batch` rows (themes: batch // 100, each with all its children) in a
transaction of its own with a short lock_timeout, so a backlog never holds long locks. Cutoffs are
computed once per run from `timezone.now()`. Running it again deletes nothing more: idempotent.
"""
from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections
from django.utils import timezone

from publishing.bundles.storage import bundle_keys, bundle_storage
from publishing.services.tenant_erasure import tenants_erase_due
from themeconfig.platform.service_db import service_context
from themeconfig.services import audit_ips_coarsen

Progress = Callable[[str, str], None]
LOCK_TIMEOUT = "5s"


@dataclass(frozen=True)
class Run:
    now: datetime
    batch: int
    dry_run: bool
    progress: Progress

    def days(self, setting: str) -> datetime:
        return self.now - timedelta(days=getattr(settings, setting))


def months_before(moment: datetime, months: int) -> datetime:
    year, month0 = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month0 + 1)[1])
    return moment.replace(year=year, month=month0 + 1, day=day)


def _execute(sql: str, params=()) -> tuple[int, list]:
    """One statement in a transaction of its own on the service connection: (rowcount, rows)."""
    with service_context() as alias, connections[alias].cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        cursor.execute(sql, params)
        return cursor.rowcount, (cursor.fetchall() if cursor.description else [])


def _batched_delete(run: Run, kind: str, table: str, key: str, where: str, params: list) -> int:
    """Deletes the rows of `table` matching `where`, `run.batch` at a time; the count in a dry run."""
    if run.dry_run:
        return _execute(f"SELECT count(*) FROM theme_config.{table} WHERE {where}", params)[1][0][0]
    total = 0
    while True:
        count, _ = _execute(
            f"DELETE FROM theme_config.{table} WHERE ({key}) IN "
            f"(SELECT {key} FROM theme_config.{table} WHERE {where} LIMIT %s)",
            [*params, run.batch],
        )
        total += count
        if count:
            run.progress(kind, f"{table}: {total} deleted so far")
        if count < run.batch:
            return total


def purge_ai_drafts(run: Run) -> int:
    cutoff = run.days("RETENTION_AI_DRAFTS_DAYS")
    total = 0
    for table in ("palette_suggestions", "translation_drafts", "content_drafts"):
        total += _batched_delete(run, "ai_drafts", table, "id", "coalesce(decided_at, created_at) < %s", [cutoff])
    return total + _batched_delete(run, "ai_drafts", "ai_generation_jobs", "id", "finished_at < %s", [cutoff])


# A rollback target (any version a publication row names) stays while its theme lives, and so does
# a version a kept AI draft was applied to (that draft goes first, on its own window).
_ARCHIVED_VERSIONS = """
    status = 'archived' AND archived_at < %s
    AND NOT EXISTS (SELECT 1 FROM theme_config.theme_publications p WHERE p.theme_version_id = theme_versions.id)
    AND NOT EXISTS (SELECT 1 FROM theme_config.palette_suggestions d WHERE d.applied_to_version_id = theme_versions.id)
    AND NOT EXISTS (SELECT 1 FROM theme_config.translation_drafts d WHERE d.applied_to_version_id = theme_versions.id)
    AND NOT EXISTS (SELECT 1 FROM theme_config.content_drafts d WHERE d.applied_to_version_id = theme_versions.id)
"""


def purge_versions(run: Run) -> int:
    where = _ARCHIVED_VERSIONS
    return _batched_delete(run, "versions", "theme_versions", "id", where, [run.days("RETENTION_ARCHIVED_VERSIONS_DAYS")])


def purge_themes(run: Run) -> int:
    """Soft-deleted themes past the window, a few per transaction: each theme's rows are locked and
    its deleted_at checked again (a restore that commits first wins), its bundles queued for
    `bundles`, its publications deleted (they RESTRICT the deletion of their versions), then the
    theme, which cascades to every other child."""
    cutoff = run.days("RETENTION_DELETED_THEMES_DAYS")
    if run.dry_run:
        return _execute("SELECT count(*) FROM theme_config.themes WHERE deleted_at < %s", [cutoff])[1][0][0]
    per_transaction = max(1, run.batch // 100)
    total = 0
    while True:
        with service_context() as alias, connections[alias].cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            cursor.execute(
                "SELECT id FROM theme_config.themes WHERE deleted_at < %s ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
                [cutoff, per_transaction],
            )
            ids = [row[0] for row in cursor.fetchall()]
            if ids:
                cursor.execute(
                    "SELECT DISTINCT tenant_id, theme_id, bundle_sha256 FROM theme_config.theme_publications "
                    "WHERE theme_id = ANY(%s)", [ids])
                queued = [(tenant, key, theme, sha) for tenant, theme, sha in cursor.fetchall()
                          for key in bundle_keys(tenant, theme, sha)]
                if queued:
                    cursor.executemany(
                        "INSERT INTO theme_config.bundle_purges (tenant_id, storage_key, theme_id, bundle_sha256) "
                        "VALUES (%s, %s, %s, %s) ON CONFLICT (storage_key) DO NOTHING", queued)
                cursor.execute("DELETE FROM theme_config.theme_publications WHERE theme_id = ANY(%s)", [ids])
                cursor.execute("DELETE FROM theme_config.themes WHERE id = ANY(%s)", [ids])
        total += len(ids)
        if ids:
            run.progress("themes", f"themes: {total} deleted so far")
        if len(ids) < per_transaction:
            return total


def purge_bundles(run: Run) -> int:
    """Queued bundle objects leave storage unless a publication row references them again; the storage
    call runs outside any transaction, and the queue row goes after it (a crash retries tomorrow)."""
    storage = bundle_storage()
    total = 0
    after = ""
    while True:
        _, rows = _execute(
            "SELECT q.storage_key, EXISTS (SELECT 1 FROM theme_config.theme_publications p WHERE p.tenant_id = q.tenant_id"
            " AND p.theme_id = q.theme_id AND p.bundle_sha256 = q.bundle_sha256) FROM theme_config.bundle_purges q"
            " WHERE q.storage_key > %s ORDER BY q.storage_key LIMIT %s", [after, run.batch])
        if run.dry_run:
            total += sum(1 for _, referenced in rows if not referenced)
        else:
            for key, referenced in rows:
                if not referenced:
                    storage.delete(key)
                    total += 1
            if rows:
                _execute("DELETE FROM theme_config.bundle_purges WHERE storage_key = ANY(%s)", [[key for key, _ in rows]])
                run.progress("bundles", f"bundles: {total} removed from storage so far")
        if len(rows) < run.batch:
            return total
        after = rows[-1][0]


def purge_preview_tokens(run: Run) -> int:
    # least() skips NULLs: a revoked token counts as expired when it was revoked.
    return _batched_delete(run, "preview_tokens", "preview_tokens", "id", "least(revoked_at, expires_at) < %s",
                           [run.days("RETENTION_PREVIEW_TOKENS_DAYS")])


def purge_outbox(run: Run) -> int:
    # Dead letters (never relayed) stay until an operator retries or purges them.
    return _batched_delete(run, "outbox", "outbox", "id", "published_at < %s", [run.days("RETENTION_OUTBOX_DAYS")])


def purge_consumed_events(run: Run) -> int:
    return _batched_delete(run, "consumed_events", "consumed_events", "event_id", "consumed_at < %s",
                           [run.days("RETENTION_CONSUMED_EVENTS_DAYS")])


def purge_idempotency_keys(run: Run) -> int:
    cutoff = run.now - timedelta(hours=settings.RETENTION_IDEMPOTENCY_KEYS_HOURS)
    return _batched_delete(run, "idempotency_keys", "idempotency_keys", "tenant_id, endpoint, key",
                           "expires_at < %s", [cutoff])


def purge_audit_log(run: Run) -> int:
    """Whole partitions older than the window go by DETACH + DROP (a function the migrator owns);
    the rows older than the cutoff in the partition it falls in (or in DEFAULT) go in batches."""
    cutoff = months_before(run.now, settings.RETENTION_AUDIT_LOG_MONTHS)
    _, dropped = _execute("SELECT theme_config.audit_log_drop_partitions_before(%s, %s)", [cutoff, run.dry_run])
    for (name,) in dropped:
        run.progress("audit_log", f"audit_log: partition {name} {'would be ' if run.dry_run else ''}dropped")
    rows = _batched_delete(run, "audit_log", "audit_log", "tenant_id, occurred_at, id", "occurred_at < %s", [cutoff])
    return rows


def purge_tenants(run: Run) -> int:
    """Tenants marked for erasure whose grace period (TENANT_ERASURE_GRACE_DAYS) is over."""
    return tenants_erase_due(now=run.now, dry_run=run.dry_run, actor="operator:purge_expired",
                             progress=lambda message: run.progress("tenants", message))


def coarsen_audit_ips(run: Run) -> int:
    """Not a deletion: audit-log addresses past AUDIT_IP_COARSEN_DAYS cut to their /24 or /48."""
    return audit_ips_coarsen(now=run.now, batch=run.batch, dry_run=run.dry_run,
                             progress=lambda kind, total: run.progress(kind, f"{kind}: {total} addresses coarsened so far"))


KINDS: dict[str, Callable[[Run], int]] = {
    "tenants": purge_tenants,
    "ai_drafts": purge_ai_drafts,
    "versions": purge_versions,
    "themes": purge_themes,
    "bundles": purge_bundles,
    "preview_tokens": purge_preview_tokens,
    "outbox": purge_outbox,
    "consumed_events": purge_consumed_events,
    "idempotency_keys": purge_idempotency_keys,
    "audit_log": purge_audit_log,
    "audit_ip_coarsen": coarsen_audit_ips,
}


def purge_expired(*, only: list[str] | None = None, dry_run: bool = False, batch: int | None = None,
                  progress: Progress | None = None) -> dict[str, int]:
    """Deletes what is past its retention; returns per kind the rows deleted (bundles: objects removed
    from storage; audit_log: rows deleted outside dropped partitions), or in a dry run the count."""
    unknown = set(only or ()) - KINDS.keys()
    if unknown:
        raise ValueError(f"unknown kind(s): {', '.join(sorted(unknown))}; known: {', '.join(KINDS)}")
    batch = settings.RETENTION_BATCH if batch is None else batch
    if batch < 1:
        raise ValueError("batch must be at least 1")
    run = Run(now=timezone.now(), batch=batch, dry_run=dry_run, progress=progress or (lambda kind, message: None))
    return {kind: purge(run) for kind, purge in KINDS.items() if not only or kind in only}
