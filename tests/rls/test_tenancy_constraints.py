"""Every CHECK, unique and partial unique index of the tenancy tables, rejected by PostgreSQL itself."""
from __future__ import annotations

from datetime import UTC, datetime

import psycopg
import pytest
from django.db import connection, transaction

from tests.pg import raises_pg
from themeconfig.platform.api_key_secrets import generate_secret, hash_secret
from themeconfig.platform.ids import new_id
from themeconfig.platform.tenant_context import set_database_context, tenant_context

pytestmark = pytest.mark.django_db
BAD = "01M84PX9M9SYNQ39P6SWS"  # 21 characters: one short


def _insert(table: str, row: dict) -> None:
    columns = ", ".join(row)
    placeholders = ", ".join(["%s"] * len(row))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", list(row.values()))


def _tenant_row(tenant_id: str, **overrides) -> dict:
    return {"id": tenant_id, "slug": f"s-{tenant_id[-6:].lower()}", "name": "Hotel", **overrides}


def _api_client_row(tenant_id: str, **overrides) -> dict:
    return {
        "id": new_id("apk"), "tenant_id": tenant_id, "name": "key", "secret_hash": hash_secret(generate_secret(tenant_id)),
        "secret_hint": "abcdef", "created_by": "t", **overrides,
    }


@pytest.fixture
def tenant(tenant_factory):
    return tenant_factory()


# A served host as the current release writes it (one that names neither becomes a claim: 0011_host_claims).
SERVED = {"verification_status": "verified", "verified_at": datetime.now(UTC)}
CHECK_CASES = [
    ("tenants", lambda t: _tenant_row("tnt_" + BAD + "0", id="tnx_" + BAD + "0"), "tenants_id_check", "new"),
    ("tenants", lambda t: _tenant_row("NEW", slug="Not A Slug"), "tenants_slug_check", "new"),
    ("tenants", lambda t: _tenant_row("NEW", slug="-edge"), "tenants_slug_check", "new"),
    ("tenants", lambda t: _tenant_row("NEW", name="   "), "tenants_name_check", "new"),
    ("tenants", lambda t: _tenant_row("NEW", plan="platinum"), "tenants_plan_check", "new"),
    ("tenants", lambda t: _tenant_row("NEW", settings=psycopg.types.json.Jsonb([1])), "tenants_settings_check", "new"),
    ("tenant_service.properties", lambda t: {"id": "prp_" + BAD, "tenant_id": t, "name": "x"}, "properties_id_check", None),
    ("tenant_service.properties", lambda t: {"id": new_id("prp"), "tenant_id": t, "name": ""}, "properties_name_check", None),
    ("tenant_service.tenant_hosts", lambda t: {"host": "Upper.Example.com", "tenant_id": t, **SERVED}, "tenant_hosts_host_check", None),
    ("tenant_service.tenant_hosts", lambda t: {"host": "bad_host.example.com", "tenant_id": t, **SERVED}, "tenant_hosts_host_check", None),
    ("tenant_service.tenant_hosts", lambda t: {"host": "x" * 64 + ".example.com", "tenant_id": t, **SERVED}, "tenant_hosts_host_check", None),
    ("tenant_service.tenant_hosts", lambda t: {"host": "d.example.com", "tenant_id": t, **SERVED, "verification_method": "guess"}, "tenant_hosts_verification_method_check", None),
    ("tenant_service.tenant_host_claims", lambda t: {"host": "Upper.Example.com", "tenant_id": t}, "tenant_host_claims_host_check", None),
    ("tenant_service.tenant_host_claims", lambda t: {"host": "c.example.com", "tenant_id": t, "verification_token_hash": "not-a-sha256"}, "tenant_host_claims_verification_token_hash_check", None),
    ("tenant_service.tenant_host_claims", lambda t: {"host": "e.example.com", "tenant_id": t, "verification_attempts": -1}, "tenant_host_claims_verification_attempts_check", None),
    ("theme_config.memberships", lambda t: {"id": new_id("mbr"), "tenant_id": t, "user_id": 0, "role": "god"}, "memberships_role_check", None),
    ("theme_config.memberships", lambda t: {"id": "mbr_" + BAD, "tenant_id": t, "user_id": 0}, "memberships_id_check", None),
    ("theme_config.api_clients", lambda t: _api_client_row(t, id="apk_" + BAD), "api_clients_id_check", None),
    ("theme_config.api_clients", lambda t: _api_client_row(t, name=" "), "api_clients_name_check", None),
    ("theme_config.api_clients", lambda t: _api_client_row(t, role="root"), "api_clients_role_check", None),
    ("theme_config.api_clients", lambda t: _api_client_row(t, secret_hash="not-a-hash"), "api_clients_secret_hash_check", None),
    ("theme_config.api_clients", lambda t: _api_client_row(t, permissions=psycopg.types.json.Jsonb([])), "api_clients_permissions_check", None),
]


