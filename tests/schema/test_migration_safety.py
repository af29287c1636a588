"""Migration safety (seed 002's zero-downtime checklist, seed 004): django-migration-linter over the
migrations written with Django's operations, a check of our own over the raw SQL the other migrations
run (the linter reads raw SQL with regexes: every CREATE TABLE would be "NOT NULL constraint on
columns"), and lock_timeout on the migrator's session."""
from __future__ import annotations

import re

import pytest
import sqlparse
from django.conf import settings
from django.core.management import call_command
from django.db import connections, migrations
from django.db.migrations.loader import MigrationLoader
from django_migration_linter import MigrationLinter

APPS = ("themeconfig", "publishing", "ai_workspace")

# Statements of migrations that already ran on every database (rewriting them would break migrated
# databases; README "Migration safety"), each with why it was tolerable when it ran.
APPLIED_BEFORE_THE_CHECK = {
    ("publishing", "0001_publications", "index without CONCURRENTLY", "theme_config.themes"):
        "themes_active_publication_idx: ran in the first release, with 0002_themes, on an empty table",
    ("publishing", "0001_publications", "constraint validated under lock", "theme_config.themes"):
        "themes_active_publication_fk: the same release, an empty table",
    ("publishing", "0009_outbox_relay", "index without CONCURRENTLY", "theme_config.outbox"):
        "outbox_partition_pending_idx, outbox_dead_lettered_idx, outbox_published_at_idx: built when the outbox "
        "held test and demo rows only",
    ("themeconfig", "0011_host_claims", "DROP COLUMN", "tenant_service.tenant_hosts"):
        "verification columns moved to tenant_host_claims together with the code that read them (one release)",
}


def database_operations(operations):
    for operation in operations:
        if isinstance(operation, migrations.SeparateDatabaseAndState):
            yield from database_operations(operation.database_operations)
        else:
            yield operation


def project_migrations():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted((key, migration) for key, migration in loader.disk_migrations.items() if key[0] in APPS)


def raw_sql(migration) -> list[str] | None:
    """The forward SQL of a migration made of RunSQL only (None: it uses Django's operations)."""
    statements = []
    for operation in database_operations(migration.operations):
        if not isinstance(operation, migrations.RunSQL):
            return None
        for chunk in operation.sql if isinstance(operation.sql, (list, tuple)) else [operation.sql]:
            statements += [sqlparse.format(s, strip_comments=True).strip() for s in sqlparse.split(chunk)]
    return [s for s in statements if s]


TABLE = r"(?:ONLY\s+)?((?:[a-z_]+\.)?[a-z_]+)"
RULES = [
    ("index without CONCURRENTLY", re.compile(rf"^CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?!CONCURRENTLY)(?:IF NOT EXISTS\s+)?\S+\s+ON\s+{TABLE}", re.I)),
    ("DROP COLUMN", re.compile(rf"^ALTER\s+TABLE\s+(?:IF EXISTS\s+)?{TABLE}\s.*\bDROP\s+COLUMN\b", re.I | re.S)),
    ("RENAME", re.compile(rf"^ALTER\s+TABLE\s+(?:IF EXISTS\s+)?{TABLE}\s.*\bRENAME\b", re.I | re.S)),
    ("column type change", re.compile(rf"^ALTER\s+TABLE\s+(?:IF EXISTS\s+)?{TABLE}\s.*\bALTER\s+COLUMN\s+\S+\s+(?:SET\s+DATA\s+)?TYPE\b", re.I | re.S)),
    ("SET NOT NULL", re.compile(rf"^ALTER\s+TABLE\s+(?:IF EXISTS\s+)?{TABLE}\s.*\bSET\s+NOT\s+NULL\b", re.I | re.S)),
    ("ADD COLUMN NOT NULL without DEFAULT", re.compile(rf"^ALTER\s+TABLE\s+(?:IF EXISTS\s+)?{TABLE}\s.*\bADD\s+COLUMN\b(?:(?!\bDEFAULT\b)[^,])*\bNOT\s+NULL\b(?:(?!\bDEFAULT\b)[^,])*(?:,|$)", re.I | re.S)),
    ("constraint validated under lock", re.compile(rf"^ALTER\s+TABLE\s+(?:IF EXISTS\s+)?{TABLE}\s.*\bADD\s+CONSTRAINT\s+\S+\s+(?:FOREIGN\s+KEY|CHECK)\b(?!.*\bNOT\s+VALID\b)", re.I | re.S)),
    ("DROP TABLE", re.compile(rf"^DROP\s+TABLE\s+(?:IF EXISTS\s+)?{TABLE}", re.I)),
]
CREATED = re.compile(rf"^CREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF NOT EXISTS\s+)?{TABLE}", re.I)


