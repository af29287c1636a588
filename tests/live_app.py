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
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


@dataclass
class Gunicorn:
    """config.wsgi served by gunicorn from another process (its own session, so it is stopped whole)."""

    url: str
    log: Path
    process: subprocess.Popen

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def log_tail(self, size: int = 6000) -> str:
        return self.log_text()[-size:]

    def log_errors(self, size: int = 8000) -> str:
        """The server's ERROR records (a 500's traceback among them)."""
        lines = [line for line in self.log_text().splitlines() if '"level": "ERROR"' in line]
        return "\n".join(lines)[-size:]

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def start_gunicorn(env: dict, log: Path, *, workers: int = 1, extra_args: tuple[str, ...] = (),
                   ready_timeout: float = 60) -> Gunicorn:
    """gunicorn on a free loopback port with `env`; returns once /api/v1/health/ answers 200."""
    port = free_port()
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--timeout", "60", "--graceful-timeout", "5", *extra_args],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    server = Gunicorn(url=f"http://127.0.0.1:{port}", log=log, process=process)
    deadline = time.monotonic() + ready_timeout
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{server.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer within {ready_timeout} s:\n{server.log_tail()}")
            try:
                with urllib.request.urlopen(f"{server.url}/api/v1/health/", timeout=2) as response:
                    if response.status == 200:
                        return server
            except OSError:  # not listening yet, or a worker still booting (URLError is an OSError)
                pass
            time.sleep(0.1)
    except BaseException:
        server.stop()
        raise


def app_environment(database: str, *, settings_module: str = "config.settings.test", static_root: Path | None = None,
                    drop: tuple[str, ...] = (), **extra: str) -> dict:
    """This process's environment without its Django and database settings (nor variables starting with
    one of `drop`): `settings_module`, each role's own URL on the pytest database `database`, the static
    root the browser's settings collect into (BROWSER_STATIC_ROOT) when given, then `extra`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "DATABASE_", "PYTEST", "MIGRATOR_", "SERVICE_", "READONLY_", "PREVIEW_",
                                *drop))}
    env.update(DJANGO_SETTINGS_MODULE=settings_module,
               DATABASE_URL=database_url("default", database), MIGRATOR_DATABASE_URL=database_url("migrator", database),
               SERVICE_DATABASE_URL=database_url("service", database),
               PREVIEW_DATABASE_URL=database_url("preview", database))
    # This pytest worker's own Redis database (config/settings/test.py moves each xdist worker to one of
    # its own; without PYTEST_XDIST_WORKER the server would take the given base one: on gw1 it enqueued
    # where this worker's Celery worker never looked).
    env["TEST_REDIS_URL"] = settings.REDIS_URL
    # Persistent connections, as production's default (config/settings/production.py): a connection per
    # request costs a PostgreSQL backend start and its cold catalogue caches each time.
    env["DATABASE_CONN_MAX_AGE"] = "60"
    if static_root is not None:
        env["BROWSER_STATIC_ROOT"] = str(static_root)
    env.update(extra)
    return env


@contextmanager
def gunicorn(env: dict, log: Path, *, workers: int) -> Iterator[int]:
    """start_gunicorn as a context: yields the server's port and stops its process group at the end."""
    server = start_gunicorn(env, log, workers=workers)
    try:
        yield server.port
    finally:
        server.stop()


def get(port: int, path: str) -> tuple[int, bytes]:
    """GET from a server on a loopback port: (status, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()
