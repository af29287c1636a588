"""Audit-log client addresses coarsened after AUDIT_IP_COARSEN_DAYS: /24 for IPv4, /48 for IPv6.

A retention kind of `purge_expired` (audit_ip_coarsen), on the service connection. The database lets
the service role change nothing else in the log (sql/0014_encryption.sql); rows are rewritten in
batches of one short transaction each, and an address already coarse is never picked again, so a
re-run does nothing.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db import connections
from django.utils import timezone

from themeconfig.platform.service_db import service_context

KIND = "audit_ip_coarsen"
BATCH = 5000

_COARSEN = (
    "UPDATE theme_config.audit_log a SET ip = theme_config.audit_log_coarsened_ip(a.ip) "
    "FROM (SELECT tenant_id, occurred_at, id FROM theme_config.audit_log "
    "      WHERE occurred_at < %s AND ip IS NOT NULL "
    "        AND masklen(ip) > CASE family(ip) WHEN 4 THEN 24 ELSE 48 END LIMIT %s) due "
    "WHERE (a.tenant_id, a.occurred_at, a.id) = (due.tenant_id, due.occurred_at, due.id)"
)


_DUE = ("SELECT count(*) FROM theme_config.audit_log WHERE occurred_at < %s AND ip IS NOT NULL "
        "AND masklen(ip) > CASE family(ip) WHEN 4 THEN 24 ELSE 48 END")


def audit_ips_coarsen(*, now: dt.datetime | None = None, batch: int = BATCH, dry_run: bool = False,
                      progress: Callable[[str, int], None] | None = None) -> int:
    """Coarsens the addresses of audit rows older than the window; returns how many rows changed
    (in a dry run, how many would)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.AUDIT_IP_COARSEN_DAYS)
    if dry_run:
        with service_context() as alias, connections[alias].cursor() as cursor:
            cursor.execute(_DUE, [cutoff])
            due: int = cursor.fetchone()[0]
            return due
    total = 0
    while True:
        with service_context() as alias, connections[alias].cursor() as cursor:
            cursor.execute(_COARSEN, [cutoff, batch])
            count: int = cursor.rowcount
        total += count
        if progress and count:
            progress(KIND, total)
        if count < batch:
            return total
