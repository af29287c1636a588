"""Migrations run forwards and backwards on an empty database, and back again, as theme_config_migrator.

Uses a database of its own (not the shared schema database) because it unapplies everything.
"""
from __future__ import annotations

import pytest

from tests.schema.dbtools import connect, create_migrated_database, database_name, drop_database, manage

OUR_RELATIONS = {
    "themes", "theme_versions", "theme_publications", "content_blocks", "navigation_configs",
    "booking_flow_configs", "email_themes", "locale_packs", "layout_presets", "preview_tokens",
    "palette_suggestions", "translation_drafts", "content_drafts", "outbox", "consumed_events",
    "idempotency_keys", "brand_kits", "published_theme_view", "host_to_theme_view", "outbox_id_seq",
    "audit_log", "audit_log_default", "audit_log_id_seq",
}
OUR_FUNCTIONS = {"jsonb_keys_are_locales", "refresh_read_models", "audit_log_ensure_partitions"}


def objects(conn) -> dict:
    relations = {r[0] for r in conn.execute(
        """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'theme_config' AND c.relkind IN ('r', 'p', 'm', 'S', 'v')"""
    )}
    functions = {r[0] for r in conn.execute(
        "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'theme_config'"
    )}
    policies = {r[0] for r in conn.execute(
        """SELECT c.relname || '.' || p.polname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('theme_config', 'tenant_service')"""
    )}
    preview_grants = conn.execute(
        """SELECT count(*) FROM information_schema.role_table_grants
           WHERE grantee = 'theme_config_preview_reader' AND table_schema = 'theme_config'"""
    ).fetchone()[0]
    force = conn.execute(
        "SELECT relforcerowsecurity FROM pg_class WHERE oid = 'tenant_service.tenant_hosts'::regclass"
    ).fetchone()[0]
    return {"relations": relations, "functions": functions, "policies": policies,
            "preview_grants": preview_grants, "tenant_hosts_forced": force}


@pytest.fixture(scope="module")
def empty_database():
    name = database_name("schema_migrations")
    create_migrated_database(name)
    yield name
    drop_database(name)


def applied(conn, app: str) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM django_migrations WHERE app = %s ORDER BY id", [app])]


def test_migrations__down_to_zero_and_up_again(empty_database):
    with connect("postgres", empty_database, autocommit=True) as conn:
        migrated = objects(conn)
        assert OUR_RELATIONS <= migrated["relations"]
        assert OUR_FUNCTIONS <= migrated["functions"]

        # Reverse dependency order: publishing and ai_workspace hang off themeconfig.
        manage(empty_database, "migrate", "publishing", "zero", "--no-input", "-v", "0")
        manage(empty_database, "migrate", "ai_workspace", "zero", "--no-input", "-v", "0")
        manage(empty_database, "migrate", "themeconfig", "0001_tenancy", "--no-input", "-v", "0")
        down = objects(conn)
        assert applied(conn, "publishing") == [] and applied(conn, "ai_workspace") == []
        assert applied(conn, "themeconfig") == ["0001_tenancy"]
        assert not (OUR_RELATIONS & down["relations"]), OUR_RELATIONS & down["relations"]
        assert not (OUR_FUNCTIONS & down["functions"])
        assert {p for p in down["policies"] if p.endswith((".read_model_refresh", ".preview_reader_read"))} == set()
        assert down["preview_grants"] == 0
        assert down["tenant_hosts_forced"]  # 0001's table is left exactly as 0001 made it
        assert down["relations"] == {"memberships", "api_clients"} | {
            r for r in down["relations"] if r.startswith(("memberships_", "api_clients_"))
        }

        # Whole-app zero: themeconfig's own 0001 goes last, leaving the two schemas empty.
        manage(empty_database, "migrate", "themeconfig", "zero", "--no-input", "-v", "0")
        left = conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname IN ('theme_config', 'tenant_service')"
        ).fetchone()[0]
        assert left == 0
        assert applied(conn, "themeconfig") == []

        manage(empty_database, "migrate", "--no-input", "-v", "0")
        again = objects(conn)
        assert again == migrated
        check = manage(empty_database, "makemigrations", "--check", "--dry-run", check=False)
        assert check.returncode == 0 and "No changes detected" in check.stdout, check.stdout + check.stderr
        rls = manage(empty_database, "check_rls", check=False)
        assert rls.returncode == 0, rls.stdout + rls.stderr


def _hosts(conn) -> list[str]:
    return [r[0] for r in conn.execute("SELECT host FROM tenant_service.tenant_hosts ORDER BY host")]


def test_rollback__pending_hosts_and_claims__never_back_in_tenant_hosts_for_the_old_sync(empty_database):
    """Rolling back must never serve an unproven host: publishing 0010.down re-syncs host_resolution from
    every tenant_hosts row with the old function (no status test), and themeconfig 0009.down drops the
    status column. So the down path deletes claims (0011_host_claims) and pending rows (0009, publishing
    0010) before the old definitions return."""
    tenant = "tnt_" + "0" * 22
    with connect("postgres", empty_database, autocommit=True) as conn:
        manage(empty_database, "migrate", "--no-input", "-v", "0")
        conn.execute("INSERT INTO tenant_service.tenants (id, slug, name) VALUES (%s, 'rb', 'Rb')", [tenant])
        conn.execute("INSERT INTO tenant_service.tenant_hosts (host, tenant_id, verification_status, verified_at) "
                     "VALUES ('served.example.com', %s, 'verified', now())", [tenant])
        conn.execute("INSERT INTO tenant_service.tenant_host_claims (host, tenant_id, verification_token_hash) "
                     "VALUES ('claimed.example.com', %s, repeat('a', 64))", [tenant])

        manage(empty_database, "migrate", "themeconfig", "0009_host_verification", "--no-input", "-v", "0")
        assert _hosts(conn) == ["served.example.com"]  # the claim is not moved back as a pending host
        # A pending row as 0009 itself wrote them (the state of a database that never ran 0010).
        conn.execute("INSERT INTO tenant_service.tenant_hosts (host, tenant_id, verification_token_hash) "
                     "VALUES ('pending.example.com', %s, repeat('b', 64))", [tenant])
        manage(empty_database, "migrate", "publishing", "0009_outbox_relay", "--no-input", "-v", "0")
        assert _hosts(conn) == ["served.example.com"]  # gone before the old sync ran

        conn.execute("INSERT INTO tenant_service.tenant_hosts (host, tenant_id, verification_token_hash) "
                     "VALUES ('pending2.example.com', %s, repeat('c', 64))", [tenant])
        manage(empty_database, "migrate", "themeconfig", "0008_audit_log", "--no-input", "-v", "0")
        assert _hosts(conn) == ["served.example.com"]  # not left behind as a served host without status

        manage(empty_database, "migrate", "--no-input", "-v", "0")
        assert _hosts(conn) == ["served.example.com"]
        conn.execute("DELETE FROM tenant_service.tenants WHERE id = %s", [tenant])
