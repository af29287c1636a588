"""The AI workspace's review use cases: provider output → validated pending draft → approve/reject."""
from __future__ import annotations

import pytest
from django.utils import timezone

from ai_workspace import selectors, services
from ai_workspace.models import ContentDraft, PaletteSuggestion, TranslationDraft
from ai_workspace.providers import ContentRequest, PaletteRequest, ProviderResult, TranslationRequest
from ai_workspace.providers.offline import OfflineProvider
from tests.unit.themeconfig.validators import samples
from themeconfig import services as theme_services
from themeconfig.models import ContentBlock, LocalePack, ThemeVersion
from themeconfig.platform.errors import DomainError
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.django_db
STALE = "MELMASTOON.AI.STALE_DRAFT"
DECIDED = "MELMASTOON.AI.DRAFT_DECIDED"
INVALID_OUTPUT = "MELMASTOON.AI.INVALID_OUTPUT"
VALIDATION = "MELMASTOON.VALIDATION.FAILED"
DENIED = "MELMASTOON.AUTH.PERMISSION_DENIED"
NOT_FOUND = "MELMASTOON.RESOURCE.NOT_FOUND"
IMMUTABLE = "MELMASTOON.THEME.VERSION_IMMUTABLE"
BRAND_COLORS = [{"name": "Primary", "value": "#1f4e79", "role": "primary"}]
FACTS = {
    "name": "Hotel Miramar", "city": "Lisbon", "country": "Portugal",
    "description": "A 1920s townhouse above the river, with a rooftop terrace.", "booking_url": "/book",
}


@pytest.fixture
def tenant(tenant_factory):
    return tenant_factory()


def principal(tenant, role, user_id=1):
    return Principal.for_user(tenant_id=tenant.id, user_id=user_id, role=role)


@pytest.fixture
def member(tenant):
    return principal(tenant, "member", 1)


@pytest.fixture
def reviewer(tenant):
    return principal(tenant, "member", 2)


@pytest.fixture
def theme(member):
    return theme_services.theme_create(principal=member, name="Lake", default_locale="en",
                                       enabled_locales=["en", "fr"], fallback_chain=["fr", "en"])


@pytest.fixture
def version(member, theme):
    version = theme_services.version_create(principal=member, theme_id=theme.pk)
    theme_services.locale_pack_put(principal=member, version_id=version.pk, locale="en",
                                   entries=samples.valid_default_entries())
    return fresh(version)


def fresh(row):
    with tenant_context(row.tenant_id):
        return type(row).objects.get(pk=row.pk)


def refused(code, call, status=None):
    with pytest.raises(DomainError) as info:
        call()
    assert info.value.code == code, (info.value.code, info.value.message, info.value.errors)
    if status:
        assert info.value.http_status == status
    return info.value


def base_of(version):
    with tenant_context(version.tenant_id):
        return selectors.version_draft_base(version.pk)


def palette_base(theme):
    with tenant_context(theme.tenant_id):
        return selectors.palette_draft_base(theme.pk)


def offline_palette(version, mood="calm"):
    return OfflineProvider().palette(PaletteRequest(brand_colors=BRAND_COLORS, mood=mood, current_tokens=version.tokens))


def offline_translation():
    return OfflineProvider().translation(TranslationRequest(
        source_entries=samples.valid_default_entries(), target_locale="fr", plural_categories="target"))


def offline_content(kind="rich_text"):
    return OfflineProvider().content(ContentRequest(surface="home", kind=kind, locale="en",
                                                    brand={"name": "Miramar Group"}, property_facts=FACTS))


def translation_draft(member, version, result=None):
    return services.translation_draft_create(principal=member, version_id=version.pk, locale="fr",
                                             result=result or offline_translation(), base=base_of(version))


def content_draft(member, version, **kwargs):
    return services.content_draft_create(principal=member, version_id=version.pk, surface="home", kind="rich_text",
                                         result=offline_content(), base=base_of(version), **kwargs)


def palette_draft(member, theme, version, mood="calm"):
    return services.palette_draft_create(principal=member, theme_id=theme.pk, result=offline_palette(version, mood),
                                         base=palette_base(theme))


def hand_made(output):
    return ProviderResult(output=output, provider="test", model="hand", prompt_template_id="t",
                          prompt_template_version="1")


def counts(tenant):
    with tenant_context(tenant.id):
        return (PaletteSuggestion.objects.count(), TranslationDraft.objects.count(), ContentDraft.objects.count())


# --- create ---------------------------------------------------------------------------------------

