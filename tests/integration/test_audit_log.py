"""The audit log: one row per change, in the change's transaction, tenant-isolated down to each
monthly partition, append-only for the request role, and partitions kept ahead by a command/task."""
from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from decimal import Decimal

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import ProgrammingError, connection, connections, transaction

from tests.conftest import admin_connect
from tests.factories.tenancy import MembershipFactory, TenantFactory, UserFactory
from themeconfig import services
from themeconfig.models import ApiClient, AuditLogEntry
from themeconfig.platform.errors import DomainError
from themeconfig.platform.middleware import SESSION_TENANT_KEY
from themeconfig.platform.principal import Principal
from themeconfig.platform.service_db import service_context
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.selectors.audit import audit_log_list
from themeconfig.services import api_keys as api_key_services
from themeconfig.services.audit import audit_record, changed_fields

COLORS = [{"name": "Blue", "value": "#0b3d91", "role": "primary"}]
FONTS = [{"name": "Body", "family": "Inter", "role": "body"}]


def month(offset: int = 0) -> tuple[str, datetime]:
    """(partition name, first instant) of the UTC month `offset` months from now."""
    now = datetime.now(UTC)
    year, index = divmod(now.year * 12 + now.month - 1 + offset, 12)
    return f"audit_log_{year:04d}_{index + 1:02d}", datetime(year, index + 1, 1, tzinfo=UTC)


