"""The migrated theme_config schema equals the DDL of seed 000, compared through the catalogs.

The SQL statements are cut out of the seed text itself (tests/schema/seed_000_data_model.txt, a
copy of shared/seeds/000_…; the SQL survived the formatting damage of the prose around it), run
into a scratch schema, and both schemas are read back from pg_catalog: tables, columns (type,
nullability, default), constraints, indexes, policies, RLS flags, materialized views and their
indexes. Every difference fails, except the extras named in the allow-lists below.
"""
from __future__ import annotations

import re

import pytest

from tests.schema.dbtools import SEED_COPY, SEED_SHARED, connect, seed_text

SCRATCH = "seed_theme_config"
SCRATCH_TENANT_SERVICE = "seed_tenant_service"

STATEMENT_RE = re.compile(
    r"^(?:CREATE\s+TABLE|CREATE\s+(?:UNIQUE\s+)?INDEX|CREATE\s+MATERIALIZED\s+VIEW|CREATE\s+POLICY|ALTER\s+TABLE)\b.*?;",
    re.S | re.M,
)

SEED_TABLES = {
    "themes", "theme_versions", "theme_publications", "content_blocks", "navigation_configs",
    "booking_flow_configs", "email_themes", "locale_packs", "layout_presets", "preview_tokens",
    "palette_suggestions", "outbox", "consumed_events", "idempotency_keys",
}
SEED_MATVIEWS = {"published_theme_view", "host_to_theme_view"}