def test_create__offline_output_of_each_kind__pending_with_provenance_requester_and_base(member, theme, version):
    palette = palette_draft(member, theme, version)
    translation = translation_draft(member, version)
    content = content_draft(member, version)
    for draft in (palette, translation, content):
        assert draft.status == "pending"
        provenance = draft.ai_provenance
        assert provenance["provider"] == "offline" and provenance["requested_by"] == member.actor
        assert {"model", "prompt_template_id", "prompt_template_version", "parameters", "timings_ms"} <= set(provenance)
    assert translation.ai_provenance["base"] == {"version_id": version.pk, "version": version.version}
    assert palette.ai_provenance["base"]["versions"] == {version.pk: version.version}
    assert palette.ai_provenance["base"]["version_id"] == version.pk
    assert set(translation.drafted_entries) == set(samples.valid_default_entries())
    assert content.drafted_meta["kind"] == "rich_text"


@pytest.mark.parametrize("kind, output", [
    ("palette", {"color": {"primary": "not a colour"}}),
    ("translation", {"common.greeting": "Bonjour {nom} !"}),  # argument parity with the default pack
    ("translation", {"booking.search.guests": "{count, plural, one {# x}"}),  # not ICU
    ("content", {"body": {"en": {"format": "html", "value": "<p>Hi</p>"}}, "meta": {"kind": "hero"}}),
    ("content", {"body": {"de": {"format": "markdown", "value": "Hallo"}}, "meta": {"kind": "rich_text"}}),
])
def test_create__invalid_hand_made_output__422_with_errors_and_nothing_stored(member, theme, version, tenant, kind,
                                                                             output):
    create = {
        "palette": lambda: services.palette_draft_create(principal=member, theme_id=theme.pk, result=hand_made(output),
                                                         base=palette_base(theme)),
        "translation": lambda: translation_draft(member, version, hand_made(output)),
        "content": lambda: services.content_draft_create(principal=member, version_id=version.pk, surface="home",
                                                         kind="rich_text", result=hand_made(output),
                                                         base=base_of(version)),
    }[kind]
    error = refused(INVALID_OUTPUT, create, 422)
    assert error.errors and all(e.path.startswith("/output") for e in error.errors)
    assert counts(tenant) == (0, 0, 0)


def test_create__html_in_output__stored_sanitised(member, version):
    output = {"body": {"en": {"format": "html", "value": '<p onclick="x()">Hi<script>alert(1)</script></p>'}},
              "meta": {"kind": "rich_text"}}
    draft = services.content_draft_create(principal=member, version_id=version.pk, surface="home", kind="rich_text",
                                          result=hand_made(output), base=base_of(version))
    assert "script" not in draft.drafted_body["en"]["value"] and "onclick" not in draft.drafted_body["en"]["value"]


def test_create__base_not_of_the_target__422_naming_base(member, theme, version, tenant):
    error = refused(VALIDATION, lambda: services.translation_draft_create(
        principal=member, version_id=version.pk, locale="fr", result=offline_translation(),
        base={"version_id": "thv_01M84PX9M9SYNQ39P6SWS9", "version": 1}), 422)
    assert error.errors[0].path == "/base"
    assert counts(tenant) == (0, 0, 0)


# --- approve --------------------------------------------------------------------------------------

def test_approve_translation__pack_merged_with_provenance_counter_bumped_draft_recorded(member, reviewer, version, tenant):
    draft = translation_draft(member, version)
    approved = services.draft_approve(principal=reviewer, kind="translation", draft_id=draft.pk, note="Looks right")
    assert approved.status == "approved" and approved.approver_note == "Looks right"
    assert approved.approver_user_id == reviewer.actor and approved.decided_at is not None
    assert approved.applied_to_version_id == version.pk
    with tenant_context(tenant.id):
        pack = LocalePack.objects.get(theme_version_id=version.pk, locale="fr")
        assert pack.entries == draft.drafted_entries
        assert pack.ai_provenance["draft_id"] == draft.pk and pack.ai_provenance["provider"] == "offline"
        assert pack.ai_provenance["approved_by"] == reviewer.actor
        assert float(pack.completeness_pct) == 100
        assert ThemeVersion.objects.get(pk=version.pk).version == version.version + 1


def test_approve_translation__chosen_keys__only_those_applied_and_recorded(member, reviewer, version, tenant):
    draft = translation_draft(member, version)
    approved = services.draft_approve(principal=reviewer, kind="translation", draft_id=draft.pk,
                                      keys=["common.greeting", "booking.search.title"])
    assert approved.ai_provenance["approval"]["applied_keys"] == ["booking.search.title", "common.greeting"]
    with tenant_context(tenant.id):
        pack = LocalePack.objects.get(theme_version_id=version.pk, locale="fr")
    assert set(pack.entries) == {"common.greeting", "booking.search.title"}
    assert pack.entries["common.greeting"] == draft.drafted_entries["common.greeting"]


