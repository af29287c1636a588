"""The app as it is deployed, for the browser: collectstatic, then gunicorn (config.wsgi, WhiteNoise for
static files) on a free loopback port, on the pytest database and the tests' Redis database."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.live_app import Gunicorn, app_environment, start_gunicorn

ROOT = Path(__file__).resolve().parents[3]
SETTINGS_MODULE = "tests.e2e.browser.server_settings"
READY_TIMEOUT_SECONDS = 60


def server_environment(database: str, static_root: Path) -> dict:
    """tests.live_app.app_environment (which gives the server this worker's Redis database, the broker
    a test's Celery worker listens on) with the browser's settings module and static root, never a
    developer shell's FAILPOINTS."""
    return app_environment(database, settings_module=SETTINGS_MODULE, static_root=static_root,
                           FAILPOINTS="", PYTHONUNBUFFERED="1")


AppServer = Gunicorn


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
    return start_gunicorn(env, log, workers=workers, extra_args=("--access-logfile", "-"),
                          ready_timeout=READY_TIMEOUT_SECONDS)