@pytest.mark.parametrize("table,make_row,constraint,new_tenant", CHECK_CASES, ids=[c[2] + str(i) for i, c in enumerate(CHECK_CASES)])
def test_check__violating_row__rejected_by_postgres(tenant, user_factory, table, make_row, constraint, new_tenant):
    row = make_row(tenant.id)
    if "user_id" in row:
        row["user_id"] = user_factory().pk
    if new_tenant:
        # A tenant row is admitted only with the GUC equal to its id (WITH CHECK on id), even a
        # malformed one, so the CHECK is what rejects it.
        row["id"] = new_id("tnt") if row["id"] == "NEW" else row["id"]
        with raises_pg(psycopg.errors.CheckViolation, constraint=constraint):
            with transaction.atomic():
                set_database_context(tenant_id=row["id"])
                _insert("tenant_service.tenants", row)
        return
    with raises_pg(psycopg.errors.CheckViolation, constraint=constraint):
        with tenant_context(tenant.id):
            _insert(table, row)


def test_tenants_slug_uq__live_duplicate_rejected__soft_deleted_frees_the_slug(tenant_factory):
    from django.utils import timezone

    from themeconfig.models import Tenant

    first = tenant_factory(slug="grand")
    with raises_pg(psycopg.errors.UniqueViolation, constraint="tenants_slug_uq"):
        tenant_factory(slug="grand")
    with tenant_context(first.id):
        Tenant.objects.filter(pk=first.pk).update(deleted_at=timezone.now())
    assert tenant_factory(slug="grand").slug == "grand"


def test_properties_tenant_name_uq__case_insensitive_among_live(tenant, property_factory):
    from django.utils import timezone

    with tenant_context(tenant.id):
        old = property_factory(name="Seaside")
        with raises_pg(psycopg.errors.UniqueViolation, constraint="properties_tenant_name_uq"):
            with transaction.atomic():
                property_factory(name="SEASIDE")
        old.deleted_at = timezone.now()
        old.save(update_fields=["deleted_at"])
        property_factory(name="seaside")


def test_tenant_hosts__host_unique_across_tenants(tenant_factory, tenant_host_factory):
    a, b = tenant_factory(), tenant_factory()
    with tenant_context(a.id):
        tenant_host_factory(host="shared.example.com")
    with raises_pg(psycopg.errors.UniqueViolation, constraint="tenant_hosts_pkey"):
        with tenant_context(b.id):
            tenant_host_factory(host="shared.example.com")


def test_tenant_hosts_property_fk__property_of_another_tenant__rejected(tenant_factory, property_factory):
    a, b = tenant_factory(), tenant_factory()
    with tenant_context(b.id):
        foreign_property = property_factory()
    with raises_pg(psycopg.errors.ForeignKeyViolation, constraint="tenant_hosts_property_fk"):
        with tenant_context(a.id):
            _insert("tenant_service.tenant_hosts", {"host": "x.example.com", "tenant_id": a.id,
                                                     "property_id": foreign_property.id,
                                                     **SERVED})


def test_memberships_tenant_user_uq__one_membership_per_user(tenant, membership_factory):
    with tenant_context(tenant.id):
        membership = membership_factory()
        with raises_pg(psycopg.errors.UniqueViolation, constraint="memberships_tenant_user_uq"):
            _insert("theme_config.memberships", {"id": new_id("mbr"), "tenant_id": tenant.id, "user_id": membership.user_id})


