"""The theme workspace's use cases, called as every door calls them (with a principal)."""
from __future__ import annotations

import functools

import pytest

from tests.factories.tenancy import PropertyFactory
from tests.unit.themeconfig.validators import samples
from themeconfig import services
from themeconfig.models import (
    BookingFlowConfig,
    ContentBlock,
    EmailTheme,
    LocalePack,
    NavigationConfig,
    Theme,
    ThemeVersion,
)
from themeconfig.platform.errors import DomainError
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.django_db
LOCALES = ["en", "fr"]


@pytest.fixture
def tenant(tenant_factory):
    return tenant_factory()


@pytest.fixture
def member(tenant):
    return Principal.for_user(tenant_id=tenant.id, user_id=1, role="member")


@pytest.fixture
def admin(tenant):
    return Principal.for_user(tenant_id=tenant.id, user_id=2, role="admin")


@pytest.fixture
def owner(tenant):
    return Principal.for_user(tenant_id=tenant.id, user_id=3, role="owner")


@pytest.fixture
def theme(member):
    return services.theme_create(principal=member, name="Lake", default_locale="en", enabled_locales=LOCALES,
                                 fallback_chain=["fr", "en"])


@pytest.fixture
def draft(member, theme):
    return services.version_create(principal=member, theme_id=theme.pk)


def refused(code, call, status=None):
    with pytest.raises(DomainError) as info:
        call()
    assert info.value.code == code, (info.value.code, info.value.message, info.value.errors)
    if status:
        assert info.value.http_status == status
    return info.value


def fill(member, version):
    """Everything a version needs to be previewable."""
    services.content_block_create(principal=member, version_id=version.pk, surface="home", kind="hero",
                                  body={"en": {"format": "markdown", "value": "Hi"}}, meta=samples.valid_meta("hero"))
    services.navigation_put(principal=member, version_id=version.pk, surface="header",
                            items=samples.valid_navigation_items())
    services.booking_flow_put(principal=member, version_id=version.pk, steps=samples.valid_steps(),
                              toggles=samples.valid_toggles(), consent=samples.valid_consent())
    services.email_theme_put(principal=member, version_id=version.pk, tokens=samples.valid_email_tokens(),
                             logo_ref=samples.valid_logo_ref(), footer=samples.valid_footer())
    services.locale_pack_put(principal=member, version_id=version.pk, locale="en",
                             entries=samples.valid_default_entries())
    services.locale_pack_put(principal=member, version_id=version.pk, locale="fr",
                             entries={**samples.valid_translated_entries(),
                                      "booking.summary.nights": "{nights, plural, =0 {Aucune nuit} one {# nuit} many {# nuits} other {# nuits}} dès le {start, date, medium}"})


# --- themes --------------------------------------------------------------------------------------

def test_theme_create__second_live_theme_for_the_slot__409_naming_the_holder(member, theme):
    error = refused("MELMASTOON.THEME.SLOT_TAKEN", lambda: services.theme_create(principal=member, name="Other"), 409)
    assert error.extra["existing_theme_id"] == theme.pk


def test_theme_create__property_scope__own_property_only(member, tenant):
    with tenant_context(tenant.id):
        prop = PropertyFactory()
    made = services.theme_create(principal=member, name="P", scope="property", property_id=prop.pk)
    assert made.property_id == prop.pk
    error = refused("MELMASTOON.VALIDATION.FAILED", lambda: services.theme_create(
        principal=member, name="Q", scope="property", property_id="prp_01M84PX9M9SYNQ39P6SWS9"), 422)
    assert error.errors[0].path == "/property_id"


def test_theme_create__bad_locales__every_problem_with_its_path(member):
    error = refused("MELMASTOON.VALIDATION.FAILED", lambda: services.theme_create(
        principal=member, name="", default_locale="xx_YY", enabled_locales=["en", "en"], fallback_chain=["de"]))
    paths = {e.path for e in error.errors}
    assert {"/name", "/default_locale", "/enabled_locales/1"} <= paths