# ---- Allow-lists: what the migrations add to, or change in, the seed's DDL -----------------------
# Tables in theme_config that the seed does not define.
EXTRA_TABLES = {
    "translation_drafts": "seed §3.11 says only 'mirror schemas' (prose); built as a mirror of palette_suggestions",
    "content_drafts": "seed §3.11 'mirror schemas' (prose); mirror of palette_suggestions",
    "brand_kits": "seed 001 BrandKit, adapted (brief rule 5)",
    "memberships": "themeconfig 0001_tenancy (seed 002 memberships), not part of seed 000",
    "api_clients": "themeconfig 0001_tenancy (seed 001 APIClient), not part of seed 000",
    "invitations": "themeconfig 0007_invitations: members join by a one-time link, never by raw user id",
    "publish_jobs": "publishing 0006_publish_jobs: seed 003 async jobs with status and trace, polled by the caller",
    "tenant_export_jobs": "publishing 0021_export: seed 004 GDPR export, a job kind on the shared job machinery",
    "publish_schedules": "publishing 0022_schedules: issue 21 scheduled publish and timed revert, run as publish jobs",
    "host_resolution": "publishing 0007: host → active bundle, kept by triggers per theme/host (O(hosts), not a view refresh)",
    "audit_log": "themeconfig 0008_audit_log (seed 002 audit log); its monthly and DEFAULT partitions come with it",
    "webhook_subscriptions": "publishing 0009_outbox_relay: tenants' webhook endpoints for their events",
    "webhook_deliveries": "publishing 0009: what each endpoint answered per event (each acknowledged once)",
    "read_model_refresh_state": "publishing 0009: the one row that coalesces refreshes of the seed's views",
    "resolve_generation": "publishing 0014: the commit-ordered counter no cached resolve answer may be older than",
    "ai_generation_jobs": "ai_workspace 0002: a request for an AI draft, run by a worker, polled by the caller",
    "bundle_purges": "publishing 0016_retention: bundles of purged themes waiting to leave storage (seed §8)",
    "publish_requests": "publishing 0023_publish_requests: issue 21 four-eyes approval of a publish, rollback or re-publish",
    "routing_flags": "themeconfig 0020: seed 003 routing_flags (scopes env|tenant|style|user, evaluation priority)",
    "routing_flag_audit": "themeconfig 0020: seed 003 routing_flag_audit (who, when, what, why), append-only",
    "theme_rollouts": "publishing 0024: a candidate bundle served to a slice of a theme's guests (issue 22)",
}
# Columns appended to seed tables (nullable or defaulted: backward-compatible, seed 004), in order.
EXTRA_COLUMNS = {
    "idempotency_keys": [
        ("caller", "text", True, "''::text"),  # publishing 0012: a key belongs to its caller ('' before it)
    ],
    "outbox": [
        ("next_attempt_at", "timestamp with time zone", True, "now()"),  # the relay's exponential backoff
        ("dead_lettered_at", "timestamp with time zone", False, None),  # given up after OUTBOX_MAX_ATTEMPTS
        ("locked_until", "timestamp with time zone", False, None),  # 0011: the relay's lease (no lock over the network)
        ("locked_by", "text", False, None),  # 0011: whose lease it is
    ],
}
# Seed tables without RLS that we put under it (and FORCE): the request role writes them.
RLS_ADDED = {
    "outbox": "the request role appends its tenant's events only (INSERT policy WITH CHECK on the GUC)",
    "idempotency_keys": "stored and replayed in the request's tenant transaction; a key never crosses tenants",
}
# Seed objects whose definition we replace outright, checked by behaviour in test_rls_and_grants.
REPLACED = {
    ("idempotency_keys", "constraints", "idempotency_keys_pkey"): "(tenant_id, caller, endpoint, key): a key per tenant, caller and route",
    ("idempotency_keys", "indexes", "idempotency_keys_pkey"): "the index of that primary key",
}
# FORCE ROW LEVEL SECURITY on every table the seed puts under RLS: binds the owning migrator too
# (manage.py check_rls requires it). Checked generically: seed rls=True ⇒ ours force=True.
# Constraints the seed states only in prose (§4) or that make a seed CHECK mean what it says.
EXTRA_CONSTRAINTS = {
    ("theme_versions", "theme_versions_tokens_shape_chk"): "§4.1 tokens shape, prose in the seed",
    ("content_blocks", "content_blocks_meta_kind_chk"): "§4.3 meta.kind = kind, prose in the seed",
    ("content_blocks", "content_blocks_body_locales_chk"): "§4.2 body keys are locales, prose in the seed",
    ("themes", "themes_enabled_locales_not_empty_chk"): "array_length('{}',1) is NULL: the seed CHECK admits '{}'",
    ("themes", "themes_fallback_chain_not_empty_chk"): "same for fallback_chain",
}
# Seed constraints whose definition the migrations change, with the exact new definition suffix.
MODIFIED_CONSTRAINTS = {
    ("theme_publications", "theme_publications_superseded_by_id_fkey"): (
        " DEFERRABLE INITIALLY DEFERRED",
        "immediate, it rejects the seed's own §3.3 flip SQL whenever a previous active publication exists",
    ),
}
# Indexes on FK columns the seed leaves unindexed (seed 000 §2 "every FK has an index", seed 004),
# and tenant_id indexes for the RLS filter on the tables that lack one.
EXTRA_INDEXES = {
    ("themes", "themes_active_publication_idx"): "FK themes_active_publication_fk",
    ("theme_publications", "theme_publications_version_idx"): "FK theme_version_id",
    ("theme_publications", "theme_publications_superseded_by_idx"): "FK superseded_by_id",
    ("theme_publications", "theme_publications_tenant_idx"): "RLS filter",
    ("preview_tokens", "preview_tokens_theme_version_idx"): "FK theme_version_id (the seed's index is partial)",
    ("preview_tokens", "preview_tokens_tenant_idx"): "RLS filter",
    ("palette_suggestions", "palette_suggestions_theme_idx"): "FK theme_id",
    ("palette_suggestions", "palette_suggestions_applied_to_version_idx"): "FK applied_to_version_id",
    ("content_blocks", "content_blocks_tenant_idx"): "RLS filter",
    ("navigation_configs", "navigation_configs_tenant_idx"): "RLS filter",
    ("booking_flow_configs", "booking_flow_configs_tenant_idx"): "RLS filter",
    ("email_themes", "email_themes_tenant_idx"): "RLS filter",
    ("outbox", "outbox_partition_pending_idx"): "the relay's oldest-pending-event-per-partition lookup",
    ("outbox", "outbox_dead_lettered_idx"): "dead letters for operators",
    ("outbox", "outbox_published_at_idx"): "the 7-day retention purge (seed §8)",
    ("themes", "themes_deleted_at_idx"): "the retention purge of soft-deleted themes (seed §8)",
    ("theme_versions", "theme_versions_archived_at_idx"): "the retention purge of archived versions (seed §8)",
    ("palette_suggestions", "palette_suggestions_retention_idx"): "the retention purge of AI drafts (seed §8)",
}
EXTRA_POLICIES = {
    ("preview_tokens", "preview_lookup"): "seed §3.10 preview by hash: the owner-run preview_version() sees one token",
    ("outbox", "tenant_append"): "RLS_ADDED: the request role's INSERT, checked against its tenant",
    ("idempotency_keys", "tenant_isolation"): "RLS_ADDED: the usual tenant isolation",
    ("themes", "read_model_refresh"): "lets the migrator-owned views be filled/refreshed under FORCE RLS",
    ("theme_publications", "read_model_refresh"): "same",
}


