"""Read replica routing against a real streaming replica (themeconfig/platform/read_replica.py).

The shared server admits no replication connection (and must not be reconfigured), so the module
runs a pair of its own (tests/pg_cluster.py): a primary holding a copy of the migrated test template
(pg_dump/pg_restore: seconds, where `migrate` takes many), and a hot standby made from it by
`pg_basebackup -R`, streaming. Django's aliases point at the pair for the module: `default`,
`service`, … at the primary, `readonly` (theme_config_ro) at the standby; everything commits.

Which server answered is told by what it answers: with replay paused on the standby, a row committed
on the primary since is missing from the standby's answer and present in the primary's.
"""
from __future__ import annotations

import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from types import SimpleNamespace

import psycopg
import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.test.utils import override_settings
from prometheus_client import REGISTRY

from tests import template_db
from tests.eventually import eventually
from tests.factories.tenancy import ApiClientFactory, PropertyFactory, TenantFactory
from tests.factories.themes import ThemeFactory
from tests.pg_cluster import PG_BIN, own_postgres, streaming_replica
from themeconfig.platform import bootstrap, read_replica
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.slow
DATABASE = "theme_config_replica"
ALIASES = {"default": bootstrap.APP, "migrator": bootstrap.MIGRATOR, "service": bootstrap.SERVICE,
           "preview": bootstrap.PREVIEW_READER}
THEMES = "/api/v1/themes/"


def copy_migrated_schema(primary) -> None:
    """The migrated test template (roles, schema, grants, policies, seeded rows) into `primary`.
    The materialized views' contents are left out (restoring them as the migrator meets its own
    forced RLS) and refreshed empty the way refresh_read_models() does."""
    template = template_db.ensure_template()
    bootstrap.bootstrap(admin_url=primary.url(), database=DATABASE)
    dump = subprocess.run([str(PG_BIN / "pg_dump"), "-Fc", "-d", bootstrap.with_database(template_db.admin_url(), template)],
                          capture_output=True, check=True).stdout
    listing = subprocess.run([str(PG_BIN / "pg_restore"), "-l"], input=dump, capture_output=True, check=True).stdout
    entries = b"\n".join(line for line in listing.splitlines() if b"MATERIALIZED VIEW DATA" not in line)
    list_file = primary.root / "restore.list"
    list_file.write_bytes(entries)
    restored = subprocess.run([str(PG_BIN / "pg_restore"), "--clean", "--if-exists", "--exit-on-error",
                               "-L", str(list_file), "-d", primary.url(database=DATABASE)], input=dump, capture_output=True)
    assert restored.returncode == 0, restored.stderr.decode()[-3000:]
    with psycopg.connect(primary.url(database=DATABASE), autocommit=True) as conn, conn.transaction():
        conn.execute(f"SET LOCAL ROLE {bootstrap.MIGRATOR}")
        conn.execute("SELECT set_config('app.tenant_id', '', true), set_config('theme_config.read_model_refresh', 'on', true)")
        for view in conn.execute("SELECT schemaname || '.' || matviewname FROM pg_matviews").fetchall():
            conn.execute(f"REFRESH MATERIALIZED VIEW {view[0]}")


@pytest.fixture(scope="module")
def pair():
    """(primary, standby), the standby streaming from the primary."""
    with own_postgres(settings="-c full_page_writes=on") as primary:
        copy_migrated_schema(primary)
        with streaming_replica(primary) as standby:
            yield primary, standby


@contextmanager
def django_on(primary, standby):
    """Django's aliases on the pair (and back afterwards)."""
    saved = {alias: dict(settings.DATABASES[alias]) for alias in ALIASES}
    for connection in connections.all():
        connection.close()
    for alias, role in ALIASES.items():
        settings.DATABASES[alias].update(HOST="127.0.0.1", PORT=str(primary.port), NAME=DATABASE, USER=role, PASSWORD="")
    settings.DATABASES[read_replica.REPLICA] = dict(
        settings.DATABASES["default"], PORT=str(standby.port), USER=bootstrap.READONLY,
        OPTIONS=dict(settings.DATABASES["default"]["OPTIONS"], connect_timeout=2))
    try:
        yield
    finally:
        for connection in connections.all():
            connection.close()
        del connections[read_replica.REPLICA]
        del settings.DATABASES[read_replica.REPLICA]
        for alias, saved_settings in saved.items():
            settings.DATABASES[alias].clear()
            settings.DATABASES[alias].update(saved_settings)


