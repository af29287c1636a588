"""Which database errors are an outage, a lost connection or a timeout (themeconfig/platform/database_faults.py)."""
from __future__ import annotations

import psycopg
import pytest
from django.db import DatabaseError, IntegrityError, OperationalError, connections
from django.db.utils import load_backend

from tests.live_app import free_port
from themeconfig.platform.database_faults import DatabaseFault, database_fault


def wrapped(error: Exception, django_type=OperationalError) -> Exception:
    """`error` as Django raises it: its own type, the driver's error as the cause."""
    try:
        try:
            raise error
        except Exception as cause:
            raise django_type(*cause.args) from cause
    except Exception as outer:
        return outer


@pytest.mark.parametrize(("error", "expected"), [
    (psycopg.errors.QueryCanceled("canceling statement due to statement timeout"), DatabaseFault.TIMEOUT),
    (wrapped(psycopg.errors.QueryCanceled("canceling statement due to statement timeout")), DatabaseFault.TIMEOUT),
    (wrapped(psycopg.errors.LockNotAvailable("could not obtain lock")), DatabaseFault.TIMEOUT),
    (wrapped(psycopg.errors.AdminShutdown("terminating connection due to administrator command")),
     DatabaseFault.LOST),
    (wrapped(psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly")),
     DatabaseFault.LOST),
    (wrapped(psycopg.errors.TooManyConnections("too many clients")), DatabaseFault.LOST),
    (wrapped(psycopg.InterfaceError("connection already closed"), DatabaseError), DatabaseFault.LOST),
    (wrapped(psycopg.errors.UniqueViolation("duplicate key"), IntegrityError), None),
    (wrapped(psycopg.errors.SerializationFailure("could not serialize")), None),
    (ValueError("not a database error"), None),
    (None, None),
], ids=["timeout", "timeout-wrapped", "lock-timeout", "admin-shutdown", "server-closed", "too-many-connections",
        "interface-closed", "unique-violation", "serialization", "other", "none"])
def test_database_fault__error__classified(error, expected):
    assert database_fault(error) == expected


def test_database_fault__no_server_listening__unreachable_not_lost(django_db_blocker):
    """A connection that could not be made is not retried as a lost one (the server is down)."""
    settings_dict = {**connections["default"].settings_dict, "HOST": "127.0.0.1", "PORT": str(free_port())}
    database = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias="unreachable")
    with django_db_blocker.unblock(), pytest.raises(OperationalError) as info:
        database.ensure_connection()
    assert database_fault(info.value) == DatabaseFault.UNREACHABLE
