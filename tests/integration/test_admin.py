"""Django admin for tenant staff: pick a tenant, see only its rows, act within the membership role."""
from __future__ import annotations

import pytest

from themeconfig.models import ApiClient, TenantHost
from themeconfig.platform.middleware import SESSION_TENANT_KEY
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(tenant_factory, membership_factory, property_factory, user_factory):
    mine, theirs = tenant_factory(name="Mine Hotels"), tenant_factory(name="Their Hotels")
    user = user_factory()
    with tenant_context(mine.id):
        membership_factory(user=user, role="admin")
        property_factory(name="Mine Seaside")
    with tenant_context(theirs.id):
        property_factory(name="Their Mountain Lodge")
    return user, mine, theirs


def test_admin__no_tenant_picked__redirected_to_picker(client, staff):
    user, _, _ = staff
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/select-tenant/")


def test_admin_picker__lists_only_own_tenants_and_picks(client, staff):
    user, mine, theirs = staff
    client.force_login(user)
    page = client.get("/admin/select-tenant/").content.decode()
    assert "Mine Hotels" in page and "Their Hotels" not in page
    response = client.post("/admin/select-tenant/", {"tenant_id": mine.id, "next": "/admin/"})
    assert response.status_code == 302 and client.session[SESSION_TENANT_KEY] == mine.id


def test_admin_picker__tenant_not_a_member_of__refused(client, staff):
    user, _, theirs = staff
    client.force_login(user)
    response = client.post("/admin/select-tenant/", {"tenant_id": theirs.id})
    assert response.status_code == 400 and SESSION_TENANT_KEY not in client.session


def test_admin__properties__only_current_tenants_rows(client, staff):
    user, mine, _ = staff
    client.force_login(user)
    client.post("/admin/select-tenant/", {"tenant_id": mine.id})
    page = client.get("/admin/themeconfig/property/").content.decode()
    assert "Mine Seaside" in page and "Their Mountain Lodge" not in page


def test_admin__stale_session_tenant__dropped_and_picker_shown(client, staff):
    user, _, theirs = staff
    client.force_login(user)
    session = client.session
    session[SESSION_TENANT_KEY] = theirs.id
    session.save()
    response = client.get("/admin/themeconfig/property/")
    assert response.status_code == 302 and "/admin/select-tenant/" in response["Location"]


def test_admin__add_api_key__secret_shown_once_and_hash_stored(client, staff):
    user, mine, _ = staff
    client.force_login(user)
    client.post("/admin/select-tenant/", {"tenant_id": mine.id})
    response = client.post("/admin/themeconfig/apiclient/add/", {"name": "frontend", "role": "api"}, follow=True)
    text = response.content.decode()
    assert "not shown again" in text
    with tenant_context(mine.id):
        client_row = ApiClient.objects.get(name="frontend")
    assert client_row.created_by == f"user:{user.pk}"


def test_admin__host_taken_by_another_tenant__error_message_not_500(client, staff, tenant_host_factory):
    user, mine, theirs = staff
    with tenant_context(theirs.id):
        tenant_host_factory(host="taken.example.com")
    client.force_login(user)
    client.post("/admin/select-tenant/", {"tenant_id": mine.id})
    response = client.post("/admin/themeconfig/tenanthost/add/", {"host": "Taken.Example.com"}, follow=True)
    assert response.status_code == 200
    assert "already served" in response.content.decode()
    with tenant_context(mine.id):
        assert not TenantHost.objects.exists()


def test_admin__viewer_role__cannot_add(client, tenant_factory, membership_factory):
    tenant = tenant_factory()
    with tenant_context(tenant.id):
        membership = membership_factory(role="viewer")
    client.force_login(membership.user)
    client.post("/admin/select-tenant/", {"tenant_id": tenant.id})
    assert client.get("/admin/themeconfig/property/").status_code == 200
    assert client.get("/admin/themeconfig/property/add/").status_code == 403


def test_admin__api_key_with_unknown_scope__error_shown_nothing_created(client, staff):
    user, mine, _ = staff
    client.force_login(user)
    client.post("/admin/select-tenant/", {"tenant_id": mine.id})
    response = client.post(
        "/admin/themeconfig/apiclient/add/", {"name": "bad", "role": "api", "permissions": '{"scopes": ["root"]}'},
        follow=True,
    )
    assert "permissions/scopes/0" in response.content.decode()
    with tenant_context(mine.id):
        assert not ApiClient.objects.filter(name="bad").exists()
