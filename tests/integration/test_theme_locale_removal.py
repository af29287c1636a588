"""Removing an enabled locale that unpublished versions still have packs in: refused at the theme
update (409 naming each pack) unless the caller drops them; published and archived versions keep
theirs. Through the use case, the HTTP API and the admin theme form, as theme_config_app."""
from __future__ import annotations

import json

import pytest
from django.utils import timezone

from tests.factories.admin_staff import make_staff, sign_in
from themeconfig import services
from themeconfig.models import AuditLogEntry, LocalePack, Theme, ThemeVersion
from themeconfig.platform.errors import DomainError
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.selectors.audit import audit_trail

pytestmark = pytest.mark.django_db
PACKS_PRESENT = "MELMASTOON.THEME.LOCALE_PACKS_PRESENT"
EN, FR, DE = {"a.b": "A"}, {"a.b": "A fr"}, {"a.b": "A de"}


def theme_with_versions(principal: Principal) -> tuple[Theme, dict[str, ThemeVersion]]:
    """A theme enabling en, fr, de with: a draft (en, fr, de packs), a preview-ready version (en, fr),
    a published one and an archived one (en, fr each), and a draft with only an en pack."""
    theme = services.theme_create(principal=principal, name="Lake", default_locale="en",
                                  enabled_locales=["en", "fr", "de"], fallback_chain=["fr", "de", "en"])
    versions = {}
    for name, packs in (("draft", {"en": EN, "fr": FR, "de": DE}), ("preview_ready", {"en": EN, "fr": FR}),
                        ("published", {"en": EN, "fr": FR}), ("archived", {"en": EN, "fr": FR}),
                        ("en_only", {"en": EN})):
        version = services.version_create(principal=principal, theme_id=theme.pk)
        for locale, entries in packs.items():
            services.locale_pack_put(principal=principal, version_id=version.pk, locale=locale, entries=entries)
        versions[name] = version
    with tenant_context(principal.tenant_id):
        # Arranged directly: reaching these statuses through publishing is not what is under test.
        ThemeVersion.objects.filter(pk=versions["preview_ready"].pk).update(status="preview_ready")
        ThemeVersion.objects.filter(pk=versions["published"].pk).update(
            status="published", published_at=timezone.now(), published_by="test",
            published_bundle_url="bundles/x.json", published_bundle_sha256="0" * 64)
        ThemeVersion.objects.filter(pk=versions["archived"].pk).update(
            status="archived", archived_at=timezone.now(), archived_reason="manual_archive")
        versions = {name: ThemeVersion.objects.get(pk=v.pk) for name, v in versions.items()}
    return theme, versions


def packs_of(tenant_id: str, theme: Theme) -> set[tuple[str, str]]:
    with tenant_context(tenant_id):
        return set(LocalePack.objects.filter(theme_version__theme_id=theme.pk)
                   .values_list("theme_version_id", "locale"))


# --- the use case ----------------------------------------------------------------------------------

@pytest.fixture
def member(tenant_factory) -> Principal:
    return Principal.for_user(tenant_id=tenant_factory().id, user_id=1, role="member")


def test_theme_update__removed_locale_has_unpublished_packs__409_naming_each_and_nothing_changed(member):
    theme, versions = theme_with_versions(member)
    before = packs_of(member.tenant_id, theme)
    with pytest.raises(DomainError) as info:
        services.theme_update(principal=member, theme_id=theme.pk, expected_version=theme.version,
                              enabled_locales=["en"], fallback_chain=["en"])
    error = info.value
    assert error.code == PACKS_PRESENT and error.http_status == 409
    named = {(p["version_id"], p["locale"]) for p in error.extra["locale_packs"]}
    assert named == {(versions["draft"].pk, "fr"), (versions["draft"].pk, "de"), (versions["preview_ready"].pk, "fr")}
    assert [(e.path, e.code) for e in error.errors] == [("/enabled_locales", "locale_pack_present")] * 3
    for pack in error.extra["locale_packs"]:
        version = next(v for v in versions.values() if v.pk == pack["version_id"])
        assert pack["version_ordinal"] == version.ordinal and pack["version_status"] == version.status
        assert any(pack["version_id"] in e.message and f" {pack['locale']} " in e.message for e in error.errors)
    with tenant_context(member.tenant_id):
        current = Theme.objects.get(pk=theme.pk)
    assert current.enabled_locales == ["en", "fr", "de"] and current.version == theme.version
    assert packs_of(member.tenant_id, theme) == before


