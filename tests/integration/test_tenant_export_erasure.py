"""Tenant export, erasure and import (issue 18), committed, on the real database and storage: a tenant
holding every kind of row is exported as the request role, erased (no row of any table, nor any object
in storage, carries its id afterwards), and imported into a fresh database, where every table's rows
have the checksums they had; another tenant is untouched throughout. The tables come from the catalog,
so a table added later is covered or the coverage test names it."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import timedelta
from io import StringIO
from pathlib import Path

import psycopg
import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone
from psycopg import sql

from publishing.bundles.storage import bundle_storage
from publishing.outbox import enqueue as outbox
from publishing.resolve import read_models
from publishing.retention import purge_expired
from publishing.services import publish, tenant_erasure, tenant_export
from publishing.tenant_archive import archive_read, archive_write
from tests import template_db
from tests.conftest import admin_connect
from tests.drills.test_backup_restore import FILLERS
from tests.factories.publishing import publish_new_version
from tests.factories.tenancy import ApiClientFactory, MembershipFactory, TenantFactory, UserFactory
from themeconfig import services
from themeconfig.platform import encryption
from themeconfig.platform.errors import DomainError
from themeconfig.platform.ids import new_id
from themeconfig.platform.principal import Principal
from themeconfig.platform.pseudonyms import tenant_pseudonym
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.platform.tenant_tables import EXPORT_EXCLUDED, SCHEMAS, tenant_tables

pytestmark = pytest.mark.usefixtures("committed_db")


@pytest.fixture
def no_broker(monkeypatch):
    monkeypatch.setattr(outbox, "wake_relay", lambda: None)
    monkeypatch.setattr(outbox, "wake_relay_in", lambda seconds: None)
    monkeypatch.setattr(publish, "enqueue_publish_job", lambda **kwargs: None)
    monkeypatch.setattr(read_models, "schedule_refresh", lambda: None)


@pytest.fixture
def two_tenants(no_broker, admin_sql):
    """`demo` with a row in every tenant table (seed_demo plus what it leaves empty), and another
    tenant with a published theme of its own."""
    call_command("seed_demo", "--force", stdout=StringIO())
    tenant, theme, version = admin_sql.execute(
        "SELECT v.tenant_id, v.theme_id, v.id FROM theme_config.theme_versions v ORDER BY v.id LIMIT 1").fetchone()
    (event_id,) = admin_sql.execute("SELECT event_id FROM theme_config.outbox WHERE tenant_id = %s LIMIT 1",
                                    [tenant]).fetchone()
    ids = {prefix: new_id(prefix) for prefix in ("ais", "ait", "aic", "aij", "pvt", "apk", "inv", "whk", "exj", "pbr",
                                                 "rfl", "rfa", "rol", "sch")}
    for statement in FILLERS:
        admin_sql.execute(statement, {**ids, "tenant": tenant, "theme": theme, "version": version, "event": event_id,
                                      "hash": "0" * 64, "thm": theme[:3] + "_" + "x" * 22})
    other = TenantFactory(slug="other")
    owner = Principal.for_user(tenant_id=other.id, user_id=1, role="owner")
    other_theme = services.theme_create(principal=owner, name="Other")
    publish_new_version(owner, other, other_theme, "hello")
    return tenant, other.id


def checksums(conn: psycopg.Connection, tenant_id: str, *, exported_only: bool = True) -> dict:
    with conn.cursor() as cursor:
        tables = [t for t in tenant_tables(cursor) if not exported_only or t.name not in EXPORT_EXCLUDED]
        result = {}
        for table in tables:
            cursor.execute(
                sql.SQL("SELECT count(*), md5(COALESCE(string_agg(t::text, E'\\n' ORDER BY t::text), '')) "
                        "FROM {} t WHERE {} = %s").format(sql.Identifier(*table.name.split(".")),
                                                          sql.Identifier(table.key)), [tenant_id])
            result[table.name] = cursor.fetchone()
        return result


def rows_mentioning(conn: psycopg.Connection, needle: str) -> dict[str, int]:
    """Every table of the service's schemas and Django's, searched in every column for `needle`."""
    found = {}
    tables = conn.execute(
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY(%s)",
        [[*SCHEMAS, "public"]]).fetchall()
    for schema, table in tables:
        (count,) = conn.execute(sql.SQL("SELECT count(*) FROM {} t WHERE strpos(t::text, %s) > 0").format(
            sql.Identifier(schema, table)), [needle]).fetchone()
        if count:
            found[f"{schema}.{table}"] = count
    return found


def test_every_tenant_table__is_exported_or_excluded_with_a_reason(two_tenants, admin_sql):
    demo, _ = two_tenants
    every = checksums(admin_sql, demo, exported_only=False)
    assert all(reason.strip() for reason in EXPORT_EXCLUDED.values())
    assert set(EXPORT_EXCLUDED) <= set(every), "an exclusion names a table that no longer exists"
    empty = sorted(name for name, (count, _) in every.items() if count == 0 and name not in EXPORT_EXCLUDED)
    # A new tenant table gets a row in the fixture (FILLERS) so that the round trip really covers it.
    assert empty == [], empty


@pytest.mark.slow
def test_export_erase_import__round_trips_the_tenant_exactly__other_tenant_untouched(two_tenants, admin_sql, tmp_path):
    demo, other = two_tenants
    before, other_before = checksums(admin_sql, demo), checksums(admin_sql, other, exported_only=False)
    storage = bundle_storage()
    archive = tmp_path / "demo.zip"
    with archive.open("wb") as out:
        manifest = archive_write(out, tenant_id=demo)
    assert {entry["table"]: entry["count"] for entry in manifest["tables"]} == {
        name: count for name, (count, _) in before.items()}
    assert manifest["bundles"], "the demo's published bundles travel with it"
    bundles = {entry["file"]: storage.open(entry["file"]).read() for entry in manifest["bundles"]}

    erased = tenant_erasure.tenant_erase(tenant_id=demo, actor="operator:test")
    assert erased["storage objects"] >= len(bundles)
    assert rows_mentioning(admin_sql, demo) == {}
    assert not any(storage.exists(key) for key in bundles)
    assert checksums(admin_sql, other, exported_only=False) == other_before

    fresh = f"{settings.DATABASES['default']['NAME']}_fresh"
    with admin_connect() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(fresh)))
    template_db.create_migrated_database(fresh)  # bootstrapped and migrated, empty
    try:
        # Another process on the fresh database, as an operator would run it (and so that this
        # process's resolve cache never hears the fresh database's generations).
        env = {**os.environ, **{name: f"postgres://{role}@127.0.0.1:5432/{fresh}" for name, role in (
            ("DATABASE_URL", "theme_config_app"), ("MIGRATOR_DATABASE_URL", "theme_config_migrator"),
            ("SERVICE_DATABASE_URL", "theme_config_service"))}}
        manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
        imported = subprocess.run([*manage, "import_tenant", str(archive)], env=env, check=True,
                                  capture_output=True, text=True)
        assert f"tenant demo ({demo}) imported" in imported.stdout, imported.stderr
        with admin_connect(fresh) as conn:
            assert checksums(conn, demo) == before
            assert all(count == 0 for count, _ in checksums(conn, other).values())
        assert {key: storage.open(key).read() for key in bundles} == bundles
        again = subprocess.run([*manage, "import_tenant", str(archive)], env=env, capture_output=True, text=True)
        assert again.returncode == 1 and "MELMASTOON.EXPORT.TENANT_EXISTS" in again.stderr
    finally:
        with admin_connect() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(fresh)))
    assert checksums(admin_sql, other, exported_only=False) == other_before


def _tampered(archive: bytes, name: str, change) -> io.BytesIO:
    source, out = zipfile.ZipFile(io.BytesIO(archive)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item.filename, change(data) if item.filename == name else data)
    out.seek(0)
    return out


def test_import__refuses_a_sha256_or_schema_mismatch_and_an_existing_tenant(two_tenants, admin_sql):
    _, other = two_tenants
    buffer = io.BytesIO()
    manifest = archive_write(buffer, tenant_id=other)
    table_file = next(entry["file"] for entry in manifest["tables"] if entry["count"])
    cases = {
        "MELMASTOON.EXPORT.CHECKSUM_MISMATCH": _tampered(buffer.getvalue(), table_file, lambda data: data + b"{}\n"),
        "MELMASTOON.EXPORT.SCHEMA_MISMATCH": _tampered(buffer.getvalue(), "manifest.json", lambda data: json.dumps(
            {**json.loads(data), "schema_version": {"themeconfig": "0001_tenancy"}}).encode()),
        "MELMASTOON.EXPORT.TENANT_EXISTS": io.BytesIO(buffer.getvalue()),
    }
    before = checksums(admin_sql, other)
    for code, archive in cases.items():
        with pytest.raises(DomainError) as refused:
            archive_read(archive)
        assert refused.value.code == code
    assert checksums(admin_sql, other) == before


def _resolves(client, host: str) -> int:
    return client.get("/api/v1/resolve/", {"host": host}).status_code


def test_erase_tenant__confirm_grace_cancel_then_purge__served_nothing_meanwhile_and_audited(
        two_tenants, admin_sql, client):
    demo, other = two_tenants
    assert _resolves(client, "demo.localhost") == 200
    with pytest.raises(CommandError, match="--confirm demo"):
        call_command("erase_tenant", "demo", stdout=StringIO())
    with pytest.raises(CommandError, match="CONFIRMATION_MISMATCH"):
        call_command("erase_tenant", "demo", "--confirm", "other", stdout=StringIO())
    assert _resolves(client, "demo.localhost") == 200

    out = StringIO()
    call_command("erase_tenant", "demo", "--confirm", "demo", stdout=out)
    assert "marked for erasure: no host resolves to it" in out.getvalue()
    assert _resolves(client, "demo.localhost") == 404
    call_command("erase_tenant", "demo", "--cancel", stdout=StringIO())
    assert _resolves(client, "demo.localhost") == 200

    call_command("erase_tenant", "demo", "--confirm", "demo", stdout=StringIO())
    other_before = checksums(admin_sql, other, exported_only=False)
    grace = timedelta(days=settings.TENANT_ERASURE_GRACE_DAYS)
    with time_machine.travel(timezone.now() + grace - timedelta(minutes=1)):
        assert purge_expired(only=["tenants"]) == {"tenants": 0}
    assert checksums(admin_sql, demo)["tenant_service.tenants"][0] == 1
    with time_machine.travel(timezone.now() + grace + timedelta(minutes=1)):
        assert purge_expired(only=["tenants"]) == {"tenants": 1}
    assert rows_mentioning(admin_sql, demo) == {}
    assert checksums(admin_sql, other, exported_only=False) == other_before
    actions = [row[0] for row in admin_sql.execute(
        "SELECT action FROM tenant_service.operator_audit WHERE subject = %s ORDER BY id", [tenant_pseudonym(demo)])]
    assert actions == ["tenant.erasure_requested", "tenant.erasure_cancelled", "tenant.erasure_requested",
                       "tenant.erased"]
    with pytest.raises(CommandError, match="NOT_FOUND"):
        call_command("erase_tenant", "demo", "--cancel", stdout=StringIO())


def test_erase_tenant__during_the_grace_period__staff_and_keys_refused_until_cancelled(two_tenants, client):
    demo, other = two_tenants
    owner = UserFactory()
    with tenant_context(demo):
        MembershipFactory(user=owner, role="owner")
        key = ApiClientFactory(role="admin")
    with tenant_context(other):
        MembershipFactory(user=owner, role="owner")
    client.force_login(owner)

    def answers(**headers) -> tuple[int, str | None]:
        response = client.get("/api/v1/themes/", **headers)
        return response.status_code, (response.json().get("code") if response.status_code != 200 else None)

    as_staff, as_key = {"HTTP_X_TENANT_ID": demo}, {"HTTP_AUTHORIZATION": f"Bearer {key.secret}"}
    assert answers(**as_staff) == answers(**as_key) == (200, None)
    call_command("erase_tenant", "demo", "--confirm", "demo", stdout=StringIO())
    assert answers(**as_staff) == answers(**as_key) == (403, "MELMASTOON.TENANT.CLOSED")
    assert answers(HTTP_X_TENANT_ID=other) == (200, None)  # the same person's other tenant works as before
    # The admin's tenant picker no longer offers it: the one tenant left is picked without asking.
    assert client.get("/admin/select-tenant/").status_code == 302
    assert client.session["theme_config_tenant_id"] == other
    call_command("erase_tenant", "demo", "--cancel", stdout=StringIO())
    assert answers(**as_staff) == answers(**as_key) == (200, None)


def test_erase_user__pseudonym_everywhere__other_users_untouched(two_tenants, admin_sql):
    demo, _ = two_tenants
    user_id, email = admin_sql.execute(
        "SELECT u.id, u.email FROM auth_user u JOIN theme_config.memberships m ON m.user_id = u.id "
        "WHERE m.tenant_id = %s ORDER BY u.id LIMIT 1", [demo]).fetchone()
    user = get_user_model().objects.get(pk=user_id)
    user.email, user.first_name, user.last_name = email or "demo.person@example.com", "Dana", "Erasable"
    user.save()
    invitation = new_id("inv")
    admin_sql.execute("INSERT INTO theme_config.invitations (id, tenant_id, email, email_hash, role, token_hash,"
                      " invited_by, expires_at) VALUES (%s, %s, %s, %s, 'member', %s, %s, now() + interval '1 day')",
                      [invitation, demo, encryption.encrypt(user.email.lower()),
                       encryption.lookup_hash(user.email.lower()), "1" * 64, f"user:{user_id}"])
    admin_sql.execute("INSERT INTO theme_config.audit_log (tenant_id, actor, action, entity_type, entity_id,"
                      " new_values, ip) VALUES (%s, %s, 'member.invited', 'invitation', 'x', %s, '203.0.113.9')",
                      [demo, f"user:{user_id}", json.dumps({"email": user.email})])
    others_before = admin_sql.execute("SELECT id, username, email FROM auth_user WHERE id <> %s ORDER BY id",
                                      [user_id]).fetchall()

    out = StringIO()
    call_command("erase_user", user.email, stdout=out)
    erased_as = out.getvalue().strip().rsplit(" ", 1)[-1]
    assert erased_as.startswith("erased-user-")
    for needle in (user.email, "Erasable", f"user:{user_id}", "203.0.113.9"):
        found = {table: count for table, count in rows_mentioning(admin_sql, needle).items()
                 if table != "public.django_admin_log"}
        assert found == {}, (needle, found)
    assert rows_mentioning(admin_sql, f"user:{erased_as}")
    assert admin_sql.execute("SELECT id, username, email FROM auth_user WHERE id <> %s ORDER BY id",
                             [user_id]).fetchall() == others_before
    (token,) = admin_sql.execute("SELECT email FROM theme_config.invitations WHERE id = %s", [invitation]).fetchone()
    assert encryption.decrypt(token) == f"{erased_as}@erased.invalid"
    call_command("erase_user", str(user_id), stdout=out)  # again: the same pseudonym, nothing else changes
    assert get_user_model().objects.get(pk=user_id).username == erased_as


def test_export_api__owner_gets_a_job_then_the_archive__admin_and_another_tenant_refused(two_tenants, monkeypatch,
                                                                                         client):
    demo, other = two_tenants
    monkeypatch.setattr(tenant_export, "enqueue_tenant_export_job", lambda **kwargs: None)
    owner, admin = UserFactory(), UserFactory()
    with tenant_context(demo):
        MembershipFactory(user=owner, role="owner")
        MembershipFactory(user=admin, role="admin")
    as_demo = {"HTTP_X_TENANT_ID": demo}

    client.force_login(admin)
    refused = client.post("/api/v1/tenant/exports/", **as_demo)
    assert refused.status_code == 403, refused.content

    client.force_login(owner)
    asked = client.post("/api/v1/tenant/exports/", **as_demo)
    assert asked.status_code == 202, asked.content
    job_id = asked.json()["id"]
    assert asked["Location"] == f"/api/v1/tenant/exports/{job_id}/"
    not_ready = client.get(f"/api/v1/tenant/exports/{job_id}/archive/", **as_demo)
    assert (not_ready.status_code, not_ready.json()["code"]) == (409, "MELMASTOON.EXPORT.NOT_READY")

    done = tenant_export.tenant_export_job_run(job_id=job_id, tenant_id=demo)
    assert done.status == "succeeded", done.error_message
    followed = client.get(f"/api/v1/tenant/exports/{job_id}/", **as_demo).json()
    assert followed["status"] == "succeeded" and followed["manifest"]["tables"]["tenant_service.tenants"] == 1
    download = client.get(followed["download_url"], **as_demo)
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["tenant"]["id"] == demo
    assert all(other not in archive.read(name).decode(errors="replace") for name in archive.namelist())

    # Another tenant's owner cannot see the job (RLS hides it: 404).
    stranger = UserFactory()
    with tenant_context(other):
        MembershipFactory(user=stranger, role="owner")
    client.force_login(stranger)
    assert client.get(f"/api/v1/tenant/exports/{job_id}/", HTTP_X_TENANT_ID=other).status_code == 404
