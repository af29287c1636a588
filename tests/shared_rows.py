"""Rows built once for many tests, the way Django's TestCase.setUpTestData does it.

A heavily parametrized test that rebuilt the same tenants, users and sessions for each of its cases
spent most of its time arranging. `shared_rows` builds them once, inside an outer transaction on the
test connection that is never committed; each test (marked `django_db`, as before) then runs in a
savepoint inside it, rolled back when the test ends, so whatever one test writes, the next never
sees. At the end of the fixture's scope the outer transaction is rolled back: nothing to truncate.

Use it from a class- or module-scoped fixture whose tests all take the per-test rollback
(`django_db`, not `transaction=True` and not `committed_db`: those close or bypass the connection
that holds the outer transaction; the fixture fails loudly if that happened). Between the tests the
database stays blocked, so a test without `django_db` in that scope still cannot reach it.

    @pytest.fixture(scope="class")
    def shared_world(django_db_setup, django_db_blocker):
        yield from shared_rows(django_db_blocker, build_world)
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import TypeVar

from django.db import connections, transaction

T = TypeVar("T")


def shared_rows(django_db_blocker, build: Callable[[], T], using: str = "default") -> Iterator[T]:
    connection = connections[using]
    with django_db_blocker.unblock():
        assert not connection.in_atomic_block, "shared rows need the test connection outside any transaction"
        outer = transaction.atomic(using=using)
        outer.__enter__()
        try:
            value = build()
        except BaseException:
            outer.__exit__(*sys.exc_info())
            raise
    try:
        with django_db_blocker.block():
            yield value
    finally:
        with django_db_blocker.unblock():
            intact = connection.in_atomic_block
            if intact:
                transaction.set_rollback(True, using=using)
                outer.__exit__(None, None, None)
            else:
                connection.close()
        assert intact, "a test in the shared rows' scope closed or committed their transaction (committed_db?)"
