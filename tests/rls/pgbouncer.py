"""Starts a real PgBouncer (Debian package) in transaction-pooling mode on a free loopback port."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

from tests.live_app import free_port

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


@dataclass
class PgBouncer:
    host: str
    port: int
    database: str
    pool_size: int
    log_path: Path

    def url(self, user: str = "theme_config_app") -> str:
        return f"postgresql://{user}@{self.host}:{self.port}/{self.database}"

    def console(self, command: str) -> list[dict]:
        """SHOW … on the admin console (simple query protocol only)."""
        with psycopg.connect(
            f"postgresql://theme_config_app@{self.host}:{self.port}/pgbouncer", autocommit=True,
            prepare_threshold=None, cursor_factory=psycopg.ClientCursor,
        ) as conn:
            cursor = conn.execute(command)
            names = [c.name for c in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def start_pgbouncer(*, upstream_database: str, pool_size: int, users: list[str]) -> tuple[PgBouncer, subprocess.Popen]:
    workdir = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    os.chmod(workdir, 0o777)  # pgbouncer drops root for `postgres` and must write its log here
    port = free_port()
    (workdir / "users.txt").write_text("".join(f'"{u}" ""\n' for u in users))
    log_path = workdir / "pgbouncer.log"
    (workdir / "pgbouncer.ini").write_text(
        f"""[databases]
theme = host=127.0.0.1 port=5432 dbname={upstream_database}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {workdir}/users.txt
pool_mode = transaction
default_pool_size = {pool_size}
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 500
max_db_connections = {pool_size}
stats_users = theme_config_app
logfile = {log_path}
ignore_startup_parameters = extra_float_digits,options
"""
    )
    for path in workdir.iterdir():
        os.chmod(path, 0o666)
    command = [PGBOUNCER, str(workdir / "pgbouncer.ini")]
    if os.geteuid() == 0:
        command[1:1] = ["-u", "postgres"]  # pgbouncer refuses to run as root
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"pgbouncer exited: {process.stdout.read().decode(errors='replace')}")  # noqa: B904
            time.sleep(0.05)
    else:
        process.kill()
        raise RuntimeError("pgbouncer did not start listening within 10 s")
    return PgBouncer("127.0.0.1", port, "theme", pool_size, log_path), process


def stop_pgbouncer(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