def test_api_clients_uniques__hash_global__name_among_live(tenant, tenant_factory):
    from django.utils import timezone

    other = tenant_factory()
    row = _api_client_row(tenant.id, name="ci")
    with tenant_context(tenant.id):
        _insert("theme_config.api_clients", row)
        with raises_pg(psycopg.errors.UniqueViolation, constraint="api_clients_tenant_name_uq"):
            _insert("theme_config.api_clients", _api_client_row(tenant.id, name="ci"))
        with connection.cursor() as cursor:
            cursor.execute("UPDATE theme_config.api_clients SET revoked_at = %s", [timezone.now()])
        _insert("theme_config.api_clients", _api_client_row(tenant.id, name="ci"))  # revoked frees the name
    with raises_pg(psycopg.errors.UniqueViolation, constraint="api_clients_secret_hash_uq"):
        with tenant_context(other.id):
            _insert("theme_config.api_clients", _api_client_row(other.id, secret_hash=row["secret_hash"]))


def test_coverage__every_check_and_unique_of_the_tenancy_tables_has_a_case(admin_sql):
    rows = admin_sql.execute(
        """
        SELECT con.conname FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE (n.nspname = 'tenant_service' OR c.relname IN ('memberships', 'api_clients')) AND con.contype = 'c'
        """
    ).fetchall()
    tested = {c[2] for c in CHECK_CASES} | {"tenant_hosts_verified_only"}  # an UPDATE's: test below
    assert {r[0] for r in rows} == tested
    uniques = admin_sql.execute(
        """
        SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
        JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE (n.nspname = 'tenant_service' OR c.relname IN ('memberships', 'api_clients'))
          AND i.indisunique AND NOT i.indisprimary
        """
    ).fetchall()
    # properties_tenant_id_id_uq exists for the composite FK exercised above.
    assert {r[0] for r in uniques} == {
        "tenants_slug_uq", "properties_tenant_name_uq", "properties_tenant_id_id_uq", "memberships_tenant_user_uq",
        "api_clients_secret_hash_uq", "api_clients_tenant_name_uq",
    }


def test_tenant_hosts__served_host_made_pending__rejected_by_postgres(tenant, tenant_host_factory):
    """tenant_hosts holds served hosts only: an INSERT not saying `verified` becomes a claim
    (test_migrations), and an UPDATE cannot make a served host unproven."""
    with tenant_context(tenant.id):
        tenant_host_factory(host="served.example.com")
    with raises_pg(psycopg.errors.CheckViolation, constraint="tenant_hosts_verified_only"):
        with tenant_context(tenant.id), connection.cursor() as cursor:
            cursor.execute("UPDATE tenant_service.tenant_hosts SET verification_status = 'pending'")


def test_previous_release_host_insert__neither_fails_nor_served__a_claim_without_challenge(tenant_factory,
                                                                                          tenant_host_factory):
    """Rolling deploy: the release before host verification inserts (host, tenant_id, property_id,
    created_at) as the request role. Tenant's or operator's alike, it becomes a claim with no challenge
    yet (fail closed); a name another tenant serves still fails as it did (tenant_hosts_pkey)."""
    a, b = tenant_factory(), tenant_factory()
    with tenant_context(b.id):
        tenant_host_factory(host="taken.example.com")
    with tenant_context(a.id):
        _insert("tenant_service.tenant_hosts", {"host": "old-release.example.com", "tenant_id": a.id,
                                                "property_id": None, "created_at": datetime.now(UTC)})
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM tenant_service.tenant_hosts")
            assert cursor.fetchone()[0] == 0
            cursor.execute("SELECT host, verification_token_hash FROM tenant_service.tenant_host_claims")
            assert cursor.fetchall() == [("old-release.example.com", None)]
    with raises_pg(psycopg.errors.UniqueViolation, constraint="tenant_hosts_pkey"):
        with tenant_context(a.id):
            _insert("tenant_service.tenant_hosts", {"host": "taken.example.com", "tenant_id": a.id})
