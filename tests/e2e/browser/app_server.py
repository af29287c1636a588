"""The app as it is deployed, for the browser: collectstatic, then gunicorn (config.wsgi, WhiteNoise for
static files) on a free loopback port, on the pytest database and the tests' Redis database."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from tests.live_app import database_url, free_port

ROOT = Path(__file__).resolve().parents[3]
SETTINGS_MODULE = "tests.e2e.browser.server_settings"
READY_TIMEOUT_SECONDS = 60


def server_environment(database: str, static_root: Path) -> dict:
    """This process's environment without its Django/database settings, pointed at the test database
    with each role's own URL (the app role for requests, as in production)."""
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "PYTEST", "MIGRATOR_", "SERVICE_", "READONLY_", "PREVIEW_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
        BROWSER_STATIC_ROOT=str(static_root),
        DATABASE_URL=database_url("default", database),
        MIGRATOR_DATABASE_URL=database_url("migrator", database),
        SERVICE_DATABASE_URL=database_url("service", database),
        PREVIEW_DATABASE_URL=database_url("preview", database),
        TEST_REDIS_URL=settings.REDIS_URL,  # the broker a test's Celery worker listens on
        FAILPOINTS="",  # never a developer shell's
        PYTHONUNBUFFERED="1",
    )
    return env


@dataclass
class AppServer:
    url: str
    log: Path
    process: subprocess.Popen

    def log_tail(self, size: int = 6000) -> str:
        return self.log.read_text(errors="replace")[-size:]

    def log_errors(self, size: int = 8000) -> str:
        """The server's ERROR records (a 500's traceback among them)."""
        lines = [line for line in self.log.read_text(errors="replace").splitlines() if '"level": "ERROR"' in line]
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


def collect_static(env: dict, log: Path) -> None:
    with log.open("ab") as out:
        done = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                              cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode:
        raise RuntimeError(f"collectstatic failed:\n{log.read_text(errors='replace')[-4000:]}")


def start(database: str, workdir: Path, *, workers: int = 2) -> AppServer:
    """Collects static files into `workdir`, starts gunicorn and waits until /api/v1/health/ answers."""
    static_root = workdir / "static"
    env = server_environment(database, static_root)
    log = workdir / "server.log"
    collect_static(env, log)
    port = free_port()
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--timeout", "60", "--graceful-timeout", "5", "--access-logfile", "-"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    server = AppServer(url=f"http://127.0.0.1:{port}", log=log, process=process)
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{server.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer within {READY_TIMEOUT_SECONDS} s:\n{server.log_tail()}")
            try:
                with urllib.request.urlopen(f"{server.url}/api/v1/health/", timeout=2) as response:
                    if response.status == 200:
                        return server
            except (OSError, urllib.error.URLError):  # not listening yet, or a worker still booting
                pass
            time.sleep(0.1)
    except BaseException:
        server.stop()
        raise
