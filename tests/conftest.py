"""Test database set-up the way production does it: bootstrap_db's roles and grants, migrate as
the migrator, then every test talks to PostgreSQL as theme_config_app (RLS-bound)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests import template_db
from themeconfig.platform import bootstrap

pytest_plugins = ["tests.factories.fixtures"]

# Hypothesis profiles: how many examples every property test draws (the test modules set no count of
# their own). `ci`, the default (`make test`): 40 examples, a fresh random sample each run (no example
# database), so runs add up to more cases over time; the slow properties (a palette is ~150 ms of
# contrast search) cost a fifth of what 200 did. `deep` (HYPOTHESIS_PROFILE=deep, the nightly run):
# 300 examples each. Drawing the examples is cheap; the time is the code under test.
_HYPOTHESIS_COMMON = {"deadline": None, "database": None, "suppress_health_check": [HealthCheck.too_slow]}
hypothesis_settings.register_profile("ci", max_examples=40, **_HYPOTHESIS_COMMON)
hypothesis_settings.register_profile("deep", max_examples=300, **_HYPOTHESIS_COMMON)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Kept across tests: the layout preset registry (seeded by a migration) and Django's own catalogues.
ROOT = Path(__file__).resolve().parent.parent

KEEP_TABLES = {
    "theme_config.layout_presets",
    # The resolve cache's generation only grows: processes remember numbers heard in earlier tests.
    "theme_config.resolve_generation",
    "public.django_migrations",
    "public.django_content_type",
    "public.auth_permission",
}


def test_database_name() -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    base = settings.TEST_DATABASE_NAME
    return f"{base}_{worker}" if worker else base


def admin_connect(database: str | None = None, **kwargs) -> psycopg.Connection:
    url = settings.ADMIN_DATABASE_URL
    if database:
        url = bootstrap.with_database(url, database)
    return psycopg.connect(url, autocommit=True, **kwargs)


def _point_aliases_at(name: str) -> None:
    for alias in settings.DATABASES:
        settings.DATABASES[alias]["NAME"] = name
        connections[alias].settings_dict["NAME"] = name
        connections[alias].close()


def _drop_database(name: str) -> None:
    with admin_connect() as conn:
        conn.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(psycopg.sql.Identifier(name)))


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker):
    """This worker's database: a clone of the migrated template (tests/template_db.py: bootstrap_db's
    roles and grants, `migrate` as the migrator, the §5.3 test-only triggers; built once per change
    of the migrations), with bootstrap's database grants applied to the clone."""
    name = test_database_name()
    # This worker's Redis database starts empty too: the recreated database counts its resolve
    # generations from the start again, so a cached answer left by an earlier run would look current.
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    template_db.create_migrated_database(name, statement_timeout="30s")
    _point_aliases_at(name)
    yield name
    with django_db_blocker.unblock():
        for connection in connections.all():
            connection.close()
    if not os.environ.get("KEEP_TEST_DATABASE"):
        _drop_database(name)


TRUNCATED_SCHEMAS = ("theme_config", "tenant_service", "public")
# The sequences of the tables outside KEEP_TABLES that moved since they were (re)started.
_MOVED_SEQUENCES = """
    FROM pg_sequence s
    JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid AND d.deptype IN ('a', 'i')
    JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE n.nspname = ANY(%s) AND n.nspname || '.' || t.relname <> ALL(%s)
      AND pg_sequence_last_value(s.seqrelid) IS NOT NULL
"""


def truncate_tenant_data(name: str) -> None:
    """Leaves every table outside KEEP_TABLES empty with its identity sequences at their start, as
    `TRUNCATE <all of them> RESTART IDENTITY CASCADE` would (no KEEP table references another one).

    A test writes a handful of the ~50 tables, and TRUNCATE costs new files and an exclusive lock
    (waiting for any open transaction on the table) per table, seconds in all on a busy machine. So
    one query finds the tables holding rows, and those are emptied with DELETE with triggers and
    foreign keys off (session_replication_role = replica: the immutability triggers would refuse,
    and every table referencing them is emptied too); only the sequences that moved are reset."""
    with admin_connect(name) as conn:
        rows = conn.execute(
            """
            SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), n.nspname || '.' || c.relname
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(%s)
            """,
            [list(TRUNCATED_SCHEMAS)],
        ).fetchall()
        tables = [quoted for quoted, plain in rows if plain not in KEEP_TABLES]
        if not tables:
            return
        # As the superuser, so row level security hides no row from the probe.
        probe = " UNION ALL ".join(f"SELECT {i} WHERE EXISTS (SELECT FROM {table})" for i, table in enumerate(tables))
        holding_rows = [tables[i] for (i,) in conn.execute(probe).fetchall()]
        if holding_rows:
            with conn.transaction():
                conn.execute("SET LOCAL session_replication_role = replica")
                for table in holding_rows:
                    conn.execute(f"DELETE FROM {table}")
        # Sequences advance in rolled-back transactions too: back to the start for every table emptied.
        conn.execute(f"SELECT setval(s.seqrelid, s.seqstart, false) {_MOVED_SEQUENCES}",
                     [list(TRUNCATED_SCHEMAS), sorted(KEEP_TABLES)])


