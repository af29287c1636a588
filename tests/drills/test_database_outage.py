"""Fault drill: PostgreSQL stops, restarts, drops a connection mid-read and times a statement out,
under the app served by gunicorn from another process.

The drill runs its OWN PostgreSQL 15 cluster (tests/pg_cluster.py; the shared server is never
touched), bootstrapped and migrated as production is, with a 2-second statement timeout on the
request roles. gunicorn (one worker, persistent connections: DATABASE_CONN_MAX_AGE=60) serves two
tenants made by the operator commands. What a client must see:
- PostgreSQL stopped: `503` problem+json, `MELMASTOON.DATABASE.UNAVAILABLE`, `Retry-After`, for
  reads and writes and bad input alike (never a 500), and a plain 503 page in admin; started again:
  `200` from the same app process;
- restarted while the app is idle: the dead persistent connection is replaced, `200`;
- a read whose connection is terminated under it: run once more on a fresh connection, `200`; a
  write in the same spot: `503` and nothing written (writes are never replayed);
- a statement past the timeout (a lock held by another session): `503 MELMASTOON.DATABASE.TIMEOUT`.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import psycopg
import pytest
import requests

from tests.live_app import ROOT, start_gunicorn
from tests.pg_cluster import own_postgres
from themeconfig.platform import bootstrap
from themeconfig.platform.errors import CoreErrorCode

pytestmark = pytest.mark.slow
DATABASE = "theme_config_drill"
STATEMENT_TIMEOUT_SECONDS = 2
PROBLEM = "application/problem+json"
ROLES = {"DATABASE_URL": bootstrap.APP, "MIGRATOR_DATABASE_URL": bootstrap.MIGRATOR,
         "SERVICE_DATABASE_URL": bootstrap.SERVICE, "PREVIEW_DATABASE_URL": bootstrap.PREVIEW_READER}
SEED = """
from django.core.management import call_command
import io
for slug in ("lake", "hill"):
    call_command("create_tenant", slug=slug, name=slug.title(), stdout=io.StringIO())
    out = io.StringIO()
    call_command("create_api_key", tenant=slug, name="drill", role="admin", stdout=out)
    print("drill-key", slug, out.getvalue().strip().splitlines()[-1])
"""


@pytest.fixture(scope="module")
def postgres():
    with own_postgres() as cluster:
        bootstrap.bootstrap(admin_url=cluster.url(), database=DATABASE,
                            statement_timeout=f"{STATEMENT_TIMEOUT_SECONDS}s")
        yield cluster


@pytest.fixture(scope="module")
def app_env(postgres):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "DATABASE_", "PYTEST", "MIGRATOR_", "SERVICE_", "READONLY_", "PREVIEW_"))}
    env.update({var: postgres.url(role, DATABASE) for var, role in ROLES.items()})
    env.update(DJANGO_SETTINGS_MODULE="config.settings.test", ADMIN_DATABASE_URL=postgres.url(),
               DATABASE_CONN_MAX_AGE="60", DATABASE_RETRY_AFTER_SECONDS="7", FAILPOINTS="")
    for command in (["migrate", "-v0"], ["shell", "-c", SEED]):
        done = subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
    env["DRILL_KEYS"] = done.stdout
    return env


@pytest.fixture(scope="module")
def app(app_env, tmp_path_factory):
    server = start_gunicorn(app_env, tmp_path_factory.mktemp("outage") / "server.log", workers=1)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def tenants(app, app_env) -> dict[str, requests.Session]:
    """Each tenant's API session, with one theme each (made through the API)."""
    sessions = {}
    for line in app_env["DRILL_KEYS"].splitlines():
        if line.startswith("drill-key "):
            _, slug, secret = line.split()
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {secret}"
            created = session.post(f"{app.url}/api/v1/themes/", json={"name": f"{slug} theme"}, timeout=10)
            assert created.status_code == 201, created.text
            sessions[slug] = session
    return sessions


def theme_names(app, session) -> list[str]:
    response = session.get(f"{app.url}/api/v1/themes/", timeout=15)
    assert response.status_code == 200, response.text
    return sorted(theme["name"] for theme in response.json()["results"])


def assert_problem(response, code: str) -> None:
    assert response.status_code == 503, (response.status_code, response.text[:500])
    assert response.headers["Content-Type"].startswith(PROBLEM)
    assert response.json()["code"] == code and response.json()["status"] == 503
    assert response.headers["Retry-After"] == "7"


def superuser(postgres) -> psycopg.Connection:
    return psycopg.connect(postgres.url(database=DATABASE), autocommit=True)


