"""Creates the database, its schemas and the five roles with exactly the privileges the brief states.

Everything here is idempotent: it runs before every `migrate`, on every machine and in the test
set-up, through the superuser URL (`ADMIN_DATABASE_URL`). Roles and the database are created from
the maintenance database (`postgres`) whenever that URL names the very database to create or none,
since a database cannot be connected to before it exists.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

SCHEMAS = ("theme_config", "tenant_service")
MIGRATOR = "theme_config_migrator"
APP = "theme_config_app"
READONLY = "theme_config_ro"
PREVIEW_READER = "theme_config_preview_reader"
SERVICE = "theme_config_service"
MAINTENANCE_DATABASE = "postgres"
# pg_advisory_lock key that serialises bootstraps on one cluster (any constant of our own).
BOOTSTRAP_LOCK_KEY = 0x7443_0001


@dataclass(frozen=True)
class RoleSpec:
    name: str
    attributes: str
    settings: dict[str, str]


def role_specs(statement_timeout: str) -> list[RoleSpec]:
    timeouts = {"statement_timeout": statement_timeout, "idle_in_transaction_session_timeout": "60s"}
    return [
        # Owns the schema objects; never superuser, never BYPASSRLS (FORCE RLS binds it too).
        RoleSpec(MIGRATOR, "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION", {}),
        # Serves requests: DML only, RLS-bound, owner of nothing.
        RoleSpec(APP, "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION NOINHERIT", timeouts),
        RoleSpec(READONLY, "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION NOINHERIT", timeouts),
        RoleSpec(
            PREVIEW_READER, "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION NOINHERIT", timeouts
        ),
        # Cross-tenant infrastructure work (outbox drain, retention purge, read-model refresh).
        RoleSpec(SERVICE, "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE BYPASSRLS NOREPLICATION NOINHERIT", timeouts),
    ]


def database_url_parts(url: str) -> tuple[str, str | None]:
    """(database name, password) of a postgres:// URL."""
    parts = urlsplit(url)
    return parts.path.lstrip("/"), parts.password


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def bootstrap(
    *,
    admin_url: str,
    database: str,
    passwords: dict[str, str | None] | None = None,
    statement_timeout: str = "30s",
    log: Callable[[str], None] = lambda _: None,
) -> None:
    passwords = passwords or {}
    admin_url = _libpq_url(admin_url)
    with psycopg.connect(maintenance_url(admin_url, database), autocommit=True) as maintenance:
        # Roles are cluster-wide: two bootstraps at once (two containers starting, two test workers)
        # would race on the same pg_authid rows ("tuple concurrently updated"). One at a time; the
        # session lock goes with the connection.
        maintenance.execute("SELECT pg_advisory_lock(%s)", [BOOTSTRAP_LOCK_KEY])
        for spec in role_specs(statement_timeout):
            _ensure_role(maintenance, spec, passwords.get(spec.name), log)
        exists = maintenance.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            maintenance.execute(
                sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(sql.Identifier(database)))
            log(f"created database {database}")
        _bootstrap_database(admin_url, database, log)


def _bootstrap_database(admin_url: str, database: str, log: Callable[[str], None]) -> None:
    with psycopg.connect(with_database(admin_url, database), autocommit=True) as conn:
        _grant_database(conn, database)
        for schema in SCHEMAS:
            conn.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {} AUTHORIZATION {}").format(
                    sql.Identifier(schema), sql.Identifier(MIGRATOR)
                )
            )
            conn.execute(sql.SQL("ALTER SCHEMA {} OWNER TO {}").format(sql.Identifier(schema), sql.Identifier(MIGRATOR)))
        # Django's own tables (auth, sessions, admin log, migrations) live in public.
        conn.execute(sql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
        conn.execute(sql.SQL("GRANT USAGE, CREATE ON SCHEMA public TO {}").format(sql.Identifier(MIGRATOR)))
        for schema in (*SCHEMAS, "public"):
            _grant_schema(conn, schema)
        log(f"schemas, grants and default privileges are in place in {database}")


def maintenance_url(admin_url: str, database: str) -> str:
    """Where to create roles and `database` from: the admin URL's own database, unless it is the one
    to create (or none is named), then the maintenance database."""
    named, _ = database_url_parts(admin_url)
    return with_database(admin_url, MAINTENANCE_DATABASE) if named in ("", database) else admin_url


def _libpq_url(url: str) -> str:
    # django-environ accepts postgres:// and postgresql:// and pgsql://; libpq wants postgres(ql)://
    for alias in ("pgsql://", "psql://", "postgis://"):
        if url.startswith(alias):
            return "postgresql://" + url[len(alias):]
    return url


def _ensure_role(conn: psycopg.Connection[Any], spec: RoleSpec, password: str | None,
                 log: Callable[[str], None]) -> None:
    role = sql.Identifier(spec.name)
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [spec.name]).fetchone()
    if not exists:
        # CREATE ROLE races with a parallel bootstrap (test workers): tolerate the loser.
        try:
            conn.execute(sql.SQL("CREATE ROLE {} " + spec.attributes).format(role))
            log(f"created role {spec.name}")
        except psycopg.errors.DuplicateObject:
            pass
        except psycopg.errors.UniqueViolation:
            pass
    conn.execute(sql.SQL("ALTER ROLE {} " + spec.attributes).format(role))
    if password:
        conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(role, sql.Literal(password)))
    for name, value in spec.settings.items():
        conn.execute(sql.SQL("ALTER ROLE {} SET {} = {}").format(role, sql.Identifier(name), sql.Literal(value)))


def _grant_database(conn: psycopg.Connection, database: str) -> None:
    db = sql.Identifier(database)
    conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(db))
    conn.execute(sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(db, sql.Identifier(MIGRATOR)))
    for role in (APP, READONLY, PREVIEW_READER, SERVICE):
        conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(db, sql.Identifier(role)))


def _grant_schema(conn: psycopg.Connection, schema: str) -> None:
    """USAGE on the schema, and default privileges for every table the migrator creates later.

    No `GRANT ... ON ALL TABLES`: a re-run must not undo a migration's narrower grant (the app
    role has SELECT only on layout_presets), and bootstrap always runs before `migrate`.
    """
    s = sql.Identifier(schema)
    migrator = sql.Identifier(MIGRATOR)
    for role in (APP, READONLY, PREVIEW_READER, SERVICE):
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(s, sql.Identifier(role)))
    dml = "SELECT, INSERT, UPDATE, DELETE"
    for role, table_privileges, sequence_privileges in (
        (APP, dml, "USAGE, SELECT"),
        (SERVICE, dml, "USAGE, SELECT"),
        (READONLY, "SELECT", "SELECT"),
    ):
        r = sql.Identifier(role)
        conn.execute(
            sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT " + table_privileges + " ON TABLES TO {}").format(
                migrator, s, r
            )
        )
        conn.execute(
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT " + sequence_privileges + " ON SEQUENCES TO {}"
            ).format(migrator, s, r)
        )
    conn.execute(
        sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT EXECUTE ON FUNCTIONS TO {}, {}, {}").format(
            migrator, s, sql.Identifier(APP), sql.Identifier(SERVICE), sql.Identifier(READONLY)
        )
    )
