"""Every column the key ring encrypts, and the batched walk that rewrites them (key rotation, migrations).

A new encrypted column is added to ENCRYPTED_COLUMNS, so `rotate_encryption_keys` re-encrypts it
and the at-rest test (tests/rls/test_secrets_at_rest.py) looks for its clear values.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper

from themeconfig.platform import encryption


@dataclass(frozen=True)
class EncryptedColumn:
    table: str  # schema-qualified
    key: str  # a unique text key, the order of the walk
    column: str  # the Fernet token
    hash_column: str | None = None  # HMAC of the clear value (encryption.lookup_hash), for equality look-ups

    @property
    def label(self) -> str:
        return f"{self.table}.{self.column}"


# Tables of publishing are named here, not imported: the key ring is plumbing both apps share.
ENCRYPTED_COLUMNS: tuple[EncryptedColumn, ...] = (
    EncryptedColumn("theme_config.invitations", "id", "email", "email_hash"),
    EncryptedColumn("theme_config.webhook_subscriptions", "id", "secret_encrypted"),
)

# A transform gets the stored value and returns the new values of `writes` (in order), or None to
# leave the row as it is.
Transform = Callable[[str], tuple[str, ...] | None]


def rewrite_batch(cursor: CursorWrapper, *, table: str, key: str, read: str, writes: list[str], transform: Transform,
                  after: str, batch: int, where: str = "TRUE") -> tuple[str | None, int, int]:
    """One batch of a walk over `table` in `key` order, from just after `after`: returns the last key
    seen (None when the table is done), the rows seen and the rows rewritten."""
    cursor.execute(
        f"SELECT {key}, {read} FROM {table} WHERE {key} > %s AND {read} IS NOT NULL AND ({where}) "
        f"ORDER BY {key} LIMIT %s FOR UPDATE",
        [after, batch],
    )
    rows = cursor.fetchall()
    if not rows:
        return None, 0, 0
    changes = []
    for row_key, stored in rows:
        new = transform(stored)
        if new is not None:
            changes.append([*new, row_key])
    if changes:  # one statement per batch: a round trip per row would cost most of the time
        names = [f"c{n}" for n in range(len(writes))]
        assignments = ", ".join(f"{column} = v.{name}::text" for column, name in zip(writes, names, strict=True))
        row = "(" + ", ".join(["%s"] * (len(writes) + 1)) + ")"
        cursor.execute(
            f"UPDATE {table} AS t SET {assignments} FROM (VALUES {', '.join([row] * len(changes))}) "
            f"AS v({', '.join(names)}, k) WHERE t.{key} = v.k",
            [value for change in changes for value in change])
    return rows[-1][0], len(rows), len(changes)


def rewrite_table_as_owner(connection: BaseDatabaseWrapper, *, table: str, read: str, writes: list[str], transform: Transform,
                           where: str = "TRUE") -> None:
    """For data migrations (run by the migrator, the owner, whom FORCE ROW LEVEL SECURITY binds): every
    row of every tenant, in the migration's transaction, FORCE lifted for that transaction only."""
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        after: str | None = ""
        while after is not None:
            after, _, _ = rewrite_batch(cursor, table=table, key="id", read=read, writes=writes,
                                        transform=transform, after=after, batch=1000, where=where)
        cursor.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")


def passes(column: EncryptedColumn) -> list[tuple[str, list[str], Transform]]:
    """The walks `rotate_encryption_keys` makes over one column: (row filter, columns written, transform).

    A column with a look-up hash first gets its rows without a hash encrypted: clear values that the
    release before the encryption migration wrote while that migration was being rolled out.
    """
    writes, transform = rotated(column)
    if column.hash_column is None:
        return [("TRUE", writes, transform)]
    return [(f"{column.hash_column} IS NULL", writes,
             lambda clear: (encryption.encrypt(clear), encryption.lookup_hash(clear))),
            (f"{column.hash_column} IS NOT NULL", writes, transform)]


def rotated(column: EncryptedColumn) -> tuple[list[str], Transform]:
    """The columns written and the transform that re-encrypts one stored value with the newest key."""

    def transform(stored: str) -> tuple[str, ...] | None:
        if encryption.is_current(stored):
            return None
        token = encryption.rotate(stored)
        if column.hash_column is None:
            return (token,)
        return token, encryption.lookup_hash(encryption.decrypt(token))

    return [column.column] + ([column.hash_column] if column.hash_column else []), transform
