"""The publication flip of seed §3.3, run as the seed writes it, as theme_config_app in one transaction.

The three statements are taken from the seed text ($name placeholders become psycopg's), so this
proves the schema accepts the seed's own flip, and that two concurrent flips of one theme leave
exactly one active publication, the loser failing on theme_publications_active_uq (§5.1).
"""
from __future__ import annotations

import re
import threading
import time

import psycopg
import pytest
from psycopg import errors

from tests.schema.dbtools import APP, Tenant, connect, seed_text, set_tenant
from themeconfig.platform.ids import new_id


def seed_flip_statements() -> list[str]:
    text = seed_text()
    block = text[text.index("The publication-flip in PublishThemeVersionUseCase does:"):]
    block = block[block.index("BEGIN;") + len("BEGIN;"):block.index("COMMIT;")]
    block = re.sub(r"--[^\n]*", "", block)
    statements = [s.strip() for s in block.split(";") if s.strip()]
    return [re.sub(r"\$(\w+)", r"%(\1)s", s) for s in statements]


FLIP = seed_flip_statements()


def test_seed_flip__three_statements_extracted():
    assert [s.split()[0] for s in FLIP] == ["UPDATE", "INSERT", "UPDATE"]
    assert "superseded_by_id = %(new_id)s" in FLIP[0]
    assert "version = %(expected_version)s" in FLIP[2]


def published_version(tenant: Tenant) -> dict:
    return tenant.add(
        "theme_versions", status="published", published_at="2026-01-01T00:00:00Z", published_by="user:42",
        published_bundle_url=f"bundles/{tenant.id}/{tenant.theme['id']}/{new_id('thp')}.json",
        published_bundle_sha256="b" * 64,
    )


def flip(conn: psycopg.Connection, tenant: Tenant, version: dict, expected_version: int, new_id_: str | None = None):
    """The seed's flip; returns (new publication id, rows each statement touched)."""
    params = {
        "new_id": new_id_ or new_id("thp"), "theme_id": tenant.theme["id"], "tenant_id": tenant.id,
        "version_id": version["id"], "url": version["published_bundle_url"], "sha": version["published_bundle_sha256"],
        "actor": "user:42", "expected_version": expected_version,
    }
    counts = [conn.execute(statement, params).rowcount for statement in FLIP]
    return params["new_id"], counts


def theme_state(conn, theme_id):
    return conn.execute(
        "SELECT active_publication_id, version FROM theme_config.themes WHERE id = %s", [theme_id]
    ).fetchone()


def test_seed_flip__first_then_second_publication__one_transaction_each(role_connection):
    conn = role_connection(APP)
    tenant = Tenant(conn)
    v1, v2 = published_version(tenant), published_version(tenant)
    conn.commit()

    set_tenant(conn, tenant.id)
    p1, counts = flip(conn, tenant, v1, expected_version=1)
    conn.commit()
    assert counts == [0, 1, 1]  # nothing to supersede yet

    set_tenant(conn, tenant.id)
    p2, counts = flip(conn, tenant, v2, expected_version=2)
    conn.commit()  # the deferred FKs (superseded_by_id, active_publication_id) are checked here
    assert counts == [1, 1, 1]

    set_tenant(conn, tenant.id)
    rows = conn.execute(
        """SELECT id, is_active, superseded_at IS NOT NULL, superseded_by_id
           FROM theme_config.theme_publications WHERE theme_id = %s ORDER BY published_at, id""",
        [tenant.theme["id"]],
    ).fetchall()
    assert sorted(rows) == sorted([(p1, False, True, p2), (p2, True, False, None)])
    assert theme_state(conn, tenant.theme["id"]) == (p2, 3)
    conn.rollback()


def test_seed_flip__stale_expected_version__theme_untouched(role_connection):
    conn = role_connection(APP)
    tenant = Tenant(conn)
    version = published_version(tenant)
    conn.commit()
    set_tenant(conn, tenant.id)
    _, counts = flip(conn, tenant, version, expected_version=7)
    assert counts[2] == 0  # the use case sees 0 rows and rolls back with VERSION_CONFLICT
    conn.rollback()


