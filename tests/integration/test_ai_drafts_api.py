"""The AI drafts' review API: lists per theme/version, one draft with its diff, approve and reject."""
from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ai_workspace import selectors, services
from ai_workspace.providers import ContentRequest, PaletteRequest, TranslationRequest
from ai_workspace.providers.offline import OfflineProvider
from tests.factories.tenancy import ApiClientFactory
from tests.unit.themeconfig.validators import samples
from themeconfig import services as theme_services
from themeconfig.models import LocalePack
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.django_db
STALE = "MELMASTOON.AI.STALE_DRAFT"
DENIED = "MELMASTOON.AUTH.PERMISSION_DENIED"
NOT_FOUND = "MELMASTOON.RESOURCE.NOT_FOUND"


@pytest.fixture
def keyed(keyed_tenant_factory):
    """A tenant with a `member` key (may review); `key(role)` makes another key of the same tenant."""
    return keyed_tenant_factory(role="member")


def key(tenant, role):
    with tenant_context(tenant.id):
        return {"HTTP_AUTHORIZATION": f"Bearer {ApiClientFactory(role=role).secret}"}


@pytest.fixture
def member(keyed):
    return Principal.for_user(tenant_id=keyed.id, user_id=1, role="member")


@pytest.fixture
def theme(member):
    return theme_services.theme_create(principal=member, name="Lake", default_locale="en",
                                       enabled_locales=["en", "fr"], fallback_chain=["fr", "en"])


@pytest.fixture
def version(member, theme):
    version = theme_services.version_create(principal=member, theme_id=theme.pk)
    theme_services.locale_pack_put(principal=member, version_id=version.pk, locale="en",
                                   entries=samples.valid_default_entries())
    return version


def offline_translation():
    return OfflineProvider().translation(TranslationRequest(
        source_entries=samples.valid_default_entries(), target_locale="fr", plural_categories="target"))


def base_of(tenant_id, version_id):
    with tenant_context(tenant_id):
        return selectors.version_draft_base(version_id)


def translation_draft(member, version):
    return services.translation_draft_create(principal=member, version_id=version.pk, locale="fr",
                                             result=offline_translation(), base=base_of(member.tenant_id, version.pk))


def content_draft(member, version):
    result = OfflineProvider().content(ContentRequest(
        surface="home", kind="rich_text", locale="en", brand={"name": "Miramar Group"},
        property_facts={"name": "Hotel Miramar", "city": "Lisbon", "country": "Portugal",
                        "description": "A townhouse above the river.", "booking_url": "/book"}))
    return services.content_draft_create(principal=member, version_id=version.pk, surface="home", kind="rich_text",
                                         result=result, base=base_of(member.tenant_id, version.pk))


def palette_draft(member, theme, version):
    with tenant_context(member.tenant_id):
        base = selectors.palette_draft_base(theme.pk)
        tokens = type(version).objects.get(pk=version.pk).tokens
    result = OfflineProvider().palette(PaletteRequest(
        brand_colors=[{"name": "Primary", "value": "#1f4e79", "role": "primary"}], mood="calm", current_tokens=tokens))
    return services.palette_draft_create(principal=member, theme_id=theme.pk, result=result, base=base)


def post(client, url, body, auth, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **auth, **headers)


def test_lists__each_target_its_drafts__status_filter__queries_do_not_grow(client, keyed, member, theme, version):
    translation = translation_draft(member, version)
    content = content_draft(member, version)
    palette = palette_draft(member, theme, version)
    urls = {f"/api/v1/versions/{version.pk}/translation-drafts/": translation.pk,
            f"/api/v1/versions/{version.pk}/content-drafts/": content.pk,
            f"/api/v1/themes/{theme.pk}/palette-suggestions/": palette.pk}
    for url, draft_id in urls.items():
        response = client.get(url, **keyed.auth)
        assert response.status_code == 200, response.content
        assert [d["id"] for d in response.json()["results"]] == [draft_id]
        assert response.json()["results"][0]["ai_provenance"]["provider"] == "offline"
        assert client.get(url + "?status=rejected", **keyed.auth).json()["results"] == []
        assert client.get(url + "?status=pending", **keyed.auth).json()["results"][0]["id"] == draft_id
    bad = client.get(f"/api/v1/versions/{version.pk}/content-drafts/?status=nope", **keyed.auth)
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "/status"
    missing = client.get("/api/v1/versions/thv_01M8V474CC86KS1Y3P911N/translation-drafts/", **keyed.auth)
    assert missing.status_code == 404 and missing.json()["code"] == NOT_FOUND

    url = f"/api/v1/versions/{version.pk}/content-drafts/"
    with CaptureQueriesContext(connection) as one:
        client.get(url, **keyed.auth)
    content_draft(member, version)
    content_draft(member, version)
    with CaptureQueriesContext(connection) as three:
        assert len(client.get(url, **keyed.auth).json()["results"]) == 3
    assert len(three) == len(one)


def test_detail__translation__diff_per_key_added_changed_unchanged(client, keyed, member, version):
    drafted = offline_translation().output
    same, other = "booking.search.title", "common.greeting"
    theme_services.locale_pack_put(principal=member, version_id=version.pk, locale="fr",
                                   entries={same: drafted[same], other: "Bonjour, {name} !"})
    draft = translation_draft(member, version)
    response = client.get(f"/api/v1/ai-drafts/translation/{draft.pk}/", **keyed.auth)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "pending" and body["ai_provenance"]["provider"] == "offline"
    assert body["drafted_entries"] == drafted
    changes = {row["key"]: row for row in body["diff"]["entries"]}
    assert set(changes) == set(drafted)
    assert changes[same]["change"] == "unchanged"
    assert changes[other] == {"key": other, "current": "Bonjour, {name} !", "drafted": drafted[other], "change": "changed"}
    added = [k for k in drafted if k not in (same, other)]
    assert added and all(changes[k]["change"] == "added" and changes[k]["current"] is None for k in added)


