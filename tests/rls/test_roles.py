"""The five roles of the brief, exactly as bootstrap_db makes them, and bootstrap's idempotency."""
from __future__ import annotations

import io

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from tests.pg import raises_pg
from themeconfig.platform import bootstrap

pytestmark = pytest.mark.django_db


def test_roles__attributes__as_the_brief_states(admin_sql):
    rows = admin_sql.execute(
        "SELECT rolname, rolsuper, rolbypassrls, rolcanlogin, rolcreaterole, rolcreatedb FROM pg_roles "
        "WHERE rolname LIKE 'theme\\_config\\_%' ORDER BY rolname"
    ).fetchall()
    assert rows == [
        ("theme_config_app", False, False, True, False, False),
        ("theme_config_migrator", False, False, True, False, False),
        ("theme_config_preview_reader", False, False, True, False, False),
        ("theme_config_ro", False, False, True, False, False),
        ("theme_config_service", False, True, True, False, False),
    ]


def test_roles__request_roles__own_nothing_and_cannot_create(admin_sql, django_db_setup):
    for role in ("theme_config_app", "theme_config_ro", "theme_config_preview_reader", "theme_config_service"):
        owned = admin_sql.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = %s", [role]
        ).fetchone()[0]
        assert owned == 0, role
        for schema in ("theme_config", "tenant_service", "public"):
            can_create = admin_sql.execute("SELECT has_schema_privilege(%s, %s, 'CREATE')", [role, schema]).fetchone()[0]
            assert not can_create, (role, schema)
    tables_owned_by_migrator = admin_sql.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_roles r "
        "ON r.oid = c.relowner WHERE n.nspname IN ('theme_config','tenant_service') AND c.relkind = 'r' "
        "AND r.rolname <> 'theme_config_migrator'"
    ).fetchone()[0]
    assert tables_owned_by_migrator == 0


def test_app_role__ddl__refused():
    with raises_pg(psycopg.errors.InsufficientPrivilege):
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE theme_config.rogue (id int)")


def test_app_role__truncate__refused():
    with raises_pg(psycopg.errors.InsufficientPrivilege):
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE tenant_service.properties")


def test_app_role__statement_timeout__30s():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "30s"


def test_readonly_role__writes__refused(admin_sql):
    admin_sql.execute("SET ROLE theme_config_ro")
    admin_sql.execute("SELECT set_config('app.tenant_id', '', false)")
    try:
        with raises_pg(psycopg.errors.InsufficientPrivilege):
            admin_sql.execute("DELETE FROM tenant_service.properties")
    finally:
        admin_sql.execute("RESET ROLE")


def test_bootstrap__run_again__changes_nothing_and_succeeds(admin_sql, django_db_setup):
    def snapshot():
        return admin_sql.execute(
            "SELECT r.rolname, r.rolsuper, r.rolbypassrls, r.rolconfig, "
            "(SELECT array_agg(defaclobjtype::text || ':' || defaclacl::text ORDER BY 1) FROM pg_default_acl) "
            "FROM pg_roles r WHERE r.rolname LIKE 'theme\\_config\\_%' ORDER BY 1"
        ).fetchall()

    before = snapshot()
    lines = []
    bootstrap.bootstrap(admin_url=settings.ADMIN_DATABASE_URL, database=django_db_setup, log=lines.append)
    assert snapshot() == before
    assert not any(line.startswith("created") for line in lines)


def test_bootstrap__several_at_once__all_succeed(django_db_setup):
    """Two containers (or test workers) starting together: roles are cluster-wide, so the second
    ALTER ROLE of the same row would fail with "tuple concurrently updated" without the bootstraps
    taking turns."""
    from concurrent.futures import ThreadPoolExecutor

    def one(_):
        for _ in range(5):
            bootstrap.bootstrap(admin_url=settings.ADMIN_DATABASE_URL, database=django_db_setup)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(one, range(4)))  # re-raises the first failure


def test_bootstrap_db__admin_url_names_the_database_to_create__created_from_the_maintenance_database(
        settings, django_db_setup):
    fresh = f"{django_db_setup}_bootstrap_fresh"
    maintenance_url = settings.ADMIN_DATABASE_URL
    drop = psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(psycopg.sql.Identifier(fresh))
    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        conn.execute(drop)
    settings.ADMIN_DATABASE_URL = bootstrap.with_database(maintenance_url, fresh)
    try:
        for attempt in range(5):  # parallel set-ups altering the same roles: "tuple concurrently updated"
            try:
                call_command("bootstrap_db", database=fresh, stdout=io.StringIO())
                break
            except CommandError as error:
                if attempt == 4 or "concurrently" not in str(error):
                    raise
        with psycopg.connect(settings.ADMIN_DATABASE_URL, autocommit=True) as conn:
            schemas = {row[0] for row in conn.execute(
                "SELECT nspname FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner WHERE r.rolname = %s",
                [bootstrap.MIGRATOR])}
        assert schemas == {"theme_config", "tenant_service"}
    finally:
        with psycopg.connect(maintenance_url, autocommit=True) as conn:
            conn.execute(drop)
