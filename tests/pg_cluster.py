"""A PostgreSQL 15 cluster of a test's own, on a free loopback port, that the test may stop and start
(the shared server must never be touched). initdb and pg_ctl run as the `postgres` system user when
we are root (PostgreSQL refuses to run as root)."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.live_app import free_port

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
SYSTEM_USER = "postgres"


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", SYSTEM_USER, "--", *command] if os.geteuid() == 0 else command


@dataclass
class OwnPostgres:
    root: Path
    port: int
    settings: str = ""  # more `-c name=value` for the server

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "postgres.log"

    def url(self, user: str = "postgres", database: str = "postgres") -> str:
        return f"postgres://{user}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off -c full_page_writes=off"
        options += f" {self.settings}" if self.settings else ""
        self._pg_ctl("start", "-w", "-t", "30", "-l", str(self.log), "-o", options)

    def stop(self) -> None:
        """A fast shutdown: open sessions are terminated (what clients see in an outage)."""
        self._pg_ctl("stop", "-w", "-t", "30", "-m", "fast")

    def running(self) -> bool:
        return subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "status", "-D", str(self.data)]),
                              capture_output=True).returncode == 0

    def log_tail(self, size: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-size:] if self.log.exists() else ""

    def _pg_ctl(self, *args: str) -> None:
        done = subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), *args]),
                              capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"pg_ctl {args[0]} failed: {done.stdout}{done.stderr}\n{self.log_tail()}")


@contextmanager
def _own_cluster(prefix: str, settings: str, make: list[str], what: str) -> Iterator[OwnPostgres]:
    """A cluster in a fresh directory, made by `make` (ending with the data directory's path,
    appended here) run as `postgres`, started; stopped and removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() == 0:
        shutil.chown(root, SYSTEM_USER, SYSTEM_USER)
    cluster = OwnPostgres(root=root, port=free_port(), settings=settings)
    try:
        done = subprocess.run(_as_postgres([*make, str(cluster.data)]), capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"{what} failed: {done.stdout}{done.stderr}")
        cluster.start()
        yield cluster
    finally:
        if cluster.running():
            cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def own_postgres(*, settings: str = "") -> Iterator[OwnPostgres]:
    """initdb (trust, superuser `postgres`) into a fresh directory, started; stopped and removed afterwards.
    initdb's trust rules admit replication connections from loopback too (`streaming_replica`)."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL 15 server binaries not found in {PG_BIN}")
    with _own_cluster("own-postgres-", settings, [str(PG_BIN / "initdb"), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                                                  "--no-sync", "--no-instructions", "-D"], "initdb") as cluster:
        yield cluster


@contextmanager
def streaming_replica(primary: OwnPostgres) -> Iterator[OwnPostgres]:
    """A hot standby of `primary` (which must run with full_page_writes=on): `pg_basebackup -R` into a
    fresh directory, started on a free port, streaming from the primary; stopped and removed afterwards."""
    with _own_cluster("own-postgres-replica-", "", [
        str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
        "-R", "-X", "stream", "-c", "fast", "--no-sync", "-D",
    ], "pg_basebackup") as replica:
        yield replica
