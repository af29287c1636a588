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
    options: str = ""  # more server settings, e.g. "-c shared_preload_libraries=pg_stat_statements"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "postgres.log"

    def url(self, user: str = "postgres", database: str = "postgres") -> str:
        return f"postgres://{user}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off -c full_page_writes=off "
                   f"{self.options}")
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
def own_postgres(options: str = "") -> Iterator[OwnPostgres]:
    """initdb (trust, superuser `postgres`) into a fresh directory, started (with `options`, server
    settings as `-c name=value`); stopped and removed afterwards."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL 15 server binaries not found in {PG_BIN}")
    root = Path(tempfile.mkdtemp(prefix="own-postgres-"))
    if os.geteuid() == 0:
        shutil.chown(root, SYSTEM_USER, SYSTEM_USER)
    cluster = OwnPostgres(root=root, port=free_port(), options=options)
    try:
        done = subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(cluster.data), "-U", "postgres",
                                            "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"]),
                              capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"initdb failed: {done.stdout}{done.stderr}")
        cluster.start()
        yield cluster
    finally:
        if cluster.running():
            cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
