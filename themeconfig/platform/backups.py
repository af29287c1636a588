"""Backups of the service's database and the drill that proves one restores (`manage.py backup`,
`manage.py restore_check`).

A backup is a pg_dump custom-format archive of the service's schemas (theme_config, tenant_service
and public, where Django keeps its own tables) with a manifest beside it (`<file>.manifest.json`):
the migrations applied, every table's row count, the policies, grants and RLS flags, the roles the
service needs (attributes and memberships; bootstrap_db recreates them) and the archive's sha256.
The counts come from the very snapshot pg_dump reads (pg_export_snapshot), so they match the archive.

The drill restores an archive into a scratch database on the same cluster (roles created by
bootstrap_db's code first), takes the same inventory there, compares it with the manifest, runs the
RLS audit of check_rls on it, and drops the scratch database.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.utils import timezone
from psycopg import sql

from themeconfig.platform import bootstrap
from themeconfig.platform.rls_audit import audit

SCHEMAS = ("theme_config", "tenant_service", "public")
ROLE_PATTERN = "theme_config%"
FORMAT = 1
CHECKED = ("migrations", "tables", "policies", "rls", "grants", "owners")


class BackupError(RuntimeError):
    """One line for the operator (a missing binary, a bad archive)."""


def tool(name: str) -> str:
    """The path of pg_dump/pg_restore, or a one-line hint when it is missing."""
    directory = os.environ.get("PG_BIN_DIR", "")
    found = shutil.which(name, path=directory or None)
    if not found:
        raise BackupError(
            f"{name} not found{f' in PG_BIN_DIR={directory}' if directory else ' on PATH'}: install the PostgreSQL "
            f"client tools of the server's major version (Debian: apt-get install postgresql-client-15) or set PG_BIN_DIR"
        )
    return found


def source_url() -> str:
    """BACKUP_DATABASE_URL, else the superuser URL on the service's database (pg_dump must read past RLS)."""
    return settings.BACKUP_DATABASE_URL or bootstrap.with_database(
        settings.ADMIN_DATABASE_URL, settings.DATABASES["default"]["NAME"])


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_path(archive: Path) -> Path:
    return archive.with_name(archive.name + ".manifest.json")


def inventory(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    """What a restore must reproduce, read as a superuser: migrations, row counts, policies, grants, RLS."""
    schemas = list(SCHEMAS)
    tables = conn.execute(
        "SELECT format('%%I.%%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(%s) ORDER BY 1", [schemas]).fetchall()
    counts = {}
    for (table,) in tables:
        counts[table] = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.SQL(table))).fetchone()[0]  # type: ignore[index]  # count(*): one row
    migrations = [f"{app}.{name}" for app, name in conn.execute(
        "SELECT app, name FROM public.django_migrations ORDER BY app, name").fetchall()]
    policies = [list(row) for row in conn.execute(
        "SELECT schemaname || '.' || tablename, policyname, permissive, roles::text[], cmd, coalesce(qual, ''),"
        " coalesce(with_check, '') FROM pg_policies WHERE schemaname = ANY(%s) ORDER BY 1, 2", [schemas]).fetchall()]
    rls = {table: [enabled, forced] for table, enabled, forced in conn.execute(
        "SELECT format('%%I.%%I', n.nspname, c.relname), c.relrowsecurity, c.relforcerowsecurity FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(%s)"
        " ORDER BY 1", [schemas]).fetchall()}
    grants = [list(row) for row in conn.execute(
        """
        SELECT kind, object, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, a.privilege_type
          FROM (SELECT 'table' AS kind, format('%%I.%%I', n.nspname, c.relname) AS object, c.relacl AS acl, c.relowner AS owner
                  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND n.nspname = ANY(%s)
                UNION ALL
                SELECT 'function', p.oid::regprocedure::text, p.proacl, p.proowner
                  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ANY(%s)
                UNION ALL
                SELECT 'schema', n.nspname, n.nspacl, n.nspowner FROM pg_namespace n WHERE n.nspname = ANY(%s)) o,
               aclexplode(coalesce(o.acl, acldefault(CASE o.kind WHEN 'table' THEN 'r' WHEN 'function' THEN 'f'
                                                              ELSE 'n' END::"char", o.owner))) a
         ORDER BY 1, 2, 3, 4
        """, [schemas, schemas, schemas]).fetchall()]
    owners = {table: owner for table, owner in conn.execute(
        "SELECT format('%%I.%%I', n.nspname, c.relname), pg_get_userbyid(c.relowner) FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'v', 'm')"
        " AND n.nspname = ANY(%s) ORDER BY 1", [schemas]).fetchall()}
    return {"migrations": migrations, "tables": counts, "policies": policies, "rls": rls, "grants": grants,
            "owners": owners}


