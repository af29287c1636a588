"""What tests that serve the app from another process share: a free port, the URL of one of the
settings' database roles pointed at the pytest database, and gunicorn serving the app on it."""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url(alias: str, name: str) -> str:
    """The URL of one of settings.DATABASES' roles, pointed at the pytest database `name`."""
    db = settings.DATABASES[alias]
    credentials = quote(db["USER"], safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = quote(db.get("HOST") or "127.0.0.1", safe="")  # a socket directory becomes %2F…
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}@{host}{port}/{name}"


def app_environment(database: str, **extra: str) -> dict:
    """This process's environment without its Django and database settings: the test settings, each
    role's own URL on the pytest database `database`, then `extra`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "DATABASE_", "PYTEST", "MIGRATOR_", "SERVICE_", "READONLY_", "PREVIEW_"))}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.test",
               DATABASE_URL=database_url("default", database), MIGRATOR_DATABASE_URL=database_url("migrator", database),
               SERVICE_DATABASE_URL=database_url("service", database),
               PREVIEW_DATABASE_URL=database_url("preview", database), **extra)
    return env


@contextmanager
def gunicorn(env: dict, log: Path, *, workers: int) -> Iterator[int]:
    """gunicorn serving config.wsgi on a free loopback port (its output in `log`), once /api/v1/health/
    answers; yields the port and stops the server's process group at the end."""
    port = free_port()
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--timeout", "60", "--graceful-timeout", "5"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            tail = log.read_text(errors="replace")[-6000:]
            assert process.poll() is None, f"gunicorn exited:\n{tail}"
            assert time.monotonic() < deadline, f"gunicorn did not answer within 60 s:\n{tail}"
            try:
                if get(port, "/api/v1/health/")[0] == 200:
                    break
            except OSError:  # not listening yet, or a worker still booting
                pass
            time.sleep(0.2)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def get(port: int, path: str) -> tuple[int, bytes]:
    """GET from a server on a loopback port: (status, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()
