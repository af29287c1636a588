"""Key rotation: every value the key ring encrypts re-encrypted with the newest key of FIELD_ENCRYPTION_KEYS.

Runs on the service connection (cross-tenant, BYPASSRLS), one short transaction per batch, so it
never holds long locks; a value already under the newest key is left alone, so a second run (or a
run resumed after a crash) rewrites nothing. Clear values without their look-up hash (written by the
release before the encryption migration during a rolling deploy) are encrypted on the way.
"""
from __future__ import annotations

from collections.abc import Callable

from django.db import connections

from themeconfig.platform.encrypted_columns import ENCRYPTED_COLUMNS, passes, rewrite_batch
from themeconfig.platform.service_db import service_context

DEFAULT_BATCH = 500


def encryption_keys_rotate(*, batch: int = DEFAULT_BATCH,
                           progress: Callable[[str, int, int], None] | None = None) -> dict[str, int]:
    """Re-encrypts with the newest key; returns the values rewritten per column. `progress(column,
    seen, rewritten)` is called after each batch. EncryptionKeyError if a value opens with no key."""
    if batch < 1:
        raise ValueError("the batch size must be at least 1")
    rewritten: dict[str, int] = {}
    for column in ENCRYPTED_COLUMNS:
        seen = total = 0
        for where, writes, transform in passes(column):
            after = ""
            while True:
                with service_context() as alias, connections[alias].cursor() as cursor:
                    last, batch_seen, batch_rewritten = rewrite_batch(
                        cursor, table=column.table, key=column.key, read=column.column, writes=writes,
                        transform=transform, after=after, batch=batch, where=where)
                if last is None:
                    break
                after = last
                seen, total = seen + batch_seen, total + batch_rewritten
                if progress:
                    progress(column.label, seen, total)
        rewritten[column.label] = total
    return rewritten
