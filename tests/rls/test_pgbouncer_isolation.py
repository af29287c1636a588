"""Tenant isolation through a real PgBouncer in transaction mode, with fewer server connections
than clients: server connections are reused across tenants all the time, and no tenant ever
sees another's rows."""
from __future__ import annotations

import random
import threading
import time
from collections import Counter
from queue import Empty, Queue

import psycopg
import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from tests.rls.pgbouncer import start_pgbouncer, stop_pgbouncer
from themeconfig.platform.tenant_context import tenant_context

pytestmark = [pytest.mark.pgbouncer, pytest.mark.usefixtures("committed_db")]

TENANTS = 20
REQUESTS = 2_000
CLIENT_THREADS = 16
POOL_SIZE = 4


@pytest.fixture
def pgbouncer(django_db_setup):
    bouncer, process = start_pgbouncer(
        upstream_database=django_db_setup, pool_size=POOL_SIZE, users=["theme_config_app"]
    )
    yield bouncer
    stop_pgbouncer(process)


@pytest.fixture
def default_alias_through(pgbouncer):
    """Point the `default` alias (theme_config_app) at PgBouncer with persistent client connections."""
    config = settings.DATABASES["default"]
    saved = dict(config)
    for connection in connections.all():
        connection.close()
    config.update(HOST=pgbouncer.host, PORT=pgbouncer.port, NAME=pgbouncer.database, CONN_MAX_AGE=None)
    yield pgbouncer
    config.clear()
    config.update(saved)
    for connection in connections.all():
        connection.close()


@pytest.fixture
def tenants(keyed_tenant_factory):
    # Distinct property counts per tenant make a leaked row impossible to miss.
    return [keyed_tenant_factory(properties=1 + i % 7) for i in range(TENANTS)]


@pytest.mark.slow
def test_interleaved_api_requests__through_pgbouncer__no_cross_tenant_rows(default_alias_through, tenants):
    bouncer = default_alias_through
    expected = {}
    for keyed in tenants:
        with tenant_context(keyed.id):
            from themeconfig.selectors import property_list

            expected[keyed.id] = sorted(property_list().values_list("id", flat=True))
    connections["default"].close()

    plan = tenants * (REQUESTS // TENANTS)
    random.Random(7).shuffle(plan)  # interleaved: consecutive requests rarely share a tenant
    work: Queue = Queue()
    for index, keyed in enumerate(plan):
        work.put((index, keyed))
    violations: list[str] = []
    served = Counter()
    lock = threading.Lock()

    def client_thread():
        client = Client()
        try:
            while True:
                try:
                    index, keyed = work.get_nowait()
                except Empty:
                    return
                path = "/api/v1/tenant/" if index % 10 == 0 else "/api/v1/properties/?page_size=200"
                response = client.get(path, **keyed.auth)
                problem = None
                if response.status_code != 200:
                    problem = f"{path} → {response.status_code} {response.content[:200]!r}"
                elif path == "/api/v1/tenant/":
                    if response.json()["id"] != keyed.id:
                        problem = f"tenant endpoint answered {response.json()['id']} to {keyed.id}"
                else:
                    rows = response.json()["results"]
                    foreign = [r for r in rows if r["tenant_id"] != keyed.id]
                    if foreign or sorted(r["id"] for r in rows) != expected[keyed.id]:
                        problem = f"{keyed.id} saw {len(foreign)} foreign row(s) among {len(rows)}"
                with lock:
                    served[keyed.id] += 1
                    if problem:
                        violations.append(problem)
        finally:
            connections.close_all()

    started = time.monotonic()
    threads = [threading.Thread(target=client_thread) for _ in range(CLIENT_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    elapsed = time.monotonic() - started

    pools = [p for p in bouncer.console("SHOW POOLS") if p["database"] == "theme"]
    stats = [s for s in bouncer.console("SHOW STATS") if s["database"] == "theme"]
    servers = [s for s in bouncer.console("SHOW SERVERS") if s["database"] == "theme"]
    print(
        f"\n[pgbouncer] {sum(served.values())} requests of {len(served)} tenants by {CLIENT_THREADS} clients "
        f"in {elapsed:.1f}s ({sum(served.values()) / elapsed:.0f} req/s); server connections "
        f"{len(servers)} (pool {POOL_SIZE}); transactions {stats[0]['total_xact_count']}; violations {len(violations)}"
    )
    assert violations == []
    assert sum(served.values()) == REQUESTS and len(served) == TENANTS
    assert len(servers) <= POOL_SIZE < CLIENT_THREADS
    assert stats[0]["total_xact_count"] >= REQUESTS
    assert pools, "the pool for the theme database exists"


def test_transaction_without_set_config__on_reused_server_connection__sees_nothing(pgbouncer, tenants):
    """The worst case: a transaction that forgets set_config on a server connection whose previous
    transaction was bound to a tenant. The setting died with that transaction: 0 rows, not theirs."""
    leaks = 0
    bound_rows = 0
    with psycopg.connect(pgbouncer.url(), prepare_threshold=None) as a, psycopg.connect(
        pgbouncer.url(), prepare_threshold=None
    ) as b:
        for round_ in range(200):
            keyed = tenants[round_ % TENANTS]
            with a.transaction():
                a.execute("SELECT set_config('app.tenant_id', %s, true)", [keyed.id])
                bound_rows += a.execute("SELECT count(*) FROM tenant_service.properties").fetchone()[0]
            with b.transaction():
                try:
                    leaks += b.execute("SELECT count(*) FROM tenant_service.properties").fetchone()[0]
                except psycopg.errors.UndefinedObject:
                    pass  # a server connection that never saw the GUC: an error, still no rows
    assert bound_rows > 0
    assert leaks == 0
