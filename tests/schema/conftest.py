"""A database of the schema tests' own, built the way production builds one.

`bootstrap()` (roles, schemas, grants), `manage.py migrate` as theme_config_migrator in a
subprocess, then the seed 000 §5.3 test-only triggers; dropped at the end of the session. Tests
talk to it with psycopg directly: as theme_config_app inside a tenant transaction for behaviour,
as the superuser only to arrange cross-tenant rows or read the catalogs. No Django database
fixtures are used, so the folder runs with or without pytest-django.
"""
from __future__ import annotations

import os

import psycopg
import pytest

from tests.schema.dbtools import APP, Tenant, connect, create_migrated_database, database_name, drop_database
from themeconfig.test_support import install_tenant_consistency_triggers


@pytest.fixture(scope="session")
def schema_db() -> str:
    name = database_name("schema")
    create_migrated_database(name)
    with connect("postgres", name, autocommit=True) as conn, conn.cursor() as cursor:
        install_tenant_consistency_triggers(cursor)
    yield name
    if not os.environ.get("KEEP_TEST_DATABASE"):
        drop_database(name)


@pytest.fixture
def admin(schema_db):
    """Superuser, autocommit: arranging cross-tenant rows and reading catalogs only."""
    with connect("postgres", schema_db, autocommit=True) as conn:
        yield conn


@pytest.fixture
def role_connection(schema_db):
    """Opens connections as a given role on the schema database; all closed after the test."""
    opened: list[psycopg.Connection] = []

    def open_(role: str, **kwargs) -> psycopg.Connection:
        conn = connect(role, schema_db, **kwargs)
        opened.append(conn)
        return conn

    yield open_
    for conn in opened:
        conn.close()


@pytest.fixture
def app(role_connection):
    """theme_config_app in one transaction that the test's end rolls back."""
    conn = role_connection(APP)
    yield conn
    conn.rollback()


@pytest.fixture
def tenant(app) -> Tenant:
    """A tenant with a theme and a draft version, written as theme_config_app in the open transaction."""
    return Tenant(app)


@pytest.fixture
def other_tenant(admin) -> Tenant:
    """Another tenant's theme and version, committed by the superuser (cross-tenant arrangement)."""
    return Tenant(admin)