def rows(tenant_id: str, **filters) -> list[AuditLogEntry]:
    with tenant_context(tenant_id):
        return list(audit_log_list(**filters))


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def insert_raw(tenant_id: str, occurred_at: datetime, entity_id: str = "thm_raw") -> None:
    """An audit row written straight into the table as the request role (inside the tenant context)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO theme_config.audit_log (tenant_id, actor, action, entity_type, entity_id, occurred_at) "
            "VALUES (%s, 'user:1', 'theme.created', 'theme', %s, %s)",
            [tenant_id, entity_id, occurred_at],
        )


@pytest.fixture
def tenant(tenant_factory):
    return tenant_factory()


@pytest.fixture
def admin_of(tenant):
    return Principal.for_user(tenant_id=tenant.id, user_id=7, role="admin", request_id="req-audit-1", ip="198.51.100.4")


# ---- the write side -----------------------------------------------------------------------------

@pytest.mark.django_db
def test_request__admin_adds_property__one_row_with_actor_request_id_and_ip(client, tenant, user_factory):
    """Through the middleware: the principal's actor, request id and client address land in the row."""
    user = user_factory()
    with tenant_context(tenant.id):
        MembershipFactory(user=user, role="admin")
    client.force_login(user)
    client.post("/admin/select-tenant/", {"tenant_id": tenant.id})
    assert client.session[SESSION_TENANT_KEY] == tenant.id
    response = client.post("/admin/themeconfig/property/add/", {"name": "Harbour View"},
                           HTTP_X_REQUEST_ID="req-audit-42", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302
    (row,) = rows(tenant.id)
    with tenant_context(tenant.id):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == "theme_config_app"
    assert (row.action, row.entity_type, row.actor) == ("property.created", "property", f"user:{user.pk}")
    assert (row.request_id, str(row.ip), row.tenant_id) == ("req-audit-42", "203.0.113.7", tenant.id)
    assert row.old_values is None and row.new_values == {"name": "Harbour View"}


@pytest.mark.django_db
def test_brand_kit_update__one_row__changed_fields_only(tenant, admin_of):
    kit = services.brand_kit_create(principal=admin_of, name="Seaside", colors=COLORS, fonts=FONTS)
    services.brand_kit_update(principal=admin_of, brand_kit_id=kit.pk, expected_version=1, name="Harbour",
                              colors=COLORS, fonts=FONTS)
    updated, created = rows(tenant.id, entity_type="brand_kit", entity_id=kit.pk)
    assert (updated.action, created.action) == ("brand_kit.updated", "brand_kit.created")
    assert updated.old_values == {"name": "Seaside", "version": 1}
    assert updated.new_values == {"name": "Harbour", "version": 2}
    assert created.old_values is None and set(created.new_values) == {
        "name", "colors", "fonts", "logos", "style_preferences", "is_default", "version"}
    assert (updated.actor, updated.request_id, str(updated.ip)) == ("user:7", "req-audit-1", "198.51.100.4")


@pytest.mark.django_db
def test_tenant_update__unchanged_settings_left_out__nothing_changed_writes_nothing(tenant, admin_of):
    services.tenant_update(principal=admin_of, name="Renamed", settings={})
    services.tenant_update(principal=admin_of, name="Renamed", settings={})
    (row,) = rows(tenant.id)
    assert (row.action, row.entity_id) == ("tenant.updated", tenant.id)
    assert (row.old_values, row.new_values) == ({"name": tenant.name}, {"name": "Renamed"})


@pytest.mark.django_db
def test_membership_remove__delete_keeps_old_values_only(tenant, admin_of):
    with tenant_context(tenant.id):
        member = MembershipFactory(role="viewer")
    services.membership_remove(principal=admin_of, membership_id=member.pk)
    (row,) = rows(tenant.id)
    assert (row.action, row.entity_id) == ("membership.deleted", member.pk)
    assert row.old_values == {"user_id": member.user_id, "role": "viewer"} and row.new_values is None


@pytest.mark.django_db
def test_invitation_accept__actor_is_the_accepting_user(tenant, admin_of):
    invitation, link = services.membership_invite(principal=admin_of, email="new@example.com", role="member")
    newcomer = UserFactory(email="new@example.com")
    membership = services.invitation_accept(token=link, user_id=newcomer.pk)
    joined, accepted, invited = rows(tenant.id)
    assert (invited.action, invited.actor, invited.entity_id) == ("invitation.created", "user:7", invitation.pk)
    assert set(invited.new_values) == {"email", "role", "expires_at"}
    assert (accepted.action, accepted.actor) == ("invitation.accepted", f"user:{newcomer.pk}")
    assert (joined.action, joined.actor, joined.entity_id) == ("membership.created", f"user:{newcomer.pk}", membership.pk)
    assert joined.new_values == {"user_id": newcomer.pk, "role": "member", "invitation_id": invitation.pk}


@pytest.mark.django_db
def test_api_key_rotate__old_key_rotated_new_key_created__no_secret_hash_or_hint(tenant, admin_of):
    old, _ = services.api_key_create(principal=admin_of, name="ci", role="api")
    new, secret = services.api_key_create(principal=admin_of, name="ci", role="api", rotate=True)
    created, rotated, first = rows(tenant.id, entity_type="api_key")
    assert (first.action, first.entity_id) == ("api_key.created", old.pk)
    assert (rotated.action, rotated.entity_id, rotated.old_values) == ("api_key.rotated", old.pk, {"revoked_at": None})
    assert (created.action, created.entity_id) == ("api_key.created", new.pk)
    with tenant_context(tenant.id):
        stored = ApiClient.objects.get(pk=new.pk)
    everything = json.dumps([r.new_values for r in (created, rotated, first)])
    for leak in (secret, secret.rsplit(".", 1)[-1], stored.secret_hash, stored.secret_hint):
        assert leak not in everything


@pytest.mark.django_db
def test_use_case__validation_error__no_row(tenant, admin_of):
    with pytest.raises(DomainError) as info:
        services.property_create(principal=admin_of, name="   ")
    assert info.value.http_status == 422
    assert rows(tenant.id) == []


@pytest.mark.django_db
def test_use_case__conflict_409__no_row(tenant, admin_of):
    services.property_create(principal=admin_of, name="Seaside")
    with pytest.raises(DomainError) as info:
        services.property_create(principal=admin_of, name="seaside")
    assert info.value.code == "MELMASTOON.TENANT.PROPERTY_NAME_TAKEN"
    assert [r.action for r in rows(tenant.id)] == ["property.created"]


@pytest.mark.django_db
def test_use_case__fails_after_its_audit_row__row_rolled_back_with_the_change(tenant, admin_of, monkeypatch):
    """The rotation's revocation and its audit row are written, then the use case fails: neither stays."""
    old, _ = services.api_key_create(principal=admin_of, name="ci", role="api")

    def broken(*args, **kwargs):
        raise DomainError("MELMASTOON.RESOURCE.CONFLICT", "boom", http_status=409)

    monkeypatch.setattr(api_key_services.secrets, "generate_secret", broken)
    with pytest.raises(DomainError):
        services.api_key_create(principal=admin_of, name="ci", role="api", rotate=True)
    assert [r.action for r in rows(tenant.id)] == ["api_key.created"]
    with tenant_context(tenant.id):
        assert ApiClient.objects.get(pk=old.pk).revoked_at is None


def test_audit_record__no_transaction__refused(committed_db, admin_of):
    with pytest.raises(RuntimeError, match="transaction"):
        audit_record(principal=admin_of, action="theme.created", entity_type="theme", entity_id="thm_x", new={"a": 1})


@pytest.mark.django_db
def test_audit_record__bad_action__refused_before_the_database(tenant, admin_of):
    with tenant_context(tenant.id), pytest.raises(ValueError, match="action"):
        audit_record(principal=admin_of, action="Created!", entity_type="theme", entity_id="thm_x")


def test_changed_fields__values_made_json__datetimes_iso_decimals_strings():
    when = datetime(2026, 5, 1, 12, 30, 15, 123456, tzinfo=UTC)
    old, new = changed_fields({"price": Decimal("9.90"), "at": None, "same": [1]},
                              {"price": Decimal("12.50"), "at": when, "same": [1], "added": {"x": (1, 2)}})
    assert old == {"price": "9.90", "at": None, "added": None}
    assert new == {"price": "12.50", "at": "2026-05-01T12:30:15.123456+00:00", "added": {"x": [1, 2]}}
    assert changed_fields(None, {"a": 1}) == (None, {"a": 1})
    assert changed_fields({"a": 1}, None) == ({"a": 1}, None)


def test_principal__ip__survives_a_task_payload():
    principal = Principal.for_api_key(tenant_id="tnt_x", api_client_id="apk_x", role="api", scopes=None,
                                      request_id="r", ip="2001:db8::1")
    assert Principal.from_payload(principal.as_payload()) == principal


@pytest.mark.django_db
def test_audit_record__address_that_is_not_an_ip__stored_as_null(tenant):
    principal = Principal.for_user(tenant_id=tenant.id, user_id=1, role="owner", ip="unix:/run/gunicorn.sock")
    services.property_create(principal=principal, name="Seaside")
    (row,) = rows(tenant.id)
    assert row.ip is None


# ---- reads and isolation ------------------------------------------------------------------------

@pytest.mark.django_db
def test_audit_log_list__filters_and_newest_first(tenant):
    this_month, start = month(0)
    with tenant_context(tenant.id):
        insert_raw(tenant.id, start.replace(day=2), "thm_a")
        insert_raw(tenant.id, start.replace(day=3), "thm_b")
        insert_raw(tenant.id, start.replace(day=3), "thm_c")  # same instant: the later id first
    assert [r.entity_id for r in rows(tenant.id)] == ["thm_c", "thm_b", "thm_a"]
    assert [r.entity_id for r in rows(tenant.id, entity_id="thm_a")] == ["thm_a"]
    assert [r.entity_id for r in rows(tenant.id, since=start.replace(day=3))] == ["thm_c", "thm_b"]
    assert [r.entity_id for r in rows(tenant.id, until=start.replace(day=3))] == ["thm_a"]
    assert rows(tenant.id, actor="user:2") == [] and rows(tenant.id, action="theme.deleted") == []
    assert len(rows(tenant.id, entity_type="theme", actor="user:1", action="theme.created")) == 3


@pytest.mark.django_db
def test_rows__land_in_their_monthly_partition__far_future_in_default(tenant):
    with tenant_context(tenant.id):
        insert_raw(tenant.id, month(0)[1], "thm_now")
        insert_raw(tenant.id, month(2)[1].replace(day=15), "thm_later")
        insert_raw(tenant.id, datetime(2099, 1, 1, tzinfo=UTC), "thm_far")
        with connection.cursor() as cursor:
            cursor.execute("SELECT entity_id, tableoid::regclass::text FROM theme_config.audit_log")
            placed = dict(cursor.fetchall())
    assert placed == {
        "thm_now": f"theme_config.{month(0)[0]}",
        "thm_later": f"theme_config.{month(2)[0]}",
        "thm_far": "theme_config.audit_log_default",
    }


def test_tenant_b__never_sees_tenant_a_rows__parent_or_partition(committed_db):
    """Committed rows of A, read by B as the request role: nothing through the parent, nothing by
    selecting the monthly or DEFAULT partition directly (each carries its own policy)."""
    a, b = TenantFactory(), TenantFactory()
    services.property_create(principal=Principal.operator("test", tenant_id=a.id), name="Seaside")
    with tenant_context(a.id):
        insert_raw(a.id, datetime(2099, 1, 1, tzinfo=UTC), "thm_far")
    tables = ["theme_config.audit_log", f"theme_config.{month(0)[0]}", "theme_config.audit_log_default"]

    def counts(tenant_id: str) -> list[int]:
        with tenant_context(tenant_id), connection.cursor() as cursor:
            found = []
            for table in tables:
                cursor.execute(f"SELECT count(*) FROM {table}")
                found.append(cursor.fetchone()[0])
            return found

    assert counts(b.id) == [0, 0, 0]
    assert counts(a.id) == [2, 1, 1]
    assert rows(b.id) == [] and len(rows(a.id)) == 2


@pytest.mark.django_db
@pytest.mark.parametrize("statement", [
    "UPDATE theme_config.audit_log SET action = 'theme.forged'",
    "DELETE FROM theme_config.audit_log",
    "UPDATE theme_config.{current} SET actor = 'user:0'",
    "DELETE FROM theme_config.{current}",
    "DELETE FROM theme_config.audit_log_default",
    "TRUNCATE theme_config.audit_log",
])
def test_request_role__cannot_change_or_remove_audit_rows(tenant, admin_of, statement):
    services.property_create(principal=admin_of, name="Seaside")
    with tenant_context(tenant.id):
        with pytest.raises(ProgrammingError) as info, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement.format(current=month(0)[0]))
        assert isinstance(info.value.__cause__, psycopg.errors.InsufficientPrivilege)
    assert [r.action for r in rows(tenant.id)] == ["property.created"]


