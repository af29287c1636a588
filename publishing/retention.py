"""Retention purges of seed 000 §8 for what publishing keeps, on the service connection.

- outbox: 7 days after it was relayed (dead letters stay until an operator retries or purges them);
- consumed_events: 90 days;
- idempotency_keys: 24 hours after `expires_at`;
- preview_tokens: 7 days after expiry (or revocation);
- audit_ip_coarsen: audit-log addresses older than AUDIT_IP_COARSEN_DAYS cut to /24 or /48
  (themeconfig/services/audit_ip_coarsening.py).

Deletes in batches of BATCH rows, so a large backlog never holds long locks or one huge transaction.
"""
from __future__ import annotations

from django.db import connections

from themeconfig.platform.service_db import service_context
from themeconfig.services import audit_ips_coarsen

BATCH = 5000
# table: (its key, the rows past retention)
RULES: dict[str, tuple[str, str]] = {
    "outbox": ("id", "SELECT id FROM theme_config.outbox WHERE published_at < now() - interval '7 days'"),
    "consumed_events": ("event_id", "SELECT event_id FROM theme_config.consumed_events "
                                    "WHERE consumed_at < now() - interval '90 days'"),
    "idempotency_keys": ("(tenant_id, endpoint, key)", "SELECT tenant_id, endpoint, key FROM theme_config.idempotency_keys "
                                                       "WHERE expires_at < now() - interval '24 hours'"),
    # least() skips NULLs: a revoked token counts as expired when it was revoked.
    "preview_tokens": ("id", "SELECT id FROM theme_config.preview_tokens "
                             "WHERE least(revoked_at, expires_at) < now() - interval '7 days'"),
}


def purge_expired(*, progress=None) -> dict[str, int]:
    """Deletes what is past its retention; returns the rows deleted per table."""
    deleted: dict[str, int] = {}
    for table, (key, select) in RULES.items():
        total = 0
        while True:
            with service_context() as alias, connections[alias].cursor() as cursor:
                cursor.execute(f"DELETE FROM theme_config.{table} WHERE {key} IN ({select} LIMIT {BATCH})")
                count = cursor.rowcount
            total += count
            if progress and count:
                progress(table, total)
            if count < BATCH:
                break
        deleted[table] = total
    _other_kinds(deleted, progress)
    return deleted


def _other_kinds(done: dict[str, int], progress) -> None:
    """Retention kinds other modules own, one line each (their counts are rows changed, not deleted)."""
    done["audit_ip_coarsen"] = audit_ips_coarsen(progress=progress)
