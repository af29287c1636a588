"""Every CHECK, UNIQUE constraint and unique index of our tables is enforced by PostgreSQL itself.

Each case writes one valid row with one column made wrong, as theme_config_app inside its tenant's
transaction (as the service role for the two tables the app role may not write), and expects the
SQLSTATE and the constraint's name from the server. A coverage test proves that every CHECK and
unique constraint/index in the catalog has a case here.
"""
from __future__ import annotations

import psycopg
import pytest
from psycopg import errors
from psycopg.types.json import Jsonb

from tests.schema.dbtools import (
    SERVICE,
    TOKENS,
    Tenant,
    insert,
    new_tenant_id,
    row_defaults,
    savepoint,
    set_tenant,
)
from themeconfig.platform.ids import new_event_id, new_id

OUR_TABLES = (
    "themes", "theme_versions", "theme_publications", "content_blocks", "navigation_configs",
    "booking_flow_configs", "email_themes", "locale_packs", "layout_presets", "preview_tokens",
    "palette_suggestions", "translation_drafts", "content_drafts", "outbox", "consumed_events",
    "idempotency_keys", "brand_kits",
)
# Written through the service role: the app role has no INSERT on them.
SERVICE_TABLES = {"layout_presets", "outbox"}

BAD_ID_TAIL = "01JQ" + "0" * 18  # 22 characters