# ---- partition upkeep -----------------------------------------------------------------------------

def _partition_facts(names: list[str]) -> dict:
    with service_context() as alias, connections[alias].cursor() as cursor:
        cursor.execute(
            """SELECT c.relname, c.relispartition, c.relrowsecurity, c.relforcerowsecurity,
                      pg_get_userbyid(c.relowner),
                      ARRAY(SELECT p FROM unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE']) p
                            WHERE has_table_privilege('theme_config_app', c.oid, p)),
                      (SELECT array_agg(ARRAY[p.polname, p.polcmd::text, pg_get_expr(p.polqual, p.polrelid),
                                              pg_get_expr(p.polwithcheck, p.polrelid)])
                         FROM pg_policy p WHERE p.polrelid = c.oid)
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = 'theme_config' AND c.relname = ANY(%s)""",
            [names],
        )
        return {row[0]: row[1:] for row in cursor.fetchall()}


ISOLATION = "(tenant_id = current_setting('app.tenant_id'::text))"


@pytest.mark.django_db(databases=["default", "service"])
def test_ensure_audit_partitions__creates_missing_months_under_rls__idempotent():
    """The migration made this month and three ahead; asking for five adds two, once."""
    wanted = [month(4)[0], month(5)[0]]
    assert run("ensure_audit_partitions", "--months-ahead", "5").splitlines() == [
        f"created theme_config.{name}" for name in wanted]
    assert run("ensure_audit_partitions", "--months-ahead", "5").strip() == "nothing to create"
    assert run("ensure_audit_partitions").strip() == "nothing to create"
    facts = _partition_facts(wanted + ["audit_log_default"])
    for name in wanted + ["audit_log_default"]:
        is_partition, rls, force, owner, app_privileges, policies = facts[name]
        assert (is_partition, rls, force, owner) == (True, True, True, "theme_config_migrator"), name
        assert sorted(app_privileges) == ["INSERT", "SELECT"], name
        assert policies == [["tenant_isolation", "*", ISOLATION, ISOLATION]], name