@dataclass(frozen=True)
class TenantDataSnapshot:
    """The rows of every table outside KEEP_TABLES that held any (COPY's binary format, the generated
    columns left out) and where their sequences stood."""

    tables: tuple[tuple[str, str, bytes], ...]  # (table, its column list, its rows)
    sequences: tuple[tuple[str, int], ...]  # (sequence, its last value)


def snapshot_tenant_data(name: str) -> TenantDataSnapshot:
    """What `restore_tenant_data` puts back after `truncate_tenant_data`: for data that is costly to
    make through the use cases (seed_demo: a publish) and that many committing tests start from."""
    with admin_connect(name) as conn:
        rows = conn.execute(
            """
            SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), n.nspname || '.' || c.relname,
                   (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute a
                    WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '')
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'r' AND n.nspname = ANY(%s)
            """,
            [list(TRUNCATED_SCHEMAS)],
        ).fetchall()
        tables = []
        with conn.transaction(), conn.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            for quoted, plain, columns in rows:
                if plain in KEEP_TABLES or not cursor.execute(f"SELECT EXISTS (SELECT FROM {quoted})").fetchone()[0]:
                    continue
                with cursor.copy(f"COPY {quoted} ({columns}) TO STDOUT (FORMAT binary)") as copy:
                    tables.append((quoted, columns, b"".join(bytes(chunk) for chunk in copy)))
            sequences = cursor.execute(
                f"SELECT s.seqrelid::regclass::text, pg_sequence_last_value(s.seqrelid) {_MOVED_SEQUENCES}",
                [list(TRUNCATED_SCHEMAS), sorted(KEEP_TABLES)],
            ).fetchall()
    return TenantDataSnapshot(tables=tuple(tables), sequences=tuple(sequences))


def restore_tenant_data(name: str, snapshot: TenantDataSnapshot) -> None:
    """Empties tenant data (`truncate_tenant_data`) and puts the snapshot's rows and sequences back,
    with triggers and foreign keys off while it copies (as the truncation deletes): the rows are the
    ones the use cases wrote, so they already satisfy both."""
    truncate_tenant_data(name)
    with admin_connect(name) as conn, conn.transaction(), conn.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        for quoted, columns, data in snapshot.tables:
            with cursor.copy(f"COPY {quoted} ({columns}) FROM STDIN (FORMAT binary)") as copy:
                copy.write(data)
        for sequence, last_value in snapshot.sequences:
            cursor.execute("SELECT setval(%s::regclass, %s, true)", [sequence, last_value])


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker):
    """Database access WITHOUT the per-test rollback: transactions really commit (what PgBouncer,
    threads and other connections see). Tenant data is truncated afterwards as the superuser,
    because the app role rightly cannot TRUNCATE."""
    with django_db_blocker.unblock():
        try:
            yield
        finally:
            for connection in connections.all():
                connection.close()
            truncate_tenant_data(django_db_setup)


@pytest.fixture
def admin_sql(django_db_setup):
    """A superuser psycopg connection to the test database, for arranging and catalog reads only."""
    with admin_connect(django_db_setup) as conn:
        yield conn


BROWSER_TESTS = "tests/e2e/browser/"


def _run_first_rank(item: pytest.Item) -> int:
    """0 for the browser tests, 1 for the other slow ones (a server or worker of their own, drills,
    long property tests), 2 for the rest: what takes longest starts first, so the many short tests
    even out the end. The browser tests first of all: their Celery worker then starts on a broker
    database no earlier test of this worker left a task in (django_db_setup empties it)."""
    if item.nodeid.startswith(BROWSER_TESTS):
        return 0
    return 1 if item.get_closest_marker("slow") else 2


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist the slow tests are scheduled first (the workers collect; the controller
    takes their order and hands tests out one by one to whichever worker is free). A wrapper, so the
    sort comes after pytest-django's own reordering (stable, so its order stays within each rank).
    Without xdist, the order is as collected.

    The browser tests are next to one another in that order, so each worker runs its share of them
    back to back: it starts its own chromium, gunicorn and Celery worker (their package-scoped
    fixtures, on that worker's database and Redis database) once, and both workers share the
    browser tests out, instead of one worker running them all while the other runs the rest."""
    result = yield
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=_run_first_rank)
    return result
