"""Database objects for test databases only: the seed 000 §5.3 tenant-consistency triggers."""
from __future__ import annotations

from pathlib import Path

TENANT_CONSISTENCY_SQL = Path(__file__).resolve().parent / "sql" / "test_only" / "tenant_consistency_triggers.sql"


def install_tenant_consistency_triggers(cursor) -> None:
    """Install the §5.3 triggers (idempotent) through a DB-API `cursor` on the test database.

    Use a superuser (or BYPASSRLS) connection: the trigger function is SECURITY DEFINER and must
    see every tenant's parent rows. Run it after `migrate`; tables not yet created are skipped.
    """
    cursor.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
    row = cursor.fetchone()
    if not row or not row[0]:
        raise RuntimeError(
            "install_tenant_consistency_triggers needs a superuser or BYPASSRLS connection: "
            "the trigger function reads parent rows across tenants"
        )
    cursor.execute(TENANT_CONSISTENCY_SQL.read_text(encoding="utf-8"))
