"""Celery tasks on TenantTask run in their tenant's context, like requests."""
import pytest
from django.db import connection

from config.celery import app
from themeconfig.platform.tasks import TenantTask

pytestmark = pytest.mark.django_db


@app.task(base=TenantTask, name="tests.read_guc_task")
def read_guc_task(*, tenant_id):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('app.tenant_id'), count(*) FROM tenant_service.properties")
        return cursor.fetchone()


def test_tenant_task__runs_bound_to_its_tenant(tenant_factory, property_factory):
    from themeconfig.platform.tenant_context import tenant_context

    a, b = tenant_factory(), tenant_factory()
    with tenant_context(b.id):
        property_factory.create_batch(3)
    assert read_guc_task.apply(kwargs={"tenant_id": a.id}).get() == (a.id, 0)
    assert read_guc_task.apply(kwargs={"tenant_id": b.id}).get() == (b.id, 3)


def test_tenant_task__without_tenant__refused():
    result = read_guc_task.apply(kwargs={})
    with pytest.raises(ValueError, match="tenant_id"):
        result.get()


@app.task(base=TenantTask, name="tests.principal_task")
def principal_task(*, tenant_id, principal):
    return [principal.actor, principal.role, sorted(principal.scopes or [])]


def test_tenant_task__principal_payload__rebuilt_for_the_task(tenant_factory):
    from themeconfig.platform.principal import Principal

    tenant = tenant_factory()
    principal = Principal.for_api_key(tenant_id=tenant.id, api_client_id="apk_x", role="api",
                                      scopes=frozenset({"themes:read"}))
    result = principal_task.apply(kwargs={"tenant_id": tenant.id, "principal": principal.as_payload()}).get()
    assert result == ["api_key:apk_x", "api", ["themes:read"]]


def test_tenant_task__principal_of_another_tenant__refused(tenant_factory):
    from themeconfig.platform.principal import Principal

    a, b = tenant_factory(), tenant_factory()
    payload = Principal.for_user(tenant_id=b.id, user_id=1, role="owner").as_payload()
    with pytest.raises(ValueError, match="belongs to"):
        principal_task.apply(kwargs={"tenant_id": a.id, "principal": payload}).get()