def test_theme_update__drop_locale_packs__unpublished_packs_deleted_audited_published_and_archived_kept(member):
    theme, versions = theme_with_versions(member)
    saved = services.theme_update(principal=member, theme_id=theme.pk, expected_version=theme.version,
                                  enabled_locales=["en", "de"], fallback_chain=["de", "en"], drop_locale_packs=True)
    assert saved.enabled_locales == ["en", "de"] and saved.version == theme.version + 1
    v = {name: version.pk for name, version in versions.items()}
    assert packs_of(member.tenant_id, theme) == {
        (v["draft"], "en"), (v["draft"], "de"), (v["preview_ready"], "en"),
        (v["published"], "en"), (v["published"], "fr"), (v["archived"], "en"), (v["archived"], "fr"),
        (v["en_only"], "en"),
    }
    with tenant_context(member.tenant_id):
        after = {name: ThemeVersion.objects.get(pk=pk) for name, pk in v.items()}
        deletions = list(AuditLogEntry.objects.filter(action="locale_pack.deleted"))
        draft_history = {row.action for row in audit_trail(entity_ids=[v["draft"]], version_ids=[v["draft"]])}
    # The versions that lost a pack moved on (their own OCC version) and are drafts again.
    for name in ("draft", "preview_ready"):
        assert after[name].status == "draft" and after[name].version == versions[name].version + 1, name
    for name in ("published", "archived", "en_only"):
        assert (after[name].status, after[name].version) == (versions[name].status, versions[name].version), name
    assert sorted((row.old_values["theme_version_id"], row.old_values["locale"], row.actor) for row in deletions) \
        == sorted([(v["draft"], "fr", member.actor), (v["preview_ready"], "fr", member.actor)])
    assert all(row.old_values["entries"] == FR for row in deletions)
    assert "locale_pack.deleted" in draft_history  # the version's history still finds the dropped pack


def test_theme_update__stale_version_with_drop__409_conflict_and_packs_kept(member):
    theme, _ = theme_with_versions(member)
    services.theme_update(principal=member, theme_id=theme.pk, expected_version=theme.version, name="Moved on")
    before = packs_of(member.tenant_id, theme)
    with pytest.raises(DomainError) as info:
        services.theme_update(principal=member, theme_id=theme.pk, expected_version=theme.version,
                              enabled_locales=["en"], fallback_chain=["en"], drop_locale_packs=True)
    assert info.value.code == "MELMASTOON.THEME.VERSION_CONFLICT"
    assert packs_of(member.tenant_id, theme) == before


def test_theme_update__locale_only_published_versions_use__applied_without_drop(member):
    theme, versions = theme_with_versions(member)
    admin = Principal.for_user(tenant_id=member.tenant_id, user_id=2, role="admin")
    for name in ("draft", "preview_ready"):
        services.version_archive(principal=admin, version_id=versions[name].pk,
                                 expected_version=_version_of(member, versions[name]))
    saved = services.theme_update(principal=member, theme_id=theme.pk, expected_version=theme.version,
                                  enabled_locales=["en"], fallback_chain=["en"])
    assert saved.enabled_locales == ["en"]
    assert (versions["published"].pk, "fr") in packs_of(member.tenant_id, theme)