def test_seed_flip__superseded_by_pointing_nowhere__fails_at_commit(role_connection):
    """Deferring theme_publications_superseded_by_id_fkey keeps it enforced: at COMMIT."""
    conn = role_connection(APP)
    tenant = Tenant(conn)
    version = published_version(tenant)
    conn.commit()
    set_tenant(conn, tenant.id)
    flip(conn, tenant, version, expected_version=1)
    conn.commit()
    set_tenant(conn, tenant.id)
    conn.execute(FLIP[0], {"new_id": new_id("thp"), "theme_id": tenant.theme["id"]})
    with pytest.raises(errors.ForeignKeyViolation) as info:
        conn.commit()
    assert info.value.diag.constraint_name == "theme_publications_superseded_by_id_fkey"


def test_seed_flip__two_concurrent_flips__exactly_one_active_loser_gets_unique_violation(schema_db, role_connection):
    arrange = role_connection(APP)
    tenant = Tenant(arrange)
    v_old, v_a, v_b = published_version(tenant), published_version(tenant), published_version(tenant)
    arrange.commit()
    set_tenant(arrange, tenant.id)
    previous, _ = flip(arrange, tenant, v_old, expected_version=1)
    arrange.commit()

    start = threading.Barrier(2, timeout=10)
    go_commit = threading.Event()
    at_commit_point = threading.Semaphore(0)
    outcome: dict[str, object] = {}
    application_name = f"tests-schema-flip-{tenant.id[-8:]}"

    def run(name: str, version: dict) -> None:
        with connect(APP, schema_db, application_name=application_name) as conn:
            try:
                with conn.transaction():
                    set_tenant(conn, tenant.id)
                    start.wait()
                    params = {"new_id": new_id("thp"), "theme_id": tenant.theme["id"], "tenant_id": tenant.id,
                              "version_id": version["id"], "url": version["published_bundle_url"],
                              "sha": version["published_bundle_sha256"], "actor": f"user:{name}", "expected_version": 2}
                    conn.execute(FLIP[0], params)
                    conn.execute(FLIP[1], params)
                    at_commit_point.release()
                    assert go_commit.wait(10)
                    conn.execute(FLIP[2], params)
                outcome[name] = params["new_id"]
            except Exception as exc:  # noqa: BLE001 - handed to the main thread
                outcome[name] = exc
                at_commit_point.release()

    threads = [threading.Thread(target=run, args=(n, v)) for n, v in (("a", v_a), ("b", v_b))]
    for t in threads:
        t.start()
    # Both flips are under way once one is at its commit point and the other waits on its lock
    # (the previous publication's row, or the new active entry in theme_publications_active_uq).
    assert at_commit_point.acquire(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with connect("postgres", schema_db, autocommit=True) as monitor:
            waiting = monitor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND wait_event_type = 'Lock'",
                [application_name],
            ).fetchone()[0]
        if waiting == 1:
            break
        time.sleep(0.02)
    else:
        pytest.fail("the second flip never waited on the first")
    go_commit.set()
    for t in threads:
        t.join(15)

    winners = [v for v in outcome.values() if isinstance(v, str)]
    losers = [v for v in outcome.values() if isinstance(v, Exception)]
    assert len(winners) == 1 and len(losers) == 1, outcome
    assert isinstance(losers[0], errors.UniqueViolation), repr(losers[0])
    assert losers[0].diag.constraint_name == "theme_publications_active_uq"

    set_tenant(arrange, tenant.id)
    active = arrange.execute(
        "SELECT id FROM theme_config.theme_publications WHERE theme_id = %s AND is_active", [tenant.theme["id"]]
    ).fetchall()
    assert active == [(winners[0],)]
    assert theme_state(arrange, tenant.theme["id"]) == (winners[0], 3)
    superseded_by = arrange.execute(
        "SELECT superseded_by_id FROM theme_config.theme_publications WHERE id = %s", [previous]
    ).fetchone()[0]
    assert superseded_by == winners[0]
    arrange.rollback()
