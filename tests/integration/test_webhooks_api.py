"""Webhook subscriptions over HTTP: the secret once, OCC, roles, validation with the field at fault."""
from __future__ import annotations

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.usefixtures("committed_db")


@pytest.fixture(autouse=True)
def local_targets(settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_TARGETS = ["127.0.0.1"]


def post(client, url, body, auth, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **auth, **headers)


def test_webhooks__create_shows_the_secret_once__list_and_detail_never(keyed_tenant_factory):
    admin = keyed_tenant_factory(role="admin")
    client = Client()
    created = post(client, "/api/v1/webhooks/", {"url": "http://127.0.0.1:8999/h", "event_types": ["theme.published.v1"]},
                   admin.auth, HTTP_IDEMPOTENCY_KEY="w1")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_") and created["Cache-Control"] == "no-store"
    assert created["Location"] == f"/api/v1/webhooks/{body['id']}/" and created["ETag"] == '"1"'
    replay = post(client, "/api/v1/webhooks/", {"url": "http://127.0.0.1:8999/h", "event_types": ["theme.published.v1"]},
                  admin.auth, HTTP_IDEMPOTENCY_KEY="w1")
    assert replay.status_code == 201 and replay.json()["secret"] is None and replay.json()["id"] == body["id"]
    listed = client.get("/api/v1/webhooks/", **admin.auth).json()
    assert [item["id"] for item in listed["results"]] == [body["id"]]
    assert "secret" not in listed["results"][0] and "secret_encrypted" not in listed["results"][0]
    detail = client.get(body and f"/api/v1/webhooks/{body['id']}/", **admin.auth)
    assert detail.status_code == 200 and "secret" not in detail.json()
    rotated = post(client, f"/api/v1/webhooks/{body['id']}/rotate-secret/", {}, admin.auth)
    assert rotated.status_code == 201 and rotated.json()["secret"] not in (None, body["secret"])
    assert rotated.json()["version"] == 2


def test_webhooks__patch_with_occ__delete__deliveries(keyed_tenant_factory):
    admin = keyed_tenant_factory(role="admin")
    client = Client()
    sub = post(client, "/api/v1/webhooks/", {"url": "http://127.0.0.1:8999/h"}, admin.auth).json()
    url = f"/api/v1/webhooks/{sub['id']}/"
    changed = client.patch(url, json.dumps({"is_active": False, "version": 1}), content_type="application/json",
                           **admin.auth)
    assert changed.status_code == 200 and changed.json()["is_active"] is False and changed.json()["version"] == 2
    stale = client.patch(url, json.dumps({"description": "x", "version": 1}), content_type="application/json",
                         **admin.auth)
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    missing = client.patch(url, json.dumps({"description": "x"}), content_type="application/json", **admin.auth)
    assert missing.status_code == 428
    deliveries = client.get(f"{url}deliveries/", **admin.auth)
    assert deliveries.status_code == 200 and deliveries.json()["results"] == []
    assert client.delete(url, HTTP_IF_MATCH='"1"', **admin.auth).status_code == 409
    assert client.delete(url, HTTP_IF_MATCH='"2"', **admin.auth).status_code == 204
    assert client.get(url, **admin.auth).status_code == 404


def test_webhooks__bad_input_names_the_field(keyed_tenant_factory, settings):
    admin = keyed_tenant_factory(role="admin")
    client = Client()
    settings.WEBHOOK_ALLOWED_PRIVATE_TARGETS = []
    refused = post(client, "/api/v1/webhooks/", {"url": "http://127.0.0.1:8999/h"}, admin.auth)
    assert refused.status_code == 422 and refused.json()["errors"][0]["path"] == "/url"
    assert "private or reserved" in refused.json()["errors"][0]["message"]
    settings.WEBHOOK_ALLOWED_PRIVATE_TARGETS = ["127.0.0.1"]
    unknown = post(client, "/api/v1/webhooks/", {"url": "http://127.0.0.1:8999/h", "event_types": ["nope"]}, admin.auth)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["path"] == "/event_types/0"
    assert post(client, "/api/v1/webhooks/", {}, admin.auth).status_code in (400, 422)


@pytest.mark.parametrize(("role", "read", "write"), [("viewer", 200, 403), ("member", 200, 403), ("api", 200, 403),
                                                     ("admin", 200, 201), ("owner", 200, 201)])
def test_webhooks__roles(keyed_tenant_factory, role, read, write):
    keyed = keyed_tenant_factory(role=role)
    client = Client()
    assert client.get("/api/v1/webhooks/", **keyed.auth).status_code == read
    assert post(client, "/api/v1/webhooks/", {"url": "http://127.0.0.1:8999/h"}, keyed.auth).status_code == write
