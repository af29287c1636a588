"""The bundle builder: its document, canonical bytes, determinism (across builds and processes), and CSS."""
from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connections
from django.utils import timezone

from publishing.bundles.build import (
    SCHEMA,
    BundleError,
    build_bundle,
    bundle_inputs,
    canonical_json,
    resolve_messages,
    stylesheet,
)
from tests.conftest import ROOT
from tests.unit.themeconfig.validators import samples
from themeconfig import services
from themeconfig.models import ContentBlock, LocalePack, NavigationConfig, Theme, ThemeVersion
from themeconfig.platform.ids import new_id
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import TenantContextError, tenant_context
from themeconfig.validators import to_dtcg

LOCALES = ["en", "fr", "de-CH"]
FR_ENTRIES = {
    **samples.valid_translated_entries(),
    "booking.summary.nights": "{nights, plural, =0 {Aucune nuit} one {# nuit} many {# nuits} other {# nuits}} "
                              "dès le {start, date, medium}",
}
DE_ENTRIES = {"common.greeting": "Grüezi, {name}!"}


# --- arrangement: real rows, made by the use cases every door calls ----------------------------

def make_theme(principal, *, enabled=LOCALES, chain=("fr", "en"), default="en") -> Theme:
    return services.theme_create(principal=principal, name="Lake", default_locale=default,
                                 enabled_locales=list(enabled), fallback_chain=list(chain))


def fill(principal, version: ThemeVersion) -> None:
    """A version holding something of every kind: layout, blocks on two surfaces, two navigation
    trees, booking flow, e-mail theme, three locale packs."""
    services.version_update(principal=principal, version_id=version.pk, expected_version=1,
                            layout_selections={"home": {"preset": "home.hero-split", "variant": "media-start",
                                                        "options": {"show_search": True}},
                                               "search": {"preset": "search.list-map"}})
    for kind, surface in [("hero", "home"), ("rich_text", "home"), ("faq", "about"), ("amenities", "home")]:
        services.content_block_create(principal=principal, version_id=version.pk, surface=surface, kind=kind,
                                      body=samples.valid_content_body(), meta=samples.valid_meta(kind))
    services.navigation_put(principal=principal, version_id=version.pk, surface="header",
                            items=samples.valid_navigation_items())
    services.navigation_put(principal=principal, version_id=version.pk, surface="footer",
                            items=[samples.nav_item("privacy", 0), samples.nav_item("imprint", 1)])
    services.booking_flow_put(principal=principal, version_id=version.pk, steps=samples.valid_steps(),
                              toggles=samples.valid_toggles(), consent=samples.valid_consent())
    services.email_theme_put(principal=principal, version_id=version.pk, tokens=samples.valid_email_tokens(),
                             logo_ref=samples.valid_logo_ref(), footer=samples.valid_footer())
    services.locale_pack_put(principal=principal, version_id=version.pk, locale="en",
                             entries=samples.valid_default_entries())
    services.locale_pack_put(principal=principal, version_id=version.pk, locale="fr", entries=FR_ENTRIES)
    services.locale_pack_put(principal=principal, version_id=version.pk, locale="de-CH", entries=DE_ENTRIES)


def build(tenant_id: str, version_id: str):
    with tenant_context(tenant_id):
        return build_bundle(**bundle_inputs(version_id))


def document(bundle) -> dict:
    return json.loads(bundle.json_bytes)


@pytest.fixture
def tenant(tenant_factory):
    return tenant_factory()


@pytest.fixture
def operator(tenant):
    return Principal.operator("t", tenant_id=tenant.id)


@pytest.fixture
def version(operator):
    theme = make_theme(operator)
    version = services.version_create(principal=operator, theme_id=theme.pk)
    fill(operator, version)
    return version


# --- the document ---------------------------------------------------------------------------------