def test_version_create__from_published_version_after_locale_removed__draft_without_that_pack(member):
    theme, versions = theme_with_versions(member)
    theme = services.theme_update(principal=member, theme_id=theme.pk, expected_version=theme.version,
                                  enabled_locales=["en", "de"], fallback_chain=["de", "en"], drop_locale_packs=True)
    copy = services.version_create(principal=member, theme_id=theme.pk, from_version_id=versions["published"].pk)
    with tenant_context(member.tenant_id):
        assert list(LocalePack.objects.filter(theme_version_id=copy.pk).values_list("locale", flat=True)) == ["en"]
    assert (versions["published"].pk, "fr") in packs_of(member.tenant_id, theme)  # the source keeps its history


def _version_of(principal: Principal, version: ThemeVersion) -> int:
    with tenant_context(principal.tenant_id):
        return ThemeVersion.objects.get(pk=version.pk).version


# --- the HTTP API ----------------------------------------------------------------------------------

@pytest.fixture
def api(client, keyed_tenant_factory):
    keyed = keyed_tenant_factory(role="admin")

    def call(method, path, body=None, keyed_as=keyed, **headers):
        extra = {**keyed_as.auth, **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}}
        if body is None:
            return getattr(client, method)(path, **extra)
        return getattr(client, method)(path, json.dumps(body), content_type="application/json", **extra)

    call.tenant = keyed
    return call


def api_theme(api) -> tuple[dict, str]:
    theme = api("post", "/api/v1/themes/", {"name": "Lake", "default_locale": "en", "enabled_locales": ["en", "fr"],
                                            "fallback_chain": ["fr", "en"]}).json()
    version = api("post", f"/api/v1/themes/{theme['id']}/versions/", {}).json()["id"]
    assert api("put", f"/api/v1/versions/{version}/locales/en/", {"entries": EN}).status_code == 200
    assert api("put", f"/api/v1/versions/{version}/locales/fr/", {"entries": FR}).status_code == 200
    return theme, version


def test_patch_theme__remove_locale_with_draft_pack__409_problem_naming_the_pack(api):
    theme, version = api_theme(api)
    response = api("patch", f"/api/v1/themes/{theme['id']}/", {"enabled_locales": ["en"], "fallback_chain": ["en"]},
                   **{"If-Match": '"1"'})
    assert response.status_code == 409 and response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == PACKS_PRESENT
    assert [(e["path"], e["code"]) for e in body["errors"]] == [("/enabled_locales", "locale_pack_present")]
    assert version in body["errors"][0]["message"] and " fr " in body["errors"][0]["message"]
    assert body["locale_packs"] == [{"version_id": version, "version_ordinal": 1, "version_status": "draft",
                                     "locale": "fr"}]
    assert api("get", f"/api/v1/themes/{theme['id']}/").json()["enabled_locales"] == ["en", "fr"]
    assert api("get", f"/api/v1/versions/{version}/locales/fr/").status_code == 200


def test_patch_theme__drop_locale_packs__200_pack_gone_and_version_moved_on(api):
    theme, version = api_theme(api)
    version_before = api("get", f"/api/v1/versions/{version}/").json()["version"]
    response = api("patch", f"/api/v1/themes/{theme['id']}/",
                   {"enabled_locales": ["en"], "fallback_chain": ["en"], "drop_locale_packs": True},
                   **{"If-Match": '"1"'})
    assert response.status_code == 200, response.content[:500]
    assert response.json()["enabled_locales"] == ["en"] and response["ETag"] == '"2"'
    assert [p["locale"] for p in api("get", f"/api/v1/versions/{version}/locales/").json()["results"]] == ["en"]
    assert api("get", f"/api/v1/versions/{version}/locales/fr/").status_code == 404
    # A client still holding the version's old ETag is told it moved on.
    assert api("get", f"/api/v1/versions/{version}/").json()["version"] == version_before + 1
    stale = api("patch", f"/api/v1/versions/{version}/", {"release_notes": "x"}, **{"If-Match": f'"{version_before}"'})
    assert stale.status_code == 409 and stale.json()["code"] == "MELMASTOON.THEME.VERSION_CONFLICT"