def roles(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    """The service's roles as the cluster has them (no passwords): bootstrap_db recreates them."""
    return {name: {"superuser": superuser, "bypassrls": bypass, "login": login, "member_of": sorted(member_of or [])}
            for name, superuser, bypass, login, member_of in conn.execute(
                "SELECT r.rolname, r.rolsuper, r.rolbypassrls, r.rolcanlogin, ARRAY(SELECT g.rolname FROM pg_auth_members m"
                " JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid) FROM pg_roles r WHERE r.rolname LIKE %s"
                " ORDER BY 1", [ROLE_PATTERN]).fetchall()}


def backup(*, output: Path, url: str | None = None, log: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """Writes the archive and its manifest; returns the manifest."""
    pg_dump = tool("pg_dump")
    url = url or source_url()
    output.parent.mkdir(parents=True, exist_ok=True)
    with psycopg.connect(url) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]  # one row
        command = [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={output}",
                   *[f"--schema={schema}" for schema in SCHEMAS], f"--dbname={url}"]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
        found = inventory(conn)
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database": conn.info.dbname,
            "server_version": conn.info.server_version,
            "schemas": list(SCHEMAS),
            "archive": output.name,
            "size": output.stat().st_size,
            "sha256": sha256_of(output),
            "roles": roles(conn),
            **found,
        }
    manifest_path(output).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    log(f"wrote {output} ({manifest['size']} bytes, sha256 {manifest['sha256']})")
    log(f"wrote {manifest_path(output)}: {len(found['tables'])} tables, {sum(found['tables'].values())} rows, "
        f"{len(found['policies'])} policies, {len(found['migrations'])} migrations")
    return manifest


@dataclass
class DrillReport:
    scratch: str
    tables: int = 0
    rows: int = 0
    problems: list[str] = field(default_factory=list)


def _differences(what: str, expected: Any, found: Any) -> list[str]:
    if isinstance(expected, dict):
        problems = [f"{what} {key}: {expected[key]!r} in the backup, {found.get(key, 'missing')!r} restored"
                    for key in sorted(expected) if found.get(key) != expected[key]]
        return problems + [f"{what} {key}: restored but not in the backup" for key in sorted(found.keys() - expected.keys())]
    expected_set, found_set = {json.dumps(item) for item in expected}, {json.dumps(item) for item in found}
    return ([f"{what} missing after restore: {item}" for item in sorted(expected_set - found_set)]
            + [f"{what} not in the backup: {item}" for item in sorted(found_set - expected_set)])


def _restore(pg_restore: str, archive: Path, url: str) -> subprocess.CompletedProcess[str]:
    """pg_restore without the materialized views' data: pg_dump refreshes them as their owner with
    row_security off, which FORCE RLS on the tables they read refuses; _refresh_read_models does it."""
    listing = subprocess.run([pg_restore, "--list", str(archive)], capture_output=True, text=True)
    if listing.returncode:
        return listing
    entries = archive.with_name(archive.name + ".restore-list")
    skipped = (" MATERIALIZED VIEW DATA ", " SCHEMA - public ")  # `public` exists in every new database
    entries.write_text("\n".join(line for line in listing.stdout.splitlines() if not any(s in line for s in skipped)))
    try:
        return subprocess.run([pg_restore, "--exit-on-error", "--single-transaction", f"--use-list={entries}",
                               f"--dbname={url}", str(archive)], capture_output=True, text=True)
    finally:
        entries.unlink(missing_ok=True)


