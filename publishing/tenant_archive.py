"""A tenant's archive: every row of the tenant in every table the catalog names (one JSON document
per row, one file per table), the staff users its memberships and invitations refer to, the bundles
its publications reference, and a manifest (per file: table, count, sha256; the schema version).

Written as a zip into a file, a table at a time from a server-side cursor, so neither the rows nor
the archive are ever held in memory. Read back into a database where the tenant does not exist,
after every file's sha256 and the schema version have been checked.

Both directions run as the request role inside the tenant's context: RLS gives every row of the
tenant (its own `tenants` row too) and nothing of another tenant, so the archive cannot leak one.
"""
from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable, Iterator
from typing import BinaryIO

from django.db import connection, connections, transaction

from publishing.bundles.storage import bundle_keys, bundle_storage
from publishing.errors import PublishingErrorCode
from themeconfig.platform.errors import DomainError
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.platform.tenant_tables import TENANTS_TABLE, exported_tables

FORMAT = 1
APPS = ("themeconfig", "publishing", "ai_workspace")
USERS_FILE = "users.jsonl"
MANIFEST = "manifest.json"
BATCH = 500
# Staff users as the tenant's data needs them; never the password hash nor platform powers.
USER_COLUMNS = ("id", "username", "first_name", "last_name", "email", "is_active", "is_staff", "date_joined")

Progress = Callable[[str], None]


def schema_version(cursor) -> dict[str, str]:
    """The last migration applied of each of the service's apps."""
    cursor.execute("SELECT app, max(name) FROM django_migrations WHERE app = ANY(%s) GROUP BY app", [list(APPS)])
    return dict(sorted(cursor.fetchall()))


def _rows(sql: str, params: list) -> Iterator[str]:
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(BATCH):
            for (row,) in batch:
                yield row


def _write_lines(archive: zipfile.ZipFile, name: str, lines: Iterator[str]) -> tuple[int, str]:
    digest, count = hashlib.sha256(), 0
    with archive.open(name, "w", force_zip64=True) as out:
        for line in lines:
            data = line.encode() + b"\n"
            digest.update(data)
            out.write(data)
            count += 1
    return count, digest.hexdigest()