@pytest.mark.django_db
def test_build_bundle__filled_version__document_has_the_documented_shape(tenant, version):
    doc = document(build(tenant.id, version.pk))
    with tenant_context(tenant.id):
        stored = ThemeVersion.objects.get(pk=version.pk)
        blocks = list(ContentBlock.objects.filter(theme_version_id=version.pk, surface="home").order_by("ordinal"))
        header = NavigationConfig.objects.get(theme_version_id=version.pk, surface="header")

    assert sorted(doc) == sorted(["schema", "tenant_id", "theme_id", "version_id", "ordinal", "locales", "tokens",
                                  "layout", "content", "navigation", "booking_flow", "email_theme", "messages"])
    assert (doc["schema"], doc["tenant_id"], doc["theme_id"], doc["version_id"], doc["ordinal"]) == (
        SCHEMA, tenant.id, stored.theme_id, version.pk, 1)
    assert doc["locales"] == {"default": "en", "enabled": LOCALES, "fallback_chain": ["fr", "en"],
                              "direction_by_locale": {"en": "ltr", "fr": "ltr", "de-CH": "ltr"}}
    assert doc["tokens"] == json.loads(canonical_json(to_dtcg(stored.tokens)))
    assert doc["tokens"]["color"]["primary"]["$type"] == "color"
    assert doc["layout"] == {
        "home": {"preset": "home.hero-split", "variant": "media-start", "options": {"show_search": True},
                 "preset_info": {"supported_variants": ["media-end", "media-start"], "supports_rtl": True}},
        "search": {"preset": "search.list-map", "variant": "map-end", "options": {},
                   "preset_info": {"supported_variants": ["map-end", "map-start", "map-toggle"], "supports_rtl": True}},
    }
    # Blocks in ordinal order, each with exactly its content fields.
    assert [b["id"] for b in doc["content"]["home"]] == [b.pk for b in blocks]
    assert [b["kind"] for b in doc["content"]["home"]] == ["hero", "rich_text", "amenities"]
    assert [b["kind"] for b in doc["content"]["about"]] == ["faq"]
    assert sorted(doc["content"]["home"][0]) == ["body", "id", "kind", "meta", "visibility"]
    assert doc["content"]["home"][0]["body"] == json.loads(canonical_json(blocks[0].body))
    # Navigation items keep their order (and everything in them).
    assert doc["navigation"]["header"] == json.loads(canonical_json(header.items))
    assert [item["id"] for item in doc["navigation"]["header"]] == ["rooms", "offers", "location", "book", "call",
                                                                    "write"]
    assert [item["id"] for item in doc["navigation"]["footer"]] == ["privacy", "imprint"]
    assert sorted(doc["booking_flow"]) == ["consent", "steps", "toggles"]
    assert [s["id"] for s in doc["booking_flow"]["steps"]] == [s["id"] for s in samples.valid_steps()]
    assert sorted(doc["email_theme"]) == ["footer", "logo_ref", "tokens"]
    assert sorted(doc["messages"]) == sorted(LOCALES)
    # Nothing that says when, who, or how often something was saved.
    text = json.dumps(doc)
    for bookkeeping in ("created_at", "updated_at", "updated_by", "created_by", "published_at", "completeness"):
        assert bookkeeping not in text
    assert '"version":' not in text


@pytest.mark.django_db
def test_build_bundle__no_booking_flow_nor_email_theme__nulls_and_empty_sections(tenant, operator):
    theme = make_theme(operator, enabled=["en"], chain=["en"])
    version = services.version_create(principal=operator, theme_id=theme.pk)
    doc = document(build(tenant.id, version.pk))
    assert doc["booking_flow"] is None and doc["email_theme"] is None
    assert doc["layout"] == {} and doc["content"] == {} and doc["navigation"] == {}
    assert doc["messages"] == {"en": {}}


@pytest.mark.django_db
def test_build_bundle__bytes__canonical_json_with_sorted_keys_and_no_spaces(tenant, version):
    bundle = build(tenant.id, version.pk)
    doc = json.loads(bundle.json_bytes)
    assert bundle.json_bytes == json.dumps(doc, sort_keys=True, separators=(",", ":"),
                                           ensure_ascii=False).encode("utf-8")
    assert bundle.json_bytes.startswith(b'{"booking_flow":{"consent":')  # first key of the sorted top level
    assert "Genève".encode() in bundle.json_bytes  # UTF-8 as it is, no \u escapes
    assert b"\\u" not in bundle.json_bytes
    assert bundle.sha256 == hashlib.sha256(bundle.json_bytes).hexdigest()
    assert bundle.css_sha256 == hashlib.sha256(bundle.css_bytes).hexdigest()
    assert bundle.size == len(bundle.json_bytes)