# (case id, table, overrides making the row wrong, expected error, expected constraint)
CHECK_CASES = [
    ("themes-id-prefix", "themes", {"id": "thx_" + BAD_ID_TAIL}, "themes_id_check"),
    ("themes-id-length", "themes", {"id": "thm_01JQ"}, "themes_id_check"),
    ("themes-tenant-length", "themes", {"tenant_id": "tnt_short"}, "themes_tenant_id_check"),
    ("themes-tenant-prefix", "themes", {"tenant_id": "ten_" + BAD_ID_TAIL}, "themes_tenant_id_check"),
    ("themes-property-prefix", "themes", {"property_id": "prx_" + BAD_ID_TAIL}, "themes_property_id_check"),
    ("themes-scope", "themes", {"scope": "global"}, "themes_scope_check"),
    ("themes-locale-case", "themes", {"default_locale": "EN"}, "themes_default_locale_check"),
    ("themes-locale-underscore", "themes", {"default_locale": "en_US"}, "themes_default_locale_check"),
    ("themes-locale-region-case", "themes", {"default_locale": "en-us"}, "themes_default_locale_check"),
    ("themes-status", "themes", {"status": "deleted"}, "themes_status_check"),
    # The seed's "array_length(x, 1) >= 1" is NULL, not false, for '{}': the added CHECK catches it.
    ("themes-enabled-locales-empty", "themes", {"enabled_locales": []}, "themes_enabled_locales_not_empty_chk"),
    ("themes-fallback-chain-empty", "themes", {"fallback_chain": []}, "themes_fallback_chain_not_empty_chk"),
    ("versions-id", "theme_versions", {"id": "thm_" + BAD_ID_TAIL}, "theme_versions_id_check"),
    ("versions-status", "theme_versions", {"status": "live"}, "theme_versions_status_check"),
    ("versions-archived-reason", "theme_versions", {"status": "archived", "archived_reason": "expired"},
     "theme_versions_archived_reason_check"),
    ("versions-published-without-bundle", "theme_versions",
     {"status": "published", "published_at": "2026-01-01T00:00:00Z", "published_by": "user:1",
      "published_bundle_url": None, "published_bundle_sha256": "a" * 64}, "theme_versions_published_consistency"),
    ("versions-published-without-actor", "theme_versions",
     {"status": "published", "published_at": "2026-01-01T00:00:00Z", "published_by": None,
      "published_bundle_url": "bundles/x.json", "published_bundle_sha256": "a" * 64}, "theme_versions_published_consistency"),
    ("versions-tokens-missing-group", "theme_versions",
     {"tokens": Jsonb({k: v for k, v in TOKENS.items() if k != "motion"})}, "theme_versions_tokens_shape_chk"),
    ("versions-tokens-not-object", "theme_versions", {"tokens": Jsonb([TOKENS])}, "theme_versions_tokens_shape_chk"),
    ("publications-id", "theme_publications", {"id": "thv_" + BAD_ID_TAIL}, "theme_publications_id_check"),
    ("publications-reason", "theme_publications", {"reason": "hotfix"}, "theme_publications_reason_check"),
    ("blocks-id", "content_blocks", {"id": "cnx_" + BAD_ID_TAIL}, "content_blocks_id_check"),
    ("blocks-surface", "content_blocks", {"surface": "footer"}, "content_blocks_surface_check"),
    ("blocks-visibility", "content_blocks", {"visibility": "tablet_only"}, "content_blocks_visibility_check"),
    ("blocks-meta-kind-mismatch", "content_blocks", {"meta": Jsonb({"kind": "gallery"})}, "content_blocks_meta_kind_chk"),
    ("blocks-meta-kind-missing", "content_blocks", {"meta": Jsonb({"title": "x"})}, "content_blocks_meta_kind_chk"),
    ("blocks-body-locale-key", "content_blocks", {"body": Jsonb({"English": {"format": "markdown", "value": "x"}})},
     "content_blocks_body_locales_chk"),
    ("blocks-body-region-case", "content_blocks", {"body": Jsonb({"en-us": {"format": "markdown", "value": "x"}})},
     "content_blocks_body_locales_chk"),
    ("blocks-body-not-object", "content_blocks", {"body": Jsonb(["en"])}, "content_blocks_body_locales_chk"),
    ("navigation-id", "navigation_configs", {"id": "nav_" + BAD_ID_TAIL}, "navigation_configs_id_check"),
    ("navigation-surface", "navigation_configs", {"surface": "sidebar"}, "navigation_configs_surface_check"),
    ("booking-flow-id", "booking_flow_configs", {"id": "bfx_" + BAD_ID_TAIL}, "booking_flow_configs_id_check"),
    ("email-id", "email_themes", {"id": "eml_" + BAD_ID_TAIL}, "email_themes_id_check"),
    ("locale-packs-locale", "locale_packs", {"locale": "farsi"}, "locale_packs_locale_check"),
    ("layout-presets-id", "layout_presets", {"id": "lay_" + BAD_ID_TAIL}, "layout_presets_id_check"),
    ("layout-presets-surface", "layout_presets", {"surface": "policies"}, "layout_presets_surface_check"),
    ("preview-tokens-id", "preview_tokens", {"id": "pvx_" + BAD_ID_TAIL}, "preview_tokens_id_check"),
    ("palette-id", "palette_suggestions", {"id": "ait_" + BAD_ID_TAIL}, "palette_suggestions_id_check"),
    ("palette-status", "palette_suggestions", {"status": "accepted"}, "palette_suggestions_status_check"),
    ("translation-id", "translation_drafts", {"id": "ais_" + BAD_ID_TAIL}, "translation_drafts_id_check"),
    ("translation-locale", "translation_drafts", {"locale": "FA"}, "translation_drafts_locale_check"),
    ("translation-status", "translation_drafts", {"status": "done"}, "translation_drafts_status_check"),
    ("translation-entries-shape", "translation_drafts", {"drafted_entries": Jsonb(["x"])},
     "translation_drafts_entries_shape_chk"),
    ("content-draft-id", "content_drafts", {"id": "cnb_" + BAD_ID_TAIL}, "content_drafts_id_check"),
    ("content-draft-surface", "content_drafts", {"surface": "header"}, "content_drafts_surface_check"),
    ("content-draft-status", "content_drafts", {"status": "draft"}, "content_drafts_status_check"),
    ("content-draft-meta-kind", "content_drafts", {"drafted_meta": Jsonb({"kind": "faq"})}, "content_drafts_meta_kind_chk"),
    ("content-draft-body-locales", "content_drafts", {"drafted_body": Jsonb({"EN": {}})}, "content_drafts_body_locales_chk"),
    ("outbox-event-id-length", "outbox", {"event_id": new_event_id()[:25]}, "outbox_event_id_check"),
    ("brand-kits-id", "brand_kits", {"id": "bkt_short"}, "brand_kits_id_check"),
    ("brand-kits-tenant", "brand_kits", {"tenant_id": "tnt_short"}, "brand_kits_tenant_id_check"),
]
# CHECKs no row can violate: array_length(x, 1) is NULL for '{}' and >= 1 for any other array.
UNREACHABLE_CHECKS = {"themes_enabled_locales_check", "themes_fallback_chain_check"}