def test_approve_translation__unknown_key__422_and_nothing_applied(member, reviewer, version, tenant):
    draft = translation_draft(member, version)
    error = refused(VALIDATION, lambda: services.draft_approve(
        principal=reviewer, kind="translation", draft_id=draft.pk, keys=["common.greeting", "no.such.key"]), 422)
    assert error.errors[0].path == "/keys/1"
    with tenant_context(tenant.id):
        assert not LocalePack.objects.filter(theme_version_id=version.pk, locale="fr").exists()
    assert fresh(draft).status == "pending"


def test_approve_palette__colours_replace_the_versions_rest_kept_and_provenance_on_the_version(
        member, reviewer, theme, version):
    draft = palette_draft(member, theme, version, mood="vibrant")
    services.draft_approve(principal=reviewer, kind="palette", draft_id=draft.pk)
    after = fresh(version)
    assert after.tokens["color"] == draft.drafted_tokens["color"]
    assert after.tokens["typography"] == version.tokens["typography"]
    assert after.ai_provenance["draft_id"] == draft.pk and after.ai_provenance["model"] == draft.ai_provenance["model"]
    assert after.version == version.version + 1 and after.status == "draft"
    assert fresh(draft).applied_to_version_id == version.pk


def test_approve_palette__version_made_after_the_draft__stale(member, reviewer, theme, version):
    draft = palette_draft(member, theme, version)
    later = theme_services.version_create(principal=member, theme_id=theme.pk)
    refused(STALE, lambda: services.draft_approve(principal=reviewer, kind="palette", draft_id=draft.pk,
                                                  version_id=later.pk), 409)
    assert fresh(later).tokens == later.tokens


def test_approve_content__new_block_appended_with_provenance(member, reviewer, version, tenant):
    draft = content_draft(member, version)
    services.draft_approve(principal=reviewer, kind="content", draft_id=draft.pk)
    with tenant_context(tenant.id):
        block = ContentBlock.objects.get(theme_version_id=version.pk)
    assert (block.surface, block.kind, block.ordinal) == ("home", "rich_text", 0)
    assert block.body == draft.drafted_body and block.ai_provenance["draft_id"] == draft.pk


def test_approve_content__existing_block__body_replaced(member, reviewer, version, tenant):
    block = theme_services.content_block_create(
        principal=member, version_id=version.pk, surface="home", kind="rich_text",
        body={"en": {"format": "markdown", "value": "Old"}}, meta=samples.valid_meta("rich_text"))
    draft = content_draft(member, fresh(version), content_block_id=block.pk)
    services.draft_approve(principal=reviewer, kind="content", draft_id=draft.pk)
    after = fresh(block)
    assert after.body == draft.drafted_body and after.version == block.version + 1
    assert after.ai_provenance["draft_id"] == draft.pk


def test_approve__target_edited_since__409_stale_and_nothing_applied(member, reviewer, version, tenant):
    draft = translation_draft(member, version)
    theme_services.version_update(principal=member, version_id=version.pk, expected_version=version.version,
                                  release_notes="edited meanwhile")
    error = refused(STALE, lambda: services.draft_approve(principal=reviewer, kind="translation", draft_id=draft.pk),
                    409)
    assert error.extra["current_version"] == version.version + 1
    with tenant_context(tenant.id):
        assert not LocalePack.objects.filter(theme_version_id=version.pk, locale="fr").exists()
    assert fresh(draft).status == "pending"


def test_approve__published_target__409_immutable_and_nothing_applied(member, reviewer, theme, version, tenant):
    draft = content_draft(member, version)
    palette = palette_draft(member, theme, version)
    with tenant_context(tenant.id):
        ThemeVersion.objects.filter(pk=version.pk).update(
            status="published", published_at=timezone.now(), published_by="test", published_bundle_url="https://cdn/x",
            published_bundle_sha256="0" * 64)
    refused(IMMUTABLE, lambda: services.draft_approve(principal=reviewer, kind="content", draft_id=draft.pk), 409)
    refused(IMMUTABLE, lambda: services.draft_approve(principal=reviewer, kind="palette", draft_id=palette.pk), 409)
    with tenant_context(tenant.id):
        assert not ContentBlock.objects.filter(theme_version_id=version.pk).exists()
        assert ThemeVersion.objects.get(pk=version.pk).tokens == version.tokens
    assert fresh(draft).status == "pending" and fresh(palette).status == "pending"


def test_approve__older_pending_drafts_for_the_same_target__superseded_others_untouched(
        member, reviewer, theme, version, tenant):
    older = translation_draft(member, version)
    newer = translation_draft(member, version)
    other_target = content_draft(member, version)
    services.draft_approve(principal=reviewer, kind="translation", draft_id=newer.pk)
    assert fresh(older).status == "superseded" and fresh(older).decided_at is not None
    assert fresh(other_target).status == "pending"
    refused(DECIDED, lambda: services.draft_approve(principal=reviewer, kind="translation", draft_id=older.pk), 409)


