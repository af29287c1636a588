"""Retention of seed 000 §8 (publishing/retention.py, `manage.py purge_expired`), committed, on the
real database and storage: for every row of the table, frozen at one moment, a row one second inside
its window stays and one one second outside goes; referenced versions and bundles are never deleted."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connections
from django.db.utils import ProgrammingError
from django.utils import timezone

from publishing.bundles.storage import bundle_keys, bundle_storage
from publishing.outbox import enqueue as outbox
from publishing.resolve import read_models
from publishing.retention import months_before, purge_expired
from publishing.services import publish
from tests.factories.publishing import publish_new_version
from tests.factories.tenancy import TenantFactory
from themeconfig import services
from themeconfig.models import Theme, ThemeVersion
from themeconfig.platform.ids import new_id
from themeconfig.platform.principal import Principal
from themeconfig.platform.service_db import service_context
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.usefixtures("committed_db")
SECOND = timedelta(seconds=1)


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    monkeypatch.setattr(outbox, "wake_relay", lambda: None)
    monkeypatch.setattr(outbox, "wake_relay_in", lambda seconds: None)
    monkeypatch.setattr(publish, "enqueue_publish_job", lambda **kwargs: None)
    monkeypatch.setattr(read_models, "schedule_refresh", lambda: None)


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


def fresh_tenant():
    """A tenant and its admin (a tenant has one live theme per slot, so a builder takes a new one)."""
    tenant = TenantFactory()
    return tenant, Principal.for_user(tenant_id=tenant.id, user_id=1, role="owner")


@pytest.fixture
def world():
    return fresh_tenant()


def sql(statement, params=()):
    """Arranging and inspecting across tenants: the service connection (BYPASSRLS)."""
    with service_context() as alias, connections[alias].cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def exists(table: str, key: str) -> bool:
    return bool(sql(f"SELECT 1 FROM theme_config.{table} WHERE id = %s", [key]))


def purge_at(now, **options) -> dict[str, int]:
    with time_machine.travel(now, tick=False):
        return purge_expired(**options)


def new_theme(admin, name: str) -> Theme:
    return services.theme_create(principal=admin, name=name)


def soft_delete(admin, tenant, theme) -> None:
    with tenant_context(tenant.id):
        expected = Theme.objects.get(pk=theme.pk).version
    services.theme_delete(principal=admin, theme_id=theme.pk, expected_version=expected)


def archived_version(admin, tenant, theme) -> ThemeVersion:
    version = services.version_create(principal=admin, theme_id=theme.pk)
    return services.version_archive(principal=admin, version_id=version.pk, expected_version=version.version)


def draft_version():
    """A new tenant's draft version: (tenant, version)."""
    tenant, admin = fresh_tenant()
    return tenant, services.version_create(principal=admin, theme_id=new_theme(admin, "Lake").pk)


# One builder per kind: makes a row whose retention clock is at `moment`, returns (table, id).
def theme_at(moment):
    tenant, admin = fresh_tenant()
    theme = new_theme(admin, f"Theme {moment:%H%M%S%f}")
    soft_delete(admin, tenant, theme)
    sql("UPDATE theme_config.themes SET deleted_at = %s WHERE id = %s", [moment, theme.pk])
    return "themes", theme.pk


def version_at(moment):
    tenant, admin = fresh_tenant()
    version = archived_version(admin, tenant, new_theme(admin, "Lake"))
    sql("UPDATE theme_config.theme_versions SET archived_at = %s WHERE id = %s", [moment, version.pk])
    return "theme_versions", version.pk


def palette_draft_at(moment):
    tenant, admin = fresh_tenant()
    theme = new_theme(admin, f"Palette {moment:%H%M%S%f}")
    draft_id = new_id("ais")
    sql("INSERT INTO theme_config.palette_suggestions (id, tenant_id, theme_id, drafted_tokens, ai_provenance, status,"
        " created_at, decided_at) VALUES (%s, %s, %s, '{}', '{}', 'rejected', %s, %s)",
        [draft_id, tenant.id, theme.pk, moment - timedelta(days=1), moment])
    return "palette_suggestions", draft_id


def translation_draft_at(moment):
    """Never decided: its clock is its creation."""
    tenant, version = draft_version()
    draft_id = new_id("ait")
    sql("INSERT INTO theme_config.translation_drafts (id, tenant_id, theme_version_id, locale, drafted_entries,"
        " ai_provenance, status, created_at) VALUES (%s, %s, %s, 'fr', '{}', '{}', 'pending', %s)",
        [draft_id, tenant.id, version.pk, moment])
    return "translation_drafts", draft_id


