"""Row level security, the §5.3 tenant-consistency triggers and the per-role grants, as each role sees them."""
from __future__ import annotations

import pytest
from psycopg import errors

from tests.schema.dbtools import (
    APP,
    MIGRATOR,
    PREVIEW_READER,
    READONLY,
    SERVICE,
    Tenant,
    insert,
    new_tenant_id,
    row_defaults,
    savepoint,
    set_tenant,
)

RLS_TABLES = (
    "themes", "theme_versions", "theme_publications", "content_blocks", "navigation_configs",
    "booking_flow_configs", "email_themes", "locale_packs", "preview_tokens", "palette_suggestions",
    "translation_drafts", "content_drafts", "brand_kits",
)
# child table → (its parent key column, the key's value taken from the arranged tenant)
CONSISTENCY_TRIGGERS = {
    "theme_versions": "theme_id",
    "content_blocks": "theme_version_id",
    "navigation_configs": "theme_version_id",
    "booking_flow_configs": "theme_version_id",
    "email_themes": "theme_version_id",
    "locale_packs": "theme_version_id",
    "preview_tokens": "theme_version_id",
    "theme_publications": "theme_version_id",
    "palette_suggestions": "theme_id",
    "translation_drafts": "theme_version_id",
    "content_drafts": "theme_version_id",
}


@pytest.mark.parametrize("table", RLS_TABLES)
def test_tenant_isolation__insert_for_another_tenant__rejected_by_with_check(table, tenant, other_tenant):
    # The row is consistent with its (other tenant's) parent, so only RLS stands in the way.
    row = other_tenant.row(table)
    with pytest.raises(errors.InsufficientPrivilege, match=f'row-level security policy for table "{table}"'), \
            savepoint(tenant.conn):
        insert(tenant.conn, table, row)


@pytest.mark.parametrize("table", RLS_TABLES)
def test_tenant_isolation__other_tenants_rows__invisible_and_untouchable(table, tenant, other_tenant):
    theirs = other_tenant.add(table)
    conn = tenant.conn
    assert conn.execute(f"SELECT count(*) FROM theme_config.{table} WHERE id = %s", [theirs["id"]]).fetchone()[0] == 0
    assert conn.execute(f"UPDATE theme_config.{table} SET tenant_id = tenant_id WHERE id = %s", [theirs["id"]]).rowcount == 0
    assert conn.execute(f"DELETE FROM theme_config.{table} WHERE id = %s", [theirs["id"]]).rowcount == 0


def test_tenant_isolation__no_tenant_context__fails_closed(role_connection, other_tenant):
    conn = role_connection(APP)
    with pytest.raises(errors.UndefinedObject, match="app.tenant_id"):
        conn.execute("SELECT count(*) FROM theme_config.themes").fetchone()


def test_tenant_isolation__binds_the_owning_migrator_too(role_connection, other_tenant):
    conn = role_connection(MIGRATOR)
    set_tenant(conn, new_tenant_id())
    assert conn.execute("SELECT count(*) FROM theme_config.themes WHERE id = %s", [other_tenant.theme["id"]]).fetchone()[0] == 0
    conn.rollback()


def test_read_model_refresh_gate__opens_for_the_migrator_only(role_connection, other_tenant):
    """The gate the views are refreshed through admits nobody but the migrator (who owns the tables anyway)."""
    for role, visible in ((APP, 0), (READONLY, 0), (MIGRATOR, 1)):
        conn = role_connection(role)
        set_tenant(conn, "")
        conn.execute("SELECT set_config('theme_config.read_model_refresh', 'on', true)")
        found = conn.execute("SELECT count(*) FROM theme_config.themes WHERE id = %s", [other_tenant.theme["id"]]).fetchone()[0]
        assert found == visible, role
        conn.rollback()