UNIQUE_CASES = {
    "theme_versions_ordinal_uq", "content_blocks_ordinal_uq", "navigation_configs_uq", "booking_flow_configs_uq",
    "email_themes_uq", "locale_packs_uq", "preview_tokens_hash_uq", "layout_presets_key_uq", "outbox_event_id_key",
    "themes_tenant_property_uq", "theme_publications_active_uq", "brand_kits_default_uq",
    "published_theme_view_pk", "host_to_theme_view_host_uq",  # exercised in test_read_models
}


def write_connection(table, tenant, role_connection):
    """The connection a row of `table` is written through: the tenant's app connection, or the service role."""
    if table in SERVICE_TABLES:
        conn = role_connection(SERVICE)
        conn.execute("SELECT 1")  # opens the transaction (never committed) that the savepoints nest in
        return conn
    return tenant.conn


def expect_violation(conn, error: type[Exception], constraint: str, table: str, row: dict, *, tenant_id=None):
    with pytest.raises(error) as info, savepoint(conn):
        if tenant_id:
            set_tenant(conn, tenant_id)  # RLS WITH CHECK runs before CHECKs: be in the row's tenant
        insert(conn, table, row)
    assert info.value.diag.constraint_name == constraint, info.value
    return info.value


@pytest.mark.parametrize(("table", "overrides", "constraint"), [c[1:] for c in CHECK_CASES], ids=[c[0] for c in CHECK_CASES])
def test_check__violating_row__rejected_by_postgres(table, overrides, constraint, tenant, role_connection):
    conn = write_connection(table, tenant, role_connection)
    row = tenant.row(table, **overrides)
    expect_violation(conn, errors.CheckViolation, constraint, table, row, tenant_id=overrides.get("tenant_id"))
    # …and the same row without the fault goes in.
    with savepoint(conn):
        insert(conn, table, tenant.row(table))


def test_coverage__every_check_and_unique_of_our_tables_has_a_case(admin):
    rows = admin.execute(
        """
        SELECT con.conname, con.contype FROM pg_constraint con
        JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'theme_config' AND c.relname = ANY(%s) AND con.contype IN ('c', 'u')
        UNION
        SELECT ic.relname, 'i' FROM pg_index i
        JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'theme_config' AND i.indisunique AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid)
          AND (c.relname = ANY(%s) OR c.relkind = 'm')
        """,
        [list(OUR_TABLES), list(OUR_TABLES)],
    ).fetchall()
    checks = {name for name, kind in rows if kind == "c"}
    uniques = {name for name, kind in rows if kind in ("u", "i")}
    assert checks - UNREACHABLE_CHECKS == {c[-1] for c in CHECK_CASES}
    assert uniques == UNIQUE_CASES


def test_seed_array_length_checks__cannot_reject_an_empty_array(admin):
    assert admin.execute("SELECT array_length('{}'::text[], 1) >= 1").fetchone()[0] is None


# ---- unique constraints -------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("table", "constraint", "same"),
    [
        ("theme_versions", "theme_versions_ordinal_uq", ("theme_id", "ordinal")),
        ("content_blocks", "content_blocks_ordinal_uq", ("theme_version_id", "surface", "ordinal")),
        ("navigation_configs", "navigation_configs_uq", ("theme_version_id", "surface")),
        ("booking_flow_configs", "booking_flow_configs_uq", ("theme_version_id",)),
        ("email_themes", "email_themes_uq", ("theme_version_id",)),
        ("locale_packs", "locale_packs_uq", ("theme_version_id", "locale")),
        ("preview_tokens", "preview_tokens_hash_uq", ("token_hash",)),
    ],
)
def test_unique__second_row_with_same_key__rejected(table, constraint, same, tenant):
    first = tenant.add(table)
    second = tenant.row(table, **{column: first[column] for column in same})
    expect_violation(tenant.conn, errors.UniqueViolation, constraint, table, second)


def test_unique__content_block_ordinal__free_on_another_surface(tenant):
    first = tenant.add("content_blocks", surface="home", ordinal=1)
    tenant.add("content_blocks", surface="detail", ordinal=first["ordinal"])


