"""The only way onto the BYPASSRLS `service` connection: an explicit `service_context()`.

Cross-tenant infrastructure work (operator look-ups, outbox drain, retention purge, read-model
refresh) runs there. It is refused inside an HTTP request and inside an open tenant context, and
every statement on the alias outside `service_context()` is refused by an execute wrapper, so a
stray `.using("service")` in request code fails loudly instead of reading every tenant's rows.
A test also fails if the alias is named outside the modules allowed to use it.

One kind of request may open it: a view of the operators' admin site (/platform/), served to a
signed-in, active superuser, inside `operator_request(user)`. Only that site calls it (a test
fails if any other module names it), so every other request keeps the refusal.
"""
from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

from themeconfig.platform.tenant_context import current_tenant_id, in_request

SERVICE_ALIAS = "service"
_service_open: contextvars.ContextVar[bool] = contextvars.ContextVar("service_open", default=False)
# Set by operator_request() for the one request of a superuser on the operators' admin site.
_operator_request: contextvars.ContextVar[bool] = contextvars.ContextVar("operator_request", default=False)


class ServiceContextError(RuntimeError):
    pass


@contextmanager
def service_context(*, atomic: bool = True) -> Iterator[str]:
    """Yields the service alias for `.using(...)`, in one transaction on it unless `atomic=False`."""
    if in_request() and not _operator_request.get():
        raise ServiceContextError("the service connection (BYPASSRLS) is not for request code")
    if current_tenant_id() is not None:
        raise ServiceContextError(
            f"service_context inside the tenant context of {current_tenant_id()}: cross-tenant work runs apart"
        )
    token = _service_open.set(True)
    try:
        if atomic:
            with transaction.atomic(using=SERVICE_ALIAS):
                yield SERVICE_ALIAS
        else:
            yield SERVICE_ALIAS
    finally:
        _service_open.reset(token)


@contextmanager
def operator_request(user: Any) -> Iterator[None]:
    """Lets `service_context()` open during this HTTP request, which an active superuser makes on
    the operators' admin site; its views read every tenant's rows there (writes go through the use
    cases, in the target tenant's context, on the request connection).

    Refused outside a request (commands and tasks need no permission slip), for anyone but a
    signed-in active superuser, and inside a tenant context (the site's views are tenant-free).
    """
    if not in_request():
        raise ServiceContextError("operator_request is for a request of the operators' admin site")
    if not (getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser):
        raise ServiceContextError("only an active superuser's request may open the service connection")
    if current_tenant_id() is not None:
        raise ServiceContextError(f"operator_request inside the tenant context of {current_tenant_id()}")
    token = _operator_request.set(True)
    try:
        yield
    finally:
        _operator_request.reset(token)


_TRANSACTION_CONTROL = ("SAVEPOINT ", "RELEASE SAVEPOINT ", "ROLLBACK TO SAVEPOINT ", "SET CONSTRAINTS ")


def _guard(execute: Callable[..., Any], sql: object, params: object, many: bool, context: dict[str, Any]) -> Any:
    # Savepoint bookkeeping touches no rows (Django's test cases issue it on every alias).
    if not _service_open.get() and not (isinstance(sql, str) and sql.startswith(_TRANSACTION_CONTROL)):
        raise ServiceContextError("a query on the service connection outside service_context()")
    return execute(sql, params, many, context)


def _install_guard(sender: object, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if connection.alias == SERVICE_ALIAS and _guard not in connection.execute_wrappers:
        connection.execute_wrappers.append(_guard)


def install() -> None:
    """Called from AppConfig.ready(): every service connection gets the guard when it connects."""
    connection_created.connect(_install_guard, dispatch_uid="theme_config_service_guard")
    if SERVICE_ALIAS in connections and connections[SERVICE_ALIAS].connection is not None:
        _install_guard(None, connections[SERVICE_ALIAS])