def seed_statements() -> list[str]:
    text = re.sub(r"--[^\n]*", "", seed_text())
    return [m.group(0) for m in STATEMENT_RE.finditer(text)]


def to_scratch(statement: str) -> str:
    statement = re.sub(r"\btheme_config\.", f"{SCRATCH}.", statement)
    return re.sub(r"\btenant_service\.", f"{SCRATCH_TENANT_SERVICE}.", statement)


def normalize(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.replace(f"{SCRATCH}.", "theme_config.").replace(f"{SCRATCH_TENANT_SERVICE}.", "tenant_service.")
    return re.sub(r"\s+", " ", text).strip()


def snapshot(conn, schema: str) -> dict:
    """Everything the comparison looks at, keyed by relation name, with schema names normalized."""
    conn.execute("SET search_path = pg_catalog")  # so every name in the deparsed text is qualified
    rels = conn.execute(
        """SELECT c.oid, c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity,
                  CASE WHEN c.relispartition THEN (SELECT r.relname FROM pg_class r WHERE r.oid = pg_partition_root(c.oid)) END
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'm')""",
        [schema],
    ).fetchall()
    result = {}
    for oid, name, kind, rls, force, partition_of in rels:
        columns = conn.execute(
            """SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                      pg_get_expr(d.adbin, d.adrelid)
               FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
               WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum""",
            [oid],
        ).fetchall()
        constraints = conn.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s", [oid]
        ).fetchall()
        indexes = conn.execute(
            """SELECT ic.relname, pg_get_indexdef(i.indexrelid)
               FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = %s""",
            [oid],
        ).fetchall()
        policies = conn.execute(
            """SELECT p.polname, p.polcmd, p.polpermissive,
                      ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r) END
                            FROM unnest(p.polroles) r ORDER BY 1),
                      pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)
               FROM pg_policy p WHERE p.polrelid = %s""",
            [oid],
        ).fetchall()
        definition = None
        if kind == "m":
            definition = conn.execute("SELECT pg_get_viewdef(%s::oid)", [oid]).fetchone()[0]
        result[name] = {
            "kind": kind,
            "partition_of": partition_of,  # the partitioned table a partition belongs to (dated names)
            "rls": rls,
            "force": force,
            "columns": [(n, t, nn, normalize(d)) for n, t, nn, d in columns],
            "constraints": {n: (t, normalize(d)) for n, t, d in constraints},
            "indexes": {n: normalize(d) for n, d in indexes},
            "policies": {n: (c, p, tuple(r), normalize(q), normalize(w)) for n, c, p, r, q, w in policies},
            "definition": normalize(definition),
        }
    conn.execute("RESET search_path")
    return result


def build_seed_schema(conn) -> None:
    """Run the seed's statements, schema names rewritten, into scratch schemas."""
    for schema in (SCRATCH, SCRATCH_TENANT_SERVICE):
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
    # Stand-in for tenant-service's tenant_hosts: the seed §6.2 view reads host, tenant_id, property_id.
    conn.execute(
        f"CREATE TABLE {SCRATCH_TENANT_SERVICE}.tenant_hosts "
        "(host text PRIMARY KEY, tenant_id text NOT NULL, property_id text NULL)"
    )
    for statement in seed_statements():
        conn.execute(to_scratch(statement))