@pytest.mark.django_db
def test_bundle_inputs__few_or_many_children__same_number_of_queries(tenant, operator, version,
                                                                    django_assert_num_queries):
    small = services.version_create(principal=operator, theme_id=version.theme_id)
    with tenant_context(tenant.id):
        with django_assert_num_queries(7):
            bundle_inputs(small.pk)
        with django_assert_num_queries(7):
            inputs = bundle_inputs(version.pk)
    assert len(inputs["content_blocks"]) == 4 and len(inputs["locale_packs"]) == 3


def test_bundle_inputs__outside_a_tenant_context__refused():
    with pytest.raises(TenantContextError):
        bundle_inputs("thv_01JQ0000000000000000000")


# --- determinism ----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_build_bundle__same_version_twice_and_inputs_shuffled__byte_identical(tenant, version):
    first, second = build(tenant.id, version.pk), build(tenant.id, version.pk)
    assert (first.json_bytes, first.css_bytes) == (second.json_bytes, second.css_bytes)
    assert first == second
    with tenant_context(tenant.id):
        inputs = bundle_inputs(version.pk)
    shuffled = {
        **inputs,
        "content_blocks": inputs["content_blocks"][::-1],
        "navigation_configs": inputs["navigation_configs"][::-1],
        "locale_packs": inputs["locale_packs"][::-1],
        "presets": dict(reversed(list(inputs["presets"].items()))),
    }
    for pack in shuffled["locale_packs"]:  # key order of a JSON object is not content
        pack.entries = dict(reversed(list(pack.entries.items())))
    assert build_bundle(**shuffled) == first


@pytest.mark.django_db
def test_build_bundle__copied_version__same_content_but_its_own_ids(tenant, operator, version):
    copy = services.version_create(principal=operator, theme_id=version.theme_id, from_version_id=version.pk)
    original, copied = document(build(tenant.id, version.pk)), document(build(tenant.id, copy.pk))
    assert copied["version_id"] == copy.pk and copied["ordinal"] == 2
    for section in ("tokens", "layout", "navigation", "booking_flow", "email_theme", "messages", "locales"):
        assert copied[section] == original[section], section


SUBPROCESS_BUILD = """
import base64, json, os, sys
import django
from django.conf import settings
django.setup()
for alias in settings.DATABASES:  # the pytest database, before any connection is opened
    settings.DATABASES[alias]["NAME"] = sys.argv[1]
from publishing.bundles.build import build_bundle, bundle_inputs
from themeconfig.platform.tenant_context import tenant_context
with tenant_context(sys.argv[2]):
    bundle = build_bundle(**bundle_inputs(sys.argv[3]))
print(json.dumps({"sha256": bundle.sha256, "json": base64.b64encode(bundle.json_bytes).decode(),
                  "css": base64.b64encode(bundle.css_bytes).decode()}))
"""


