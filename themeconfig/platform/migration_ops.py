"""Migration operations for a live database: indexes built CONCURRENTLY (seed 004's zero-downtime
checklist), for migrations that declare `atomic = False`."""
from django.db import migrations


def concurrent_index(name: str, definition: str) -> migrations.RunSQL:
    """CREATE INDEX CONCURRENTLY `name` ON `definition` (schema-qualified table and columns), one
    statement (CONCURRENTLY refuses a transaction block), IF NOT EXISTS so that a re-run is harmless.
    A build that failed half-way leaves an INVALID index: drop it before migrating again (README)."""
    return migrations.RunSQL(
        sql=f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {definition}",
        reverse_sql=f"DROP INDEX CONCURRENTLY IF EXISTS theme_config.{name}",
    )