def content_draft_at(moment):
    tenant, version = draft_version()
    draft_id = new_id("aic")
    sql("INSERT INTO theme_config.content_drafts (id, tenant_id, theme_version_id, surface, kind, drafted_body,"
        " drafted_meta, ai_provenance, status, created_at, decided_at) VALUES (%s, %s, %s, 'home', 'hero', '{}',"
        " '{\"kind\": \"hero\"}', '{}', 'approved', %s, %s)",
        [draft_id, tenant.id, version.pk, moment - timedelta(days=3), moment])
    return "content_drafts", draft_id


def generation_job_at(moment):
    tenant, admin = fresh_tenant()
    theme = new_theme(admin, f"Job {moment:%H%M%S%f}")
    job_id = new_id("aij")
    sql("INSERT INTO theme_config.ai_generation_jobs (id, tenant_id, kind, theme_id, base, provider, status, error_code,"
        " requested_by, principal, created_at, finished_at) VALUES (%s, %s, 'palette', %s, '{}', 'fake', 'failed',"
        " 'X', 'user:1', '{}', %s, %s)", [job_id, tenant.id, theme.pk, moment - timedelta(minutes=1), moment])
    return "ai_generation_jobs", job_id


def preview_token_at(moment):
    tenant, version = draft_version()
    token_id = new_id("pvt")
    sql("INSERT INTO theme_config.preview_tokens (id, tenant_id, theme_version_id, token_hash, expires_at, created_by)"
        " VALUES (%s, %s, %s, %s, %s, 'user:1')", [token_id, tenant.id, version.pk, token_id.encode(), moment])
    return "preview_tokens", token_id


def outbox_at(moment):
    tenant, _ = fresh_tenant()
    with tenant_context(tenant.id):
        event_id = outbox.outbox_enqueue(tenant_id=tenant.id, event_type="test.happened.v1", subject="thm_A",
                                         partition_key="thm_A", data={})
    sql("UPDATE theme_config.outbox SET published_at = %s WHERE event_id = %s", [moment, event_id])
    (row_id,) = sql("SELECT id FROM theme_config.outbox WHERE event_id = %s", [event_id])[0]
    return "outbox", row_id


def consumed_event_at(moment):
    tenant, _ = fresh_tenant()
    event_id = uuid.uuid4().hex
    sql("INSERT INTO theme_config.consumed_events (event_id, tenant_id, event_type, consumed_at) VALUES (%s, %s, 't', %s)",
        [event_id, tenant.id, moment])
    return "consumed_events", event_id


def idempotency_key_at(moment):
    tenant, _ = fresh_tenant()
    key = uuid.uuid4().hex
    sql("INSERT INTO theme_config.idempotency_keys (key, tenant_id, endpoint, request_hash, expires_at)"
        " VALUES (%s, %s, 'POST /x', 'h', %s)", [key, tenant.id, moment])
    return "idempotency_keys", key


def audit_row_at(moment):
    tenant, _ = fresh_tenant()
    (row_id,) = sql("INSERT INTO theme_config.audit_log (tenant_id, actor, action, entity_type, entity_id, occurred_at)"
                    " VALUES (%s, 'user:1', 'theme.created', 'theme', 'thm_x', %s) RETURNING id", [tenant.id, moment])[0]
    return "audit_log", row_id


def row_exists(table: str, key) -> bool:
    column = {"consumed_events": "event_id", "idempotency_keys": "key"}.get(table, "id")
    return bool(sql(f"SELECT 1 FROM theme_config.{table} WHERE {column} = %s", [key]))


def days(setting: str) -> Callable:
    return lambda now: now - timedelta(days=getattr(settings, setting))


ROWS = [
    ("themes", theme_at, days("RETENTION_DELETED_THEMES_DAYS")),
    ("versions", version_at, days("RETENTION_ARCHIVED_VERSIONS_DAYS")),
    ("ai_drafts", palette_draft_at, days("RETENTION_AI_DRAFTS_DAYS")),
    ("ai_drafts", translation_draft_at, days("RETENTION_AI_DRAFTS_DAYS")),
    ("ai_drafts", content_draft_at, days("RETENTION_AI_DRAFTS_DAYS")),
    ("ai_drafts", generation_job_at, days("RETENTION_AI_DRAFTS_DAYS")),
    ("preview_tokens", preview_token_at, days("RETENTION_PREVIEW_TOKENS_DAYS")),
    ("outbox", outbox_at, days("RETENTION_OUTBOX_DAYS")),
    ("consumed_events", consumed_event_at, days("RETENTION_CONSUMED_EVENTS_DAYS")),
    ("idempotency_keys", idempotency_key_at, lambda now: now - timedelta(hours=settings.RETENTION_IDEMPOTENCY_KEYS_HOURS)),
    ("audit_log", audit_row_at, lambda now: months_before(now, settings.RETENTION_AUDIT_LOG_MONTHS)),
]


