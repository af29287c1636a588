"""The restore drill (themeconfig/platform/backups.py): `manage.py backup` of a database holding every
kind of row, `manage.py restore_check` of it into a scratch database passes; an archive that lost a
policy the source had fails it; a missing client binary is one line."""
from __future__ import annotations

import json
from io import StringIO

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from psycopg import sql

from themeconfig.platform import backups, bootstrap
from themeconfig.platform.backups import manifest_path
from themeconfig.platform.ids import new_id

pytestmark = pytest.mark.usefixtures("committed_db")

FILLERS = (
    "INSERT INTO tenant_service.tenant_host_claims (tenant_id, host) VALUES (%(tenant)s, 'claimed.example.com')",
    "INSERT INTO theme_config.api_clients (id, tenant_id, name, secret_hash, secret_hint, created_by)"
    " VALUES (%(apk)s, %(tenant)s, 'ci', %(hash)s, 'abcd', 'user:1')",
    "INSERT INTO theme_config.invitations (id, tenant_id, email, role, token_hash, invited_by, expires_at)"
    " VALUES (%(inv)s, %(tenant)s, 'new@example.com', 'member', %(hash)s, 'user:1', now() + interval '1 day')",
    "INSERT INTO theme_config.webhook_subscriptions (id, tenant_id, url, secret_encrypted, created_by, updated_by)"
    " VALUES (%(whk)s, %(tenant)s, 'https://hooks.example.com/x', 'sealed', 'user:1', 'user:1')",
    "INSERT INTO theme_config.webhook_deliveries (event_id, subscription_id, tenant_id)"
    " VALUES (%(event)s, %(whk)s, %(tenant)s)",
    "INSERT INTO theme_config.palette_suggestions (id, tenant_id, theme_id, drafted_tokens, ai_provenance, status)"
    " VALUES (%(ais)s, %(tenant)s, %(theme)s, '{}', '{}', 'pending')",
    "INSERT INTO theme_config.translation_drafts (id, tenant_id, theme_version_id, locale, drafted_entries,"
    " ai_provenance, status) VALUES (%(ait)s, %(tenant)s, %(version)s, 'fr', '{}', '{}', 'pending')",
    "INSERT INTO theme_config.content_drafts (id, tenant_id, theme_version_id, surface, kind, drafted_body,"
    " drafted_meta, ai_provenance, status) VALUES (%(aic)s, %(tenant)s, %(version)s, 'home', 'hero', '{}',"
    " '{\"kind\": \"hero\"}', '{}', 'pending')",
    "INSERT INTO theme_config.ai_generation_jobs (id, tenant_id, kind, theme_id, base, provider, requested_by, principal)"
    " VALUES (%(aij)s, %(tenant)s, 'palette', %(theme)s, '{}', 'fake', 'user:1', '{}')",
    "INSERT INTO theme_config.preview_tokens (id, tenant_id, theme_version_id, token_hash, expires_at, created_by)"
    " VALUES (%(pvt)s, %(tenant)s, %(version)s, %(hash)s, now() + interval '1 day', 'user:1')",
    "INSERT INTO theme_config.consumed_events (event_id, tenant_id, event_type) VALUES (%(event)s, %(tenant)s, 't')",
    "INSERT INTO theme_config.idempotency_keys (key, tenant_id, endpoint, request_hash, expires_at)"
    " VALUES ('k1', %(tenant)s, 'POST /x', 'h', now() + interval '1 day')",
    "INSERT INTO theme_config.bundle_purges (tenant_id, storage_key, theme_id, bundle_sha256)"
    " VALUES (%(tenant)s, 'bundles/x.json', %(thm)s, %(hash)s)",
    "INSERT INTO theme_config.tenant_export_jobs (id, tenant_id, requested_by, principal)"
    " VALUES (%(exj)s, %(tenant)s, 'user:1', '{}')",
    "INSERT INTO theme_config.publish_schedules (id, tenant_id, theme_id, theme_version_id, kind, run_at,"
    " expected_version_version, created_by, updated_by)"
    " VALUES (%(sch)s, %(tenant)s, %(theme)s, %(version)s, 'publish', now() + interval '1 day', 1, 'user:1', 'user:1')",
    "INSERT INTO theme_config.publish_requests (id, tenant_id, theme_id, theme_version_id, action,"
    " expected_version_version, created_by, updated_by) VALUES (%(pbr)s, %(tenant)s, %(theme)s, %(version)s,"
    " 're_publish', 1, 'user:1', 'user:1')",
    "INSERT INTO theme_config.routing_flags (id, tenant_id, flag_key, scope_type, scope_id, route_mode, created_by,"
    " updated_by) VALUES (%(rfl)s, %(tenant)s, 'theme.route', 'user', 'guest-1', 'candidate', 'user:1', 'user:1')",
    "INSERT INTO theme_config.routing_flag_audit (id, tenant_id, routing_flag_id, changed_by, change_payload)"
    " VALUES (%(rfa)s, %(tenant)s, %(rfl)s, 'user:1', '{\"action\": \"created\", \"reason\": \"drill\"}')",
    # Closed, so it serves nothing: only its row travels.
    "INSERT INTO theme_config.theme_rollouts (id, tenant_id, theme_id, candidate_version_id, candidate_version_version,"
    " candidate_bundle_url, candidate_bundle_sha256, status, reason, created_by, updated_by, closed_at, closed_by)"
    " VALUES (%(rol)s, %(tenant)s, %(theme)s, %(version)s, 1, '/media/bundles/x.json', %(hash)s, 'aborted', 'drill',"
    " 'user:1', 'user:1', now(), 'user:1')",
    "INSERT INTO tenant_service.operator_audit (actor, action, subject)"
    " VALUES ('operator:drill', 'tenant.erasure_requested', 'tenant-0000000000000000')",
    # The migration's one row; an earlier committing test's clean-up may have emptied the table.
    "INSERT INTO theme_config.read_model_refresh_state (id) VALUES (1) ON CONFLICT (id) DO NOTHING",
)

