"""The theme workspace over HTTP, as a front end drives it: problem+json, ETags, Idempotency-Key."""
from __future__ import annotations

import json

import pytest

from tests.unit.themeconfig.validators import samples
from themeconfig.models import Theme, ThemeVersion
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, keyed_tenant_factory):
    keyed = keyed_tenant_factory(role="admin")

    class Api:
        tenant = keyed

        def call(self, method, path, body=None, **headers):
            extra = {**keyed.auth, **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}}
            kwargs = {"content_type": "application/json"} if body is not None else {}
            data = json.dumps(body) if body is not None else None
            return getattr(client, method)(path, data, **kwargs, **extra) if data is not None else \
                getattr(client, method)(path, **extra)

    return Api()


def ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.content[:600])
    return response.json() if response.content else None


def problem(response, status, code):
    assert response.status_code == status, (response.status_code, response.content[:600])
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code, body
    return body


def make_theme(api, **fields):
    body = {"name": "Lake", "default_locale": "en", "enabled_locales": ["en", "fr"], "fallback_chain": ["fr", "en"],
            **fields}
    return api.call("post", "/api/v1/themes/", body)


def test_flow__create_theme_draft_edit_preview_ready(api):
    created = make_theme(api)
    theme = ok(created, 201)
    assert created["Location"] == f"/api/v1/themes/{theme['id']}/" and created["ETag"] == '"1"'
    version = ok(api.call("post", f"/api/v1/themes/{theme['id']}/versions/", {}), 201)
    vid = version["id"]
    response = api.call("patch", f"/api/v1/versions/{vid}/", {"layout_selections": {"home": {"preset": "home.hero-split"}}},
                        **{"If-Match": '"1"'})
    assert ok(response)["version"] == 2 and response["ETag"] == '"2"'
    ok(api.call("put", f"/api/v1/versions/{vid}/locales/en/", {"entries": samples.valid_default_entries()}))
    fr = {**samples.valid_translated_entries(), "booking.summary.nights":
          "{nights, plural, =0 {Aucune} one {# nuit} many {# nuits} other {# nuits}} dès {start, date, medium}"}
    ok(api.call("put", f"/api/v1/versions/{vid}/locales/fr/", {"entries": fr}))
    ok(api.call("post", f"/api/v1/versions/{vid}/content-blocks/", {
        "surface": "home", "kind": "hero", "body": {"en": {"format": "markdown", "value": "Hi"}},
        "meta": samples.valid_meta("hero")}), 201)
    current = ok(api.call("get", f"/api/v1/versions/{vid}/"))
    assert len(current["content_blocks"]) == 1 and [p["locale"] for p in current["locale_packs"]] == ["en", "fr"]
    ready = ok(api.call("post", f"/api/v1/versions/{vid}/preview-ready/", {"version": current["version"]}))
    assert ready["status"] == "preview_ready"
    detail = ok(api.call("get", f"/api/v1/themes/{theme['id']}/"))
    assert detail["latest_versions"][0]["id"] == vid


def test_preview_ready__every_problem_with_its_path(api):
    theme = ok(make_theme(api), 201)
    version = ok(api.call("post", f"/api/v1/themes/{theme['id']}/versions/", {}), 201)
    body = problem(api.call("post", f"/api/v1/versions/{version['id']}/preview-ready/", {"version": 1}), 422,
                   "MELMASTOON.THEME.NOT_PREVIEW_READY")
    assert {e["path"] for e in body["errors"]} >= {"/locale_packs/en", "/locale_packs/fr"}


def test_occ__stale_if_match__409_with_current__no_precondition__428(api):
    theme = ok(make_theme(api), 201)
    path = f"/api/v1/themes/{theme['id']}/"
    ok(api.call("patch", path, {"name": "A"}, **{"If-Match": '"1"'}))
    body = problem(api.call("patch", path, {"name": "B"}, **{"If-Match": '"1"'}), 409, "MELMASTOON.THEME.VERSION_CONFLICT")
    assert body["current_version"] == 2
    problem(api.call("patch", path, {"name": "B"}), 428, "MELMASTOON.THEME.PRECONDITION_REQUIRED")
    assert ok(api.call("patch", path, {"name": "B", "version": 2}))["name"] == "B"
    problem(api.call("patch", path, {"name": "C"}, **{"If-Match": "nonsense"}), 400, "MELMASTOON.REQUEST.MALFORMED")


