"""The materialized views of seed §6 and theme_config.refresh_read_models()."""
from __future__ import annotations

import pytest
from psycopg import errors

from tests.schema.dbtools import APP, MIGRATOR, READONLY, SERVICE, Tenant, set_tenant
from themeconfig.platform.ids import new_id


def publish(conn, tenant: Tenant) -> str:
    """An active publication for the tenant's theme, pointed at by the theme (tenant context open)."""
    publication = tenant.add("theme_publications", is_active=True, bundle_url=f"bundles/{new_id('thp')}.json")
    conn.execute("UPDATE theme_config.themes SET active_publication_id = %s WHERE id = %s",
                 [publication["id"], tenant.theme["id"]])
    return publication


def hosted_tenant(conn, *, host: str) -> Tenant:
    """A tenant (in tenant_service) with a host and a tenant-wide theme, written as the app role."""
    tenant_id = new_id("tnt")
    set_tenant(conn, tenant_id)
    conn.execute("INSERT INTO tenant_service.tenants (id, slug, name) VALUES (%s, %s, %s)",
                 [tenant_id, f"t-{tenant_id[-10:].lower()}", "Hotel group"])
    conn.execute("INSERT INTO tenant_service.tenant_hosts (host, tenant_id, verification_status, verified_at) "
                 "VALUES (%s, %s, 'verified', now())", [host, tenant_id])
    return Tenant(conn, tenant_id, property_id=None, scope="tenant")


def refresh(role_connection):
    service = role_connection(SERVICE)
    with service.transaction():
        service.execute("SELECT theme_config.refresh_read_models()")


def test_refresh__views_follow_the_active_publication(role_connection):
    app = role_connection(APP)
    host = f"{new_id('tnt')[-12:].lower()}.hotels.example"
    tenant = hosted_tenant(app, host=host)
    first = publish(app, tenant)
    app.commit()
    refresh(role_connection)

    reader = role_connection(APP)  # the public resolve path reads the views with no tenant context
    by_host = reader.execute("SELECT theme_id, tenant_id, bundle_url FROM theme_config.host_to_theme_view WHERE host = %s",
                             [host]).fetchall()
    assert by_host == [(tenant.theme["id"], tenant.id, first["bundle_url"])]
    by_theme = reader.execute(
        "SELECT publication_id, theme_version_id, enabled_locales FROM theme_config.published_theme_view WHERE theme_id = %s",
        [tenant.theme["id"]],
    ).fetchall()
    assert by_theme == [(first["id"], tenant.version["id"], ["en", "fa-IR"])]
    reader.rollback()

    # Soft-deleting the theme takes it out of both views at the next refresh.
    set_tenant(app, tenant.id)
    app.execute("UPDATE theme_config.themes SET deleted_at = now() WHERE id = %s", [tenant.theme["id"]])
    app.commit()
    refresh(role_connection)
    assert reader.execute("SELECT count(*) FROM theme_config.host_to_theme_view WHERE host = %s", [host]).fetchone()[0] == 0
    assert reader.execute("SELECT count(*) FROM theme_config.published_theme_view WHERE theme_id = %s",
                          [tenant.theme["id"]]).fetchone()[0] == 0
    reader.rollback()


def test_refresh__keeps_the_callers_transaction_settings(role_connection):
    service = role_connection(SERVICE)
    set_tenant(service, "tnt_callers_own_value")
    service.execute("SELECT theme_config.refresh_read_models()")
    assert service.execute(
        "SELECT current_setting('app.tenant_id'), current_setting('theme_config.read_model_refresh', true)"
    ).fetchone() == ("tnt_callers_own_value", "")
    service.rollback()


@pytest.mark.parametrize("role", [APP, READONLY, MIGRATOR])
def test_refresh__only_the_service_role_may_call_it(role, role_connection):
    conn = role_connection(role)
    if role == MIGRATOR:  # the owner may always execute its own function
        conn.execute("SELECT theme_config.refresh_read_models()")
        conn.rollback()
        return
    with pytest.raises(errors.InsufficientPrivilege):
        conn.execute("SELECT theme_config.refresh_read_models()")
    conn.rollback()


def test_refresh_function__security_definer_pinned_search_path_owned_by_migrator(admin):
    row = admin.execute(
        """SELECT p.prosecdef, p.proconfig, pg_get_userbyid(p.proowner),
                  has_function_privilege('public', p.oid, 'EXECUTE')
           FROM pg_proc p WHERE p.oid = 'theme_config.refresh_read_models()'::regprocedure"""
    ).fetchone()
    assert row == (True, ["search_path=pg_catalog, pg_temp"], MIGRATOR, False)


def test_views__unique_indexes_allow_concurrent_refresh_and_readers_cannot_write(admin, role_connection):
    unique = admin.execute(
        """SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
           JOIN pg_class c ON c.oid = i.indrelid WHERE c.relkind = 'm' AND i.indisunique ORDER BY 1"""
    ).fetchall()
    assert unique == [("host_to_theme_view_host_uq",), ("published_theme_view_pk",)]
    conn = role_connection(APP)
    with pytest.raises(errors.InsufficientPrivilege):
        conn.execute("DELETE FROM theme_config.published_theme_view")
    conn.rollback()
