"""A migrated database built once and cloned (CREATE DATABASE … TEMPLATE) for each test database.

Building one the way production does (bootstrap_db's roles and grants, every migration as the
migrator, the test-only §5.3 triggers) takes seconds; cloning the result takes a fraction of one.
The template's name carries a digest of everything its contents come from: the migrations of this
repository and of Django's own apps, the SQL files they load, bootstrap, the triggers, the Django
version and the current month (the audit log's monthly partitions are made from it). A change to any
of them names a new template, built once (under an advisory lock, so two workers or runs never build
it twice at once); this developer's older templates are dropped then. Templates are per test
database base name (TEST_DATABASE_NAME), so other developers' migrations never meet these.

Psycopg only (no Django set-up needed), so tests/schema uses it too."""
from __future__ import annotations

import datetime
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import django
import psycopg
from psycopg import sql

from themeconfig.platform import bootstrap

ROOT = Path(__file__).resolve().parent.parent
APP, SERVICE, MIGRATOR = bootstrap.APP, bootstrap.SERVICE, bootstrap.MIGRATOR
TEMPLATE_INFIX = "_tpl_"


def admin_url() -> str:
    return bootstrap._libpq_url(os.environ.get("ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"))


def _admin(database: str = bootstrap.MAINTENANCE_DATABASE) -> psycopg.Connection:
    return psycopg.connect(bootstrap.with_database(admin_url(), database), autocommit=True)


def _sources() -> list[Path]:
    """Every file the migrated database's contents come from (this repository's side)."""
    patterns = ("*/migrations/*.py", "*/sql/**/*.sql", "themeconfig/platform/bootstrap.py",
                "themeconfig/platform/sqlfiles.py", "themeconfig/platform/ids.py", "themeconfig/test_support.py",
                "config/settings/*.py", "tests/template_db.py")
    found = {path for pattern in patterns for path in ROOT.glob(pattern) if ".venv" not in path.parts}
    return sorted(found)


def digest() -> str:
    h = hashlib.sha256()
    for path in _sources():
        h.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    # Django's own apps' migrations (auth, contenttypes, sessions, admin …) come with its version.
    h.update(django.get_version().encode())
    h.update(datetime.datetime.now(datetime.UTC).strftime("%Y-%m").encode())
    return h.hexdigest()[:12]


def template_base() -> str:
    return os.environ.get("TEST_DATABASE_NAME", "theme_config_test")


def template_name() -> str:
    return f"{template_base()}{TEMPLATE_INFIX}{digest()}"


def _role_url(role: str, database: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(admin_url())
    netloc = f"{role}@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(("postgres", netloc, "/" + database, "", ""))


def _migrate(database: str) -> None:
    """`manage.py migrate` as the migrator, in a subprocess (whatever database this process's Django uses)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DATABASE_URL", "READONLY_", "PREVIEW_"))}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.test", ADMIN_DATABASE_URL=admin_url(),
               DATABASE_URL=_role_url(APP, database), MIGRATOR_DATABASE_URL=_role_url(MIGRATOR, database),
               SERVICE_DATABASE_URL=_role_url(SERVICE, database))
    done = subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    if done.returncode:
        raise RuntimeError(f"manage.py migrate on {database} failed:\n{done.stdout}\n{done.stderr}")


def _exists(conn: psycopg.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def drop_database(name: str) -> None:
    with _admin() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _build(name: str) -> None:
    """The template under a scratch name, renamed once complete (a half-built one is never cloned)."""
    from themeconfig.test_support import install_tenant_consistency_triggers

    scratch = f"{name}_building"
    drop_database(scratch)
    bootstrap.bootstrap(admin_url=admin_url(), database=scratch, statement_timeout="30s")
    _migrate(scratch)
    with _admin(scratch) as conn, conn.cursor() as cursor:
        install_tenant_consistency_triggers(cursor)
    with _admin() as conn:
        conn.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(scratch), sql.Identifier(name)))
        # Older templates of this developer's test databases (other migrations, another month).
        stale = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s",
            [template_base().replace("_", r"\_") + TEMPLATE_INFIX.replace("_", r"\_") + "%", name],
        ).fetchall()
    for (old,) in stale:
        drop_database(old)


def ensure_template() -> str:
    """The name of the migrated template for the current sources, built first if missing."""
    name = template_name()
    with _admin() as conn:
        if _exists(conn, name):
            return name
        # Session-level advisory lock: the other xdist worker (or a run in another shell) waits here.
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", [name])
        try:
            if not _exists(conn, name):
                _build(name)
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", [name])
    return name


def create_migrated_database(name: str, *, statement_timeout: str = "30s") -> None:
    """Fresh database `name`, a clone of the migrated template, with bootstrap's grants on it.

    Database-level grants are not copied by CREATE DATABASE, so bootstrap (idempotent: roles, grants,
    schemas' default privileges) runs on the clone as it would before `migrate`."""
    template = ensure_template()
    drop_database(name)
    for attempt in range(20):
        try:
            with _admin() as conn:
                conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name),
                                                                              sql.Identifier(template)))
            break
        except psycopg.errors.ObjectInUse:
            # "source database … is being accessed by other users": a clone of the other worker's.
            if attempt == 19:
                raise
            time.sleep(0.25)
    for attempt in range(5):
        try:
            bootstrap.bootstrap(admin_url=admin_url(), database=name, statement_timeout=statement_timeout)
            break
        except psycopg.errors.InternalError:
            # Parallel workers altering the same roles at once: "tuple concurrently updated".
            if attempt == 4:
                raise
