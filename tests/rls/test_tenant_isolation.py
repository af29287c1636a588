"""Row level security seen from the request role: another tenant's rows cannot be read or touched."""
from __future__ import annotations

import psycopg
import pytest
from django.db import connection

from tests.pg import raises_pg
from themeconfig.platform.ids import new_id
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_tenants(tenant_factory, property_factory, tenant_host_factory, api_client_factory):
    a, b = tenant_factory(), tenant_factory()
    for tenant in (a, b):
        with tenant_context(tenant.id):
            property_factory.create_batch(3)
            tenant_host_factory()
            api_client_factory()
    return a, b


TENANT_TABLES = [
    ("tenant_service.properties", "tenant_id"),
    ("tenant_service.tenant_hosts", "tenant_id"),
    ("theme_config.api_clients", "tenant_id"),
    ("tenant_service.tenants", "id"),
]


def _scalar(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def test_request_role__is_rls_bound__not_superuser_nor_bypassrls():
    row = None
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    assert row == ("theme_config_app", False, False)


@pytest.mark.parametrize("table,column", TENANT_TABLES)
def test_select__other_tenant_rows__invisible(two_tenants, table, column):
    a, b = two_tenants
    with tenant_context(a.id):
        seen = _scalar(f"SELECT array_agg(DISTINCT {column}) FROM {table}")
        other = _scalar(f"SELECT count(*) FROM {table} WHERE {column} = %s", [b.id])
    assert seen == [a.id]
    assert other == 0


@pytest.mark.parametrize("table,column", TENANT_TABLES)
def test_update_and_delete__other_tenant_rows__touch_nothing(two_tenants, table, column):
    a, b = two_tenants
    with tenant_context(b.id):
        before = _scalar(f"SELECT count(*) FROM {table}")
    with tenant_context(a.id), connection.cursor() as cursor:
        # No WHERE on the tenant: RLS is the only guard.
        cursor.execute(f"UPDATE {table} SET {column} = {column} WHERE {column} = %s", [b.id])
        assert cursor.rowcount == 0
        cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [b.id])
        assert cursor.rowcount == 0
    with tenant_context(b.id):
        assert _scalar(f"SELECT count(*) FROM {table}") == before > 0


def test_insert__row_of_other_tenant__rejected_by_policy(two_tenants):
    a, b = two_tenants
    with raises_pg(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        with tenant_context(a.id), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO tenant_service.properties (id, tenant_id, name) VALUES (%s, %s, 'Intruder')",
                [new_id("prp"), b.id],
            )


def test_update__moving_own_row_to_other_tenant__rejected_by_policy(two_tenants):
    a, b = two_tenants
    with raises_pg(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        with tenant_context(a.id), connection.cursor() as cursor:
            cursor.execute("UPDATE tenant_service.properties SET tenant_id = %s", [b.id])


def test_insert__tenant_row_for_another_id__rejected_by_policy(two_tenants):
    a, _ = two_tenants
    with raises_pg(psycopg.errors.InsufficientPrivilege):
        with tenant_context(a.id), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO tenant_service.tenants (id, slug, name) VALUES (%s, 'rogue', 'Rogue')", [new_id("tnt")]
            )
