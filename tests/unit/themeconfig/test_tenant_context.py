"""The tenant context: one transaction, transaction-local GUC, no silent tenant switching."""
import pytest
from django.db import connection

from themeconfig.platform.tenant_context import TenantContextError, current_tenant_id, tenant_context

pytestmark = pytest.mark.django_db


def _guc():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('app.tenant_id', true)")
        return cursor.fetchone()[0]


def test_tenant_context__inside__guc_and_contextvar_set(tenant_factory):
    tenant = tenant_factory()
    with tenant_context(tenant.id):
        assert _guc() == tenant.id
        assert current_tenant_id() == tenant.id
    assert current_tenant_id() is None


def test_tenant_context__switching_tenant_while_open__refused(tenant_factory):
    a, b = tenant_factory(), tenant_factory()
    with tenant_context(a.id):
        with pytest.raises(TenantContextError, match="refusing"):
            with tenant_context(b.id):
                pass


def test_tenant_context__same_tenant_nested__allowed(tenant_factory):
    a = tenant_factory()
    with tenant_context(a.id), tenant_context(a.id):
        assert _guc() == a.id


@pytest.mark.parametrize("bad", ["", "tnt_short", "thm_01M84PX9M9SYNQ39P6SWS9", "x' OR 1=1 --"])
def test_tenant_context__malformed_id__refused(bad):
    with pytest.raises(TenantContextError):
        with tenant_context(bad):
            pass
