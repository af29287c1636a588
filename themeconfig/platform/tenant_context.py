"""Owns the tenant context: one transaction that starts with `set_config('app.tenant_id', …, true)`.

Never a session-level SET: PgBouncer runs in transaction mode, so the setting must die with the
transaction. Requests (middleware), Celery tasks (TenantTask) and commands (`tenant_context`)
all come through here.
"""
from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections, transaction

from themeconfig.platform.ids import is_valid_id

_current_tenant: contextvars.ContextVar[str | None] = contextvars.ContextVar("tenant_id", default=None)


class TenantContextError(RuntimeError):
    pass


def current_tenant_id() -> str | None:
    """The tenant of the innermost open tenant context, or None."""
    return _current_tenant.get()


def set_database_context(*, tenant_id: str, user_id: int | None = None, using: str = "default") -> None:
    """Set the transaction-local GUCs on `using`; a transaction must already be open there."""
    if not connections[using].in_atomic_block:
        raise TenantContextError("the tenant GUC must be set inside a transaction (set_config(..., true))")
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT set_config('app.tenant_id', %s, true), set_config('app.user_id', %s, true)",
            [tenant_id, "" if user_id is None else str(user_id)],
        )


@contextmanager
def tenant_context(tenant_id: str, *, user_id: int | None = None, using: str = "default") -> Iterator[None]:
    """Run the block in one transaction bound to `tenant_id` (row level security applies)."""
    if not is_valid_id(tenant_id, "tnt"):
        raise TenantContextError(f"not a tenant id: {tenant_id!r}")
    outer = _current_tenant.get()
    if outer is not None and outer != tenant_id:
        raise TenantContextError(f"already in the context of {outer}; refusing to switch to {tenant_id}")
    token = _current_tenant.set(tenant_id)
    try:
        with transaction.atomic(using=using):
            set_database_context(tenant_id=tenant_id, user_id=user_id, using=using)
            yield
    finally:
        _current_tenant.reset(token)


@contextmanager
def user_context(user_id: int, *, using: str = "default") -> Iterator[None]:
    """A transaction in which a signed-in user sees their own memberships and tenants, no tenant data."""
    with transaction.atomic(using=using):
        set_database_context(tenant_id="", user_id=user_id, using=using)
        yield
