"""Owns the tenant context: one transaction that starts with `set_config('app.tenant_id', …, true)`.

Never a session-level SET: PgBouncer runs in transaction mode, so the setting must die with the
transaction. Requests (middleware), Celery tasks (through the use cases they call) and commands (`tenant_context`)
all come through here.

A transaction-local setting made inside a savepoint outlives the savepoint's RELEASE, so a
context opened inside an outer transaction puts the outer values back when it exits: after any
context exits, the transaction around it sees exactly what it saw before (no tenant → no rows).
"""
from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections, transaction

from themeconfig.platform.ids import is_valid_id

_current_tenant: contextvars.ContextVar[str | None] = contextvars.ContextVar("tenant_id", default=None)
# Aliases whose open transaction already carries the current tenant's GUC (nesting needs no SQL).
_bound_aliases: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar("bound_aliases", default=frozenset())
_current_user: contextvars.ContextVar[int | None] = contextvars.ContextVar("user_id", default=None)
_in_request: contextvars.ContextVar[bool] = contextvars.ContextVar("in_request", default=False)


class TenantContextError(RuntimeError):
    pass


def current_tenant_id() -> str | None:
    """The tenant of the innermost open tenant context, or None."""
    return _current_tenant.get()


def in_request() -> bool:
    """True while an HTTP request is being served (set by RequestIdMiddleware)."""
    return _in_request.get()


@contextmanager
def request_scope() -> Iterator[None]:
    token = _in_request.set(True)
    try:
        yield
    finally:
        _in_request.reset(token)


def set_database_context(*, tenant_id: str, user_id: int | None = None, using: str = "default") -> None:
    """Set the transaction-local GUCs on `using`; a transaction must already be open there."""
    if not connections[using].in_atomic_block:
        raise TenantContextError("the tenant GUC must be set inside a transaction (set_config(..., true))")
    _set_gucs(using, tenant_id, "" if user_id is None else str(user_id))


def _set_gucs(using: str, tenant_id: str, user_id: str) -> None:
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT set_config('app.tenant_id', %s, true), set_config('app.user_id', %s, true)", [tenant_id, user_id]
        )


@contextmanager
def _guc_scope(*, tenant_id: str, user_id: int | None, using: str) -> Iterator[None]:
    """One transaction (or savepoint) carrying these GUCs; the outer values come back on exit.

    The outer values are what the enclosing contexts set (none → ''), kept in context variables,
    so nesting costs one statement on the way out and none on the way in.
    """
    connection = connections[using]
    nested = connection.in_atomic_block
    outer = (_current_tenant.get() or "", "" if _current_user.get() is None else str(_current_user.get()))
    with transaction.atomic(using=using):
        set_database_context(tenant_id=tenant_id, user_id=user_id, using=using)
        yield
    # A savepoint that rolled back took its settings with it; one that was released did not.
    if nested and connection.in_atomic_block and not connection.needs_rollback:
        _set_gucs(using, *outer)


@contextmanager
def tenant_context(tenant_id: str, *, user_id: int | None = None, using: str = "default") -> Iterator[None]:
    """Run the block in one transaction bound to `tenant_id` (row level security applies)."""
    if not is_valid_id(tenant_id, "tnt"):
        raise TenantContextError(f"not a tenant id: {tenant_id!r}")
    outer = _current_tenant.get()
    if outer is not None and outer != tenant_id:
        raise TenantContextError(f"already in the context of {outer}; refusing to switch to {tenant_id}")
    if outer == tenant_id and user_id is None and using in _bound_aliases.get():
        # The same tenant on the same connection: a savepoint, the GUC is already right.
        with transaction.atomic(using=using):
            yield
        return
    outer_aliases = _bound_aliases.get()
    with _guc_scope(tenant_id=tenant_id, user_id=user_id, using=using):
        token = _current_tenant.set(tenant_id)
        aliases = _bound_aliases.set(outer_aliases | {using})
        try:
            yield
        finally:
            _bound_aliases.reset(aliases)
            _current_tenant.reset(token)


@contextmanager
def user_context(user_id: int, *, using: str = "default") -> Iterator[None]:
    """A transaction in which a signed-in user sees their own memberships and tenants, no tenant data.

    Refused inside a tenant context: it would replace that tenant's GUC for the rest of it.
    """
    if _current_tenant.get() is not None:
        raise TenantContextError(
            f"user_context inside the tenant context of {_current_tenant.get()}: it would clobber it"
        )
    with _guc_scope(tenant_id="", user_id=user_id, using=using):
        token = _current_user.set(user_id)
        try:
            yield
        finally:
            _current_user.reset(token)
