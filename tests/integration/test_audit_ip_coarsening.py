"""Audit-log addresses cut to /24 (IPv4) or /48 (IPv6) once older than AUDIT_IP_COARSEN_DAYS, at a frozen clock."""
from __future__ import annotations

import datetime as dt
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.db import DatabaseError, connections
from django.utils import timezone

from themeconfig.platform.service_db import service_context
from themeconfig.services.audit_ip_coarsening import audit_ips_coarsen

pytestmark = pytest.mark.usefixtures("committed_db")

NOW = dt.datetime(2026, 6, 15, 12, 0, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


def add_entry(admin_sql, tenant_id: str, ip: str | None, occurred_at: dt.datetime) -> int:
    return admin_sql.execute(
        "INSERT INTO theme_config.audit_log (tenant_id, actor, action, entity_type, entity_id, ip, occurred_at) "
        "VALUES (%s, 'operator:test', 'theme.created', 'theme', 'thm_x', %s, %s) RETURNING id",
        [tenant_id, ip, occurred_at]).fetchone()[0]


def ip_of(admin_sql, entry_id: int) -> str | None:
    return admin_sql.execute("SELECT ip::text FROM theme_config.audit_log WHERE id = %s", [entry_id]).fetchone()[0]


def test_coarsen__one_second_outside_the_window_cut__one_second_inside_kept(tenant_factory, admin_sql, settings, frozen):
    settings.AUDIT_IP_COARSEN_DAYS = 30
    edge = frozen - dt.timedelta(days=30)
    tenant = tenant_factory().id
    outside_v4 = add_entry(admin_sql, tenant, "203.0.113.77", edge - dt.timedelta(seconds=1))
    outside_v6 = add_entry(admin_sql, tenant, "2001:db8:abcd:12:34::9", edge - dt.timedelta(seconds=1))
    inside_v4 = add_entry(admin_sql, tenant, "203.0.113.78", edge + dt.timedelta(seconds=1))
    inside_v6 = add_entry(admin_sql, tenant, "2001:db8:abcd:12:34::10", edge + dt.timedelta(seconds=1))
    no_ip = add_entry(admin_sql, tenant, None, edge - dt.timedelta(days=400))

    assert audit_ips_coarsen() == 2
    assert ip_of(admin_sql, outside_v4) == "203.0.113.0/24"
    assert ip_of(admin_sql, outside_v6) == "2001:db8:abcd::/48"
    assert ip_of(admin_sql, inside_v4) == "203.0.113.78/32"
    assert ip_of(admin_sql, inside_v6) == "2001:db8:abcd:12:34::10/128"
    assert ip_of(admin_sql, no_ip) is None
    assert audit_ips_coarsen() == 0  # idempotent: a coarse address is never picked again


def test_coarsen__purge_expired_kind__batched_with_progress(tenant_factory, admin_sql, settings, frozen):
    settings.AUDIT_IP_COARSEN_DAYS = 90
    tenant = tenant_factory().id
    old = frozen - dt.timedelta(days=91)
    ids = [add_entry(admin_sql, tenant, f"198.51.100.{n}", old) for n in range(1, 6)]
    assert audit_ips_coarsen(batch=2) == 5
    assert {ip_of(admin_sql, entry) for entry in ids} == {"198.51.100.0/24"}

    add_entry(admin_sql, tenant, "192.0.2.9", old)
    out = StringIO()
    call_command("purge_expired", stdout=out)
    assert "audit_ip_coarsen: 1 coarsened" in out.getvalue().splitlines()  # rows changed, not deleted


def test_audit_log__service_role__may_only_coarsen_the_address(tenant_factory, admin_sql):
    tenant = tenant_factory().id
    entry = add_entry(admin_sql, tenant, "203.0.113.5", NOW)
    for statement in (
        "UPDATE theme_config.audit_log SET ip = '10.0.0.1' WHERE id = %s",  # not its own network
        "UPDATE theme_config.audit_log SET ip = '203.0.0.0/16' WHERE id = %s",  # coarser than /24
        "UPDATE theme_config.audit_log SET action = 'theme.deleted' WHERE id = %s",  # not the ip column
    ):
        with pytest.raises(DatabaseError) as info, service_context() as alias, connections[alias].cursor() as cursor:
            cursor.execute(statement, [entry])
        assert isinstance(info.value.__cause__, psycopg.errors.InsufficientPrivilege), statement
    assert ip_of(admin_sql, entry) == "203.0.113.5/32"