# Tables a fresh demo plus one run of every use case still leaves empty, and why that is fine here.
MAY_BE_EMPTY: dict[str, str] = {}


@pytest.fixture
def every_kind_of_row(monkeypatch):
    from publishing.outbox import enqueue as outbox
    from publishing.resolve import read_models
    from publishing.services import publish

    monkeypatch.setattr(outbox, "wake_relay", lambda: None)
    monkeypatch.setattr(outbox, "wake_relay_in", lambda seconds: None)
    monkeypatch.setattr(publish, "enqueue_publish_job", lambda **kwargs: None)
    monkeypatch.setattr(read_models, "schedule_refresh", lambda: None)
    call_command("seed_demo", "--force", stdout=StringIO())
    url = bootstrap.with_database(settings.ADMIN_DATABASE_URL, settings.DATABASES["default"]["NAME"])
    with psycopg.connect(url, autocommit=True) as conn:
        # What the demo leaves empty, as the use cases would write it (arranged as the superuser).
        tenant, theme, version = conn.execute(
            "SELECT v.tenant_id, v.theme_id, v.id FROM theme_config.theme_versions v ORDER BY v.id LIMIT 1").fetchone()
        (event_id,) = conn.execute("SELECT event_id FROM theme_config.outbox LIMIT 1").fetchone()
        ids = {prefix: new_id(prefix) for prefix in ("ais", "ait", "aic", "aij", "pvt", "apk", "inv", "whk", "exj", "pbr",
                                                     "rfl", "rfa", "rol", "sch")}
        for statement in FILLERS:
            conn.execute(statement, {**ids, "tenant": tenant, "theme": theme, "version": version, "event": event_id,
                                     "hash": "0" * 64, "thm": theme[:3] + "_" + "x" * 22})


def test_backup_then_restore_check__every_table_restored_and_audited(every_kind_of_row, tmp_path):
    archive = tmp_path / "full.dump"
    out = StringIO()
    call_command("backup", "--output", str(archive), stdout=out)
    manifest = json.loads(manifest_path(archive).read_text())
    empty = sorted(table for table, count in manifest["tables"].items()
                   if not count and table.split(".", 1)[0] != "public" and table not in MAY_BE_EMPTY
                   and not table.startswith("theme_config.audit_log_"))
    assert empty == [], f"the drill must hold every kind of row, empty: {empty}"
    assert manifest["migrations"] and manifest["policies"] and manifest["roles"]["theme_config_service"]["bypassrls"]
    assert f"wrote {archive}" in out.getvalue()

    out = StringIO()
    call_command("restore_check", str(archive), stdout=out)
    assert "restore check passed" in out.getvalue() and "check_rls:" in out.getvalue()
    assert str(sum(manifest["tables"].values())) in out.getvalue()
    with psycopg.connect(settings.ADMIN_DATABASE_URL, autocommit=True) as conn:  # the scratch database is gone
        assert not conn.execute("SELECT 1 FROM pg_database WHERE datname LIKE %s",
                                [f"{manifest['database']}_restore_check_%"]).fetchall()


def test_restore_check__an_archive_that_lost_a_policy__fails(every_kind_of_row, tmp_path):
    archive = tmp_path / "full.dump"
    manifest = backups.backup(output=archive)
    report = backups.restore_check(archive=archive, keep=True)
    scratch_url = bootstrap.with_database(settings.ADMIN_DATABASE_URL, report.scratch)
    try:
        with psycopg.connect(scratch_url, autocommit=True) as conn:
            conn.execute("DROP POLICY tenant_isolation ON theme_config.themes")
        broken = tmp_path / "broken.dump"
        backups.backup(output=broken, url=scratch_url)
    finally:
        with psycopg.connect(settings.ADMIN_DATABASE_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(report.scratch)))
    # The source's manifest, for an archive that silently lost the policy on its way to storage.
    manifest.update(archive=broken.name, sha256=backups.sha256_of(broken), size=broken.stat().st_size)
    manifest_path(broken).write_text(json.dumps(manifest))

    out = StringIO()
    with pytest.raises(CommandError, match="restore check failed"):
        call_command("restore_check", str(broken), stdout=out)
    assert "policies missing after restore" in out.getvalue() and "theme_config.themes" in out.getvalue()
    assert "check_rls: theme_config.themes" in out.getvalue()


def test_restore_check__an_archive_changed_after_the_backup__fails_on_its_sha256(every_kind_of_row, tmp_path):
    archive = tmp_path / "full.dump"
    backups.backup(output=archive)
    with archive.open("ab") as stream:
        stream.write(b"\0")
    with pytest.raises(CommandError, match="restore check failed"):
        call_command("restore_check", str(archive), stdout=StringIO())


@pytest.mark.parametrize(("command", "binary"), [(["backup"], "pg_dump"), (["restore_check", "x.dump"], "pg_restore")])
def test_missing_client_binary__one_line_hint(monkeypatch, tmp_path, command, binary):
    monkeypatch.setenv("PG_BIN_DIR", str(tmp_path))
    with pytest.raises(CommandError) as raised:
        call_command(*command)
    message = str(raised.value)
    assert message.startswith(f"{binary} not found in PG_BIN_DIR=") and "\n" not in message
