"""Runs a real Celery worker process against the test database and the test Redis database."""
from __future__ import annotations

import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
_names = itertools.count(1)


def worker_environment(database: str) -> dict:
    # No PYTEST_* variables: the worker takes TEST_REDIS_URL as given (config/settings/test.py).
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    db = settings.DATABASES
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        TEST_REDIS_URL=settings.REDIS_URL,
        DATABASE_URL=f"postgres://{db['default']['USER']}@{db['default']['HOST']}:{db['default']['PORT']}/{database}",
        MIGRATOR_DATABASE_URL=f"postgres://{db['migrator']['USER']}@{db['migrator']['HOST']}:{db['migrator']['PORT']}/{database}",
        SERVICE_DATABASE_URL=f"postgres://{db['service']['USER']}@{db['service']['HOST']}:{db['service']['PORT']}/{database}",
        FAILPOINTS="",  # never a developer shell's: a test that wants one passes it
    )
    return env


@dataclass
class RunningWorker:
    """A started worker: its main process, its node name and where its output goes."""

    process: subprocess.Popen
    nodename: str
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def pool_children(self) -> list[int]:
        """PIDs of the prefork pool's processes (the ones that run tasks); none with the solo pool."""
        children = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                # pid (comm) state ppid …; comm may hold spaces and parentheses, so split after the last ')'.
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.pid:
                    children.append(int(entry.name))
        return sorted(children)

    def kill(self, pid: int | None = None) -> None:
        """SIGKILL the main process (or one of its pool's children), as the OOM killer would."""
        os.kill(pid or self.pid, signal.SIGKILL)
        if pid in (None, self.pid):
            self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    @contextmanager
    def paused(self):
        """The worker stops taking tasks from its queue for the block (a test that must see a job wait,
        queued, while a package-wide worker runs); what the block left queued is purged afterwards, so
        the worker never runs it on another test's data."""
        from config.celery import app

        queue = settings.CELERY_TASK_DEFAULT_QUEUE
        if not app.control.cancel_consumer(queue, destination=[self.nodename], reply=True, timeout=5):
            raise RuntimeError(f"{self.nodename} did not confirm it stopped consuming {queue}: {self.log()}")
        try:
            yield self
        finally:
            app.control.purge()
            app.control.add_consumer(queue, destination=[self.nodename], reply=True, timeout=5)


@contextmanager
def celery_worker(database: str, *, name: str = "test-worker", pool: str = "solo", concurrency: int = 1,
                  env: dict | None = None, ready_timeout: float = 30, queues: tuple[str, ...] | None = None):
    """A `celery worker` subprocess; waits until it answers a ping, stops it afterwards.

    `env` adds environment variables (e.g. FAILPOINTS); `pool="prefork"` with a `concurrency` runs
    tasks in child processes as production does. Output goes to a log file (a pipe nobody reads
    would fill up and block the worker). `queues` are the queues it consumes: by default every one
    the settings route to (the default queue and the views' refresh queue), as one worker that does
    everything; production runs a worker per queue (scripts/run.sh)."""
    from config.celery import app

    consumed = queues or (settings.CELERY_TASK_DEFAULT_QUEUE, settings.VIEWS_REFRESH_QUEUE)

    nodename = f"{name}-{os.getpid()}-{next(_names)}@{socket.gethostname()}"
    log_fd, log_name = tempfile.mkstemp(prefix="celery-worker-", suffix=".log")
    log_path = Path(log_name)
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", pool, "--concurrency", str(concurrency),
         "--without-gossip", "--without-mingle", "--loglevel", "INFO", "-n", nodename, "-Q", ",".join(consumed)],
        cwd=ROOT, env={**worker_environment(database), "LOG_LEVEL": "INFO", **(env or {})}, stdout=log_fd,
        stderr=subprocess.STDOUT,
    )
    os.close(log_fd)
    worker = RunningWorker(process=process, nodename=nodename, log_path=log_path)
    children: list[int] = []
    try:
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"celery worker exited: {worker.log()}")
            # A solo worker busy with a task (one held at a failpoint) answers no ping: its log says it is up.
            if app.control.ping(destination=[nodename], timeout=0.5) or f"{nodename} ready." in worker.log():
                break
        else:
            raise RuntimeError(f"celery worker did not answer a ping within {ready_timeout} s: {worker.log()}")
        yield worker
    finally:
        if process.poll() is None:
            children = worker.pool_children()
            _stop(process)
        for child in children:  # a pool child the shutdown left behind, if it still is ours
            try:
                if nodename.encode() in Path(f"/proc/{child}/cmdline").read_bytes():
                    os.kill(child, signal.SIGKILL)
            except (FileNotFoundError, ProcessLookupError):
                pass
        log_path.unlink(missing_ok=True)


def _stop(process: subprocess.Popen) -> None:
    """TERM, then KILL if it has not gone within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def celery_beat(database: str, *, env: dict | None = None):
    """A `celery beat` subprocess with its schedule file in a temporary directory; stopped afterwards.
    Yields the path of its log."""
    directory = Path(tempfile.mkdtemp(prefix="celery-beat-"))
    log_path = directory / "beat.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO",
             "--schedule", str(directory / "schedule")],
            cwd=ROOT, env={**worker_environment(database), "LOG_LEVEL": "INFO", **(env or {})}, stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield log_path
    finally:
        _stop(process)
        shutil.rmtree(directory, ignore_errors=True)