@pytest.mark.parametrize(("kind", "make", "cutoff"), ROWS, ids=[make.__name__ for _, make, _ in ROWS])
def test_purge__one_second_inside_the_window_stays__one_second_outside_goes(now, kind, make, cutoff):
    inside = make(cutoff(now) + SECOND)
    outside = make(cutoff(now) - SECOND)
    dry = purge_at(now, only=[kind], dry_run=True)
    assert dry == {kind: 1} and row_exists(*outside)
    assert purge_at(now, only=[kind]) == {kind: 1}
    assert row_exists(*inside) and not row_exists(*outside)
    assert purge_at(now, only=[kind]) == {kind: 0}  # idempotent


def test_purge__settings_move_the_window(now, settings):
    settings.RETENTION_OUTBOX_DAYS = 1
    kept = outbox_at(now - timedelta(hours=23))
    gone = outbox_at(now - timedelta(hours=25))
    assert purge_at(now, only=["outbox"]) == {"outbox": 1}
    assert row_exists(*kept) and not row_exists(*gone)


def test_themes__purged_with_children__bundles_leave_storage_only_when_unreferenced(world, now):
    tenant, admin = world
    storage = bundle_storage()
    doomed, kept = new_theme(admin, "Doomed"), None
    job = publish_new_version(admin, tenant, doomed, "one")
    doomed_keys = bundle_keys(tenant.id, doomed.pk, job.bundle_sha256)
    child = archived_version(admin, tenant, doomed)
    soft_delete(admin, tenant, doomed)
    kept = new_theme(admin, "Kept")
    kept_job = publish_new_version(admin, tenant, kept, "two")
    kept_keys = bundle_keys(tenant.id, kept.pk, kept_job.bundle_sha256)
    sql("UPDATE theme_config.themes SET deleted_at = %s WHERE id = %s",
        [now - timedelta(days=settings.RETENTION_DELETED_THEMES_DAYS) - SECOND, doomed.pk])
    # A queued key whose publication still exists (e.g. queued by a crashed run, theme restored since).
    sql("INSERT INTO theme_config.bundle_purges (tenant_id, storage_key, theme_id, bundle_sha256) VALUES (%s, %s, %s, %s)",
        [tenant.id, kept_keys[0], kept.pk, kept_job.bundle_sha256])

    out = StringIO()
    with time_machine.travel(now, tick=False):
        call_command("purge_expired", "--only", "themes", "--only", "bundles", stdout=out)
    assert "themes: 1 deleted" in out.getvalue() and "bundles: 2 deleted" in out.getvalue()
    assert not exists("themes", doomed.pk) and not exists("theme_versions", child.pk)
    assert not sql("SELECT 1 FROM theme_config.theme_publications WHERE theme_id = %s", [doomed.pk])
    assert not any(storage.exists(key) for key in doomed_keys)
    assert all(storage.exists(key) for key in kept_keys)  # referenced: never deleted
    assert sql("SELECT count(*) FROM theme_config.bundle_purges") == [(0,)]


def test_themes__a_crash_after_the_commit__the_next_run_removes_the_bundle(world, now):
    tenant, admin = world
    theme = new_theme(admin, "Crash")
    job = publish_new_version(admin, tenant, theme, "one")
    keys = bundle_keys(tenant.id, theme.pk, job.bundle_sha256)
    soft_delete(admin, tenant, theme)
    sql("UPDATE theme_config.themes SET deleted_at = %s WHERE id = %s", [now - timedelta(days=400), theme.pk])
    assert purge_at(now, only=["themes"]) == {"themes": 1}  # the run dies before `bundles`
    assert all(bundle_storage().exists(key) for key in keys)
    assert purge_at(now, only=["bundles"]) == {"bundles": 2}
    assert not any(bundle_storage().exists(key) for key in keys)


def test_versions__a_rollback_target_stays_however_old__with_its_bundle(world, now):
    tenant, admin = world
    theme = new_theme(admin, "Lake")
    first = publish_new_version(admin, tenant, theme, "one")
    publish_new_version(admin, tenant, theme, "two")  # archives the first version (superseded)
    long_ago = now - timedelta(days=settings.RETENTION_ARCHIVED_VERSIONS_DAYS * 3)
    assert sql("UPDATE theme_config.theme_versions SET archived_at = %s WHERE id = %s AND status = 'archived'"
               " RETURNING id", [long_ago, first.theme_version_id])
    never_published = archived_version(admin, tenant, theme)
    sql("UPDATE theme_config.theme_versions SET archived_at = %s WHERE id = %s", [long_ago, never_published.pk])
    assert purge_at(now, only=["versions", "bundles"]) == {"versions": 1, "bundles": 0}
    assert exists("theme_versions", first.theme_version_id) and not exists("theme_versions", never_published.pk)
    assert all(bundle_storage().exists(key) for key in bundle_keys(tenant.id, theme.pk, first.bundle_sha256))