@pytest.fixture(scope="module")
def schemas(schema_db):
    """(seed, migrated) catalog snapshots."""
    with connect("postgres", schema_db, autocommit=True) as conn:
        build_seed_schema(conn)
        try:
            yield snapshot(conn, SCRATCH), snapshot(conn, "theme_config")
        finally:
            conn.execute(f"DROP SCHEMA {SCRATCH} CASCADE")
            conn.execute(f"DROP SCHEMA {SCRATCH_TENANT_SERVICE} CASCADE")


def compare(seed: dict, ours: dict) -> list[str]:
    """Readable differences between the seed schema and ours, the allow-lists applied."""
    diffs: list[str] = []
    for name in sorted(set(seed) - set(ours)):
        diffs.append(f"{name}: defined by the seed, missing from theme_config")
    for name in sorted(set(ours) - set(seed)):
        if name not in EXTRA_TABLES and ours[name]["partition_of"] not in EXTRA_TABLES:
            diffs.append(f"{name}: in theme_config but neither in the seed nor in EXTRA_TABLES")
    for name in sorted(set(seed) & set(ours)):
        s, o = seed[name], ours[name]
        if s["kind"] != o["kind"]:
            diffs.append(f"{name}: relkind seed={s['kind']!r} ours={o['kind']!r}")
        if s["rls"] != o["rls"] and not (name in RLS_ADDED and o["rls"]):
            diffs.append(f"{name}: row level security seed={s['rls']} ours={o['rls']}")
        if o["force"] and not s["rls"] and name not in RLS_ADDED:
            diffs.append(f"{name}: FORCE RLS on a table the seed leaves without RLS")
        if s["rls"] and not o["force"]:
            diffs.append(f"{name}: RLS without FORCE (the owner would bypass it)")
        expected_columns = s["columns"] + EXTRA_COLUMNS.get(name, [])
        if expected_columns != o["columns"]:
            diffs.append(f"{name}: columns differ")
            for i, (sc, oc) in enumerate(zip(expected_columns, o["columns"], strict=False)):
                if sc != oc:
                    diffs.append(f"    #{i + 1} seed={sc} ours={oc}")
            for sc in expected_columns[len(o["columns"]):]:
                diffs.append(f"    missing {sc}")
            for oc in o["columns"][len(expected_columns):]:
                diffs.append(f"    extra   {oc}")
        if s["definition"] != o["definition"]:
            diffs.append(f"{name}: view definition differs\n    seed: {s['definition']}\n    ours: {o['definition']}")
        for kind, one, extra, fmt in (
            ("constraints", "constraint", EXTRA_CONSTRAINTS, lambda v: f"{v[0]} {v[1]}"),
            ("indexes", "index", EXTRA_INDEXES, str),
            ("policies", "policy", EXTRA_POLICIES, str),
        ):
            for item in sorted(set(s[kind]) - set(o[kind])):
                diffs.append(f"{name}: {one} {item} missing: {fmt(s[kind][item])}")
            for item in sorted(set(o[kind]) - set(s[kind])):
                if (name, item) not in extra:
                    diffs.append(f"{name}: extra {one} {item} not allow-listed: {fmt(o[kind][item])}")
            for item in sorted(set(s[kind]) & set(o[kind])):
                if (name, kind, item) in REPLACED:
                    continue
                expected = s[kind][item]
                if kind == "constraints" and (name, item) in MODIFIED_CONSTRAINTS:
                    expected = (expected[0], expected[1] + MODIFIED_CONSTRAINTS[(name, item)][0])
                if expected != o[kind][item]:
                    diffs.append(
                        f"{name}: {one} {item} differs\n    seed: {fmt(expected)}\n    ours: {fmt(o[kind][item])}"
                    )
    return diffs


