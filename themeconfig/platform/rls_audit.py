"""Reads the catalogs to prove row level security is in force (used by `check_rls` and tests)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import psycopg
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper

SCHEMAS = ("theme_config", "tenant_service", "public")
# Infrastructure tables the request role may not touch at all (read and written by the service role).
SERVICE_ONLY = {"theme_config.consumed_events"}
# Tables the request role may only append to, each row checked against its tenant by an INSERT policy.
APPEND_ONLY = {"theme_config.outbox"}
# Tenant tables the request role reads and appends to but never changes (history): tenant_isolation
# as usual, and no UPDATE or DELETE.
READ_APPEND = {"theme_config.audit_log"}
# Tables whose own id is the tenant id.
TENANT_KEYED_BY_ID = {"tenant_service.tenants": "id"}
APP_ROLE = "theme_config_app"
PREVIEW_READER = "theme_config_preview_reader"
_GUC_RE = re.compile(r"current_setting\('app\.tenant_id'(::text)?\)")


@dataclass
class Report:
    tables_ok: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _expected_expression(column: str, expression: str | None) -> bool:
    if not expression:
        return False
    normalized = expression.replace("(", " ( ").replace(")", " ) ")
    return bool(_GUC_RE.search(expression)) and re.search(rf"\b{column}\b", normalized) is not None


def _privileges(cursor: CursorWrapper | psycopg.Cursor[Any], role: str, table: str) -> set[str]:
    cursor.execute(
        "SELECT p FROM unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE','TRUNCATE']) p "
        "WHERE has_table_privilege(%s, %s, p)",
        [role, table],
    )
    return {row[0] for row in cursor.fetchall()}


def _isolation_problems(table: str, column: str, rls: bool, force: bool, policies: list[tuple[Any, ...]]) -> list[str]:
    problems = []
    if not rls:
        problems.append(f"{table}: row level security is not enabled")
    if not force:
        problems.append(f"{table}: row level security is not forced (the owner would bypass it)")
    isolation = [p for p in policies if p[0] == "tenant_isolation"]
    if not isolation:
        return problems + [f"{table}: no tenant_isolation policy"]
    _name, cmd, permissive, using, check, applies_to_app = isolation[0]
    if cmd != "*":
        problems.append(f"{table}: tenant_isolation must cover ALL commands, covers {cmd!r}")
    if not permissive and len(policies) == 1:
        problems.append(f"{table}: a lone restrictive tenant_isolation policy denies everything")
    if not _expected_expression(column, using):
        problems.append(f"{table}: tenant_isolation USING is not {column} = current_setting('app.tenant_id')")
    if not _expected_expression(column, check):
        problems.append(f"{table}: tenant_isolation WITH CHECK is not {column} = current_setting('app.tenant_id')")
    if not applies_to_app:
        problems.append(f"{table}: tenant_isolation does not apply to theme_config_app")
    return problems


def _append_only_problems(cursor: CursorWrapper | psycopg.Cursor[Any], table: str, rls: bool, force: bool,
                          policies: list[tuple[Any, ...]]) -> list[str]:
    problems = []
    if not rls:
        problems.append(f"{table}: row level security is not enabled")
    if not force:
        problems.append(f"{table}: row level security is not forced (the owner would bypass it)")
    beyond = _privileges(cursor, APP_ROLE, table) - {"INSERT"}
    if beyond:
        problems.append(f"{table}: the request role may only INSERT, but also has {', '.join(sorted(beyond))}")
    checked = [p for p in policies if p[1] in ("a", "*") and p[5] and _expected_expression("tenant_id", p[4])]
    if not checked:
        problems.append(f"{table}: no INSERT policy for theme_config_app WITH CHECK tenant_id = current_setting('app.tenant_id')")
    return problems


def audit(connection: BaseDatabaseWrapper | psycopg.Connection[Any], *, request_roles: set[str]) -> Report:
    report = Report()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT n.nspname || '.' || c.relname, c.relrowsecurity, c.relforcerowsecurity,
                   EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id'
                           AND NOT a.attisdropped),
                   CASE WHEN c.relispartition THEN (
                     SELECT rn.nspname || '.' || r.relname FROM pg_class r
                     JOIN pg_namespace rn ON rn.oid = r.relnamespace WHERE r.oid = pg_partition_root(c.oid))
                   END
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(%s)
            ORDER BY 1
            """,
            [list(SCHEMAS)],
        )
        tables = cursor.fetchall()
        cursor.execute(
            """
            SELECT n.nspname || '.' || c.relname, p.polname, p.polcmd, p.polpermissive,
                   pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid),
                   p.polroles = '{0}'::oid[] OR EXISTS (
                     SELECT 1 FROM pg_roles r WHERE r.oid = ANY(p.polroles) AND r.rolname = 'theme_config_app')
            FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ANY(%s)
            """,
            [list(SCHEMAS)],
        )
        policies: dict[str, list[tuple[Any, ...]]] = {}
        for table, *rest in cursor.fetchall():
            policies.setdefault(table, []).append(tuple(rest))

        # A partition is checked like a table of its own: selecting it directly bypasses the parent's
        # policies (and grants), so it needs RLS, FORCE and the policy itself. It is held to the rules
        # of the partitioned table it belongs to.
        for table, rls, force, has_tenant_id, root in tables:
            kind = root or table
            column = TENANT_KEYED_BY_ID.get(kind, "tenant_id" if has_tenant_id else None)
            if column is None:
                continue
            if kind in SERVICE_ONLY:
                granted = _privileges(cursor, APP_ROLE, table)
                problems = [f"{table}: service-only, but the request role has {', '.join(sorted(granted))}"] if granted else []
            elif kind in APPEND_ONLY:
                problems = _append_only_problems(cursor, table, rls, force, policies.get(table, []))
            else:
                problems = _isolation_problems(table, column, rls, force, policies.get(table, []))
                if kind in READ_APPEND:
                    beyond = _privileges(cursor, APP_ROLE, table) - {"SELECT", "INSERT"}
                    if beyond:
                        problems.append(
                            f"{table}: append-only, but the request role also has {', '.join(sorted(beyond))}"
                        )
            if problems:
                report.problems.extend(problems)
            else:
                report.tables_ok.append(table)

        # The preview reader reads through theme_config.preview_version() only, never a table.
        cursor.execute(
            """
            SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm') AND n.nspname = ANY(%s)
              AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)
              AND has_table_privilege(%s, c.oid, 'SELECT')
            ORDER BY 1
            """,
            [list(SCHEMAS), PREVIEW_READER, PREVIEW_READER],
        )
        for (table,) in cursor.fetchall():
            report.problems.append(f"role {PREVIEW_READER} can read {table} directly (preview is by token only)")

        for role in sorted(request_roles):
            cursor.execute(
                "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [role]
            )
            row = cursor.fetchone()
            if row is None:
                report.problems.append(f"role {role} does not exist (run manage.py bootstrap_db)")
                continue
            if row[0]:
                report.problems.append(f"role {role} is a superuser")
            if row[1]:
                report.problems.append(f"role {role} has BYPASSRLS")
            cursor.execute(
                """
                SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_roles r ON r.oid = c.relowner
                WHERE r.rolname = %s AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                UNION ALL
                SELECT n.nspname FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner WHERE r.rolname = %s
                ORDER BY 1
                """,
                [role, role],
            )
            owned = [r[0] for r in cursor.fetchall()]
            if owned:
                report.problems.append(f"role {role} owns {', '.join(owned[:5])}{' …' if len(owned) > 5 else ''}")
            cursor.execute(
                """
                SELECT r.rolname FROM pg_roles r
                WHERE r.rolname <> %s AND pg_has_role(%s, r.oid, 'MEMBER')
                  AND (r.rolsuper OR r.rolbypassrls OR r.rolname = 'theme_config_migrator')
                """,
                [role, role],
            )
            for (granted,) in cursor.fetchall():
                report.problems.append(f"role {role} is a member of {granted}, which bypasses RLS or owns the tables")
    return report