def test_read_model_refresh_gate__select_only(role_connection, other_tenant):
    conn = role_connection(MIGRATOR)
    set_tenant(conn, "")
    conn.execute("SELECT set_config('theme_config.read_model_refresh', 'on', true)")
    assert conn.execute("UPDATE theme_config.themes SET name = 'x' WHERE id = %s", [other_tenant.theme["id"]]).rowcount == 0
    conn.rollback()


@pytest.mark.parametrize("table", sorted(CONSISTENCY_TRIGGERS))
def test_tenant_consistency_trigger__child_of_another_tenants_parent__rejected(table, tenant, other_tenant):
    """Seed §5.3: RLS and the FK both let this row through (its tenant_id is the writer's own); the trigger does not."""
    key = CONSISTENCY_TRIGGERS[table]
    row = tenant.row(table, **{key: other_tenant.parents[key]})
    with pytest.raises(errors.CheckViolation, match="seed 000 §5.3") as info, savepoint(tenant.conn):
        insert(tenant.conn, table, row)
    assert info.value.diag.constraint_name == f"{table}_tenant_consistency"
    assert other_tenant.id in str(info.value) and tenant.id in str(info.value)


def test_tenant_consistency_trigger__moving_a_child_under_another_tenants_parent__rejected(tenant, other_tenant):
    block = tenant.add("content_blocks")
    with pytest.raises(errors.CheckViolation) as info, savepoint(tenant.conn):
        tenant.conn.execute("UPDATE theme_config.content_blocks SET theme_version_id = %s WHERE id = %s",
                            [other_tenant.version["id"], block["id"]])
    assert info.value.diag.constraint_name == "content_blocks_tenant_consistency"


def test_tenant_consistency_triggers__security_definer_and_installed_everywhere(admin):
    definer = admin.execute(
        "SELECT prosecdef FROM pg_proc WHERE oid = 'theme_config.assert_tenant_consistency()'::regprocedure"
    ).fetchone()[0]
    assert definer
    tables = {r[0] for r in admin.execute(
        "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE '%\\_tenant_consistency' AND NOT tgisinternal"
    )}
    assert tables == {f"theme_config.{t}" for t in CONSISTENCY_TRIGGERS}


# ---- grants -------------------------------------------------------------------------------------

def test_layout_presets__app_role_reads_but_cannot_write(role_connection):
    conn = role_connection(APP)
    assert conn.execute("SELECT count(*) FROM theme_config.layout_presets").fetchone()[0] >= 12
    for statement in (
        "INSERT INTO theme_config.layout_presets (id, key, surface, supported_variants, thumbnail_url) "
        "VALUES ('lpr_01JQ0000000000000000ZZ', 'custom.x', 'custom', '{a}', '/x.svg')",
        "UPDATE theme_config.layout_presets SET is_active = false",
        "DELETE FROM theme_config.layout_presets",
        "TRUNCATE theme_config.layout_presets",
    ):
        with pytest.raises(errors.InsufficientPrivilege), savepoint(conn):
            conn.execute(statement)
    conn.rollback()


def test_consumed_events__app_role_has_no_access(role_connection):
    conn = role_connection(APP)
    set_tenant(conn, new_tenant_id())
    for statement in ("SELECT * FROM theme_config.consumed_events", "DELETE FROM theme_config.consumed_events"):
        with pytest.raises(errors.InsufficientPrivilege), savepoint(conn):
            conn.execute(statement)
    conn.rollback()