def test_ensure_audit_partitions__out_of_range__refused():
    with pytest.raises(CommandError, match="months_ahead"):
        run("ensure_audit_partitions", "--months-ahead", "99")


def test_ensure_audit_partitions__rows_waiting_in_default__moved_into_the_new_month(committed_db):
    """A month that was late: its rows went to DEFAULT; creating the month moves them there, still isolated."""
    tenant, other = TenantFactory(), TenantFactory()
    later_name, later_start = month(6)
    created = [month(4)[0], month(5)[0], later_name]
    try:
        with tenant_context(tenant.id):
            insert_raw(tenant.id, later_start.replace(day=9), "thm_waiting")
        assert run("ensure_audit_partitions", "--months-ahead", "6").splitlines() == [
            f"created theme_config.{name}" for name in created]
        with tenant_context(tenant.id), connection.cursor() as cursor:
            cursor.execute("SELECT tableoid::regclass::text FROM theme_config.audit_log WHERE entity_id = 'thm_waiting'")
            assert cursor.fetchall() == [(f"theme_config.{later_name}",)]
        with tenant_context(other.id), connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM theme_config.{later_name}")
            assert cursor.fetchone()[0] == 0
        assert "RLS is in force" in run("check_rls")
    finally:
        with admin_connect(connection.settings_dict["NAME"]) as admin:
            for name in created:
                admin.execute(f"DROP TABLE IF EXISTS theme_config.{name}")


