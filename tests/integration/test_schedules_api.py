"""Publish schedules over HTTP: times in the tenant's time zone, conflicts named, move with OCC,
cancel, roles and scopes, and the list's query count."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories.tenancy import ApiClientFactory
from themeconfig import services
from themeconfig.models import ThemeVersion
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.usefixtures("committed_db", "no_publish_broker")


@pytest.fixture
def paris(keyed_tenant_factory):
    keyed = keyed_tenant_factory(role="admin")
    owner = Principal.operator("test", tenant_id=keyed.id)
    services.tenant_update(principal=owner, name="Paris hotels", settings={"time_zone": "Europe/Paris"})
    theme = services.theme_create(principal=owner, name="Lake")
    return keyed, owner, theme


def ready_version(owner, tenant_id, theme, text):
    version = services.version_create(principal=owner, theme_id=theme.pk)
    services.locale_pack_put(principal=owner, version_id=version.pk, locale="en", entries={"a.b": text})
    with tenant_context(tenant_id):
        current = ThemeVersion.objects.get(pk=version.pk).version
    return services.version_mark_preview_ready(principal=owner, version_id=version.pk, expected_version=current)


def send(client, method, url, body, auth, **headers):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json", **auth, **headers)


def local_noon_in(days: int) -> str:
    """Noon, `days` ahead, written without an offset (the tenant's time zone applies)."""
    return f"{(timezone.now() + timedelta(days=days)).date().isoformat()}T12:00:00"


def test_create__naive_times_read_in_the_tenant_time_zone__list_move_cancel(paris, django_assert_max_num_queries):
    keyed, owner, theme = paris
    version = ready_version(owner, keyed.id, theme, "campaign")
    client = Client()
    created = send(client, "post", f"/api/v1/themes/{theme.pk}/schedules/",
                   {"version_id": version.pk, "run_at": local_noon_in(10)}, keyed.auth)
    assert created.status_code == 201, created.content
    body = created.json()
    noon_paris = datetime.fromisoformat(body["run_at_local"])
    assert body["time_zone"] == "Europe/Paris" and (noon_paris.hour, noon_paris.minute) == (12, 0)
    assert datetime.fromisoformat(body["run_at"].replace("Z", "+00:00")).astimezone(UTC).hour in (10, 11)  # CET/CEST
    assert body["status"] == "scheduled" and created["Location"] == f"/api/v1/schedules/{body['id']}/"

    other = ready_version(owner, keyed.id, theme, "other")
    conflict = send(client, "post", f"/api/v1/themes/{theme.pk}/schedules/",
                    {"version_id": other.pk, "run_at": local_noon_in(10)}, keyed.auth)
    assert conflict.status_code == 409 and conflict.json()["code"] == "MELMASTOON.SCHEDULE.CONFLICT"
    assert conflict.json()["conflicting_schedule_id"] == body["id"]
    send(client, "post", f"/api/v1/themes/{theme.pk}/schedules/",
         {"version_id": other.pk, "run_at": local_noon_in(20)}, keyed.auth)
    with django_assert_max_num_queries(12):  # no query per row
        listed = client.get(f"/api/v1/themes/{theme.pk}/schedules/", **keyed.auth)
    assert [row["version_ordinal"] for row in listed.json()["results"]] == [version.ordinal, other.ordinal]

    url = f"/api/v1/schedules/{body['id']}/"
    moved = send(client, "patch", url, {"run_at": local_noon_in(11), "version": 1}, keyed.auth)
    assert moved.status_code == 200 and moved.json()["version"] == 2 and moved["ETag"] == '"2"'
    stale = send(client, "patch", url, {"run_at": local_noon_in(12), "version": 1}, keyed.auth)
    assert stale.status_code == 409 and stale.json()["code"] == "MELMASTOON.THEME.VERSION_CONFLICT"
    assert send(client, "patch", url, {"run_at": local_noon_in(12)}, keyed.auth).status_code == 428
    cancelled = send(client, "post", f"{url}cancel/", {}, keyed.auth, HTTP_IF_MATCH='"2"')
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = send(client, "post", f"{url}cancel/", {"version": 3}, keyed.auth)
    assert again.status_code == 409 and again.json()["code"] == "MELMASTOON.SCHEDULE.ALREADY_STARTED"


def test_roles_and_scopes__viewer_reads__themes_publish_scope_needed_to_schedule(paris, api_client_factory):
    keyed, owner, theme = paris
    version = ready_version(owner, keyed.id, theme, "campaign")
    with tenant_context(keyed.id):
        viewer = ApiClientFactory(role="viewer")
        narrowed = ApiClientFactory(role="admin", permissions={"scopes": ["themes:read", "themes:write"]})
    client = Client()
    as_viewer = {"HTTP_AUTHORIZATION": f"Bearer {viewer.secret}"}
    assert client.get(f"/api/v1/themes/{theme.pk}/schedules/", **as_viewer).status_code == 200
    for auth in (as_viewer, {"HTTP_AUTHORIZATION": f"Bearer {narrowed.secret}"}):
        denied = send(client, "post", f"/api/v1/themes/{theme.pk}/schedules/",
                      {"version_id": version.pk, "run_at": local_noon_in(3)}, auth)
        assert denied.status_code == 403 and denied.json()["required_scope"] == "themes:publish"
