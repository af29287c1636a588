"""The tables that hold a tenant's rows, read from the catalog (every table with a `tenant_id` column
in the service's schemas, plus the tenant's own row), so that export, import and erasure follow
tables added later without a list to keep up to date. A table is left out of the archive only with
a reason in EXPORT_EXCLUDED; tests fail when a tenant table is in neither."""
from __future__ import annotations

from dataclasses import dataclass

from django.db.backends.utils import CursorWrapper

SCHEMAS = ("theme_config", "tenant_service")
TENANTS_TABLE = "tenant_service.tenants"

# Tables with tenant rows the archive leaves out, and why. Erasure deletes their rows all the same.
EXPORT_EXCLUDED: dict[str, str] = {
    "theme_config.outbox": "events of this installation's delivery queue: imported, they would be delivered again",
    "theme_config.webhook_deliveries": "attempts to deliver this installation's outbox events (left out with them)",
    "theme_config.consumed_events": "which events this installation has consumed: meaningless in another database",
    "theme_config.idempotency_keys": "stored answers to retried POSTs, kept 24 hours for the callers of this installation",
    "theme_config.host_resolution": "a read model: the triggers on themes and tenant_hosts rebuild it as they are imported",
    "theme_config.bundle_purges": "storage keys waiting for retention to remove them from this installation's storage",
    "theme_config.tenant_export_jobs": "the export jobs themselves: an archive does not carry the job that made it",
}


@dataclass(frozen=True)
class TenantTable:
    name: str  # schema.table
    key: str  # the column holding the tenant's id (`id` for the tenants table)
    columns: tuple[str, ...]  # insertable columns (generated ones left out), in table order
    order_by: tuple[str, ...]  # the primary key's columns, for a stable order of rows

    @property
    def quoted(self) -> str:
        schema, table = self.name.split(".")
        return f'"{schema}"."{table}"'


_TABLES_SQL = """
SELECT n.nspname || '.' || c.relname,
       CASE WHEN n.nspname || '.' || c.relname = %s THEN 'id' ELSE 'tenant_id' END,
       (SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''),
       COALESCE((SELECT array_agg(a.attname::text ORDER BY k.ord)
                   FROM pg_constraint p CROSS JOIN LATERAL unnest(p.conkey) WITH ORDINALITY AS k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                  WHERE p.conrelid = c.oid AND p.contype = 'p'), ARRAY[]::text[])
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'p') AND NOT c.relispartition
   AND (n.nspname || '.' || c.relname = %s
        OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id'
                   AND NOT a.attisdropped))
"""

# Foreign keys checked at once (not deferrable) between the service's tables: a referenced table's
# rows are inserted first. The deferrable ones (themes ↔ publications) are checked at the commit.
_FKS_SQL = """
SELECT cn.nspname || '.' || c.relname, fn.nspname || '.' || f.relname
  FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace cn ON cn.oid = c.relnamespace
  JOIN pg_class f ON f.oid = k.confrelid JOIN pg_namespace fn ON fn.oid = f.relnamespace
 WHERE k.contype = 'f' AND NOT k.condeferrable AND k.conrelid <> k.confrelid
   AND cn.nspname = ANY(%s) AND fn.nspname = ANY(%s)
"""


def tenant_tables(cursor: CursorWrapper) -> list[TenantTable]:
    """Every table holding tenant rows, referenced tables before the tables referring to them."""
    cursor.execute(_TABLES_SQL, [TENANTS_TABLE, list(SCHEMAS), TENANTS_TABLE])
    tables = {name: TenantTable(name, key, tuple(columns), tuple(pk) or tuple(columns))
              for name, key, columns, pk in cursor.fetchall()}
    cursor.execute(_FKS_SQL, [list(SCHEMAS), list(SCHEMAS)])
    depends: dict[str, set[str]] = {name: set() for name in tables}
    for child, parent in cursor.fetchall():
        if child in tables and parent in tables:
            depends[child].add(parent)
    ordered: list[TenantTable] = []
    placed: set[str] = set()
    while len(ordered) < len(tables):
        ready = sorted(name for name in tables if name not in placed and depends[name] <= placed)
        if not ready:
            raise RuntimeError(f"foreign keys in a cycle between {sorted(set(tables) - placed)}: make one deferrable")
        ordered.extend(tables[name] for name in ready)
        placed.update(ready)
    return ordered


def exported_tables(cursor: CursorWrapper) -> list[TenantTable]:
    return [table for table in tenant_tables(cursor) if table.name not in EXPORT_EXCLUDED]


def table_checksum(cursor: CursorWrapper, table: TenantTable, tenant_id: str) -> tuple[int, str]:
    """(row count, md5 over the rows' text in a stable order) of the tenant's rows of `table`."""
    cursor.execute(
        f"SELECT count(*), md5(COALESCE(string_agg(t::text, E'\\n' ORDER BY t::text), '')) "
        f"FROM {table.quoted} t WHERE {table.key} = %s", [tenant_id])
    count, digest = cursor.fetchone()
    return count, digest
