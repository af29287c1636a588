"""Preview links over HTTP: the secret once, only its hash kept, expiry bounds, list, revoke, roles."""
from __future__ import annotations

import json

import pytest

from publishing.models import PreviewToken
from publishing.services.preview_tokens import hash_token
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(client, keyed_tenant_factory):
    keyed = keyed_tenant_factory(role="admin")
    theme = client.post("/api/v1/themes/", json.dumps({"name": "Lake"}), content_type="application/json",
                        **keyed.auth).json()
    made = client.post(f"/api/v1/themes/{theme['id']}/versions/", "{}", content_type="application/json",
                       **keyed.auth).json()
    return keyed, made["id"]


def test_create__secret_once__hash_stored__list_never_shows_it(client, version):
    keyed, version_id = version
    response = client.post(f"/api/v1/versions/{version_id}/preview-tokens/", json.dumps({"note": "for Ana"}),
                           content_type="application/json", **keyed.auth)
    assert response.status_code == 201 and response["Cache-Control"] == "no-store"
    created = response.json()
    with tenant_context(keyed.id):
        stored = PreviewToken.objects.get(pk=created["id"])
    assert stored.token_hash == hash_token(created["token"]) and created["note"] == "for Ana"
    listed = client.get(f"/api/v1/versions/{version_id}/preview-tokens/", **keyed.auth)
    assert created["token"] not in listed.content.decode() and listed.json()["results"][0]["id"] == created["id"]


def test_create__expiry_out_of_bounds__422_on_the_field(client, version):
    keyed, version_id = version
    response = client.post(f"/api/v1/versions/{version_id}/preview-tokens/", json.dumps({"expires_in_days": 31}),
                           content_type="application/json", **keyed.auth)
    assert response.status_code == 422 and response.json()["errors"][0]["path"] == "/expires_in_days"


def test_revoke__twice__idempotent(client, version):
    keyed, version_id = version
    token = client.post(f"/api/v1/versions/{version_id}/preview-tokens/", "{}", content_type="application/json",
                        **keyed.auth).json()
    first = client.post(f"/api/v1/preview-tokens/{token['id']}/revoke/", **keyed.auth).json()
    second = client.post(f"/api/v1/preview-tokens/{token['id']}/revoke/", **keyed.auth).json()
    assert first["revoked_at"] is not None and first["revoked_at"] == second["revoked_at"]


@pytest.mark.parametrize("role,status", [("viewer", 403), ("member", 201), ("api", 201)])
def test_create__by_role(client, version, keyed_tenant_factory, role, status, api_client_factory):
    keyed, version_id = version
    with tenant_context(keyed.id):
        key = api_client_factory(role=role)
    response = client.post(f"/api/v1/versions/{version_id}/preview-tokens/", "{}", content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {key.secret}")
    assert response.status_code == status