def _refresh_read_models(conn: psycopg.Connection) -> None:
    """Fills the restored materialized views the way theme_config.refresh_read_models() reads (the
    read-model gate on, no tenant), but not CONCURRENTLY: a view restored without data is unpopulated."""
    conn.execute("SELECT set_config('app.tenant_id', '', true), set_config('theme_config.read_model_refresh', 'on', true)")
    for (view,) in conn.execute("SELECT format('%%I.%%I', schemaname, matviewname) FROM pg_matviews"
                                " WHERE schemaname = ANY(%s) ORDER BY 1", [list(SCHEMAS)]).fetchall():
        conn.execute(sql.SQL("REFRESH MATERIALIZED VIEW {}").format(sql.SQL(view)))


def restore_check(*, archive: Path, keep: bool = False, log: Callable[[str], None] = lambda _: None) -> DrillReport:
    """Restores `archive` into a scratch database and compares it with its manifest (see module doc)."""
    pg_restore = tool("pg_restore")
    if not archive.is_file():
        raise BackupError(f"no archive at {archive}")
    if not manifest_path(archive).is_file():
        raise BackupError(f"no manifest at {manifest_path(archive)}")
    manifest = json.loads(manifest_path(archive).read_text(encoding="utf-8"))
    report = DrillReport(scratch=f"{manifest['database']}_restore_check_{os.getpid()}"[:63])
    if sha256_of(archive) != manifest["sha256"]:
        report.problems.append(f"sha256 of {archive.name} is not the manifest's {manifest['sha256']}")
        return report
    admin_url = settings.ADMIN_DATABASE_URL
    for attempt in range(5):  # roles, the database and its grants
        try:
            bootstrap.bootstrap(admin_url=admin_url, database=report.scratch)
            break
        except psycopg.errors.InternalError:  # "tuple concurrently updated": another bootstrap at once
            if attempt == 4:
                raise
    scratch_url = bootstrap.with_database(admin_url, report.scratch)
    try:
        with psycopg.connect(scratch_url, autocommit=True) as conn:
            # pg_restore recreates these with their owners, grants and default privileges; `public` stays as
            # a new database has it (the archive holds its ACL as changes to that: see _restore).
            for schema in SCHEMAS[:2]:
                conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        done = _restore(pg_restore, archive, scratch_url)
        if done.returncode:
            report.problems.append(f"pg_restore failed: {done.stderr.strip()}")
            return report
        with psycopg.connect(scratch_url) as conn:
            _refresh_read_models(conn)
        log(f"restored {archive.name} into {report.scratch}")
        with psycopg.connect(scratch_url, autocommit=True) as conn:
            found = inventory(conn)
            for what, expected, restored in (*[(what, manifest[what], found[what]) for what in CHECKED],
                                             ("roles", manifest["roles"], roles(conn))):
                problems = _differences(what, expected, restored)
                report.problems += problems
                log(f"{what}: {len(expected)} in the backup, {len(problems) or 'no'} difference(s)")
            rls = audit(conn, request_roles={"theme_config_app"})
            report.problems += [f"check_rls: {problem}" for problem in rls.problems]
            log(f"check_rls: {len(rls.tables_ok)} tenant table(s) in force, {len(rls.problems)} problem(s)")
        report.tables, report.rows = len(found["tables"]), sum(found["tables"].values())
        return report
    finally:
        if not keep:
            with psycopg.connect(bootstrap.maintenance_url(admin_url, report.scratch), autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(report.scratch)))