@pytest.mark.django_db(databases=["default", "service"])
def test_ensure_audit_partitions_task__scheduled_daily_and_idempotent():
    from config.celery import app

    app.loader.import_default_modules()  # what a worker does at start: autodiscovery finds themeconfig.tasks
    entry = app.conf.beat_schedule["ensure-audit-partitions"]
    assert entry["schedule"] == 24 * 60 * 60
    assert app.tasks[entry["task"]].apply(kwargs=entry["kwargs"]).get() == []


@pytest.mark.django_db(databases=["default", "migrator"])
def test_check_rls__partition_without_rls__fails_naming_it():
    with transaction.atomic(using="migrator"):
        with connections["migrator"].cursor() as cursor:
            cursor.execute(
                "CREATE TABLE theme_config.audit_log_2098_01 PARTITION OF theme_config.audit_log "
                "FOR VALUES FROM ('2098-01-01 00:00+00') TO ('2098-02-01 00:00+00')"
            )
        out = io.StringIO()
        with pytest.raises(CommandError, match="RLS problem"):
            call_command("check_rls", stdout=out)
        transaction.set_rollback(True, using="migrator")
    report = out.getvalue()
    for problem in ("row level security is not enabled", "row level security is not forced",
                    "no tenant_isolation policy", "append-only, but the request role also has DELETE, UPDATE"):
        assert f"theme_config.audit_log_2098_01: {problem}" in report