def test_detail__palette_and_content__diff_against_the_target(client, keyed, member, theme, version):
    palette = palette_draft(member, theme, version)
    body = client.get(f"/api/v1/ai-drafts/palette/{palette.pk}/", **keyed.auth).json()
    assert body["diff"]["version_id"] == version.pk
    with tenant_context(keyed.id):
        current = type(version).objects.get(pk=version.pk).tokens["color"]
    rows = {row["token"]: row for row in body["diff"]["tokens"]}
    assert {f"color.{name}" for name in palette.drafted_tokens["color"]} <= set(rows)
    for name, value in palette.drafted_tokens["color"].items():
        row = rows[f"color.{name}"]
        assert row["drafted"] == value and row["current"] == current.get(name)
    content = content_draft(member, version)
    body = client.get(f"/api/v1/ai-drafts/content/{content.pk}/", **keyed.auth).json()
    assert body["diff"]["current"] is None and body["diff"]["change"] == "added"
    assert body["diff"]["drafted"] == {"body": content.drafted_body, "meta": content.drafted_meta}


def test_detail__unknown_kind_422__unknown_id_404(client, keyed, member, version):
    draft = translation_draft(member, version)
    unknown_kind = client.get(f"/api/v1/ai-drafts/layout/{draft.pk}/", **keyed.auth)
    assert unknown_kind.status_code == 422 and unknown_kind.json()["errors"][0]["path"] == "/kind"
    wrong_kind = client.get(f"/api/v1/ai-drafts/content/{draft.pk}/", **keyed.auth)
    assert wrong_kind.status_code == 404 and wrong_kind.json()["code"] == NOT_FOUND


def test_approve__translation__200_applied_to_the_pack(client, keyed, member, version):
    draft = translation_draft(member, version)
    response = post(client, f"/api/v1/ai-drafts/translation/{draft.pk}/approve/", {"note": "fine"}, keyed.auth)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "approved" and body["applied_to_version_id"] == version.pk
    assert body["approver_note"] == "fine" and body["decided_at"] is not None
    with tenant_context(keyed.id):
        pack = LocalePack.objects.get(theme_version_id=version.pk, locale="fr")
    assert pack.entries == draft.drafted_entries and pack.ai_provenance["draft_id"] == draft.pk
    again = post(client, f"/api/v1/ai-drafts/translation/{draft.pk}/approve/", {}, keyed.auth)
    assert again.status_code == 409 and again.json()["code"] == "MELMASTOON.AI.DRAFT_DECIDED"


def test_approve__version_changed_since_drafted__409_stale_and_nothing_applied(client, keyed, member, version):
    draft = translation_draft(member, version)
    theme_services.locale_pack_put(principal=member, version_id=version.pk, locale="en",
                                   entries=samples.valid_default_entries(), expected_version=1)  # moves the counter
    response = post(client, f"/api/v1/ai-drafts/translation/{draft.pk}/approve/", {}, keyed.auth)
    assert response.status_code == 409 and response.json()["code"] == STALE
    with tenant_context(keyed.id):
        assert not LocalePack.objects.filter(theme_version_id=version.pk, locale="fr").exists()
    assert client.get(f"/api/v1/ai-drafts/translation/{draft.pk}/", **keyed.auth).json()["status"] == "pending"


def test_reject__without_note_422_at_note__with_note_rejected(client, keyed, member, version):
    draft = translation_draft(member, version)
    url = f"/api/v1/ai-drafts/translation/{draft.pk}/reject/"
    for body in ({}, {"note": "   "}):
        response = post(client, url, body, keyed.auth)
        assert response.status_code == 422, response.content
        assert [e["path"] for e in response.json()["errors"]] == ["/note"]
    response = post(client, url, {"note": "Too literal."}, keyed.auth)
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert response.json()["approver_note"] == "Too literal." and response.json()["applied_to_version_id"] is None


@pytest.mark.parametrize("role", ["viewer", "api"])
def test_roles__viewer_and_api_key_read__cannot_approve_or_reject_403(client, keyed, member, version, role):
    draft = translation_draft(member, version)
    auth = key(keyed.tenant, role)
    assert client.get(f"/api/v1/versions/{version.pk}/translation-drafts/", **auth).status_code == 200
    assert client.get(f"/api/v1/ai-drafts/translation/{draft.pk}/", **auth).status_code == 200
    for action, body in (("approve", {}), ("reject", {"note": "no"})):
        response = post(client, f"/api/v1/ai-drafts/translation/{draft.pk}/{action}/", body, auth)
        assert response.status_code == 403 and response.json()["code"] == DENIED
        assert response.json()["missing_permission"] == "ai.review"
    assert client.get(f"/api/v1/ai-drafts/translation/{draft.pk}/", **auth).json()["status"] == "pending"


def test_approve__same_idempotency_key__replays_the_first_answer(client, keyed, member, version):
    draft = translation_draft(member, version)
    url = f"/api/v1/ai-drafts/translation/{draft.pk}/approve/"
    first = post(client, url, {"note": "ok"}, keyed.auth, HTTP_IDEMPOTENCY_KEY="approve-1")
    replay = post(client, url, {"note": "ok"}, keyed.auth, HTTP_IDEMPOTENCY_KEY="approve-1")
    assert first.status_code == replay.status_code == 200
    assert replay.json() == first.json() and replay["Idempotent-Replayed"] == "true"
    other_body = post(client, url, {"note": "other"}, keyed.auth, HTTP_IDEMPOTENCY_KEY="approve-1")
    assert other_body.status_code == 422