def build_in_subprocess(database: str, tenant_id: str, version_id: str, hash_seed: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "PYTHONHASHSEED": hash_seed}
    result = subprocess.run([sys.executable, "-c", SUBPROCESS_BUILD, database, tenant_id, version_id],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.usefixtures("committed_db")
def test_build_bundle__two_other_processes_with_other_hash_seeds__byte_identical(tenant_factory):
    tenant = tenant_factory()
    operator = Principal.operator("t", tenant_id=tenant.id)
    theme = make_theme(operator)
    version = services.version_create(principal=operator, theme_id=theme.pk)
    fill(operator, version)
    here = build(tenant.id, version.pk)
    database = connections["default"].settings_dict["NAME"]
    for seed in ("1", "4242"):
        there = build_in_subprocess(database, tenant.id, version.pk, seed)
        assert there["sha256"] == here.sha256
        assert base64.b64decode(there["json"]) == here.json_bytes
        assert base64.b64decode(there["css"]) == here.css_bytes


# --- what changes the digest, and what does not --------------------------------------------------

def change_token(operator, version):
    with tenant_context(operator.tenant_id):
        current = ThemeVersion.objects.get(pk=version.pk)
    tokens = {**current.tokens, "color": {**current.tokens["color"], "primary": "#123456"}}
    services.version_update(principal=operator, version_id=version.pk, expected_version=current.version, tokens=tokens)


def change_block_body(operator, version):
    with tenant_context(operator.tenant_id):
        block = ContentBlock.objects.filter(theme_version_id=version.pk).order_by("surface", "ordinal").first()
    body = {**block.body, "en": {"format": "markdown", "value": "## Welcome back"}}
    services.content_block_update(principal=operator, block_id=block.pk, expected_version=block.version, body=body)


def change_nav_label(operator, version):
    with tenant_context(operator.tenant_id):
        nav = NavigationConfig.objects.get(theme_version_id=version.pk, surface="footer")
    items = [samples.nav_item("privacy", 0, label={"en": "Privacy policy"}), samples.nav_item("imprint", 1)]
    services.navigation_put(principal=operator, version_id=version.pk, surface="footer", items=items,
                            expected_version=nav.version)


def change_message(operator, version):
    with tenant_context(operator.tenant_id):
        pack = LocalePack.objects.get(theme_version_id=version.pk, locale="de-CH")
    services.locale_pack_put(principal=operator, version_id=version.pk, locale="de-CH",
                             entries={"common.greeting": "Hoi, {name}!"}, expected_version=pack.version)


@pytest.mark.django_db
@pytest.mark.parametrize("change", [change_token, change_block_body, change_nav_label, change_message])
def test_build_bundle__one_input_changed__other_sha256(tenant, operator, version, change):
    before = build(tenant.id, version.pk)
    change(operator, version)
    after = build(tenant.id, version.pk)
    assert after.sha256 != before.sha256
    assert json.loads(after.json_bytes)["version_id"] == version.pk


@pytest.mark.django_db
def test_build_bundle__only_who_and_when_changed__same_bytes(tenant, operator, version):
    before = build(tenant.id, version.pk)
    someone_else = Principal.for_user(tenant_id=tenant.id, user_id=77, role="member")
    with tenant_context(tenant.id):
        nav = NavigationConfig.objects.get(theme_version_id=version.pk, surface="header")
        pack = LocalePack.objects.get(theme_version_id=version.pk, locale="fr")
    # The same content saved again by someone else: updated_by/at and every OCC counter move on.
    services.navigation_put(principal=someone_else, version_id=version.pk, surface="header", items=nav.items,
                            expected_version=nav.version)
    services.locale_pack_put(principal=someone_else, version_id=version.pk, locale="fr", entries=pack.entries,
                             expected_version=pack.version)
    later = timezone.now() + timedelta(days=3)
    with tenant_context(tenant.id):
        for model in (ThemeVersion, Theme):
            model.objects.update(updated_at=later, updated_by="user:77")
        for model in (ContentBlock, NavigationConfig, LocalePack):
            model.objects.filter(theme_version_id=version.pk).update(updated_at=later, updated_by="user:77")
        moved = ThemeVersion.objects.get(pk=version.pk)
    assert moved.version > 1 and moved.updated_by == "user:77"
    after = build(tenant.id, version.pk)
    assert (after.json_bytes, after.css_bytes) == (before.json_bytes, before.css_bytes)


# --- messages: the fallback chain, resolved at build time ----------------------------------------

@pytest.mark.django_db
def test_messages__fallback_chain__first_pack_along_locale_chain_default(tenant, operator):
    theme = make_theme(operator, enabled=["en", "fr", "de-CH", "it"], chain=["fr", "en"])
    version = services.version_create(principal=operator, theme_id=theme.pk)
    for locale, entries in [
        ("en", {"a": "A en", "b": "B en", "c": "C en"}),
        ("fr", {"a": "A fr", "b": "B fr"}),
        ("de-CH", {"a": "A de"}),
    ]:  # "it" has no pack at all
        services.locale_pack_put(principal=operator, version_id=version.pk, locale=locale, entries=entries)
    messages = document(build(tenant.id, version.pk))["messages"]
    assert messages == {
        "en": {"a": "A en", "b": "B en", "c": "C en"},
        "fr": {"a": "A fr", "b": "B fr", "c": "C en"},
        "de-CH": {"a": "A de", "b": "B fr", "c": "C en"},
        "it": {"a": "A fr", "b": "B fr", "c": "C en"},
    }


def test_resolve_messages__key_only_in_a_translation__not_published():
    messages = resolve_messages({"en": {"a": "A"}, "fr": {"a": "Á", "stray": "?"}}, default_locale="en",
                                enabled_locales=["en", "fr"], fallback_chain=["en"])
    assert messages == {"en": {"a": "A"}, "fr": {"a": "Á"}}


# --- the stylesheet -------------------------------------------------------------------------------

@pytest.mark.django_db
def test_build_bundle__rtl_locale_enabled__css_carries_the_rtl_rule(tenant, operator):
    theme = make_theme(operator, enabled=["en", "ar"], chain=["en"])
    version = services.version_create(principal=operator, theme_id=theme.pk)
    bundle = build(tenant.id, version.pk)
    css = bundle.css_bytes.decode("utf-8")
    assert css.startswith(":root{") and "--direction:ltr;" in css.splitlines()[0]
    assert '[dir="rtl"]{--direction:rtl;}' in css and '[dir="ltr"]{--direction:ltr;}' in css
    assert css.endswith("}\n")
    assert document(bundle)["locales"]["direction_by_locale"] == {"en": "ltr", "ar": "rtl"}


def test_stylesheet__ltr_locales_and_tokens__custom_properties_only():
    css = stylesheet(samples.valid_tokens(), enabled_locales=["en", "fr"])
    assert css.count("\n") == 1 and css.endswith("}\n") and css.startswith(":root{--color-")
    assert "[dir=" not in css


def test_stylesheet__rtl_tokens_and_rtl_locales_only__rtl_rule_alone():
    css = stylesheet(samples.valid_tokens(direction="rtl"), enabled_locales=["ar", "he-IL", "fa"])
    assert css.splitlines()[1:] == ['[dir="rtl"]{--direction:rtl;}']
    assert "--direction:rtl;" in css.splitlines()[0]


@pytest.mark.parametrize("locales", [["en", "ur"], ["ur"]])
def test_stylesheet__locales_differ_from_tokens_direction__both_dir_rules(locales):
    css = stylesheet(samples.valid_tokens(), enabled_locales=locales)
    assert css.splitlines()[1:] == ['[dir="ltr"]{--direction:ltr;}', '[dir="rtl"]{--direction:rtl;}']


def test_stylesheet__same_tokens_in_other_key_order__same_text():
    tokens = samples.valid_tokens()
    reordered = {key: tokens[key] for key in reversed(list(tokens))}
    reordered["color"] = dict(reversed(list(tokens["color"].items())))
    assert stylesheet(reordered, enabled_locales=["en", "ar"]) == stylesheet(tokens, enabled_locales=["en", "ar"])


# --- canonical form and refusals (no database) ----------------------------------------------------

def test_canonical_json__numbers_by_value_not_spelling__utf8_sorted_compact():
    assert canonical_json({"b": [2.0, Decimal("2.00"), Decimal("0.10"), 0.1, -0.0], "a": "Genève", "c": True}) == (
        '{"a":"Genève","b":[2,2,0.1,0.1,0],"c":true}'.encode())


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), Decimal("NaN"), {1, 2}, {"1": 1, 1: 2}])
def test_canonical_json__not_a_finite_json_value__refused(bad):
    with pytest.raises(BundleError):
        canonical_json({"value": bad})