def test_versions__one_a_kept_draft_was_applied_to__stays_until_the_draft_goes(world, now):
    tenant, admin = world
    theme = new_theme(admin, "Lake")
    version = archived_version(admin, tenant, theme)
    sql("UPDATE theme_config.theme_versions SET archived_at = %s WHERE id = %s", [now - timedelta(days=400), version.pk])
    draft_id = new_id("ais")
    sql("INSERT INTO theme_config.palette_suggestions (id, tenant_id, theme_id, drafted_tokens, ai_provenance, status,"
        " applied_to_version_id, decided_at) VALUES (%s, %s, %s, '{}', '{}', 'approved', %s, %s)",
        [draft_id, tenant.id, theme.pk, version.pk, now - timedelta(days=10)])
    assert purge_at(now, only=["ai_drafts", "versions"]) == {"ai_drafts": 0, "versions": 0}
    assert purge_at(now + timedelta(days=365), only=["ai_drafts", "versions"]) == {"ai_drafts": 1, "versions": 1}


def test_themes__a_restore_before_the_purge__keeps_the_theme(world, now):
    tenant, admin = world
    theme = new_theme(admin, "Back")
    soft_delete(admin, tenant, theme)
    services.theme_restore(principal=admin, theme_id=theme.pk)
    sql("UPDATE theme_config.themes SET updated_at = %s WHERE id = %s", [now - timedelta(days=400), theme.pk])
    assert purge_at(now, only=["themes"]) == {"themes": 0} and exists("themes", theme.pk)


@pytest.fixture
def old_audit_partitions(admin_sql):
    """Two monthly partitions as audit_log_ensure_partitions would have made them 3 years ago."""
    names = []

    def make(start, end):
        name = f"audit_log_{start:%Y_%m}"
        admin_sql.execute(
            f"CREATE TABLE theme_config.{name} PARTITION OF theme_config.audit_log FOR VALUES FROM ('{start:%Y-%m-%d}"
            f" 00:00:00+00') TO ('{end:%Y-%m-%d} 00:00:00+00')")
        admin_sql.execute(f"ALTER TABLE theme_config.{name} OWNER TO theme_config_migrator")
        names.append(name)
        return name

    yield make
    for name in names:
        admin_sql.execute(f"DROP TABLE IF EXISTS theme_config.{name}")


def test_audit_log__old_partitions_dropped__rows_past_the_cutoff_deleted(now, old_audit_partitions):
    cutoff = months_before(now, settings.RETENTION_AUDIT_LOG_MONTHS)
    month = cutoff.replace(day=1, hour=0, minute=0, second=0)
    previous = months_before(month, 1)
    following = month + timedelta(days=32)
    old = old_audit_partitions(previous, month)
    current = old_audit_partitions(month, following.replace(day=1))
    in_old = audit_row_at(previous + timedelta(days=2))
    inside, outside = audit_row_at(cutoff + SECOND), audit_row_at(cutoff - SECOND)
    if cutoff - SECOND < month:  # the cutoff on the first second of a month: nothing of `current` goes
        outside = audit_row_at(month + SECOND)
    out = StringIO()
    with time_machine.travel(now, tick=False):
        call_command("purge_expired", "--only", "audit_log", "--dry-run", stdout=out)
        assert f"partition {old} would be dropped" in out.getvalue()
        call_command("purge_expired", "--only", "audit_log", "--batch", "1", stdout=out)
    assert f"audit_log: partition {old} dropped" in out.getvalue()
    tables = {name for (name,) in sql("SELECT relname FROM pg_class WHERE relname LIKE 'audit_log_%%'")}
    assert old not in tables and current in tables and "audit_log_default" in tables
    assert not row_exists(*in_old) and row_exists(*inside)
    assert row_exists(*outside) == (cutoff - SECOND < month)


def test_command__refuses_unknown_kinds_and_bad_batches():
    for argv, message in ((["--only", "everything"], "invalid choice"), (["--batch", "0"], "--batch")):
        with pytest.raises(CommandError, match=message):
            call_command("purge_expired", *argv)
    with pytest.raises(ValueError, match="unknown kind"):
        purge_expired(only=["everything"])


def test_request_role__cannot_reach_the_purge_queue_or_the_partition_drop(world, now):
    tenant, _ = world
    for statement in ("SELECT * FROM theme_config.bundle_purges",
                      "SELECT theme_config.audit_log_drop_partitions_before(now(), true)",
                      "DELETE FROM theme_config.audit_log"):
        with pytest.raises(ProgrammingError, match="permission denied"):
            with tenant_context(tenant.id), connections["default"].cursor() as cursor:
                cursor.execute(statement)