def test_outbox__app_role_appends_own_tenant_only__cannot_read__service_role_drains(role_connection):
    """Finding 4: the request role could append events under any tenant id."""
    app = role_connection(APP)
    mine, theirs = new_tenant_id(), new_tenant_id()
    set_tenant(app, mine)
    # A plain INSERT in the use case's own transaction (RETURNING would need SELECT).
    insert(app, "outbox", row_defaults("outbox", mine, {}))
    with pytest.raises(errors.InsufficientPrivilege, match="row-level security"), savepoint(app):
        insert(app, "outbox", row_defaults("outbox", theirs, {}))
    for statement in ("SELECT count(*) FROM theme_config.outbox", "DELETE FROM theme_config.outbox",
                      "UPDATE theme_config.outbox SET published_at = now()"):
        with pytest.raises(errors.InsufficientPrivilege), savepoint(app):
            app.execute(statement)
    app.rollback()
    event = row_defaults("outbox", theirs, {})
    service = role_connection(SERVICE)
    with service.transaction(force_rollback=True):
        insert(service, "outbox", event)
        assert service.execute(
            "SELECT id > 0 FROM theme_config.outbox WHERE event_id = %s", [event["event_id"]]
        ).fetchone()[0]
        service.execute("INSERT INTO theme_config.consumed_events (event_id, tenant_id, event_type) VALUES (%s, %s, %s)",
                        [event["event_id"], event["tenant_id"], event["event_type"]])


def _idempotency_row(conn, tenant_id: str, key: str = "k-1", endpoint: str = "POST /api/v1/themes/"):
    conn.execute(
        "INSERT INTO theme_config.idempotency_keys (key, tenant_id, endpoint, request_hash, expires_at) "
        "VALUES (%s, %s, %s, %s, now() + interval '1 day')",
        [key, tenant_id, endpoint, "0" * 64],
    )


def test_idempotency_keys__same_key_per_tenant_and_route__each_sees_only_its_own(role_connection, admin):
    a, b = new_tenant_id(), new_tenant_id()
    _idempotency_row(admin, b)  # tenant B used key k-1 on this route first
    app = role_connection(APP)
    set_tenant(app, a)
    _idempotency_row(app, a)  # the same key for tenant A is another row, not a clash
    _idempotency_row(app, a, endpoint="POST /api/v1/versions/{id}/publish/")
    assert app.execute("SELECT count(*), count(DISTINCT tenant_id) FROM theme_config.idempotency_keys").fetchone() == (2, 1)
    with pytest.raises(errors.UniqueViolation), savepoint(app):
        _idempotency_row(app, a)
    with pytest.raises(errors.InsufficientPrivilege, match="row-level security"), savepoint(app):
        _idempotency_row(app, b, key="k-2")
    assert app.execute("UPDATE theme_config.idempotency_keys SET status_code = 201 WHERE tenant_id = %s",
                       [b]).rowcount == 0
    app.rollback()
    admin.execute("DELETE FROM theme_config.idempotency_keys WHERE tenant_id = %s", [b])


def test_preview_reader__reads_no_table_at_all(role_connection, other_tenant, admin):
    """Finding 10: the preview reader could SELECT every tenant's versions without a token."""
    other_tenant.add("preview_tokens")
    tables = [r[0] for r in admin.execute(
        """SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname IN ('theme_config', 'tenant_service', 'public') AND c.relkind IN ('r', 'p', 'v', 'm')"""
    )]
    conn = role_connection(PREVIEW_READER)
    set_tenant(conn, other_tenant.id)  # even with a tenant's GUC in hand
    for table in tables:
        try:
            with savepoint(conn):
                rows = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        except errors.InsufficientPrivilege:
            continue
        assert rows == 0, table
    conn.rollback()


def _preview(conn, token_hash):
    return conn.execute("SELECT id, tokens->>'direction' FROM theme_config.preview_version(%s)", [token_hash]).fetchall()