def test_approve__twice__409_decided(member, reviewer, version):
    draft = content_draft(member, version)
    services.draft_approve(principal=reviewer, kind="content", draft_id=draft.pk)
    refused(DECIDED, lambda: services.draft_approve(principal=reviewer, kind="content", draft_id=draft.pk), 409)


def test_approve__writes_audit_rows_in_the_same_transaction(member, reviewer, version, admin_sql):
    draft = translation_draft(member, version)
    services.draft_approve(principal=reviewer, kind="translation", draft_id=draft.pk)
    with tenant_context(version.tenant_id):
        from django.db import connection
        with connection.cursor() as cursor:
            cursor.execute("SELECT action FROM theme_config.audit_log WHERE entity_id IN (%s, %s) ORDER BY id",
                           [draft.pk, LocalePack.objects.get(theme_version_id=version.pk, locale="fr").pk])
            actions = [row[0] for row in cursor.fetchall()]
    assert actions == ["translation_draft.created", "locale_pack.created", "translation_draft.approved"]


# --- reject ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("note", [None, "", "   "])
def test_reject__without_a_note__422_naming_note(member, reviewer, version, note):
    draft = content_draft(member, version)
    error = refused(VALIDATION, lambda: services.draft_reject(principal=reviewer, kind="content", draft_id=draft.pk,
                                                              note=note), 422)
    assert error.errors[0].path == "/note"
    assert fresh(draft).status == "pending"


def test_reject__with_a_note__rejected_and_nothing_applied(member, reviewer, version, tenant):
    draft = content_draft(member, version)
    rejected = services.draft_reject(principal=reviewer, kind="content", draft_id=draft.pk, note="Off brand")
    assert (rejected.status, rejected.approver_note, rejected.approver_user_id) == ("rejected", "Off brand", reviewer.actor)
    assert rejected.decided_at is not None
    with tenant_context(tenant.id):
        assert not ContentBlock.objects.filter(theme_version_id=version.pk).exists()
    refused(DECIDED, lambda: services.draft_approve(principal=reviewer, kind="content", draft_id=draft.pk), 409)


# --- permissions and tenancy ----------------------------------------------------------------------

@pytest.mark.parametrize("role, may_create, may_review", [
    ("viewer", False, False), ("member", True, True), ("admin", True, True), ("owner", True, True),
    ("api", True, False),
])
def test_permissions__by_role(tenant, member, version, role, may_create, may_review):
    caller = principal(tenant, role, 9)
    create = lambda: content_draft(caller, version)  # noqa: E731
    if may_create:
        create()
    else:
        refused(DENIED, create, 403)
    draft = content_draft(member, version)
    review = lambda: services.draft_reject(principal=caller, kind="content", draft_id=draft.pk, note="No")  # noqa: E731
    if may_review:
        assert review().status == "rejected"
    else:
        refused(DENIED, review, 403)
        refused(DENIED, lambda: services.draft_approve(principal=caller, kind="content", draft_id=draft.pk), 403)
        assert fresh(draft).status == "pending"


def test_api_key_with_review_scope_only__may_review_without_themes_write(tenant, member, version):
    key = Principal.for_api_key(tenant_id=tenant.id, api_client_id="apc_1", role="owner", scopes=frozenset({"ai:review"}))
    draft = content_draft(member, version)
    assert services.draft_approve(principal=key, kind="content", draft_id=draft.pk).status == "approved"


def test_another_tenants_draft__404_to_read_approve_and_reject(tenant_factory, member, version):
    draft = content_draft(member, version)
    stranger = principal(tenant_factory(), "owner", 7)
    refused(NOT_FOUND, lambda: services.draft_approve(principal=stranger, kind="content", draft_id=draft.pk), 404)
    refused(NOT_FOUND, lambda: services.draft_reject(principal=stranger, kind="content", draft_id=draft.pk,
                                                     note="x"), 404)
    with tenant_context(stranger.tenant_id):
        refused(NOT_FOUND, lambda: selectors.content_draft_get(draft.pk), 404)
        assert not selectors.content_draft_list().exists()
    assert fresh(draft).status == "pending"


def test_selectors__list_by_target_and_status(member, reviewer, theme, version, tenant):
    palette = palette_draft(member, theme, version)
    translation = translation_draft(member, version)
    services.draft_reject(principal=reviewer, kind="translation", draft_id=translation.pk, note="No")
    with tenant_context(tenant.id):
        assert list(selectors.palette_suggestion_list(theme_id=theme.pk)) == [palette]
        assert list(selectors.translation_draft_list(version_id=version.pk, status="pending")) == []
        assert selectors.translation_draft_get(translation.pk).status == "rejected"
        refused(VALIDATION, lambda: selectors.draft_get("poem", palette.pk), 422)