def test_seed_text__statements_extracted__as_many_as_the_seed_has():
    statements = seed_statements()
    first_words = [" ".join(s.split()[:3]) for s in statements]
    assert sum(w.startswith("CREATE TABLE") for w in first_words) == len(SEED_TABLES)
    assert sum(w.startswith("CREATE MATERIALIZED VIEW") for w in first_words) == len(SEED_MATVIEWS)
    assert sum(s.startswith("CREATE POLICY") for s in statements) == 10
    assert sum("ENABLE ROW LEVEL SECURITY" in s for s in statements) == 10
    assert sum("ADD CONSTRAINT" in s for s in statements) == 1
    # 17 indexes on tables + 3 on the materialized views.
    assert sum(re.match(r"CREATE (UNIQUE )?INDEX", s) is not None for s in statements) == 20


def test_seed_copy__is_the_shared_seed():
    if not SEED_SHARED.exists():
        pytest.skip("shared/seeds is not beside this checkout")
    assert SEED_COPY.read_bytes() == SEED_SHARED.read_bytes()


def test_migrated_schema__equals_seed_ddl__except_allow_listed_extras(schemas):
    seed, ours = schemas
    assert set(seed) == SEED_TABLES | SEED_MATVIEWS
    diffs = compare(seed, ours)
    assert not diffs, "theme_config differs from seed 000:\n" + "\n".join(diffs)


def test_allow_lists__name_only_objects_that_exist(schemas):
    """An allow-list entry whose object went away must go too, or it would hide a future drift."""
    seed, ours = schemas
    stale = [f"table {t}" for t in EXTRA_TABLES if t not in ours]
    for kind, extra in (("constraints", EXTRA_CONSTRAINTS), ("indexes", EXTRA_INDEXES), ("policies", EXTRA_POLICIES)):
        stale += [f"{kind} {t}.{n}" for t, n in extra if n not in ours.get(t, {}).get(kind, {})]
    stale += [f"constraint {t}.{n}" for t, n in MODIFIED_CONSTRAINTS if n not in seed.get(t, {}).get("constraints", {})]
    stale += [f"rls {t}" for t in RLS_ADDED if not ours.get(t, {}).get("rls")]
    stale += [f"{k} {t}.{n}" for t, k, n in REPLACED if n not in seed.get(t, {}).get(k, {})]
    assert not stale, stale


def test_comparison__detects_a_drift(schemas):
    """The comparison itself is not blind: a changed default, a dropped index and a new column show."""
    seed, ours = schemas
    drifted = {name: {**rel, "columns": list(rel["columns"]), "indexes": dict(rel["indexes"])} for name, rel in ours.items()}
    cols = drifted["themes"]["columns"]
    cols[cols.index(next(c for c in cols if c[0] == "version"))] = ("version", "integer", True, "2")
    del drifted["preview_tokens"]["indexes"]["preview_tokens_hash_uq"]
    drifted["outbox"]["columns"].append(("shard", "integer", False, None))
    diffs = "\n".join(compare(seed, drifted))
    assert "themes: columns differ" in diffs
    assert "preview_tokens: index preview_tokens_hash_uq missing" in diffs
    assert "extra   ('shard'" in diffs


def test_extra_tables__mirror_palette_suggestions(schemas):
    """translation_drafts and content_drafts keep palette_suggestions' workflow columns and policy."""
    _, ours = schemas
    palette = ours["palette_suggestions"]
    workflow = {"tenant_id", "ai_provenance", "status", "approver_user_id", "approver_note",
                "applied_to_version_id", "created_at", "decided_at"}
    palette_cols = {c[0]: c for c in palette["columns"]}
    for table in ("translation_drafts", "content_drafts"):
        rel = ours[table]
        cols = {c[0]: c for c in rel["columns"]}
        assert {c: cols[c] for c in workflow} == {c: palette_cols[c] for c in workflow}, table
        assert rel["policies"]["tenant_isolation"] == palette["policies"]["tenant_isolation"], table
        assert rel["rls"] and rel["force"], table
        assert f"{table}_tenant_status_idx" in rel["indexes"], table
        status_check = rel["constraints"][f"{table}_status_check"]
        assert status_check == palette["constraints"]["palette_suggestions_status_check"], table