def test_preview_reader__function__one_version_for_a_live_token_none_otherwise(role_connection, other_tenant, admin):
    live = other_tenant.add("preview_tokens")
    expired = other_tenant.add("preview_tokens")
    revoked = other_tenant.add("preview_tokens")
    admin.execute("UPDATE theme_config.preview_tokens SET created_at = now() - interval '2 days', "
                  "expires_at = now() - interval '1 day' WHERE id = %s", [expired["id"]])
    admin.execute("UPDATE theme_config.preview_tokens SET revoked_at = now() WHERE id = %s", [revoked["id"]])
    conn = role_connection(PREVIEW_READER)
    assert _preview(conn, live["token_hash"]) == [(other_tenant.version["id"], "ltr")]
    # The caller's transaction is left without the token's tenant.
    assert conn.execute("SELECT current_setting('app.tenant_id', true)").fetchone()[0] in ("", None)
    for token_hash in (expired["token_hash"], revoked["token_hash"], "0" * 64, "not-a-hash", None):
        assert _preview(conn, token_hash) == []
    conn.commit()
    counted = admin.execute("SELECT access_count, last_accessed_at IS NOT NULL FROM theme_config.preview_tokens "
                            "WHERE id = %s", [live["id"]]).fetchone()
    assert counted == (1, True)


def test_preview_function__executable_by_the_preview_reader_only(role_connection, other_tenant):
    token = other_tenant.add("preview_tokens")
    for role in (APP, READONLY, SERVICE):
        conn = role_connection(role)
        with pytest.raises(errors.InsufficientPrivilege):
            _preview(conn, token["token_hash"])
        conn.rollback()


def test_preview_reader__nothing_else(role_connection, other_tenant):
    conn = role_connection(PREVIEW_READER)
    set_tenant(conn, "")
    for statement, params in (
        ("SELECT * FROM theme_config.themes", []),
        ("SELECT * FROM theme_config.preview_tokens", []),
        ("SELECT * FROM theme_config.theme_versions", []),
        ("UPDATE theme_config.preview_tokens SET access_count = access_count + 1", []),
        ("DELETE FROM theme_config.theme_versions WHERE id = %s", [other_tenant.version["id"]]),
    ):
        with pytest.raises(errors.InsufficientPrivilege), savepoint(conn):
            conn.execute(statement, params)
    with pytest.raises(errors.InsufficientPrivilege), savepoint(conn):
        insert(conn, "preview_tokens", other_tenant.row("preview_tokens"))
    conn.rollback()


def test_preview_lookup_policy__select_only_and_for_the_owner_only(admin):
    rows = admin.execute(
        """SELECT c.relname, p.polcmd, ARRAY(SELECT pg_get_userbyid(r) FROM unnest(p.polroles) r)
           FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
           WHERE p.polname IN ('preview_lookup', 'preview_reader_read') ORDER BY 1"""
    ).fetchall()
    assert rows == [("preview_tokens", "r", [MIGRATOR])]


def test_request_role__owns_nothing_and_cannot_bypass_rls(admin):
    row = admin.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [APP]).fetchone()
    assert row == (False, False)
    owned = admin.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = %s", [APP]
    ).fetchone()[0]
    assert owned == 0


def test_every_tenant_table__rls_enabled_and_forced(admin):
    rows = admin.execute(
        """SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'theme_config' AND c.relkind = 'r' AND c.relname = ANY(%s)""",
        [list(RLS_TABLES)],
    ).fetchall()
    assert sorted(rows) == sorted((t, True, True) for t in RLS_TABLES)


def test_tenant_table_rows_written_by_app__visible_to_readonly_role_only_in_context(role_connection):
    """theme_config_ro is RLS-bound as well (seed §1)."""
    writer = role_connection(APP)
    mine = Tenant(writer)
    writer.commit()
    reader = role_connection(READONLY)
    set_tenant(reader, new_tenant_id())
    assert reader.execute("SELECT count(*) FROM theme_config.themes WHERE id = %s", [mine.theme["id"]]).fetchone()[0] == 0
    reader.rollback()
    set_tenant(reader, mine.id)
    assert reader.execute("SELECT count(*) FROM theme_config.themes WHERE id = %s", [mine.theme["id"]]).fetchone()[0] == 1
    with pytest.raises(errors.InsufficientPrivilege), savepoint(reader):
        reader.execute("DELETE FROM theme_config.themes WHERE id = %s", [mine.theme["id"]])
    reader.rollback()