def _copy_object(archive: zipfile.ZipFile, storage, key: str) -> str | None:
    if not storage.exists(key):
        return None
    digest = hashlib.sha256()
    with storage.open(key, "rb") as stored, archive.open(key, "w", force_zip64=True) as out:
        while chunk := stored.read(1 << 16):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def archive_write(out: BinaryIO, *, tenant_id: str, progress: Progress = lambda message: None) -> dict:
    """Writes the tenant's archive to `out` (a writable binary file); returns its manifest. One
    REPEATABLE READ transaction: every table is read from the same snapshot."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        with tenant_context(tenant_id), connection.cursor() as cursor, \
                zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            cursor.execute("SELECT slug FROM tenant_service.tenants WHERE id = %s", [tenant_id])
            slug = cursor.fetchone()[0]
            manifest: dict = {"format": FORMAT, "tenant": {"id": tenant_id, "slug": slug},
                              "schema_version": schema_version(cursor), "tables": [], "bundles": []}
            tables = exported_tables(cursor)
            for number, table in enumerate(tables, 1):
                name = f"tables/{table.name}.jsonl"
                order = ", ".join(f'"{column}"' for column in table.order_by)
                count, sha256 = _write_lines(archive, name, _rows(
                    f"SELECT row_to_json(t)::text FROM {table.quoted} t WHERE {table.key} = %s ORDER BY {order}",
                    [tenant_id]))
                manifest["tables"].append({"table": table.name, "file": name, "count": count, "sha256": sha256})
                progress(f"[{number}/{len(tables)}] {table.name}: {count} rows")
            columns = ", ".join(USER_COLUMNS)
            count, sha256 = _write_lines(archive, USERS_FILE, _rows(
                f"SELECT row_to_json(u)::text FROM (SELECT {columns} FROM auth_user WHERE id IN ("
                " SELECT user_id FROM theme_config.memberships WHERE tenant_id = %s"
                " UNION SELECT accepted_by_user_id FROM theme_config.invitations WHERE tenant_id = %s)"
                " ORDER BY id) u", [tenant_id, tenant_id]))
            manifest["users"] = {"file": USERS_FILE, "count": count, "sha256": sha256}
            progress(f"staff users: {count}")
            cursor.execute("SELECT DISTINCT theme_id, bundle_sha256 FROM theme_config.theme_publications "
                           "WHERE tenant_id = %s ORDER BY 1, 2", [tenant_id])
            storage = bundle_storage()
            for theme_id, bundle_sha256 in cursor.fetchall():
                for key in bundle_keys(tenant_id, theme_id, bundle_sha256):
                    sha256 = _copy_object(archive, storage, key)
                    if sha256 is not None:
                        manifest["bundles"].append({"file": key, "sha256": sha256})
            progress(f"bundles: {len(manifest['bundles'])} objects")
            archive.writestr(MANIFEST, json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


def _refuse(code: PublishingErrorCode, message: str) -> DomainError:
    return DomainError(code, message, http_status=409)


def archive_manifest(archive: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except (KeyError, ValueError) as exc:
        raise _refuse(PublishingErrorCode.EXPORT_INVALID_ARCHIVE, f"no readable {MANIFEST} in the archive: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise _refuse(PublishingErrorCode.EXPORT_INVALID_ARCHIVE,
                      f"archive format {manifest.get('format')!r}; this release reads format {FORMAT}")
    return manifest


def archive_verify(archive: zipfile.ZipFile, manifest: dict) -> None:
    """Every file the manifest names has the sha256 it says, read before anything is written."""
    files = [*manifest["tables"], manifest["users"], *manifest["bundles"]]
    for entry in files:
        digest = hashlib.sha256()
        try:
            with archive.open(entry["file"]) as stored:
                while chunk := stored.read(1 << 16):
                    digest.update(chunk)
        except KeyError:
            raise _refuse(PublishingErrorCode.EXPORT_CHECKSUM_MISMATCH, f"{entry['file']} is missing from the archive") from None
        if digest.hexdigest() != entry["sha256"]:
            raise _refuse(PublishingErrorCode.EXPORT_CHECKSUM_MISMATCH,
                          f"{entry['file']}: sha256 {digest.hexdigest()} but the manifest says {entry['sha256']}")


def _batches(archive: zipfile.ZipFile, name: str) -> Iterator[str]:
    batch: list[str] = []
    with archive.open(name) as stored:
        for line in stored:
            batch.append(line.decode().rstrip("\n"))
            if len(batch) == BATCH:
                yield "[" + ",".join(batch) + "]"
                batch = []
    if batch:
        yield "[" + ",".join(batch) + "]"


def archive_read(source: str | BinaryIO, *, progress: Progress = lambda message: None) -> dict:
    """Restores the archive's tenant, ids kept, into this database, where it must not exist; returns
    the manifest. Refused before any write on a schema-version or sha256 mismatch."""
    with zipfile.ZipFile(source) as archive:
        manifest = archive_manifest(archive)
        with connection.cursor() as cursor:
            here = schema_version(cursor)
        if manifest["schema_version"] != here:
            raise _refuse(PublishingErrorCode.EXPORT_SCHEMA_MISMATCH,
                          f"the archive was written at schema {manifest['schema_version']}, this database is at "
                          f"{here}: import it with the release that wrote it, or migrate to the same version")
        archive_verify(archive, manifest)
        tenant_id = manifest["tenant"]["id"]
        storage = bundle_storage()
        for entry in manifest["bundles"]:
            if not storage.exists(entry["file"]):
                with archive.open(entry["file"]) as stored:
                    storage.save(entry["file"], stored)
        progress(f"bundles: {len(manifest['bundles'])} objects in storage")
        with transaction.atomic(durable=True), tenant_context(tenant_id), connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM tenant_service.tenants WHERE id = %s", [tenant_id])
            if cursor.fetchone():
                raise _refuse(PublishingErrorCode.EXPORT_TENANT_EXISTS,
                              f"tenant {tenant_id} ({manifest['tenant']['slug']}) exists here already")
            _users_insert(cursor, archive, manifest)
            tables = {table.name: table for table in exported_tables(cursor)}
            unknown = {entry["table"] for entry in manifest["tables"]} - tables.keys()
            if unknown or TENANTS_TABLE not in {entry["table"] for entry in manifest["tables"]}:
                raise _refuse(PublishingErrorCode.EXPORT_INVALID_ARCHIVE,
                              f"the archive names tables this database does not export: {sorted(unknown)}")
            files = {entry["table"]: entry for entry in manifest["tables"]}
            for number, table in enumerate((t for t in tables.values() if t.name in files), 1):
                columns = ", ".join(f'"{column}"' for column in table.columns)
                for rows in _batches(archive, files[table.name]["file"]):
                    cursor.execute(
                        f"INSERT INTO {table.quoted} ({columns}) OVERRIDING SYSTEM VALUE "
                        f"SELECT {columns} FROM jsonb_populate_recordset(NULL::{table.quoted}, %s::jsonb)", [rows])
                progress(f"[{number}/{len(files)}] {table.name}: {files[table.name]['count']} rows")
            taken = _identities_taken(cursor, [table.name for table in tables.values() if table.name in files])
    _sequences_advance(taken)
    return manifest


def _identities_taken(cursor, tables: list[str]) -> dict[tuple[str, str], int]:
    """The highest id now used by each identity column the import wrote (the staff users' too)."""
    cursor.execute(
        "SELECT n.nspname || '.' || c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE a.attidentity <> '' AND a.attnum > 0 "
        "AND (n.nspname || '.' || c.relname = ANY(%s) OR (n.nspname = 'public' AND c.relname = 'auth_user'))",
        [tables])
    taken = {}
    for table, column in cursor.fetchall():
        schema, name = table.split(".")
        cursor.execute(f'SELECT max("{column}") FROM "{schema}"."{name}"')
        highest = cursor.fetchone()[0]
        if highest is not None:
            taken[(table, column)] = highest
    return taken


def _sequences_advance(taken: dict[tuple[str, str], int]) -> None:
    """Ids kept from the archive must never be handed out again here, so each identity's sequence
    moves past them. On the migrator's connection: it owns the sequences, and setval is not DML the
    request role (nor the service role) is granted."""
    with connections["migrator"].cursor() as cursor:
        for (table, column), highest in taken.items():
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
            (sequence,) = cursor.fetchone()
            cursor.execute(f"SELECT setval(%s, GREATEST((SELECT last_value FROM {sequence}), %s))", [sequence, highest])


def _users_insert(cursor, archive: zipfile.ZipFile, manifest: dict) -> None:
    """Staff users are shared between tenants: a user already here with the same id and username is
    kept; one with the same id and another username is a different person, and the import stops."""
    columns = ", ".join(USER_COLUMNS)
    for rows in _batches(archive, manifest["users"]["file"]):
        cursor.execute(
            f"INSERT INTO auth_user ({columns}, password, is_superuser) OVERRIDING SYSTEM VALUE "
            f"SELECT {columns}, '!', false FROM jsonb_populate_recordset(NULL::auth_user, %s::jsonb) "
            "ON CONFLICT (id) DO NOTHING", [rows])
        cursor.execute(
            "SELECT u.id FROM jsonb_populate_recordset(NULL::auth_user, %s::jsonb) a "
            "JOIN auth_user u ON u.id = a.id WHERE u.username <> a.username", [rows])
        clash = [row[0] for row in cursor.fetchall()]
        if clash:
            raise _refuse(PublishingErrorCode.EXPORT_INVALID_ARCHIVE,
                          f"users {clash} exist here under other usernames: import into a database without them")
