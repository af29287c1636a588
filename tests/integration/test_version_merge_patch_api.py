"""PATCH versions/{id}/ with `Content-Type: application/merge-patch+json` (RFC 7396): a partial token
edit merges into the stored tokens through version_update, validated whole, OCC and problem+json
with the JSON pointer of the field at fault; `application/json` still replaces the whole document."""
from __future__ import annotations

import json

import pytest

from tests.unit.themeconfig.validators import samples
from themeconfig.models import ThemeVersion
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.django_db
MERGE = "application/merge-patch+json"


@pytest.fixture
def draft(client, keyed_tenant_factory):
    """A draft with a complete token set and a layout; `patch(body, content_type)` PATCHes it."""
    keyed = keyed_tenant_factory(role="admin")

    def call(method, path, body=None, content_type="application/json", **extra):
        if body is None:
            return getattr(client, method)(path, **keyed.auth, **extra)
        return getattr(client, method)(path, json.dumps(body), content_type=content_type, **keyed.auth, **extra)

    theme = call("post", "/api/v1/themes/", {"name": "Lake", "enabled_locales": ["en", "fr"],
                                                 "fallback_chain": ["fr", "en"]}).json()
    version = call("post", f"/api/v1/themes/{theme['id']}/versions/", {}).json()
    path = f"/api/v1/versions/{version['id']}/"
    seeded = call("patch", path, {"version": version["version"], "tokens": samples.valid_tokens(),
                                  "layout_selections": {"home": {"preset": "home.hero-split"}}})
    assert seeded.status_code == 200, seeded.content

    class Draft:
        id = version["id"]
        version_number = seeded.json()["version"]

        @staticmethod
        def patch(body, content_type=MERGE, **extra):
            return call("patch", path, body, content_type=content_type, **extra)

        @staticmethod
        def stored():
            with tenant_context(keyed.tenant.id):
                return ThemeVersion.objects.get(pk=version["id"])

    return Draft


def problem(response, status, code):
    assert response.status_code == status, response.content[:800]
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == code
    return response.json()


def test_merge_patch__one_colour__only_that_token_changes(draft):
    before = draft.stored().tokens

    response = draft.patch({"version": draft.version_number, "tokens": {"color": {"primary": "#c0ffee"}}})

    assert response.status_code == 200, response.content
    assert response["ETag"] == f'"{draft.version_number + 1}"'
    assert draft.stored().tokens == {**before, "color": {**before["color"], "primary": "#c0ffee"}}


def test_merge_patch__if_match_instead_of_version__applied(draft):
    response = draft.patch({"tokens": {"spacing": {"md": "20px"}}}, HTTP_IF_MATCH=f'"{draft.version_number}"')

    assert response.status_code == 200, response.content
    assert draft.stored().tokens["spacing"]["md"] == "20px"


def test_json_patch__partial_tokens__replaces_the_document_so_every_missing_group_is_required(draft):
    before = draft.stored().tokens

    body = problem(draft.patch({"version": draft.version_number, "tokens": {"color": {"primary": "#c0ffee"}}},
                               content_type="application/json"), 422, "MELMASTOON.VALIDATION.FAILED")

    assert len(body["errors"]) >= 5 and all(error["path"].startswith("/tokens") for error in body["errors"])
    assert draft.stored().tokens == before


def test_merge_patch__invalid_colour__422_pointing_at_that_token_nothing_stored(draft):
    before = draft.stored()

    body = problem(draft.patch({"version": draft.version_number, "tokens": {"color": {"primary": "not-a-colour"}}}),
                   422, "MELMASTOON.VALIDATION.FAILED")

    assert [error["path"] for error in body["errors"]] == ["/tokens/color/primary"]
    after = draft.stored()
    assert (after.tokens, after.version) == (before.tokens, before.version)


def test_merge_patch__null_removes_a_required_token__422_pointing_at_it(draft):
    body = problem(draft.patch({"version": draft.version_number, "tokens": {"color": {"on_primary": None}}}),
                   422, "MELMASTOON.VALIDATION.FAILED")

    assert "/tokens/color/on_primary" in [error["path"] for error in body["errors"]]


def test_merge_patch__stale_or_missing_version__409_or_428_and_nothing_merged(draft):
    body = problem(draft.patch({"version": draft.version_number - 1, "tokens": {"color": {"primary": "#c0ffee"}}}),
                   409, "MELMASTOON.THEME.VERSION_CONFLICT")
    assert body["current_version"] == draft.version_number
    problem(draft.patch({"tokens": {"color": {"primary": "#c0ffee"}}}), 428, "MELMASTOON.THEME.PRECONDITION_REQUIRED")
    assert draft.stored().tokens["color"]["primary"] != "#c0ffee"


def test_merge_patch__layout_selection_options__merged_into_the_surface(draft):
    response = draft.patch({"version": draft.version_number, "layout_selections": {"home": {"options": {}}}})

    assert response.status_code == 200, response.content
    assert draft.stored().layout_selections["home"]["preset"] == "home.hero-split"


def test_merge_patch__body_not_an_object__422(draft):
    problem(draft.patch(["tokens"]), 422, "MELMASTOON.VALIDATION.FAILED")


def test_openapi__version_patch__documents_merge_patch(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    content = schema["paths"]["/api/v1/versions/{version_id}/"]["patch"]["requestBody"]["content"]

    assert set(content) >= {"application/json", MERGE}


def test_locale_pack_patch__merge_patch_media_type__merges_entries_null_removes(client, keyed_tenant_factory):
    keyed = keyed_tenant_factory(role="admin")
    theme = client.post("/api/v1/themes/", {"name": "Lake", "enabled_locales": ["en", "fr"]},
                        content_type="application/json", **keyed.auth).json()
    version = client.post(f"/api/v1/themes/{theme['id']}/versions/", {}, content_type="application/json",
                          **keyed.auth).json()
    keys = {"a.b": "A", "c.d": "C", "e.f": "E"}
    default = client.put(f"/api/v1/versions/{version['id']}/locales/en/", {"entries": keys},
                         content_type="application/json", **keyed.auth)
    assert default.status_code in (200, 201), default.content  # the default pack holds every key
    path = f"/api/v1/versions/{version['id']}/locales/fr/"
    put = client.put(path, {"entries": {"a.b": "A", "c.d": "C"}}, content_type="application/json", **keyed.auth)
    assert put.status_code in (200, 201), put.content
    patched = client.patch(path, json.dumps({"entries": {"a.b": None, "e.f": "E"}, "version": put.json()["version"]}),
                           content_type=MERGE, **keyed.auth)
    assert patched.status_code == 200, patched.content
    assert patched.json()["entries"] == {"c.d": "C", "e.f": "E"}
    refused = client.put(path, json.dumps({"entries": {"a.b": "A"}}), content_type=MERGE, **keyed.auth)
    assert refused.status_code == 415  # a merge patch is a PATCH, never a whole replacement