@pytest.fixture(scope="module")
def replica_app(pair, django_db_blocker):
    primary, standby = pair
    # Every lag-tolerant read looks at the replica afresh; the bound is far: the tests pause replay.
    with django_db_blocker.unblock(), django_on(primary, standby), \
            override_settings(REPLICA_CHECK_SECONDS=0, REPLICA_MAX_LAG_SECONDS=3600, REPLICA_READ_YOUR_WRITES_SECONDS=60):
        yield primary, standby


@pytest.fixture
def replica(replica_app):
    """(primary, standby) with replay running and caught up; the replica's verdict forgotten."""
    primary, standby = replica_app
    if not standby.running():
        standby.start()
    with superuser(standby) as conn:
        if conn.execute("SELECT pg_is_wal_replay_paused()").fetchone()[0]:
            conn.execute("SELECT pg_wal_replay_resume()")
    caught_up(primary, standby)
    read_replica.forget_verdict()
    yield primary, standby
    if standby.running():
        with superuser(standby) as conn:
            if conn.execute("SELECT pg_is_wal_replay_paused()").fetchone()[0]:
                conn.execute("SELECT pg_wal_replay_resume()")


def superuser(cluster) -> psycopg.Connection:
    return psycopg.connect(cluster.url(database=DATABASE), autocommit=True)


def caught_up(primary, standby) -> None:
    with superuser(primary) as p:
        target = p.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    with superuser(standby) as s:
        eventually(lambda: s.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]).fetchone()[0],
                   what="the standby to replay the primary's WAL")


@contextmanager
def replay_paused(standby):
    with superuser(standby) as conn:
        conn.execute("SELECT pg_wal_replay_pause()")
        eventually(lambda: conn.execute("SELECT pg_get_wal_replay_pause_state() = 'paused'").fetchone()[0],
                   what="replay to pause")
    try:
        yield
    finally:
        with superuser(standby) as conn:
            conn.execute("SELECT pg_wal_replay_resume()")


def received_not_replayed(standby) -> None:
    with superuser(standby) as conn:
        eventually(lambda: conn.execute("SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()").fetchone()[0],
                   what="the standby to receive WAL it has not replayed")


@dataclass
class Caller:
    """An API key of a tenant."""

    id: str  # the tenant's
    secret: str
    client_id: str

    @property
    def auth(self) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.secret}"}

    @property
    def principal(self) -> Principal:
        return Principal.for_api_key(tenant_id=self.id, api_client_id=self.client_id, role="admin", scopes=None)


def caller(tenant_id: str | None = None) -> Caller:
    """A new API key (admin), of a new tenant unless one is named."""
    tenant_id = tenant_id or TenantFactory().id
    with tenant_context(tenant_id):
        client = ApiClientFactory(role="admin")
    return Caller(id=tenant_id, secret=client.secret, client_id=client.pk)


def theme_in(tenant: Caller, name: str) -> None:
    """A theme committed on the primary outside any request (no caller's read-your-writes mark)."""
    with tenant_context(tenant.id):
        ThemeFactory(name=name, scope="property", property_id=PropertyFactory().pk)  # one theme per property


def listed(caller: Caller, path: str = THEMES) -> list[str]:
    response = Client().get(path, **caller.auth)
    assert response.status_code == 200, response.content[:500]
    return sorted(theme["name"] for theme in response.json()["results"])


def test_read_replica__list_while_replay_paused__answered_by_the_replica(replica):
    primary, standby = replica
    reader = caller()
    theme_in(reader, "before")
    caught_up(primary, standby)
    before = read_replica.fallback_counts()
    assert listed(reader) == ["before"]
    with replay_paused(standby):
        theme_in(reader, "while paused")
        received_not_replayed(standby)
        assert listed(reader) == ["before"]  # the standby has not replayed it: the standby answered
    caught_up(primary, standby)
    assert listed(reader) == ["before", "while paused"]
    assert read_replica.fallback_counts() == before