def test_unique__preview_token_hash__unique_across_tenants(tenant, other_tenant):
    theirs = other_tenant.add("preview_tokens")
    expect_violation(tenant.conn, errors.UniqueViolation, "preview_tokens_hash_uq", "preview_tokens",
                     tenant.row("preview_tokens", token_hash=theirs["token_hash"]))


def test_unique__layout_preset_key__rejected_for_registered_key(role_connection, tenant):
    conn = write_connection("layout_presets", tenant, role_connection)
    expect_violation(conn, errors.UniqueViolation, "layout_presets_key_uq", "layout_presets",
                     row_defaults("layout_presets", "", {}) | {"key": "home.hero-split", "surface": "home"})


def test_unique__outbox_event_id__rejected_twice(role_connection, tenant):
    conn = write_connection("outbox", tenant, role_connection)
    event = insert(conn, "outbox", row_defaults("outbox", tenant.id, {}))
    expect_violation(conn, errors.UniqueViolation, "outbox_event_id_key", "outbox",
                     row_defaults("outbox", tenant.id, {}) | {"event_id": event["event_id"]})


def test_themes_tenant_property_uq__one_live_theme_per_tenant_and_property(tenant):
    conn = tenant.conn
    # NULL property (tenant-wide theme): COALESCE makes two NULLs collide.
    tenant_wide = tenant.add("themes", property_id=None, scope="tenant")
    expect_violation(conn, errors.UniqueViolation, "themes_tenant_property_uq", "themes",
                     tenant.row("themes", property_id=None, scope="tenant"))
    # Same property twice collides; the tenant's fixture theme already holds its property.
    expect_violation(conn, errors.UniqueViolation, "themes_tenant_property_uq", "themes",
                     tenant.row("themes", property_id=tenant.theme["property_id"]))
    # Another property, or the same key in another tenant, is fine.
    tenant.add("themes", property_id=new_id("prp"))
    other = new_tenant_id()
    with savepoint(conn):
        set_tenant(conn, other)
        insert(conn, "themes", row_defaults("themes", other, {}) | {"property_id": None, "scope": "tenant"})
    set_tenant(conn, tenant.id)
    # Outside the predicate: after the soft delete the slot is free again.
    conn.execute("UPDATE theme_config.themes SET deleted_at = now() WHERE id = %s", [tenant_wide["id"]])
    tenant.add("themes", property_id=None, scope="tenant")


def test_theme_publications_active_uq__one_active_per_theme(tenant):
    conn = tenant.conn
    first = tenant.add("theme_publications", is_active=True)
    expect_violation(conn, errors.UniqueViolation, "theme_publications_active_uq", "theme_publications",
                     tenant.row("theme_publications", is_active=True))
    # Inactive rows are outside the predicate.
    tenant.add("theme_publications", is_active=False)
    tenant.add("theme_publications", is_active=False)
    # After the first is flipped off, another may be active.
    conn.execute("UPDATE theme_config.theme_publications SET is_active = false WHERE id = %s", [first["id"]])
    tenant.add("theme_publications", is_active=True)


def test_brand_kits_default_uq__one_live_default_per_tenant(tenant, admin):
    conn = tenant.conn
    default = tenant.add("brand_kits", is_default=True)
    expect_violation(conn, errors.UniqueViolation, "brand_kits_default_uq", "brand_kits",
                     tenant.row("brand_kits", is_default=True))
    tenant.add("brand_kits", is_default=False)
    conn.execute("UPDATE theme_config.brand_kits SET deleted_at = now() WHERE id = %s", [default["id"]])
    tenant.add("brand_kits", is_default=True)
    # Another tenant has its own default.
    Tenant(admin).add("brand_kits", is_default=True)


# ---- foreign keys -------------------------------------------------------------------------------

def test_themes_active_publication_fk__dangling_id__fails_at_commit_not_at_update(tenant):
    conn = tenant.conn
    conn.commit()  # the arranged theme, so that only the dangling pointer is in the failing transaction
    set_tenant(conn, tenant.id)
    conn.execute(
        "UPDATE theme_config.themes SET active_publication_id = %s WHERE id = %s", [new_id("thp"), tenant.theme["id"]]
    )  # accepted: the constraint is deferred
    with pytest.raises(errors.ForeignKeyViolation) as info:
        conn.commit()
    assert info.value.diag.constraint_name == "themes_active_publication_fk"


