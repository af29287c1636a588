"""Hostile and broken bodies on every kind of write: 4xx problem+json, never 5xx, nothing written."""
from __future__ import annotations

import json

import pytest

from themeconfig.models import Theme
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_key(keyed_tenant_factory):
    return keyed_tenant_factory(role="admin")


@pytest.fixture
def version_path(client, admin_key):
    theme = client.post("/api/v1/themes/", json.dumps({"name": "Lake"}), content_type="application/json",
                        **admin_key.auth).json()
    version = client.post(f"/api/v1/themes/{theme['id']}/versions/", "{}", content_type="application/json",
                          **admin_key.auth).json()
    return f"/api/v1/versions/{version['id']}/"


def _send(client, key, method, path, raw: bytes | str, content_type="application/json"):
    return getattr(client, method)(path, raw, content_type=content_type, HTTP_IF_MATCH='"1"', **key.auth)


def _problem(response, statuses):
    assert response.status_code in statuses, (response.status_code, response.content[:400])
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


DEEP = "[" * 5000 + "]" * 5000
CASES = [
    ("malformed", b'{"name": "Lake",', "application/json", {400}),
    ("array_for_object", b'["name", "Lake"]', "application/json", {422}),
    ("nan", b'{"name": NaN}', "application/json", {400}),
    ("too_deep", '{"name": "x", "extra": ' + DEEP + "}", "application/json", {400, 422}),
    ("deep_but_parseable", '{"name": "x", "enabled_locales": ' + "[" * 40 + '"en"' + "]" * 40 + "}",
     "application/json", {422}),
    ("nul_in_string", json.dumps({"name": "La\u0000ke"}), "application/json", {422}),
    ("nul_in_key", json.dumps({"na\u0000me": "Lake"}), "application/json", {422}),
    ("invalid_utf8", b'{"name": "\xff\xfe"}', "application/json", {400}),
    ("wrong_content_type", "name=Lake", "application/x-www-form-urlencoded", {415}),
    ("text_plain", '{"name": "Lake"}', "text/plain", {415}),
]


@pytest.mark.parametrize("name,raw,content_type,statuses", CASES, ids=[c[0] for c in CASES])
def test_theme_create__bad_body__problem_and_nothing_written(client, admin_key, name, raw, content_type, statuses):
    body = _problem(_send(client, admin_key, "post", "/api/v1/themes/", raw, content_type), statuses)
    assert body["code"].startswith("MELMASTOON.")
    with tenant_context(admin_key.id):
        assert not Theme.objects.exists()


@pytest.mark.parametrize("name,raw,content_type,statuses", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("method,suffix", [
    ("patch", ""), ("put", "locales/en/"), ("put", "navigation/header/"), ("put", "booking-flow/"),
    ("put", "email-theme/"), ("post", "content-blocks/"), ("post", "preview-ready/"),
])
def test_version_writes__bad_body__4xx_problem(client, admin_key, version_path, method, suffix, name, raw,
                                              content_type, statuses):
    response = _send(client, admin_key, method, version_path + suffix, raw, content_type)
    _problem(response, statuses | {400, 415, 422})
    detail = client.get(version_path, **admin_key.auth).json()
    assert detail["version"] == 1 and detail["content_blocks"] == [] and detail["locale_packs"] == []


def test_body_over_the_limit__413(client, admin_key, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = _problem(_send(client, admin_key, "post", "/api/v1/themes/", json.dumps({"name": "x" * 20_000})), {413})
    assert body["code"] == "MELMASTOON.REQUEST.TOO_LARGE"


@pytest.mark.parametrize("path", [
    "/api/v1/themes/thv_01M84PX9M9SYNQ39P6SWS9/", "/api/v1/themes/not-an-id/", "/api/v1/versions/thm_01M84PX9M9SYNQ39P6SWS9/",
    "/api/v1/content-blocks/x%00y/", "/api/v1/themes/%00/versions/",
])
def test_ids_of_the_wrong_kind__404_or_400(client, admin_key, path):
    body = _problem(client.get(path, **admin_key.auth), {400, 404})
    assert body["code"] in ("MELMASTOON.RESOURCE.NOT_FOUND", "MELMASTOON.REQUEST.MALFORMED")


def test_type_errors__named_by_path(client, admin_key):
    body = _problem(_send(client, admin_key, "post", "/api/v1/themes/",
                          json.dumps({"name": 5, "enabled_locales": "en", "scope": "galaxy"})), {422})
    paths = {e["path"] for e in body["errors"]}
    assert {"/enabled_locales", "/scope"} <= paths
