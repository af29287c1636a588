"""manage.py top_queries against clusters of the test's own (the shared server's settings are never
touched): without pg_stat_statements preloaded, preloaded but not created, and reading it."""
from __future__ import annotations

import psycopg
import pytest
from django.core.management import CommandError, call_command

from tests.pg_cluster import own_postgres

pytestmark = pytest.mark.slow


def top_queries(url: str, *args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("top_queries", "--database-url", url, *args, stdout=out)
    return out.getvalue()


def test_top_queries__extension_not_preloaded__one_line_hint_and_exit_1():
    with own_postgres() as cluster:
        with pytest.raises(CommandError) as raised:
            top_queries(cluster.url())
    message = str(raised.value)
    assert "\n" not in message and "shared_preload_libraries" in message and "not loaded" in message


def test_top_queries__preloaded__hint_until_created__then_the_costliest_statements_first():
    with own_postgres(settings="-c shared_preload_libraries=pg_stat_statements") as cluster:
        with pytest.raises(CommandError) as raised:
            top_queries(cluster.url())
        assert "\n" not in str(raised.value) and "CREATE EXTENSION pg_stat_statements" in str(raised.value)
        top_queries(cluster.url(), "--create-extension", "--reset")  # created, and emptied after reading
        with psycopg.connect(cluster.url(), autocommit=True) as conn:
            conn.execute("CREATE TABLE t (n int)")
            for n in range(50):
                conn.execute("INSERT INTO t VALUES (%s)", [n])
            conn.execute("SELECT pg_sleep(0.2)")
        by_total = top_queries(cluster.url(), "--limit", "3").splitlines()
        by_calls = top_queries(cluster.url(), "--limit", "3", "--order-by", "calls", "--reset").splitlines()
        after_reset = top_queries(cluster.url()).splitlines()
    assert by_total[0].split()[:2] == ["calls", "total"] and len(by_total) == 4
    assert by_total[1].endswith("SELECT pg_sleep($1)") and float(by_total[1].split()[1]) >= 200
    assert by_calls[1].split()[0] == "50" and by_calls[1].endswith("INSERT INTO t VALUES ($1)")
    assert not any("INSERT INTO t" in line for line in after_reset)