def test_read_replica__every_lag_tolerant_door__answered_by_the_standby_as_theme_config_ro(replica):
    from django.test.utils import CaptureQueriesContext

    primary, standby = replica
    reader = caller()
    author = caller(reader.id)
    created = Client().post(THEMES, {"name": "doors"}, content_type="application/json", **author.auth)
    assert created.status_code == 201, created.content[:500]
    theme_id = created.json()["id"]
    version = Client().post(f"{THEMES}{theme_id}/versions/", {}, content_type="application/json", **author.auth)
    assert version.status_code == 201, version.content[:500]
    caught_up(primary, standby)
    before = read_replica.fallback_counts()
    for path, expected in ((THEMES, 1), (f"{THEMES}{theme_id}/versions/", 1),
                           (f"{THEMES}{theme_id}/publications/", 0), ("/api/v1/audit-log/", 1)):
        with CaptureQueriesContext(connections[read_replica.REPLICA]) as on_standby:
            response = Client().get(path, **reader.auth)
        assert response.status_code == 200, (path, response.content[:500])
        assert len(response.json()["results"]) >= expected, path
        assert len(on_standby.captured_queries) >= 2, path  # the tenant GUC, then the reads
    assert read_replica.fallback_counts() == before


def test_read_replica__caller_who_wrote__reads_its_write_from_the_primary(replica):
    primary, standby = replica
    writer = caller()
    colleague = caller(writer.id)
    caught_up(primary, standby)
    with replay_paused(standby):
        created = Client().post(THEMES, {"name": "mine"}, content_type="application/json", **writer.auth)
        assert created.status_code == 201, created.content[:500]
        received_not_replayed(standby)
        assert listed(writer) == ["mine"]  # read-your-writes: the primary
        assert listed(colleague) == []  # another caller of the same tenant: the standby, lag tolerated
        # The writer's mark is a Redis key that expires: once gone, the writer reads the standby too.
        assert read_replica._redis().delete(read_replica._mark_key(writer.principal)) == 1
        assert listed(writer) == []
    caught_up(primary, standby)
    assert listed(colleague) == ["mine"]


def test_read_replica__lag_past_the_bound__primary_answers_and_it_is_counted(replica):
    primary, standby = replica
    reader = caller()
    with override_settings(REPLICA_MAX_LAG_SECONDS=0), replay_paused(standby):
        theme_in(reader, "fresh")
        received_not_replayed(standby)  # replay is behind: lag = now - the last replayed commit > 0
        before = read_replica.fallback_counts().get("lagging", 0)
        exported = REGISTRY.get_sample_value("theme_config_db_replica_fallbacks_total", {"reason": "lagging"}) or 0
        assert listed(reader) == ["fresh"]
        assert read_replica.fallback_counts().get("lagging", 0) == before + 1
        # The same count in Prometheus (theme_config_db_replica_fallbacks_total).
        assert REGISTRY.get_sample_value("theme_config_db_replica_fallbacks_total", {"reason": "lagging"}) == exported + 1
    caught_up(primary, standby)
    read_replica.forget_verdict()
    before = read_replica.fallback_counts()
    assert listed(reader) == ["fresh"]
    assert read_replica.fallback_counts() == before  # caught up: the standby answers again


def test_read_replica__standby_down__primary_answers_and_it_is_counted(replica):
    primary, standby = replica
    reader = caller()
    theme_in(reader, "kept")
    caught_up(primary, standby)
    assert listed(reader) == ["kept"]  # the replica's connection is open now
    standby.stop()
    try:
        before = read_replica.fallback_counts().get("unavailable", 0)
        assert listed(reader) == ["kept"]
        assert listed(reader, f"{THEMES}?search=kept") == ["kept"]
        assert read_replica.fallback_counts().get("unavailable", 0) == before + 2
    finally:
        standby.start()
    caught_up(primary, standby)
    read_replica.forget_verdict()
    before = read_replica.fallback_counts()
    assert listed(reader) == ["kept"]
    assert read_replica.fallback_counts() == before


def test_read_replica__connection_broken_during_the_read__run_again_on_the_primary(replica):
    primary, standby = replica
    reader = caller()
    theme_in(reader, "survives")
    caught_up(primary, standby)
    assert listed(reader) == ["survives"]
    before = read_replica.fallback_counts().get("unavailable", 0)
    # The replica's session dies between the health look and the read (a standby restarting).
    original = read_replica.replica_verdict

    def verdict_then_terminate():
        verdict = original()
        with superuser(standby) as conn:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s",
                         [bootstrap.READONLY])
        return verdict

    read_replica.replica_verdict = verdict_then_terminate
    try:
        assert listed(reader) == ["survives"]
    finally:
        read_replica.replica_verdict = original
    assert read_replica.fallback_counts().get("unavailable", 0) == before + 1