def test_themes_active_publication_fk__set_immediate__fails_at_update(tenant):
    conn = tenant.conn
    conn.execute("SET CONSTRAINTS theme_config.themes_active_publication_fk IMMEDIATE")
    with pytest.raises(errors.ForeignKeyViolation) as info, savepoint(conn):
        conn.execute("UPDATE theme_config.themes SET active_publication_id = %s WHERE id = %s",
                     [new_id("thp"), tenant.theme["id"]])
    assert info.value.diag.constraint_name == "themes_active_publication_fk"


def test_theme_publications_version_fk__restrict__published_version_cannot_be_deleted(tenant):
    tenant.add("theme_publications")
    with pytest.raises(errors.ForeignKeyViolation) as info, savepoint(tenant.conn):
        tenant.conn.execute("DELETE FROM theme_config.theme_versions WHERE id = %s", [tenant.version["id"]])
    assert info.value.diag.constraint_name == "theme_publications_theme_version_id_fkey"


def test_theme_hard_delete__cascades_to_versions_children_and_publications(tenant):
    """What the tenant-purge worker relies on (seed §8): one DELETE of the theme takes everything."""
    conn = tenant.conn
    for table in ("content_blocks", "navigation_configs", "booking_flow_configs", "email_themes", "locale_packs",
                  "preview_tokens", "translation_drafts", "content_drafts", "palette_suggestions"):
        tenant.add(table)
    publication = tenant.add("theme_publications", is_active=True)
    conn.execute("UPDATE theme_config.themes SET active_publication_id = %s WHERE id = %s",
                 [publication["id"], tenant.theme["id"]])
    conn.execute("DELETE FROM theme_config.themes WHERE id = %s", [tenant.theme["id"]])
    conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
    left = conn.execute(
        """SELECT (SELECT count(*) FROM theme_config.theme_versions WHERE theme_id = %(t)s)
                + (SELECT count(*) FROM theme_config.theme_publications WHERE theme_id = %(t)s)
                + (SELECT count(*) FROM theme_config.content_blocks WHERE theme_version_id = %(v)s)
                + (SELECT count(*) FROM theme_config.preview_tokens WHERE theme_version_id = %(v)s)
                + (SELECT count(*) FROM theme_config.palette_suggestions WHERE theme_id = %(t)s)""",
        {"t": tenant.theme["id"], "v": tenant.version["id"]},
    ).fetchone()[0]
    assert left == 0


def test_applied_to_version_fk__no_action__version_with_applied_draft_cannot_be_deleted(tenant):
    target = tenant.add("theme_versions")
    tenant.add("palette_suggestions", status="approved", applied_to_version_id=target["id"])
    with pytest.raises(errors.ForeignKeyViolation) as info, savepoint(tenant.conn):
        tenant.conn.execute("DELETE FROM theme_config.theme_versions WHERE id = %s", [target["id"]])
    assert info.value.diag.constraint_name == "palette_suggestions_applied_to_version_id_fkey"


def test_jsonb_keys_are_locales__function(admin):
    cases = {
        '{"en": 1, "fa-IR": 2, "ckb": 3}': True, "{}": True, '{"EN": 1}': False, '{"en_US": 1}': False,
        '{"en-USA": 1}': False, "[]": False, '"en"': False,
    }
    for value, expected in cases.items():
        assert admin.execute("SELECT theme_config.jsonb_keys_are_locales(%s::jsonb)", [value]).fetchone()[0] is expected, value
    volatility = admin.execute(
        "SELECT provolatile FROM pg_proc WHERE oid = 'theme_config.jsonb_keys_are_locales(jsonb)'::regprocedure"
    ).fetchone()[0]
    assert volatility == "i"


def test_service_role__writes_layout_presets_and_outbox(role_connection):
    """Sanity for the cases above that write through the service role."""
    conn: psycopg.Connection = role_connection(SERVICE)
    with conn.transaction(force_rollback=True):
        insert(conn, "layout_presets", row_defaults("layout_presets", "", {}))
        insert(conn, "outbox", row_defaults("outbox", new_tenant_id(), {}))
