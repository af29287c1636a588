"""API keys managed through the API, and the audit trail of what happened."""
from __future__ import annotations

import json

import pytest

from themeconfig.models import ApiClient
from themeconfig.platform import api_key_secrets
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.django_db


def post(client, path, body, key):
    return client.post(path, json.dumps(body), content_type="application/json", **key.auth)


def test_api_keys__issue_list_rotate_revoke(client, keyed_tenant_factory):
    admin = keyed_tenant_factory(role="admin")
    created = post(client, "/api/v1/api-keys/", {"name": "ci", "role": "api", "permissions": {"scopes": ["themes:read"]}},
                   admin)
    assert created.status_code == 201 and created["Cache-Control"] == "no-store"
    body = created.json()
    with tenant_context(admin.id):
        stored = ApiClient.objects.get(pk=body["id"])
    assert stored.secret_hash == api_key_secrets.hash_secret(body["secret"])
    listed = client.get("/api/v1/api-keys/", **admin.auth)
    assert body["secret"] not in listed.content.decode() and "secret_hash" not in listed.content.decode()
    assert client.get("/api/v1/layout-presets/", HTTP_AUTHORIZATION=f"Bearer {body['secret']}").status_code == 200
    rotated = post(client, f"/api/v1/api-keys/{body['id']}/rotate/", {}, admin).json()
    assert rotated["name"] == "ci" and rotated["permissions"] == {"scopes": ["themes:read"]}
    assert client.get("/api/v1/layout-presets/", HTTP_AUTHORIZATION=f"Bearer {body['secret']}").status_code == 401
    assert client.get("/api/v1/layout-presets/", HTTP_AUTHORIZATION=f"Bearer {rotated['secret']}").status_code == 200
    revoked = post(client, f"/api/v1/api-keys/{rotated['id']}/revoke/", {}, admin).json()
    assert revoked["revoked_at"] is not None
    assert client.get("/api/v1/layout-presets/", HTTP_AUTHORIZATION=f"Bearer {rotated['secret']}").status_code == 401


@pytest.mark.parametrize("role,status", [("owner", 201), ("admin", 201), ("member", 403), ("viewer", 403), ("api", 403)])
def test_api_keys__issue__by_role(client, keyed_tenant_factory, role, status):
    key = keyed_tenant_factory(role=role)
    assert post(client, "/api/v1/api-keys/", {"name": "x", "role": "viewer"}, key).status_code == status


def test_api_keys__admin_cannot_issue_an_owner_key(client, keyed_tenant_factory):
    admin = keyed_tenant_factory(role="admin")
    response = post(client, "/api/v1/api-keys/", {"name": "root", "role": "owner"}, admin)
    assert response.status_code == 403 and response.json()["code"] == "MELMASTOON.MEMBERS.ROLE_ESCALATION"


def test_audit_log__records_writes_with_actor__filters_and_newest_first(client, keyed_tenant_factory):
    admin = keyed_tenant_factory(role="admin")
    theme = post(client, "/api/v1/themes/", {"name": "Lake"}, admin).json()
    client.patch(f"/api/v1/themes/{theme['id']}/", json.dumps({"name": "Lake II"}), content_type="application/json",
                 HTTP_IF_MATCH='"1"', HTTP_X_REQUEST_ID="req-42", **admin.auth)
    rows = client.get(f"/api/v1/audit-log/?entity_id={theme['id']}", **admin.auth).json()["results"]
    assert [r["action"] for r in rows] == ["theme.updated", "theme.created"]
    assert rows[0]["old_values"] == {"name": "Lake", "version": 1} or rows[0]["old_values"]["name"] == "Lake"
    assert rows[0]["request_id"] == "req-42" and rows[0]["actor"].startswith("api_key:")
    assert client.get("/api/v1/audit-log/?since=yesterday", **admin.auth).status_code == 422
    other = keyed_tenant_factory(role="owner")
    assert client.get("/api/v1/audit-log/", **other.auth).json()["results"] == []


def test_api_key__idempotent_replay__never_the_secret_again_nor_kept(client, keyed_tenant_factory):
    admin = keyed_tenant_factory(role="admin")
    first = client.post("/api/v1/api-keys/", json.dumps({"name": "ci"}), content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="key-ci", **admin.auth)
    secret = first.json()["secret"]
    again = client.post("/api/v1/api-keys/", json.dumps({"name": "ci"}), content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="key-ci", **admin.auth)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["secret"] is None and again.json()["id"] == first.json()["id"]
    assert again["Cache-Control"] == "no-store"
    from django.db import connection

    with tenant_context(admin.id), connection.cursor() as cursor:
        cursor.execute("SELECT response::text FROM theme_config.idempotency_keys WHERE key = 'key-ci'")
        stored = cursor.fetchone()[0]
    assert '"secret": null' in stored and secret not in stored