def test_theme_update__stale_version__409_with_current_and_nothing_written(member, theme, tenant):
    services.theme_update(principal=member, theme_id=theme.pk, expected_version=1, name="Lake II")
    error = refused("MELMASTOON.THEME.VERSION_CONFLICT", lambda: services.theme_update(
        principal=member, theme_id=theme.pk, expected_version=1, name="Lake III"), 409)
    assert error.extra["current_version"] == 2
    with tenant_context(tenant.id):
        assert Theme.objects.get(pk=theme.pk).name == "Lake II"


def test_theme_update__no_version__428(member, theme):
    refused("MELMASTOON.THEME.PRECONDITION_REQUIRED", lambda: services.theme_update(
        principal=member, theme_id=theme.pk, expected_version=None, name="X"), 428)


def test_theme_status__member_cannot_suspend__admin_can__archived_is_final(member, admin, theme):
    refused("MELMASTOON.AUTH.PERMISSION_DENIED", lambda: services.theme_update(
        principal=member, theme_id=theme.pk, expected_version=1, status="suspended"), 403)
    services.theme_update(principal=admin, theme_id=theme.pk, expected_version=1, status="suspended")
    services.theme_update(principal=admin, theme_id=theme.pk, expected_version=2, status="archived")
    refused("MELMASTOON.THEME.INVALID_STATUS_TRANSITION", lambda: services.theme_update(
        principal=admin, theme_id=theme.pk, expected_version=3, status="active"), 409)


def test_theme_delete_and_restore__owner_only__restore_refused_when_slot_retaken(member, owner, theme):
    refused("MELMASTOON.AUTH.PERMISSION_DENIED", lambda: services.theme_delete(
        principal=member, theme_id=theme.pk, expected_version=1), 403)
    services.theme_delete(principal=owner, theme_id=theme.pk, expected_version=1)
    newer = services.theme_create(principal=member, name="New")
    error = refused("MELMASTOON.THEME.SLOT_TAKEN", lambda: services.theme_restore(principal=owner, theme_id=theme.pk))
    assert error.extra["existing_theme_id"] == newer.pk
    services.theme_delete(principal=owner, theme_id=newer.pk, expected_version=1)
    assert services.theme_restore(principal=owner, theme_id=theme.pk).deleted_at is None


# --- versions ------------------------------------------------------------------------------------

def test_version_create__blank__tokens_from_default_brand_kit(member, theme, tenant):
    services.brand_kit_create(principal=member, name="Kit", is_default=True,
                              colors=[{"name": "Teal", "value": "#00897b", "role": "primary"}], fonts=[])
    version = services.version_create(principal=member, theme_id=theme.pk)
    assert version.ordinal == 1 and version.status == "draft" and version.tokens["color"]["primary"] == "#00897b"
    assert services.version_create(principal=member, theme_id=theme.pk).ordinal == 2


def test_version_create__copy__every_child_exactly_in_constant_statements(member, theme, draft, tenant,
                                                                            django_assert_max_num_queries):
    fill(member, draft)
    for index in range(4):
        services.content_block_create(principal=member, version_id=draft.pk, surface="about", kind="rich_text",
                                      body={"en": {"format": "markdown", "value": f"b{index}"}},
                                      meta={"kind": "rich_text"})
    with django_assert_max_num_queries(22):
        copy = services.version_create(principal=member, theme_id=theme.pk, from_version_id=draft.pk)

    def shape(version_id):
        with tenant_context(tenant.id):
            return (
                list(ContentBlock.objects.filter(theme_version_id=version_id).order_by("surface", "ordinal")
                     .values_list("surface", "kind", "ordinal", "visibility", "body", "meta")),
                list(NavigationConfig.objects.filter(theme_version_id=version_id).values_list("surface", "items")),
                list(BookingFlowConfig.objects.filter(theme_version_id=version_id).values_list("steps", "toggles", "consent")),
                list(EmailTheme.objects.filter(theme_version_id=version_id).values_list("tokens", "logo_ref", "footer")),
                list(LocalePack.objects.filter(theme_version_id=version_id).order_by("locale")
                     .values_list("locale", "entries", "completeness_pct")),
                ThemeVersion.objects.filter(pk=version_id).values_list("tokens", "layout_selections").get(),
            )

    assert shape(copy.pk) == shape(draft.pk) and copy.ordinal == 2
    assert len(shape(copy.pk)[0]) == 5