def unsaved(**theme_fields):
    theme = Theme(id=new_id("thm"), tenant_id=new_id("tnt"), **{
        "default_locale": "en", "enabled_locales": ["en"], "fallback_chain": ["en"], **theme_fields})
    version = ThemeVersion(id=new_id("thv"), tenant_id=theme.tenant_id, theme=theme, ordinal=1,
                           tokens=samples.valid_tokens(), layout_selections={})
    return theme, version


def test_build_bundle__pure__needs_no_database():
    theme, version = unsaved()
    bundle = build_bundle(version=version, theme=theme, content_blocks=[], navigation_configs=[], booking_flow=None,
                          email_theme=None, locale_packs=[], presets={})
    assert json.loads(bundle.json_bytes)["theme_id"] == theme.pk


def test_build_bundle__child_of_another_version__refused():
    theme, version = unsaved()
    stray = LocalePack(id=new_id("lpk"), tenant_id=theme.tenant_id, theme_version_id=new_id("thv"), locale="en",
                       entries={})
    with pytest.raises(BundleError, match="belongs to version"):
        build_bundle(version=version, theme=theme, content_blocks=[], navigation_configs=[], booking_flow=None,
                     email_theme=None, locale_packs=[stray], presets={})


def test_build_bundle__preset_missing_from_the_registry__refused():
    theme, version = unsaved()
    version.layout_selections = {"home": {"preset": "home.gone", "variant": "x", "options": {}}}
    with pytest.raises(BundleError, match="home.gone"):
        build_bundle(version=version, theme=theme, content_blocks=[], navigation_configs=[], booking_flow=None,
                     email_theme=None, locale_packs=[], presets=samples.valid_presets())