def test_idempotency__replay_mismatch_and_cross_tenant(api, client, keyed_tenant_factory):
    first = api.call("post", "/api/v1/themes/", {"name": "Lake"},
                                                          **{"Idempotency-Key": "k-1"})
    theme = ok(first, 201)
    again = api.call("post", "/api/v1/themes/", {"name": "Lake"}, **{"Idempotency-Key": "k-1"})
    assert ok(again, 201) == theme and again["Idempotent-Replayed"] == "true" and again["Location"] == first["Location"]
    problem(api.call("post", "/api/v1/themes/", {"name": "Other"}, **{"Idempotency-Key": "k-1"}), 422,
            "MELMASTOON.IDEMPOTENCY.KEY_REUSED")
    other = keyed_tenant_factory(role="admin")
    theirs = client.post("/api/v1/themes/", json.dumps({"name": "Lake"}), content_type="application/json",
                         HTTP_IDEMPOTENCY_KEY="k-1", **other.auth)
    assert ok(theirs, 201)["id"] != theme["id"] and "Idempotent-Replayed" not in theirs
    with tenant_context(api.tenant.id):
        assert Theme.objects.count() == 1


def test_immutable_version__409(api):
    theme = ok(make_theme(api), 201)
    version = ok(api.call("post", f"/api/v1/themes/{theme['id']}/versions/", {}), 201)
    ok(api.call("post", f"/api/v1/versions/{version['id']}/archive/", {"version": 1}))
    problem(api.call("patch", f"/api/v1/versions/{version['id']}/", {"release_notes": "x", "version": 2}), 409,
            "MELMASTOON.THEME.VERSION_IMMUTABLE")


def test_cross_tenant__ids_of_another_tenant__404_and_unchanged(api, client, keyed_tenant_factory):
    theme = ok(make_theme(api), 201)
    version = ok(api.call("post", f"/api/v1/themes/{theme['id']}/versions/", {}), 201)
    other = keyed_tenant_factory(role="owner")
    for method, path, body in [
        ("get", f"/api/v1/themes/{theme['id']}/", None),
        ("patch", f"/api/v1/themes/{theme['id']}/", {"name": "X", "version": 1}),
        ("delete", f"/api/v1/themes/{theme['id']}/", None),
        ("get", f"/api/v1/versions/{version['id']}/", None),
        ("patch", f"/api/v1/versions/{version['id']}/", {"release_notes": "x", "version": 1}),
        ("post", f"/api/v1/themes/{theme['id']}/versions/", {}),
    ]:
        kwargs = {"content_type": "application/json"} if body is not None else {}
        args = (json.dumps(body),) if body is not None else ()
        response = getattr(client, method)(path, *args, HTTP_IF_MATCH='"1"', **kwargs, **other.auth)
        problem(response, 404, "MELMASTOON.RESOURCE.NOT_FOUND")
    with tenant_context(api.tenant.id):
        assert Theme.objects.get().name == "Lake" and ThemeVersion.objects.count() == 1


