"""One role → permission table, enforced by the use cases, and every door (service call, admin,
API) reaching the same outcome for every role.

The expected matrix is written out here by hand from the product rules (viewer reads; member edits
drafts, brand kits and previews; admin also manages the tenant, members and API keys, and
publishes; owner also deletes), not copied from the code.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.contrib.admin.utils import quote

from tests.factories.tenancy import (
    ApiClientFactory,
    MembershipFactory,
    PropertyFactory,
    TenantFactory,
    TenantHostFactory,
    UserFactory,
)
from tests.shared_rows import shared_rows
from themeconfig import services
from themeconfig.models import (
    ApiClient,
    BrandKit,
    HostListing,
    Invitation,
    Membership,
    Property,
    Tenant,
    TenantHost,
)
from themeconfig.platform.encryption import lookup_hashes
from themeconfig.platform.errors import DomainError
from themeconfig.platform.middleware import SESSION_TENANT_KEY
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.django_db

ROLES = ("owner", "admin", "member", "viewer", "api")
COLORS = [{"name": "Blue", "value": "#0b3d91", "role": "primary"}, {"name": "Sand", "value": "#f4e9d8"}]
FONTS = [{"name": "Body", "family": "Inter", "role": "body"}]

# use case → the roles allowed to run it
ALLOWED = {
    "tenant_update": {"owner", "admin"},
    "property_create": {"owner", "admin"},
    "property_rename": {"owner", "admin"},
    "host_add": {"owner", "admin"},
    "host_update": {"owner", "admin"},
    "membership_invite": {"owner", "admin"},
    "invitation_revoke": {"owner", "admin"},
    "membership_change_role": {"owner", "admin"},
    "membership_remove": {"owner", "admin"},
    "api_key_create": {"owner", "admin"},
    "api_key_revoke": {"owner", "admin"},
    "brand_kit_create": {"owner", "admin", "member", "api"},
    "brand_kit_update": {"owner", "admin", "member", "api"},
    "brand_kit_delete": {"owner", "admin", "member", "api"},
}


@dataclass
class World:
    tenant: Tenant
    property: Property
    host: TenantHost
    invitation: Invitation
    target: Membership  # a member whose role/membership the use cases change
    key: ApiClient
    kit: BrandKit


def _build_world() -> World:
    tenant = TenantFactory()
    operator = Principal.operator("test", tenant_id=tenant.id)
    with tenant_context(tenant.id):
        prop = PropertyFactory(name="Seaside")
        host = TenantHostFactory(host="seaside.example.com", tenant_id=tenant.id)
        MembershipFactory(role="owner")  # the tenant always keeps an owner
        target = MembershipFactory(role="viewer")
        key = ApiClientFactory(role="viewer", name="old")
        kit = services.brand_kit_create(principal=operator, name="Kit", colors=COLORS, fonts=FONTS)
    invitation, _ = services.membership_invite(principal=operator, email="new@example.com", role="viewer")
    return World(tenant, prop, host, invitation, target, key, kit)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:
    """Built once for the module (tests/shared_rows.py): every test runs in a savepoint of its own,
    so what one use case changes is gone before the next test."""
    yield from shared_rows(django_db_blocker, _build_world)


# use case → how to call it directly
CALLS: dict[str, Callable[[Principal, World], object]] = {
    "tenant_update": lambda p, w: services.tenant_update(principal=p, name="Renamed", settings={"a": 1}),
    "property_create": lambda p, w: services.property_create(principal=p, name="Mountain"),
    "property_rename": lambda p, w: services.property_rename(principal=p, property_id=w.property.pk, name="Bay"),
    "host_add": lambda p, w: services.host_add(principal=p, host="new.example.com"),
    "host_update": lambda p, w: services.host_update(principal=p, host=w.host.host, property_id=w.property.pk),
    "membership_invite": lambda p, w: services.membership_invite(principal=p, email="x@example.com", role="viewer"),
    "invitation_revoke": lambda p, w: services.invitation_revoke(principal=p, invitation_id=w.invitation.pk),
    "membership_change_role": lambda p, w: services.membership_change_role(
        principal=p, membership_id=w.target.pk, role="member"),
    "membership_remove": lambda p, w: services.membership_remove(principal=p, membership_id=w.target.pk),
    "api_key_create": lambda p, w: services.api_key_create(principal=p, name="ci", role="viewer"),
    "api_key_revoke": lambda p, w: services.api_key_revoke(principal=p, api_client_id=w.key.pk),
    "brand_kit_create": lambda p, w: services.brand_kit_create(principal=p, name="K2", colors=COLORS, fonts=FONTS),
    "brand_kit_update": lambda p, w: services.brand_kit_update(
        principal=p, brand_kit_id=w.kit.pk, expected_version=w.kit.version, name="K3", colors=COLORS, fonts=FONTS),
    "brand_kit_delete": lambda p, w: services.brand_kit_delete(principal=p, brand_kit_id=w.kit.pk),
}

# use case → what it leaves behind when it ran (read inside the tenant)
EFFECTS: dict[str, Callable[[World], bool]] = {
    "tenant_update": lambda w: Tenant.objects.get(pk=w.tenant.pk).name == "Renamed",
    "property_create": lambda w: Property.objects.filter(name="Mountain").exists(),
    "property_rename": lambda w: Property.objects.get(pk=w.property.pk).name == "Bay",
    "host_add": lambda w: HostListing.objects.filter(host="new.example.com").exists(),
    "host_update": lambda w: TenantHost.objects.get(pk=w.host.pk).property_id == w.property.pk,
    "membership_invite": lambda w: Invitation.objects.filter(email_hash__in=lookup_hashes("x@example.com")).exists(),
    "invitation_revoke": lambda w: Invitation.objects.get(pk=w.invitation.pk).revoked_at is not None,
    "membership_change_role": lambda w: Membership.objects.get(pk=w.target.pk).role == "member",
    "membership_remove": lambda w: not Membership.objects.filter(pk=w.target.pk).exists(),
    "api_key_create": lambda w: ApiClient.objects.filter(name="ci").exists(),
    "api_key_revoke": lambda w: ApiClient.objects.get(pk=w.key.pk).revoked_at is not None,
    "brand_kit_create": lambda w: BrandKit.objects.filter(name="K2").exists(),
    "brand_kit_update": lambda w: BrandKit.objects.get(pk=w.kit.pk).name == "K3",
    "brand_kit_delete": lambda w: BrandKit.objects.get(pk=w.kit.pk).deleted_at is not None,
}

# use case → the admin request that runs it (method, url, form data)
ADMIN_REQUESTS: dict[str, Callable[[World], tuple[str, str, dict]]] = {
    "tenant_update": lambda w: ("post", f"/admin/themeconfig/tenant/{w.tenant.pk}/change/",
                                {"name": "Renamed", "settings": '{"a": 1}'}),
    "property_create": lambda w: ("post", "/admin/themeconfig/property/add/", {"name": "Mountain"}),
    "property_rename": lambda w: ("post", f"/admin/themeconfig/property/{w.property.pk}/change/", {"name": "Bay"}),
    "host_add": lambda w: ("post", "/admin/themeconfig/hostlisting/add/", {"host": "new.example.com"}),
    "host_update": lambda w: ("post", f"/admin/themeconfig/hostlisting/{quote(w.host.tenant_id + ':' + w.host.pk)}/change/",
                              {"property": w.property.pk}),
    "membership_invite": lambda w: ("post", "/admin/themeconfig/invitation/add/",
                                    {"email": "x@example.com", "role": "viewer"}),
    "invitation_revoke": lambda w: ("post", "/admin/themeconfig/invitation/",
                                    {"action": "revoke", "_selected_action": [w.invitation.pk]}),
    "membership_change_role": lambda w: ("post", f"/admin/themeconfig/membership/{w.target.pk}/change/",
                                         {"role": "member"}),
    "membership_remove": lambda w: ("post", f"/admin/themeconfig/membership/{w.target.pk}/delete/", {"post": "yes"}),
    "api_key_create": lambda w: ("post", "/admin/themeconfig/apiclient/add/", {"name": "ci", "role": "viewer"}),
    "api_key_revoke": lambda w: ("post", "/admin/themeconfig/apiclient/",
                                 {"action": "revoke", "_selected_action": [w.key.pk]}),
    "brand_kit_create": lambda w: ("post", "/admin/themeconfig/brandkit/add/", {
        "name": "K2", "colors": _json(COLORS), "fonts": _json(FONTS), "logos": "null", "style_preferences": "null"}),
    "brand_kit_update": lambda w: ("post", f"/admin/themeconfig/brandkit/{w.kit.pk}/change/", {
        "name": "K3", "colors": _json(COLORS), "fonts": _json(FONTS), "logos": "null", "style_preferences": "null",
        "expected_version": w.kit.version}),
    "brand_kit_delete": lambda w: ("post", f"/admin/themeconfig/brandkit/{w.kit.pk}/delete/", {"post": "yes"}),
}


def _json(value) -> str:
    import json

    return json.dumps(value)


def _effect(world: World, use_case: str) -> bool:
    with tenant_context(world.tenant.id):
        return EFFECTS[use_case](world)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("use_case", sorted(ALLOWED))
def test_service__role_x_use_case__allowed_or_403_and_nothing_written(world, use_case, role):
    principal = Principal.for_user(tenant_id=world.tenant.id, user_id=UserFactory().pk, role=role)
    if role in ALLOWED[use_case]:
        CALLS[use_case](principal, world)
        assert _effect(world, use_case)
    else:
        with pytest.raises(DomainError) as info:
            CALLS[use_case](principal, world)
        assert info.value.http_status == 403 and info.value.code == "MELMASTOON.AUTH.PERMISSION_DENIED"
        assert info.value.extra["missing_permission"]
        assert not _effect(world, use_case)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("use_case", sorted(ALLOWED))
def test_admin__role_x_use_case__same_outcome_as_the_service(client, world, use_case, role):
    with tenant_context(world.tenant.id):
        staff = MembershipFactory(role=role).user
    client.force_login(staff)
    session = client.session
    session[SESSION_TENANT_KEY] = world.tenant.id
    session.save()
    method, url, data = ADMIN_REQUESTS[use_case](world)
    response = getattr(client, method)(url, data)
    assert response.status_code in (200, 302, 403), (response.status_code, url)
    assert _effect(world, use_case) is (role in ALLOWED[use_case]), (use_case, role, response.status_code)
    if role not in ALLOWED[use_case] and "action" not in data:
        assert response.status_code == 403


READ_ENDPOINTS = {"/api/v1/tenant/": ROLES, "/api/v1/properties/": ROLES, "/api/v1/layout-presets/": ROLES}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", sorted(READ_ENDPOINTS))
def test_api__reads__every_role_with_an_api_key_or_a_session(client, world, path, role):
    with tenant_context(world.tenant.id):
        key = ApiClientFactory(role=role)
        member = MembershipFactory(role=role).user
    assert client.get(path, HTTP_AUTHORIZATION=f"Bearer {key.secret}").status_code == 200
    client.force_login(member)
    assert client.get(path, HTTP_X_TENANT_ID=world.tenant.id).status_code == 200


def test_api__key_scopes_narrow_the_role__403_names_the_scope(client, world):
    with tenant_context(world.tenant.id):
        key = ApiClientFactory(role="owner", permissions={"scopes": ["themes:read"]})
    response = client.get("/api/v1/tenant/", HTTP_AUTHORIZATION=f"Bearer {key.secret}")
    body = response.json()
    assert response.status_code == 403 and body["code"] == "MELMASTOON.AUTH.PERMISSION_DENIED"
    assert body["required_scope"] == "tenant:read" and body["missing_permission"] == "tenant.read"
    assert client.get("/api/v1/layout-presets/", HTTP_AUTHORIZATION=f"Bearer {key.secret}").status_code == 200


def test_service__scoped_key_principal__refused_what_its_scopes_lack(world):
    principal = Principal.for_api_key(tenant_id=world.tenant.id, api_client_id="apk_x", role="owner",
                                      scopes=frozenset({"themes:write"}))
    services.brand_kit_create(principal=principal, name="K2", colors=COLORS, fonts=FONTS)
    with pytest.raises(DomainError) as info:
        services.property_create(principal=principal, name="Mountain")
    assert info.value.extra["required_scope"] == "tenant:manage"
