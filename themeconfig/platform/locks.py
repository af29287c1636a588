"""Per-tenant, per-purpose advisory locks held to the end of the current transaction.

A count-then-insert limit is only a limit if the count and every write that changes it take the
same lock: `tenant_lock("ai_generation", tenant_id)` in each of them serialises them per tenant.
"""
from __future__ import annotations

from django.db import connections


def tenant_lock(purpose: str, tenant_id: str, *, using: str = "default") -> None:
    """Waits for, then holds until commit or rollback, the lock named `purpose:tenant_id`."""
    if not connections[using].in_atomic_block:
        raise RuntimeError("tenant_lock outside a transaction would be released at once")
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"{purpose}:{tenant_id}"])


