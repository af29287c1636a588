"""A private `redis-server` on a free loopback port that a test may kill and start again (never the shared one)."""
from __future__ import annotations

import shutil
import signal
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import redis

from tests.live_app import free_port


class RedisServer:
    """One redis-server process at a time on a fixed port and data directory. With `persistence="aof"`
    (the default) the append-only file is synced on every write, so a SIGKILL loses nothing: a restart
    finds the queues and the broker's `unacked` set as a production Redis with persistence would. With
    `persistence="rdb"` nothing is written until `stop_keeping_a_snapshot()` saves an RDB file, which the
    next `start()` loads (a Redis that comes back holding what it held before the outage)."""

    def __init__(self, directory: Path, port: int | None = None, *, persistence: str = "aof"):
        if persistence not in ("aof", "rdb"):
            raise ValueError(f"persistence is 'aof' or 'rdb', not {persistence!r}")
        self.directory, self.port, self.persistence = directory, port or free_port(), persistence
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self, timeout: float = 10) -> None:
        if not shutil.which("redis-server"):
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        durability = (["--appendonly", "yes", "--appendfsync", "always"] if self.persistence == "aof"
                      else ["--appendonly", "no", "--dbfilename", "dump.rdb"])
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", *durability,
             "--dir", str(self.directory), "--logfile", str(self.directory / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5, socket_timeout=1)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return
            except redis.ConnectionError:  # not listening yet, or still loading its data (BusyLoadingError)
                if self.process.poll() is not None:
                    raise RuntimeError(f"redis-server on {self.port} exited with {self.process.returncode}") from None
                time.sleep(0.05)
        raise RuntimeError(f"redis-server on {self.port} did not answer within {timeout} s")

    def stop_keeping_a_snapshot(self) -> None:
        """Writes what it holds to the RDB file (SAVE), then dies without another write."""
        redis.Redis.from_url(self.url()).save()
        self.kill()

    @contextmanager
    def paused(self):
        """SIGSTOP for the block, then SIGCONT: hung, its connections open and its data in memory."""
        self.process.send_signal(signal.SIGSTOP)
        try:
            yield
        finally:
            self.process.send_signal(signal.SIGCONT)

    def kill(self) -> None:
        """SIGKILL, as a crashed or OOM-killed Redis goes: every client connection is cut at once."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # harmless unless paused
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)


@contextmanager
def redis_server(*, persistence: str = "aof"):
    """A started private Redis; killed and its data directory removed afterwards."""
    directory = Path(tempfile.mkdtemp(prefix="redis-drill-"))
    server = RedisServer(directory, persistence=persistence)
    try:
        server.start()
        yield server
    finally:
        server.kill()
        shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def broker_at(url: str):
    """Points this process's Celery app (what the API enqueues through) at `url`, and back afterwards."""
    from config.celery import app

    names = ("broker_url", "broker_read_url", "broker_write_url", "result_backend")
    saved = {name: app.conf[name] for name in names}
    app.conf.update({name: url for name in names})
    app._pool = app.amqp._producer_pool = None  # both cache connections to the previous broker
    try:
        yield
    finally:
        app.conf.update(saved)
        app._pool = app.amqp._producer_pool = None


def queued_tasks(server: RedisServer, queue: str) -> list[tuple[str, str]]:
    """(task name, kwargs repr) of each message waiting on `queue`, oldest first."""
    import json

    messages = redis.Redis.from_url(server.url()).lrange(queue, 0, -1)
    return [(m["headers"]["task"], m["headers"]["kwargsrepr"]) for m in map(json.loads, reversed(messages))]
