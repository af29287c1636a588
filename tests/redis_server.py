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
    """One redis-server process at a time on a fixed port and data directory. The append-only file is
    synced on every write, so a SIGKILL loses nothing: a restart finds the queues and the broker's
    `unacked` set as a production Redis with persistence would."""

    def __init__(self, directory: Path, port: int | None = None):
        self.directory, self.port = directory, port or free_port()
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self, timeout: float = 10) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
             "--appendfsync", "always", "--dir", str(self.directory), "--logfile", str(self.directory / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server on {self.port} did not answer within {timeout} s")

    def kill(self) -> None:
        """SIGKILL, as a crashed or OOM-killed Redis goes: every client connection is cut at once."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)


@contextmanager
def redis_server():
    """A started private Redis; killed and its data directory removed afterwards."""
    directory = Path(tempfile.mkdtemp(prefix="redis-drill-"))
    server = RedisServer(directory)
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
