"""What a request answers when PostgreSQL is gone or too slow: 503 problem+json with Retry-After, never a 500.

Three faults, told apart by the error PostgreSQL (or libpq) raised:

- `UNREACHABLE`: no connection could be made (the server is down, restarting, refusing, full of
  connections) → `503 MELMASTOON.DATABASE.UNAVAILABLE`;
- `LOST`: a connection broke while in use (the server restarted or terminated the session, the
  network dropped it) → the same answer, but an idempotent read (GET, HEAD) is first run again
  once on a fresh connection by `ReadRetryMiddleware`, since nothing it did can have taken effect;
- `TIMEOUT`: a statement ran past `statement_timeout` (or a lock wait past `lock_timeout`) →
  `503 MELMASTOON.DATABASE.TIMEOUT`, never retried here (it would double the load that caused it).

Each answer carries `Retry-After: DATABASE_RETRY_AFTER_SECONDS`. The API's exception handler
answers faults raised in views; `server_error` (handler500) those raised in middleware (opening the
tenant transaction, the API-key lookup), where only `sys.exc_info()` still knows the cause.
"""
from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterator
from enum import StrEnum
from typing import TypeVar

import psycopg
from django.conf import settings
from django.db import InterfaceError, connections
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from themeconfig.platform.errors import CoreErrorCode, DomainError

logger = logging.getLogger(__name__)
# 57014 query_canceled (statement_timeout), 55P03 lock_not_available (lock_timeout).
_TIMEOUT_SQLSTATES = {"57014", "55P03"}
# 57P01-03: admin/crash shutdown, cannot connect now (starting up); classes 08 (connection
# exception) and 53 (insufficient resources: too many connections, out of memory or disk).
_GONE_SQLSTATES = {"57P01", "57P02", "57P03"}
_GONE_SQLSTATE_CLASSES = {"08", "53"}
IDEMPOTENT_METHODS = ("GET", "HEAD")


class DatabaseFault(StrEnum):
    UNREACHABLE = "unreachable"
    LOST = "lost"
    TIMEOUT = "timeout"


def database_fault(exc: BaseException | None) -> DatabaseFault | None:
    """Which fault `exc` (raw psycopg or wrapped by Django) is, or None for any other error."""
    for error in _causes(exc):
        sqlstate = getattr(error, "sqlstate", None)
        if sqlstate in _TIMEOUT_SQLSTATES:
            return DatabaseFault.TIMEOUT
        if isinstance(error, (InterfaceError, psycopg.InterfaceError)):
            return DatabaseFault.LOST  # "connection already closed"
        if isinstance(error, psycopg.OperationalError) and (
                sqlstate is None or sqlstate in _GONE_SQLSTATES or sqlstate[:2] in _GONE_SQLSTATE_CLASSES):
            return DatabaseFault.UNREACHABLE if _while_connecting(exc) else DatabaseFault.LOST
    return None


def database_fault_error(fault: DatabaseFault) -> DomainError:
    retry_after = {"retry_after_seconds": settings.DATABASE_RETRY_AFTER_SECONDS}
    if fault == DatabaseFault.TIMEOUT:
        return DomainError(CoreErrorCode.DATABASE_TIMEOUT,
                           "The database took too long to answer; try again shortly.", http_status=503,
                           extra=retry_after)
    return DomainError(CoreErrorCode.DATABASE_UNAVAILABLE,
                       "The database is unavailable; try again shortly.", http_status=503, extra=retry_after)


_ResponseT = TypeVar("_ResponseT", bound=HttpResponseBase)


def mark(response: _ResponseT, fault: DatabaseFault) -> _ResponseT:
    """Tells ReadRetryMiddleware which fault this response answers."""
    response.database_fault = fault  # type: ignore[attr-defined]  # a mark on the response object
    return response


def unavailable_page(fault: DatabaseFault) -> HttpResponse:
    """Outside the API (admin pages): a plain 503 page."""
    response = HttpResponse(
        "<!doctype html><title>Service unavailable</title><h1>Service unavailable</h1>"
        f"<p>{database_fault_error(fault).message}</p>", status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(settings.DATABASE_RETRY_AFTER_SECONDS)
    return mark(response, fault)


class ReadRetryMiddleware:
    """Runs a GET or HEAD once more when its database connection was lost under it.

    Placed just outside TenantMiddleware, so the retry opens a fresh tenant transaction; the broken
    connection is dropped first, as Django does at the end of a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.method in IDEMPOTENT_METHODS and getattr(response, "database_fault", None) == DatabaseFault.LOST:
            logger.warning("database connection lost during %s %s: running it once more", request.method, request.path)
            for connection in connections.all(initialized_only=True):
                if not connection.in_atomic_block:
                    connection.close_if_unusable_or_obsolete()
            response = self.get_response(request)
        return response


def _causes(exc: BaseException | None) -> Iterator[BaseException]:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _while_connecting(exc: BaseException | None) -> bool:
    """True when the error was raised while opening a connection (Django's get_new_connection)."""
    for error in _causes(exc):
        if any(frame.f_code.co_name == "get_new_connection" for frame, _ in traceback.walk_tb(error.__traceback__)):
            return True
    return False