def test_patch_theme__other_tenants_theme_with_drop__404_and_their_packs_kept(api, keyed_tenant_factory):
    theme, version = api_theme(api)
    other = keyed_tenant_factory(role="admin")
    response = api("patch", f"/api/v1/themes/{theme['id']}/",
                   {"enabled_locales": ["en"], "fallback_chain": ["en"], "drop_locale_packs": True, "version": 1},
                   keyed_as=other)
    assert response.status_code == 404 and response.json()["code"] == "MELMASTOON.RESOURCE.NOT_FOUND"
    assert api("get", f"/api/v1/versions/{version}/locales/fr/").status_code == 200
    assert api("get", f"/api/v1/themes/{theme['id']}/").json()["enabled_locales"] == ["en", "fr"]


def test_openapi__theme_patch__documents_drop_locale_packs(api):
    schema = api("get", "/api/schema/?format=json").json()
    patch = schema["paths"]["/api/v1/themes/{theme_id}/"]["patch"]
    ref = patch["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert schema["components"]["schemas"][ref]["properties"]["drop_locale_packs"]["type"] == "boolean"
    assert "LOCALE_PACKS_PRESENT" in patch["description"] and "409" in patch["responses"]


# --- the admin theme form --------------------------------------------------------------------------

THEMES = "/admin/themeconfig/theme/"


def change_form(theme: Theme, **overrides) -> dict:
    return {"name": theme.name, "default_locale": theme.default_locale, "enabled_locales": ",".join(theme.enabled_locales),
            "fallback_chain": ",".join(theme.fallback_chain), "status": theme.status,
            "expected_version": theme.version, **overrides}


def test_admin_theme_change__remove_locale_with_draft_packs__refused_beside_the_field_then_dropped(client):
    staff = make_staff("Locale Hotels")
    theme, versions = theme_with_versions(staff.principals["member"])
    sign_in(client, staff, "member")
    assert 'name="drop_locale_packs"' in client.get(f"{THEMES}{theme.pk}/change/").content.decode()
    removal = change_form(theme, enabled_locales="en,de", fallback_chain="de,en")
    refused = client.post(f"{THEMES}{theme.pk}/change/", removal)
    assert refused.status_code == 200
    form = refused.context["adminform"].form
    messages = form.errors["enabled_locales"]
    assert len(messages) == 2 and all(" fr " in m for m in messages)
    assert all(any(versions[name].pk in m for m in messages) for name in ("draft", "preview_ready"))
    assert "drop_locale_packs" in form.errors and form.data["enabled_locales"] == "en,de"
    with tenant_context(staff.tenant.id):
        assert Theme.objects.get(pk=theme.pk).enabled_locales == ["en", "fr", "de"]
    assert (versions["draft"].pk, "fr") in packs_of(staff.tenant.id, theme)

    dropped = client.post(f"{THEMES}{theme.pk}/change/", {**removal, "drop_locale_packs": "on"})
    assert dropped.status_code == 302
    with tenant_context(staff.tenant.id):
        assert Theme.objects.get(pk=theme.pk).enabled_locales == ["en", "de"]
        deleted_by = set(AuditLogEntry.objects.filter(action="locale_pack.deleted").values_list("actor", flat=True))
    remaining = packs_of(staff.tenant.id, theme)
    assert (versions["draft"].pk, "fr") not in remaining and (versions["preview_ready"].pk, "fr") not in remaining
    assert (versions["published"].pk, "fr") in remaining and (versions["archived"].pk, "fr") in remaining
    assert deleted_by == {staff.principals["member"].actor}


def test_admin_theme_change__viewer__no_drop_checkbox(client):
    staff = make_staff("Viewer Hotels")
    theme, _ = theme_with_versions(staff.principals["member"])
    sign_in(client, staff, "viewer")
    page = client.get(f"{THEMES}{theme.pk}/change/")
    assert page.status_code == 200 and 'name="drop_locale_packs"' not in page.content.decode()