def test_version_copy__query_count_does_not_grow_with_children(member, theme, draft, django_assert_num_queries,
                                                               tenant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def copy_cost():
        with CaptureQueriesContext(connection) as ctx:
            services.version_create(principal=member, theme_id=theme.pk, from_version_id=draft.pk)
        return len(ctx.captured_queries)

    _block(member, draft, "one")
    small = copy_cost()
    for index in range(20):
        services.content_block_create(principal=member, version_id=draft.pk, surface="about", kind="rich_text",
                                      body={"en": {"format": "markdown", "value": f"b{index}"}},
                                      meta={"kind": "rich_text"})
    assert copy_cost() == small


def test_version_update__tokens_validated_with_paths(member, draft):
    error = refused("MELMASTOON.VALIDATION.FAILED", lambda: services.version_update(
        principal=member, version_id=draft.pk, expected_version=1, tokens={"color": {"primary": "nope"}}), 422)
    assert any(e.path.startswith("/tokens/") for e in error.errors)
    updated = services.version_update(principal=member, version_id=draft.pk, expected_version=1,
                                      layout_selections={"home": {"preset": "home.hero-split"}}, release_notes="r1")
    assert updated.version == 2 and updated.layout_selections["home"]["preset"] == "home.hero-split"


def test_preview_ready__lists_every_problem_then_passes_and_edit_returns_to_draft(member, admin, draft):
    error = refused("MELMASTOON.THEME.NOT_PREVIEW_READY", lambda: services.version_mark_preview_ready(
        principal=admin, version_id=draft.pk, expected_version=draft.version), 422)
    assert {"/locale_packs/en", "/locale_packs/fr"} <= {e.path for e in error.errors}
    fill(member, draft)
    with tenant_context(draft.tenant_id):
        version = ThemeVersion.objects.get(pk=draft.pk).version
    ready = services.version_mark_preview_ready(principal=admin, version_id=draft.pk, expected_version=version)
    assert ready.status == "preview_ready"
    services.version_update(principal=member, version_id=draft.pk, expected_version=ready.version, release_notes="x")
    with tenant_context(draft.tenant_id):
        assert ThemeVersion.objects.get(pk=draft.pk).status == "draft"


def test_preview_ready__incomplete_translation_and_bad_child__paths_name_them(member, admin, draft, tenant):
    fill(member, draft)
    services.locale_pack_put(principal=member, version_id=draft.pk, locale="fr",
                             expected_version=1, entries={"common.greeting": "Bonjour, {name} !"})
    with tenant_context(tenant.id):
        NavigationConfig.objects.filter(theme_version_id=draft.pk).update(items=[{"id": "x"}])  # written behind its back
        version = ThemeVersion.objects.get(pk=draft.pk).version
    error = refused("MELMASTOON.THEME.NOT_PREVIEW_READY", lambda: services.version_mark_preview_ready(
        principal=admin, version_id=draft.pk, expected_version=version))
    paths = {e.path for e in error.errors}
    assert "/locale_packs/fr/completeness_pct" in paths
    assert any(p.startswith("/navigation/header/items/0") for p in paths)


def test_archived_version__immutable_everywhere(member, admin, draft):
    services.version_archive(principal=admin, version_id=draft.pk, expected_version=1)
    for call in (
        lambda: services.version_update(principal=member, version_id=draft.pk, expected_version=2, release_notes="x"),
        lambda: services.content_block_create(principal=member, version_id=draft.pk, surface="home", kind="rich_text",
                                              body={"en": {"format": "markdown", "value": "x"}}, meta={"kind": "rich_text"}),
        lambda: services.navigation_put(principal=member, version_id=draft.pk, surface="header", items=[]),
        lambda: services.locale_pack_put(principal=member, version_id=draft.pk, locale="en", entries={}),
    ):
        refused("MELMASTOON.THEME.VERSION_IMMUTABLE", call, 409)


# --- children ------------------------------------------------------------------------------------

def _block(member, version, text, **kwargs):
    return services.content_block_create(principal=member, version_id=version.pk, surface="home", kind="rich_text",
                                         body={"en": {"format": "markdown", "value": text}}, meta={"kind": "rich_text"},
                                         **kwargs)


def _order(version):
    with tenant_context(version.tenant_id):
        return list(ContentBlock.objects.filter(theme_version_id=version.pk, surface="home").order_by("ordinal")
                    .values_list("body__en__value", flat=True))


def test_content_blocks__insert_move_delete_reorder__ordinals_stay_contiguous(member, draft):
    a, _b, c = _block(member, draft, "a"), _block(member, draft, "b"), _block(member, draft, "c")
    _block(member, draft, "first", ordinal=0)
    assert _order(draft) == ["first", "a", "b", "c"]
    services.content_block_move(principal=member, block_id=c.pk, expected_version=1, ordinal=1)
    assert _order(draft) == ["first", "c", "a", "b"]
    services.content_block_delete(principal=member, block_id=a.pk, expected_version=1)
    assert _order(draft) == ["first", "c", "b"]
    with tenant_context(draft.tenant_id):
        ids = list(ContentBlock.objects.filter(theme_version_id=draft.pk).order_by("-ordinal").values_list("pk", flat=True))
        version = ThemeVersion.objects.get(pk=draft.pk).version
    services.content_blocks_reorder(principal=member, version_id=draft.pk, surface="home", block_ids=ids,
                                    expected_version=version)
    assert _order(draft) == ["b", "c", "first"]
    with tenant_context(draft.tenant_id):
        assert sorted(ContentBlock.objects.filter(theme_version_id=draft.pk).values_list("ordinal", flat=True)) == [0, 1, 2]


def test_content_blocks_reorder__not_the_surfaces_blocks__422_nothing_moved(member, draft):
    a, _b = _block(member, draft, "a"), _block(member, draft, "b")
    with tenant_context(draft.tenant_id):
        version = ThemeVersion.objects.get(pk=draft.pk).version
    refused("MELMASTOON.CONTENT.REORDER_MISMATCH", lambda: services.content_blocks_reorder(
        principal=member, version_id=draft.pk, surface="home", block_ids=[a.pk], expected_version=version), 422)
    assert _order(draft) == ["a", "b"]


def test_content_block__invalid_body_and_meta__paths(member, draft):
    error = refused("MELMASTOON.VALIDATION.FAILED", lambda: services.content_block_create(
        principal=member, version_id=draft.pk, surface="home", kind="hero",
        body={"de": {"format": "markdown", "value": "x"}}, meta={"kind": "hero"}), 422)
    paths = {e.path for e in error.errors}
    assert any(p.startswith("/body/de") for p in paths) and any(p.startswith("/meta/") for p in paths)


def test_navigation_put__replace_needs_the_version__stale_409(member, draft):
    nav = services.navigation_put(principal=member, version_id=draft.pk, surface="footer",
                                  items=samples.valid_navigation_items())
    refused("MELMASTOON.THEME.PRECONDITION_REQUIRED", lambda: services.navigation_put(
        principal=member, version_id=draft.pk, surface="footer", items=[]), 428)
    services.navigation_put(principal=member, version_id=draft.pk, surface="footer", items=[], expected_version=nav.version)
    refused("MELMASTOON.THEME.VERSION_CONFLICT", lambda: services.navigation_put(
        principal=member, version_id=draft.pk, surface="footer", items=[], expected_version=nav.version), 409)


def test_locale_packs__completeness_from_default_keys__patch_and_delete(member, draft):
    services.locale_pack_put(principal=member, version_id=draft.pk, locale="en", entries=samples.valid_default_entries())
    fr = services.locale_pack_put(principal=member, version_id=draft.pk, locale="fr",
                                  entries={"common.greeting": "Bonjour, {name} !"})
    assert float(fr.completeness_pct) == 20.0
    fr = services.locale_pack_patch(principal=member, version_id=draft.pk, locale="fr", expected_version=fr.version,
                                    entries={"booking.search.title": "Trouvez", "common.greeting": None})
    assert fr.entries == {"booking.search.title": "Trouvez"} and float(fr.completeness_pct) == 20.0
    error = refused("MELMASTOON.VALIDATION.FAILED", lambda: services.locale_pack_put(
        principal=member, version_id=draft.pk, locale="fr", expected_version=fr.version,
        entries={"common.greeting": "Bonjour, {nom} !"}))
    assert error.errors[0].path.startswith("/entries/common.greeting")
    refused("MELMASTOON.VALIDATION.FAILED", lambda: services.locale_pack_put(
        principal=member, version_id=draft.pk, locale="de", entries={}))
    services.locale_pack_delete(principal=member, version_id=draft.pk, locale="fr", expected_version=fr.version)
    with tenant_context(draft.tenant_id):
        assert list(LocalePack.objects.filter(theme_version_id=draft.pk).values_list("locale", flat=True)) == ["en"]


def test_locale_pack_put__statements_same_for_2_and_8_packs__default_put_remeasures_every_pack(member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    many = ["en", "fr", "de", "es", "it", "nl", "pt", "ar"]
    theme = services.theme_create(principal=member, name="Many", default_locale="en", enabled_locales=many,
                                  fallback_chain=["en"])
    draft = services.version_create(principal=member, theme_id=theme.pk)
    put = functools.partial(services.locale_pack_put, principal=member, version_id=draft.pk)
    en = put(locale="en", entries={"a.one": "One", "a.two": "Two"})
    fr = put(locale="fr", entries={"a.one": "Un"})

    def cost(entries: dict) -> int:
        nonlocal fr
        with CaptureQueriesContext(connection) as captured:
            fr = put(locale="fr", entries=entries, expected_version=fr.version)
        return len(captured)

    few = cost({"a.one": "Un", "a.two": "Deux"})
    for locale in many[2:]:
        put(locale=locale, entries={"a.one": locale})
    assert cost({"a.one": "Un"}) == few
    put(locale="en", entries={"a.one": "One", "a.two": "Two", "a.three": "Three", "a.four": "Four"},
        expected_version=en.version)
    with tenant_context(draft.tenant_id):
        figures = dict(LocalePack.objects.filter(theme_version_id=draft.pk).values_list("locale", "completeness_pct"))
    assert {locale: float(pct) for locale, pct in figures.items()} == {
        "en": 100.0, "fr": 25.0, **{locale: 25.0 for locale in many[2:]}}


def test_preview_tokens__secret_once_hash_stored_expiry_bounds_and_revoke(member, draft):
    from publishing import services as publishing_services
    from publishing.models import PreviewToken
    from publishing.services.preview_tokens import hash_token

    token, secret = publishing_services.preview_token_create(principal=member, version_id=draft.pk, note="for Ana")
    with tenant_context(draft.tenant_id):
        stored = PreviewToken.objects.get(pk=token.pk)
    assert stored.token_hash == hash_token(secret) and secret not in stored.token_hash
    assert 6.9 < (stored.expires_at - stored.created_at).total_seconds() / 86400 <= 7.0
    refused("MELMASTOON.VALIDATION.FAILED", lambda: publishing_services.preview_token_create(
        principal=member, version_id=draft.pk, expires_in_days=31))
    assert publishing_services.preview_token_revoke(principal=member, token_id=token.pk).revoked_at is not None