def test_read_replica__row_level_security_binds_the_readonly_role_on_the_standby(replica):
    primary, standby = replica
    lake, hill = caller(), caller()
    theme_in(lake, "lake theme")
    theme_in(hill, "hill theme")
    caught_up(primary, standby)
    before = read_replica.fallback_counts()
    assert listed(lake) == ["lake theme"] and listed(hill) == ["hill theme"]
    assert read_replica.fallback_counts() == before  # both answered by the standby
    with psycopg.connect(standby.url(bootstrap.READONLY, DATABASE), autocommit=True) as ro:
        for tenant_id, expected in (("", []), (lake.id, ["lake theme"]), (hill.id, ["hill theme"])):
            with ro.transaction():
                ro.execute("SELECT set_config('app.tenant_id', %s, true)", [tenant_id])
                names = [name for (name,) in ro.execute("SELECT name FROM theme_config.themes").fetchall()]
            assert names == expected
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction), ro.transaction():
            ro.execute("SELECT set_config('app.tenant_id', %s, true)", [lake.id])
            ro.execute("UPDATE theme_config.themes SET name = 'x'")


def test_read_replica__resolve_cache_fill__from_the_standby_unless_behind_a_heard_commit(
        replica, resolve_cache_on, monkeypatch, request):
    from django.test.utils import CaptureQueriesContext

    from publishing.resolve import cache as resolve_cache
    from publishing.services import publish
    from tests.factories.publishing import publish_new_version
    from themeconfig import services

    primary, standby = replica
    monkeypatch.setattr(publish, "enqueue_publish_job", lambda **kwargs: None)
    resolve_cache._NEAR._stop(back_off=False)  # LISTEN again, on this module's primary (and after)
    request.addfinalizer(lambda: resolve_cache._NEAR._stop(back_off=False))
    tenant_id = TenantFactory().id
    admin = Principal.for_user(tenant_id=tenant_id, user_id=1, role="admin")
    theme = services.theme_create(principal=admin, name="Replica")
    services.host_add(principal=Principal.operator("t", tenant_id=tenant_id), host="replica.example.com")
    tenant = SimpleNamespace(id=tenant_id)
    first = publish_new_version(admin, tenant, theme, "one")
    caught_up(primary, standby)

    def resolved() -> str:
        response = Client().get("/api/v1/resolve/?host=replica.example.com")
        assert response.status_code == 200, response.content[:300]
        return response.json()["bundle_sha256"]

    with CaptureQueriesContext(connections[read_replica.REPLICA]) as on_standby:
        assert resolved() == first.bundle_sha256
    assert any("resolve_host_at_generation" in query["sql"] for query in on_standby.captured_queries)

    with replay_paused(standby):
        second = publish_new_version(admin, tenant, theme, "two")  # this process hears its generation
        received_not_replayed(standby)
        before = read_replica.fallback_counts().get("behind", 0)
        assert resolved() == second.bundle_sha256  # the standby's older answer is not used, nor cached
        assert read_replica.fallback_counts().get("behind", 0) == before + 1


def test_read_replica__recovery_conflict_cancels_the_read__run_again_on_the_primary(replica):
    """The standby cancels a read holding back replay ("conflict with recovery", SQLSTATE 40001)."""
    from django.db import connections as django_connections

    primary, standby = replica
    reader = caller()
    theme_in(reader, "conflicted")
    caught_up(primary, standby)
    ran_on = []

    def read():
        alias = read_replica.reading_alias()
        ran_on.append(alias)
        if alias == read_replica.REPLICA:
            raise psycopg.errors.SerializationFailure("canceling statement due to conflict with recovery")
        with django_connections[alias].cursor() as cursor:
            cursor.execute("SELECT name FROM theme_config.themes")
            return [name for (name,) in cursor.fetchall()]

    before = read_replica.fallback_counts().get("conflict", 0)
    with tenant_context(reader.id):
        assert read_replica.lag_tolerant_read(read) == ["conflicted"]
    assert ran_on == [read_replica.REPLICA, read_replica.PRIMARY]
    assert read_replica.fallback_counts().get("conflict", 0) == before + 1
    assert read_replica.replica_verdict() is None  # a conflict does not take the standby out of use
