"""Assertions on PostgreSQL errors that Django wraps in its own exception types."""
from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from django.db import Error as DjangoDatabaseError


@contextmanager
def raises_pg(error_type: type[Exception], *, match: str | None = None, constraint: str | None = None):
    """Expect a psycopg error of `error_type` (raw or wrapped by Django); optionally its constraint name."""
    with pytest.raises((error_type, DjangoDatabaseError)) as info:
        yield info
    error = info.value
    if isinstance(error, DjangoDatabaseError) and not isinstance(error, error_type):
        error = error.__cause__
    assert isinstance(error, error_type), f"expected {error_type.__name__}, got {type(error).__name__}: {error}"
    if match is not None:
        assert re.search(match, str(error)), f"{match!r} not in {error}"
    if constraint is not None:
        assert error.diag.constraint_name == constraint, error.diag.constraint_name