def qualified(table: str) -> str:
    return table.lower() if "." in table else f"theme_config.{table.lower()}"


def raw_sql_findings(app: str, name: str, statements: list[str]) -> set[tuple[str, str, str, str]]:
    """Operations that lock or break a populated table a running release uses; a table created in
    the same migration is new and empty, so anything goes there."""
    created = {qualified(m.group(1)) for s in statements if (m := CREATED.match(s))}
    found = set()
    for statement in statements:
        for rule, pattern in RULES:
            if (match := pattern.match(statement)) and qualified(match.group(1)) not in created:
                found.add((app, name, rule, qualified(match.group(1))))
    return found


def test_raw_sql_check__flags_what_it_should():
    statements = [
        "CREATE INDEX x_idx ON theme_config.outbox (a)",
        "CREATE INDEX CONCURRENTLY y_idx ON theme_config.outbox (a)",
        "ALTER TABLE theme_config.themes ADD COLUMN a int NOT NULL",
        "ALTER TABLE theme_config.themes ADD COLUMN b int NOT NULL DEFAULT 0",
        "ALTER TABLE theme_config.themes ADD CONSTRAINT c_fk FOREIGN KEY (a) REFERENCES theme_config.x(id) NOT VALID",
        "ALTER TABLE theme_config.themes ADD CONSTRAINT d_chk CHECK (a > 0)",
        "ALTER TABLE theme_config.themes DROP COLUMN z",
        "CREATE TABLE theme_config.fresh (id int NOT NULL)",
        "CREATE INDEX fresh_idx ON theme_config.fresh (id)",
    ]
    assert {rule for _, _, rule, _ in raw_sql_findings("a", "m", statements)} == {
        "index without CONCURRENTLY", "ADD COLUMN NOT NULL without DEFAULT", "constraint validated under lock",
        "DROP COLUMN"}


def test_raw_sql_migrations__no_backward_incompatible_or_long_locking_statement():
    found = set()
    for (app, name), migration in project_migrations():
        statements = raw_sql(migration)
        if statements is not None:
            found |= raw_sql_findings(app, name, statements)
    assert found - APPLIED_BEFORE_THE_CHECK.keys() == set()
    assert APPLIED_BEFORE_THE_CHECK.keys() <= found  # the list names only what is still there


@pytest.mark.django_db(databases=["migrator"])
def test_migration_linter__django_operations_are_backward_compatible(capsys):
    raw = [name for (app, name), migration in project_migrations() if raw_sql(migration) is not None]
    linter = MigrationLinter(None, include_apps=list(APPS), ignore_name=raw, database="migrator", no_cache=True)
    linter.lint_all_migrations()
    out = capsys.readouterr().out
    assert not linter.has_errors, out
    assert " OK" in out  # it linted something


@pytest.mark.django_db(databases=["migrator"])
def test_migrate__runs_with_the_configured_lock_timeout():
    call_command("migrate", verbosity=0)
    with connections["migrator"].cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == settings.MIGRATION_LOCK_TIMEOUT