def test_list__query_count_same_for_1_and_50(api, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost():
        with CaptureQueriesContext(connection) as ctx:
            ok(api.call("get", "/api/v1/themes/?deleted=include"))
        return len(ctx.captured_queries)

    ok(make_theme(api), 201)
    one = cost()
    with tenant_context(api.tenant.id):
        Theme.objects.filter().update(deleted_at="2026-01-01T00:00:00Z")
        for index in range(49):
            Theme.objects.create(tenant_id=api.tenant.id, name=f"T{index}", scope="tenant", default_locale="en",
                                 enabled_locales=["en"], fallback_chain=["en"], status="active", created_by="t",
                                 updated_by="t", deleted_at="2026-01-01T00:00:00Z")
    assert cost() == one


def test_viewer_key__writes_403_naming_the_permission(client, keyed_tenant_factory):
    viewer = keyed_tenant_factory(role="viewer")
    response = client.post("/api/v1/themes/", json.dumps({"name": "X"}), content_type="application/json", **viewer.auth)
    body = problem(response, 403, "MELMASTOON.AUTH.PERMISSION_DENIED")
    assert body["missing_permission"] == "themes.edit" and body["required_scope"] == "themes:write"
    assert client.get("/api/v1/themes/", **viewer.auth).status_code == 200


def test_patch_theme__locale_lists__applied_not_500(api):
    """Found by schemathesis: lists in the PATCH made the use case build an unhashable set."""
    theme = ok(make_theme(api), 201)
    body = ok(api.call("patch", f"/api/v1/themes/{theme['id']}/",
                       {"enabled_locales": ["en", "fr", "de"], "fallback_chain": ["de", "fr", "en"], "version": 1}))
    assert body["enabled_locales"] == ["en", "fr", "de"] and body["fallback_chain"] == ["de", "fr", "en"]


def test_problem__extras_never_replace_standard_members(api):
    """Found by schemathesis: the immutable-version problem carried "status": "archived"."""
    theme = ok(make_theme(api), 201)
    version = ok(api.call("post", f"/api/v1/themes/{theme['id']}/versions/", {}), 201)
    ok(api.call("post", f"/api/v1/versions/{version['id']}/archive/", {"version": 1}))
    body = problem(api.call("patch", f"/api/v1/versions/{version['id']}/", {"release_notes": "x", "version": 2}),
                   409, "MELMASTOON.THEME.VERSION_IMMUTABLE")
    assert body["status"] == 409 and body["version_status"] == "archived"


def test_every_child_endpoint__happy_path(api):
    theme = ok(make_theme(api), 201)
    vid = ok(api.call("post", f"/api/v1/themes/{theme['id']}/versions/", {}), 201)["id"]
    v = f"/api/v1/versions/{vid}"
    nav = ok(api.call("put", f"{v}/navigation/footer/", {"items": samples.valid_navigation_items()}))
    assert ok(api.call("get", f"{v}/navigation/footer/"))["id"] == nav["id"]
    ok(api.call("put", f"{v}/navigation/footer/", {"items": []}, **{"If-Match": f'"{nav["version"]}"'}))
    flow = ok(api.call("put", f"{v}/booking-flow/", {"steps": samples.valid_steps(), "toggles": samples.valid_toggles(),
                                                     "consent": samples.valid_consent()}))
    assert ok(api.call("get", f"{v}/booking-flow/"))["steps"][0]["id"] == "search" and flow["version"] == 1
    ok(api.call("put", f"{v}/email-theme/", {"tokens": samples.valid_email_tokens(), "logo_ref": samples.valid_logo_ref(),
                                            "footer": samples.valid_footer()}))
    assert ok(api.call("get", f"{v}/email-theme/"))["tokens"]["content_width_px"] == 640
    ok(api.call("put", f"{v}/locales/en/", {"entries": {"a.b": "A", "c.d": "C"}}))
    fr = ok(api.call("put", f"{v}/locales/fr/", {"entries": {"a.b": "A fr"}}))
    assert fr["completeness_pct"] == 50.0
    fr = ok(api.call("patch", f"{v}/locales/fr/", {"entries": {"c.d": "C fr"}, "version": fr["version"]}))
    assert fr["completeness_pct"] == 100.0
    assert [p["locale"] for p in ok(api.call("get", f"{v}/locales/"))["results"]] == ["en", "fr"]
    assert ok(api.call("delete", f"{v}/locales/fr/", **{"If-Match": f'"{fr["version"]}"'}), 204) is None
    blocks = [ok(api.call("post", f"{v}/content-blocks/", {
        "surface": "about", "kind": "rich_text", "body": {"en": {"format": "markdown", "value": text}},
        "meta": {"kind": "rich_text"}}), 201) for text in ("a", "b", "c")]
    moved = ok(api.call("post", f"/api/v1/content-blocks/{blocks[2]['id']}/move/", {"ordinal": 0, "version": 1}))
    assert moved["ordinal"] == 0
    edited = ok(api.call("patch", f"/api/v1/content-blocks/{blocks[0]['id']}/", {"visibility": "mobile_only", "version": 1}))
    assert edited["visibility"] == "mobile_only" and edited["version"] == 2
    version = ok(api.call("get", f"{v}/"))["version"]
    ordered = ok(api.call("post", f"{v}/content-blocks/reorder/", {
        "surface": "about", "block_ids": [blocks[1]["id"], blocks[0]["id"], blocks[2]["id"]], "version": version}))
    assert [b["id"] for b in ordered] == [blocks[1]["id"], blocks[0]["id"], blocks[2]["id"]]
    assert ok(api.call("delete", f"/api/v1/content-blocks/{blocks[1]['id']}/", **{"If-Match": '"1"'}), 204) is None
    listed = ok(api.call("get", f"{v}/content-blocks/?surface=about"))["results"]
    assert [(b["id"], b["ordinal"]) for b in listed] == [(blocks[0]["id"], 0), (blocks[2]["id"], 1)]
    versions = ok(api.call("get", f"/api/v1/themes/{theme['id']}/versions/"))["results"]
    assert versions[0]["id"] == vid


def test_theme_delete_list_deleted_and_restore(client, keyed_tenant_factory):
    owner = keyed_tenant_factory(role="owner")
    theme = client.post("/api/v1/themes/", json.dumps({"name": "Lake"}), content_type="application/json",
                        **owner.auth).json()
    deleted = client.delete(f"/api/v1/themes/{theme['id']}/", HTTP_IF_MATCH='"1"', **owner.auth)
    assert deleted.status_code == 200 and deleted.json()["deleted_at"] is not None
    assert client.get("/api/v1/themes/", **owner.auth).json()["results"] == []
    gone = client.get("/api/v1/themes/?deleted=only", **owner.auth).json()["results"]
    assert [t["id"] for t in gone] == [theme["id"]]
    restored = client.post(f"/api/v1/themes/{theme['id']}/restore/", **owner.auth)
    assert restored.status_code == 200 and restored.json()["deleted_at"] is None
