"""Runs a real Celery worker process against the test database and the test Redis database."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def worker_environment(database: str) -> dict:
    env = dict(os.environ)
    db = settings.DATABASES
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        TEST_REDIS_URL=settings.REDIS_URL,
        DATABASE_URL=f"postgres://{db['default']['USER']}@{db['default']['HOST']}:{db['default']['PORT']}/{database}",
        MIGRATOR_DATABASE_URL=f"postgres://{db['migrator']['USER']}@{db['migrator']['HOST']}:{db['migrator']['PORT']}/{database}",
        SERVICE_DATABASE_URL=f"postgres://{db['service']['USER']}@{db['service']['HOST']}:{db['service']['PORT']}/{database}",
    )
    return env


@contextmanager
def celery_worker(database: str, *, name: str = "test-worker"):
    """A `celery worker` subprocess; waits until it answers a ping, stops it afterwards."""
    from config.celery import app

    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--concurrency", "1",
         "--without-gossip", "--without-mingle", "--loglevel", "WARNING", "-n", f"{name}-{os.getpid()}@%h"],
        cwd=ROOT, env=worker_environment(database), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"celery worker exited: {process.stdout.read().decode(errors='replace')}")
            if app.control.ping(timeout=0.5):
                break
        else:
            raise RuntimeError("celery worker did not answer a ping within 30 s")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
