"""The statements that cost the database most, from `pg_stat_statements` (`manage.py top_queries`).

The extension needs the server to preload it (`shared_preload_libraries = 'pg_stat_statements'`,
a restart) and `CREATE EXTENSION pg_stat_statements` in the database it is read from; when either
is missing `top_queries()` raises `QueryStatsUnavailable` with one line saying which and what to do,
rather than PostgreSQL's error. Read as a superuser (or a member of `pg_read_all_stats`): other
roles see `<insufficient privilege>` in place of the text of statements they did not run.
"""
from __future__ import annotations

from dataclasses import dataclass

import psycopg
from django.conf import settings

from themeconfig.platform import bootstrap

EXTENSION = "pg_stat_statements"
ORDERS = {"total": "total_exec_time", "mean": "mean_exec_time", "calls": "calls", "rows": "rows"}


class QueryStatsUnavailable(Exception):
    """pg_stat_statements cannot be read here; the message is the one line that says why and what to do."""


@dataclass(frozen=True)
class StatementStats:
    calls: int
    total_ms: float
    mean_ms: float
    rows: int
    share: float  # of the total execution time of the statements counted
    query: str


def stats_url() -> str:
    """ADMIN_DATABASE_URL pointed at the service's database (the statistics are read where the extension is)."""
    return bootstrap.with_database(settings.ADMIN_DATABASE_URL, settings.DATABASES["default"]["NAME"])


def _connect(url: str | None) -> psycopg.Connection:
    try:
        return psycopg.connect(url or stats_url(), autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as error:
        raise QueryStatsUnavailable(f"cannot connect to read {EXTENSION}: {str(error).strip().splitlines()[0]}") from None


def _ensure_readable(conn: psycopg.Connection, *, create: bool) -> None:
    row = conn.execute("SELECT current_setting('shared_preload_libraries')").fetchone()
    preloaded = str(row[0]) if row is not None else ""
    if EXTENSION not in [name.strip() for name in preloaded.split(",")]:
        raise QueryStatsUnavailable(
            f"{EXTENSION} is not loaded on this server (shared_preload_libraries = {preloaded!r}): add it to "
            "shared_preload_libraries in postgresql.conf and restart PostgreSQL (docker-compose.yml's postgres does)")
    installed = conn.execute("SELECT 1 FROM pg_extension WHERE extname = %s", [EXTENSION]).fetchone()
    if installed is None:
        if not create:
            raise QueryStatsUnavailable(
                f"{EXTENSION} is loaded but not created in database {conn.info.dbname!r}: run "
                f"`CREATE EXTENSION {EXTENSION};` there as a superuser, or this command with --create-extension")
        conn.execute(f"CREATE EXTENSION IF NOT EXISTS {EXTENSION}")


def top_queries(*, url: str | None = None, limit: int = 10, order: str = "total", all_databases: bool = False,
                create_extension: bool = False, reset: bool = False) -> list[StatementStats]:
    """The `limit` statements with the most `order` (total/mean execution time, calls, rows) in this
    database (every database with `all_databases`); `reset` empties the statistics after reading them."""
    column = ORDERS[order]
    with _connect(url) as conn:
        _ensure_readable(conn, create=create_extension)
        where = "" if all_databases else "WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
        rows = conn.execute(
            f"SELECT s.calls, s.total_exec_time, s.mean_exec_time, s.rows, "  # the column comes from ORDERS
            f"s.total_exec_time / nullif(sum(s.total_exec_time) OVER (), 0), s.query "
            f"FROM pg_stat_statements s {where} ORDER BY s.{column} DESC LIMIT %s", [limit]).fetchall()
        if reset:
            conn.execute("SELECT pg_stat_statements_reset()")
    return [StatementStats(calls=calls, total_ms=float(total), mean_ms=float(mean), rows=count,
                           share=float(share or 0.0), query=" ".join(query.split()))
            for calls, total, mean, count, share, query in rows]


def reset_statistics(*, url: str | None = None, create_extension: bool = False) -> None:
    """Empties pg_stat_statements (before a load test, so its figures are the test's alone)."""
    with _connect(url) as conn:
        _ensure_readable(conn, create=create_extension)
        conn.execute("SELECT pg_stat_statements_reset()")


def format_table(statements: list[StatementStats], *, width: int = 120) -> str:
    """One line per statement: calls, total and mean ms, rows, share of the time, the query cut to fit."""
    header = f"{'calls':>9} {'total ms':>11} {'mean ms':>9} {'rows':>9} {'share':>6}  query"
    lines = [header]
    room = max(width - len(header) + len("query"), 20)
    for s in statements:
        query = s.query if len(s.query) <= room else s.query[:room - 1] + "…"
        lines.append(f"{s.calls:>9} {s.total_ms:>11.1f} {s.mean_ms:>9.2f} {s.rows:>9} {s.share:>6.1%}  {query}")
    return "\n".join(lines)
