"""Row level security across committed transactions and fresh sessions (no per-test rollback)."""
from __future__ import annotations

import psycopg
import pytest
from django.db import connection, connections, transaction

from tests.pg import raises_pg
from themeconfig.platform.service_db import service_context
from themeconfig.platform.tenant_context import TenantContextError, set_database_context, tenant_context


def _scalar(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


@pytest.mark.usefixtures("committed_db")
class TestWithoutTheGuc:
    """These need real commits and fresh sessions, so they run outside the per-test transaction."""

    def test_no_guc__fresh_session__errors_instead_of_rows(self, tenant_factory, property_factory):
        tenant = tenant_factory()
        with tenant_context(tenant.id):
            property_factory()
        connection.close()  # a brand-new session has never heard of app.tenant_id
        with raises_pg(psycopg.errors.UndefinedObject, match="app.tenant_id"):
            with transaction.atomic():
                _scalar("SELECT count(*) FROM tenant_service.properties")

    def test_no_guc__after_a_tenant_transaction__zero_rows(self, tenant_factory, property_factory):
        tenant = tenant_factory()
        with tenant_context(tenant.id):
            property_factory.create_batch(2)
            assert _scalar("SELECT count(*) FROM tenant_service.properties") == 2
        # Same session, next transaction, no set_config: the setting is back to '' → no tenant.
        with transaction.atomic():
            assert _scalar("SELECT count(*) FROM tenant_service.properties") == 0

    def test_guc__after_commit__is_gone(self, tenant_factory):
        tenant = tenant_factory()
        with tenant_context(tenant.id):
            assert _scalar("SELECT current_setting('app.tenant_id')") == tenant.id
        assert _scalar("SELECT current_setting('app.tenant_id', true)") in ("", None)

    def test_guc__after_rollback__is_gone(self, tenant_factory):
        tenant = tenant_factory()
        with pytest.raises(RuntimeError), tenant_context(tenant.id):
            raise RuntimeError("boom")
        assert _scalar("SELECT current_setting('app.tenant_id', true)") in ("", None)

    def test_service_role__bypasses_rls__for_infrastructure_only(self, tenant_factory, property_factory):
        a, b = tenant_factory(), tenant_factory()
        for tenant in (a, b):
            with tenant_context(tenant.id):
                property_factory()
        with service_context() as alias, connections[alias].cursor() as cursor:
            cursor.execute("SELECT count(DISTINCT tenant_id) FROM tenant_service.properties")
            assert cursor.fetchone()[0] == 2

    def test_set_database_context__outside_transaction__refused(self):
        with pytest.raises(TenantContextError, match="inside a transaction"):
            set_database_context(tenant_id="tnt_01M84PX9M9SYNQ39P6SWS9")