def app_backend_waiting_on_a_lock(admin: psycopg.Connection, timeout: float = 5) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = admin.execute("SELECT pid FROM pg_stat_activity WHERE usename = %s AND wait_event_type = 'Lock'",
                            [bootstrap.APP]).fetchone()
        if row:
            return row[0]
        time.sleep(0.01)
    raise AssertionError("the app never waited on the lock")


def in_background(call):
    """Runs `call` in a thread; the returned function waits for and gives its result."""
    result = {}
    thread = threading.Thread(target=lambda: result.update(value=call()))
    thread.start()

    def outcome():
        thread.join(timeout=30)
        return result["value"]
    return outcome


def test_database_outage__postgres_stopped_then_started__503_with_retry_after_then_200(postgres, app, tenants):
    lake, hill = tenants["lake"], tenants["hill"]
    assert theme_names(app, lake) == ["lake theme"]  # a persistent connection is open now
    worker_pid = app.process.pid

    postgres.stop()
    try:
        assert_problem(lake.get(f"{app.url}/api/v1/themes/", timeout=15), CoreErrorCode.DATABASE_UNAVAILABLE)
        assert_problem(lake.post(f"{app.url}/api/v1/themes/", json={"name": "during"}, timeout=15),
                       CoreErrorCode.DATABASE_UNAVAILABLE)
        bad_input = lake.post(f"{app.url}/api/v1/themes/", data=b"{not json", timeout=15,
                              headers={"Content-Type": "application/json"})
        assert_problem(bad_input, CoreErrorCode.DATABASE_UNAVAILABLE)
        assert_problem(hill.get(f"{app.url}/api/v1/themes/xyz/", timeout=15), CoreErrorCode.DATABASE_UNAVAILABLE)
        admin_page = requests.get(f"{app.url}/admin/", cookies={"sessionid": "s" * 32}, timeout=15)
        assert admin_page.status_code == 503 and admin_page.headers["Retry-After"] == "7"
        assert admin_page.headers["Content-Type"].startswith("text/html")
        assert requests.get(f"{app.url}/api/v1/health/", timeout=5).status_code == 200  # alive, not ready
        assert requests.get(f"{app.url}/api/v1/ready/", timeout=15).status_code == 503
    finally:
        postgres.start()

    assert theme_names(app, lake) == ["lake theme"] and theme_names(app, hill) == ["hill theme"]
    assert app.process.poll() is None and app.process.pid == worker_pid


def test_database_outage__restarted_while_idle__persistent_connection_replaced_and_200(postgres, app, tenants):
    lake = tenants["lake"]
    assert theme_names(app, lake) == ["lake theme"]  # the worker holds a connection (CONN_MAX_AGE=60)
    postgres.stop()
    postgres.start()
    assert theme_names(app, lake) == ["lake theme"]  # its dead connection is noticed and replaced


def test_database_outage__read_whose_connection_is_terminated__run_again_once_and_200(postgres, app, tenants):
    lake = tenants["lake"]
    theme_names(app, lake)
    with superuser(postgres) as admin, superuser(postgres) as locker:
        for method, expected in (("get", 200), ("post", 503)):
            with locker.transaction():
                locker.execute("LOCK TABLE theme_config.themes IN ACCESS EXCLUSIVE MODE")
                request = in_background(lambda m=method: lake.request(
                    m, f"{app.url}/api/v1/themes/", json={"name": "replayed?"} if m == "post" else None, timeout=20))
                pid = app_backend_waiting_on_a_lock(admin)
                assert admin.execute("SELECT pg_terminate_backend(%s, 5000)", [pid]).fetchone()[0]
            response = request()  # the lock is released: a retry goes through
            assert response.status_code == expected, (method, response.status_code, response.text[:500])
            if expected == 503:
                assert response.json()["code"] == CoreErrorCode.DATABASE_UNAVAILABLE
    assert "running it once more" in app.log_text()
    assert theme_names(app, lake) == ["lake theme"]  # the write was not replayed


def test_database_outage__statement_timeout__503_database_timeout(postgres, app, tenants):
    lake, hill = tenants["lake"], tenants["hill"]
    with superuser(postgres) as locker:
        with locker.transaction():
            locker.execute("LOCK TABLE theme_config.themes IN ACCESS EXCLUSIVE MODE")
            started = time.monotonic()
            response = lake.get(f"{app.url}/api/v1/themes/", timeout=20)
            waited = time.monotonic() - started
        assert_problem(response, CoreErrorCode.DATABASE_TIMEOUT)
        assert STATEMENT_TIMEOUT_SECONDS <= waited < STATEMENT_TIMEOUT_SECONDS * 3  # not retried
    assert theme_names(app, lake) == ["lake theme"] and theme_names(app, hill) == ["hill theme"]
