"""How a request finds its tenant: API keys, signed-in staff with X-Tenant-ID, and the refusals."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.django_db


def _problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code and body["status"] == status
    return body


def test_api_key__valid__lists_only_its_tenants_properties(client, keyed_tenant_factory):
    a, b = keyed_tenant_factory(properties=2), keyed_tenant_factory(properties=3)
    response = client.get("/api/v1/properties/", **a.auth)
    assert response.status_code == 200
    assert {row["tenant_id"] for row in response.json()["results"]} == {a.id}
    assert len(response.json()["results"]) == 2
    assert client.get("/api/v1/tenant/", **b.auth).json()["id"] == b.id


def test_api_key__list__constant_query_count(client, keyed_tenant_factory, django_assert_num_queries):
    a = keyed_tenant_factory(properties=25)
    # savepoint, set_config, key lookup, last_used_at update, the page, the outer GUC put back (the
    # test's own transaction encloses the request), release: not one per row
    with django_assert_num_queries(7):
        response = client.get("/api/v1/properties/", **a.auth)
    assert len(response.json()["results"]) == 25


def test_api_key__no_header__401_auth_required(client):
    _problem(client.get("/api/v1/properties/"), 401, "MELMASTOON.AUTH.REQUIRED")


@pytest.mark.parametrize(
    "header",
    ["Bearer nonsense", "Bearer tck.tnt_01M84PX9M9SYNQ39P6SWS9", "Bearer tck.thm_01M84PX9M9SYNQ39P6SWS9.abcdefghijklmnopqrstuvwxyz0123456789"],
)
def test_api_key__malformed__401_invalid_key(client, header):
    _problem(client.get("/api/v1/properties/", HTTP_AUTHORIZATION=header), 401, "MELMASTOON.AUTH.INVALID_API_KEY")


def test_api_key__other_tenants_id_spliced_in__401(client, keyed_tenant_factory):
    a, b = keyed_tenant_factory(), keyed_tenant_factory()
    forged = a.secret.replace(a.id, b.id)
    _problem(client.get("/api/v1/properties/", HTTP_AUTHORIZATION=f"Bearer {forged}"), 401,
             "MELMASTOON.AUTH.INVALID_API_KEY")


def test_api_key__revoked_or_expired__401(client, keyed_tenant_factory):
    from themeconfig.models import ApiClient

    a, b = keyed_tenant_factory(), keyed_tenant_factory()
    with tenant_context(a.id):
        ApiClient.objects.update(revoked_at=timezone.now())
    with tenant_context(b.id):
        ApiClient.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    for keyed in (a, b):
        _problem(client.get("/api/v1/properties/", **keyed.auth), 401, "MELMASTOON.AUTH.INVALID_API_KEY")


def test_api_key__used__last_used_at_recorded(client, keyed_tenant_factory):
    from themeconfig.models import ApiClient

    a = keyed_tenant_factory()
    client.get("/api/v1/tenant/", **a.auth)
    with tenant_context(a.id):
        assert ApiClient.objects.get().last_used_at is not None


def test_session__member_with_x_tenant_id__served(client, tenant_factory, membership_factory, property_factory):
    tenant = tenant_factory()
    with tenant_context(tenant.id):
        membership = membership_factory(role="viewer")
        property_factory()
    client.force_login(membership.user)
    response = client.get("/api/v1/properties/", HTTP_X_TENANT_ID=tenant.id)
    assert response.status_code == 200 and len(response.json()["results"]) == 1


def test_session__not_a_member__403_tenant_forbidden(client, tenant_factory, membership_factory):
    mine, theirs = tenant_factory(), tenant_factory()
    with tenant_context(mine.id):
        membership = membership_factory()
    client.force_login(membership.user)
    _problem(client.get("/api/v1/properties/", HTTP_X_TENANT_ID=theirs.id), 403, "MELMASTOON.TENANT.FORBIDDEN")


def test_session__no_tenant_chosen__400_tenant_required(client, user_factory):
    client.force_login(user_factory())
    _problem(client.get("/api/v1/properties/"), 400, "MELMASTOON.TENANT.REQUIRED")


def test_session__malformed_tenant_header__400(client, user_factory):
    client.force_login(user_factory())
    _problem(client.get("/api/v1/properties/", HTTP_X_TENANT_ID="acme"), 400, "MELMASTOON.TENANT.NOT_FOUND")


def test_unknown_api_path__problem_json_404(client):
    _problem(client.get("/api/v1/nope/"), 404, "MELMASTOON.RESOURCE.NOT_FOUND")


def test_request_id__echoed_or_generated(client):
    assert client.get("/api/v1/health/", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    generated = client.get("/api/v1/health/", HTTP_X_REQUEST_ID="bad id with spaces")["X-Request-ID"]
    assert len(generated) == 32 and " " not in generated


def test_health__no_dependencies__200(client):
    assert client.get("/api/v1/health/").json() == {"status": "ok"}


def test_openapi_schema__served_and_lists_endpoints(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/health/", "/api/v1/ready/", "/api/v1/properties/", "/api/v1/tenant/"} <= set(schema["paths"])


def test_api_docs__served(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200 and b"swagger" in response.content.lower()
    assert b"cdn.jsdelivr" not in response.content  # assets come from our static files (sidecar)


def test_api_key__scope_not_in_permissions_document__403(client, tenant_factory, api_client_factory):
    tenant = tenant_factory()
    with tenant_context(tenant.id):
        limited = api_client_factory(permissions={"scopes": ["themes:read"]})
        full = api_client_factory(permissions={"scopes": ["tenant:read", "themes:read"]})
    body = _problem(client.get("/api/v1/tenant/", HTTP_AUTHORIZATION=f"Bearer {limited.secret}"), 403,
                    "MELMASTOON.AUTH.PERMISSION_DENIED")
    assert body["required_scope"] == "tenant:read"
    assert client.get("/api/v1/tenant/", HTTP_AUTHORIZATION=f"Bearer {full.secret}").status_code == 200


def test_session__member_of_two_tenants__sees_only_the_chosen_one(client, tenant_factory, membership_factory,
                                                                      user_factory):
    from themeconfig.models import Tenant

    user = user_factory()
    a, b = tenant_factory(), tenant_factory()
    for tenant in (a, b):
        with tenant_context(tenant.id):
            membership_factory(user=user)
    client.force_login(user)
    assert client.get("/api/v1/tenant/", HTTP_X_TENANT_ID=b.id).json()["id"] == b.id
    # Inside a's context the database itself shows one tenant, even to a member of both.
    with tenant_context(a.id):
        assert list(Tenant.objects.values_list("id", flat=True)) == [a.id]
