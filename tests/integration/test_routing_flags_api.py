"""Routing flags through the API (seed 003): set per scope, evaluated most specific first, every change
audited with who, when, what and why; a reason is required; rows are the tenant's own (RLS)."""
from __future__ import annotations

import json

import pytest

from themeconfig.models import RoutingFlagAudit
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.django_db


def post(client, keyed, path, body, **extra):
    return client.post(path, json.dumps(body), content_type="application/json", **keyed.auth, **extra)


def set_flag(client, keyed, scope_type, scope_id, mode, **extra):
    response = post(client, keyed, "/api/v1/routing-flags/", {
        "flag_key": "theme.route", "scope_type": scope_type, "scope_id": scope_id, "route_mode": mode,
        "reason": f"{scope_type} cut-over", **extra})
    assert response.status_code == 201, response.content
    return response.json()


def evaluate(client, keyed, **query):
    args = "&".join(f"{k}={v}" for k, v in query.items())
    response = client.get(f"/api/v1/routing-flags/evaluate/?flag_key=theme.route&{args}", **keyed.auth)
    assert response.status_code == 200, response.content
    return response.json()["route_mode"]


def test_evaluation__user_then_style_then_tenant_then_env__disabled_ones_skipped(client, keyed_tenant_factory,
                                                                                  theme_factory):
    keyed = keyed_tenant_factory()
    with tenant_context(keyed.tenant.id):
        theme = theme_factory()
    assert evaluate(client, keyed) is None
    set_flag(client, keyed, "env", "production", "legacy")
    assert evaluate(client, keyed) == "legacy"
    set_flag(client, keyed, "tenant", "", "owned")
    assert evaluate(client, keyed) == "owned" and evaluate(client, keyed, env="staging") == "owned"
    style = set_flag(client, keyed, "style", theme.pk, "candidate")
    assert evaluate(client, keyed, style=theme.pk) == "candidate" and evaluate(client, keyed) == "owned"
    set_flag(client, keyed, "user", "guest-7", "active")
    assert evaluate(client, keyed, style=theme.pk, user="guest-7") == "active"
    off = client.patch(f"/api/v1/routing-flags/{style['id']}/", json.dumps({"enabled": False, "reason": "incident"}),
                       content_type="application/json", HTTP_IF_MATCH='"1"', **keyed.auth)
    assert off.status_code == 200 and off.json()["version"] == 2
    assert evaluate(client, keyed, style=theme.pk) == "owned"


def test_every_change__audited_with_who_when_what_why__kept_after_delete__reason_required(client,
                                                                                        keyed_tenant_factory):
    keyed = keyed_tenant_factory()
    flag = set_flag(client, keyed, "user", "guest-1", "legacy")
    no_reason = client.patch(f"/api/v1/routing-flags/{flag['id']}/", json.dumps({"route_mode": "owned", "reason": " "}),
                             content_type="application/json", HTTP_IF_MATCH='"1"', **keyed.auth)
    assert no_reason.status_code == 422
    changed = client.patch(f"/api/v1/routing-flags/{flag['id']}/",
                           json.dumps({"route_mode": "owned", "reason": "migrated", "version": 1}),
                           content_type="application/json", **keyed.auth)
    assert changed.status_code == 200
    stale = client.delete(f"/api/v1/routing-flags/{flag['id']}/", json.dumps({"reason": "done", "version": 1}),
                          content_type="application/json", **keyed.auth)
    assert stale.status_code == 409
    gone = client.delete(f"/api/v1/routing-flags/{flag['id']}/", json.dumps({"reason": "done", "version": 2}),
                         content_type="application/json", **keyed.auth)
    assert gone.status_code == 204
    trail = client.get(f"/api/v1/routing-flags/{flag['id']}/audit/", **keyed.auth).json()["results"]
    assert [row["change_payload"]["action"] for row in trail] == ["deleted", "updated", "created"]
    assert [row["change_payload"]["reason"] for row in trail] == ["done", "migrated", "user cut-over"]
    assert trail[1]["change_payload"]["old"]["route_mode"] == "legacy"
    assert trail[1]["change_payload"]["new"]["route_mode"] == "owned"
    assert all(row["changed_by"].startswith("api_key:") and row["changed_at"] for row in trail)
    other = keyed_tenant_factory()
    assert client.get(f"/api/v1/routing-flags/{flag['id']}/audit/", **other.auth).status_code == 404
    with tenant_context(other.tenant.id):
        assert not RoutingFlagAudit.objects.exists()


def test_same_flag_and_scope_twice__taken__viewer_cannot_set(client, keyed_tenant_factory):
    keyed = keyed_tenant_factory()
    set_flag(client, keyed, "env", "production", "legacy")
    again = post(client, keyed, "/api/v1/routing-flags/", {"flag_key": "theme.route", "scope_type": "env",
                                                           "scope_id": "production", "route_mode": "x", "reason": "r"})
    assert again.status_code == 409 and again.json()["code"] == "MELMASTOON.ROUTING_FLAG.TAKEN"
    viewer = keyed_tenant_factory(role="viewer")
    denied = post(client, viewer, "/api/v1/routing-flags/", {"flag_key": "a", "scope_type": "env",
                                                             "route_mode": "x", "reason": "r"})
    assert denied.status_code == 403
