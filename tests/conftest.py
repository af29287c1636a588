"""Test database set-up the way production does it: bootstrap_db's roles and grants, migrate as
the migrator, then every test talks to PostgreSQL as theme_config_app (RLS-bound)."""
from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings
from django.core.management import call_command
from django.db import connections

from themeconfig.platform import bootstrap

pytest_plugins = ["tests.factories.fixtures"]

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


def install_test_only_sql(name: str) -> None:
    """§5.3 tenant-consistency triggers: test databases only (too expensive in production)."""
    from themeconfig.test_support import install_tenant_consistency_triggers

    with admin_connect(name) as conn, conn.cursor() as cursor:
        install_tenant_consistency_triggers(cursor)


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker):
    name = test_database_name()
    _drop_database(name)
    # This worker's Redis database starts empty too: the recreated database counts its resolve
    # generations from the start again, so a cached answer left by an earlier run would look current.
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    for attempt in range(5):
        try:
            bootstrap.bootstrap(admin_url=settings.ADMIN_DATABASE_URL, database=name, statement_timeout="30s")
            break
        except psycopg.errors.InternalError:
            # Parallel workers altering the same roles at once: "tuple concurrently updated".
            if attempt == 4:
                raise
    _point_aliases_at(name)
    with django_db_blocker.unblock():
        call_command("migrate", database="migrator", verbosity=0, interactive=False)
    install_test_only_sql(name)
    yield name
    with django_db_blocker.unblock():
        for connection in connections.all():
            connection.close()
    if not os.environ.get("KEEP_TEST_DATABASE"):
        _drop_database(name)


def truncate_tenant_data(name: str) -> None:
    with admin_connect(name) as conn:
        rows = conn.execute(
            """
            SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), n.nspname || '.' || c.relname
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND n.nspname IN ('theme_config', 'tenant_service', 'public')
            """
        ).fetchall()
        tables = [quoted for quoted, plain in rows if plain not in KEEP_TABLES]
        if tables:
            conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


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
