"""Reads the catalogs to prove row level security is in force (used by `check_rls` and tests)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

SCHEMAS = ("theme_config", "tenant_service", "public")
# Carry tenant_id but are infrastructure tables read through the service connection (seed 000 §3.12).
EXEMPT = {"theme_config.outbox", "theme_config.consumed_events", "theme_config.idempotency_keys"}
# Tables whose own id is the tenant id.
TENANT_KEYED_BY_ID = {"tenant_service.tenants": "id"}
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


def audit(connection, *, request_roles: set[str]) -> Report:
    report = Report()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT n.nspname || '.' || c.relname, c.relrowsecurity, c.relforcerowsecurity,
                   EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id'
                           AND NOT a.attisdropped)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(%s) AND NOT c.relispartition
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
        policies: dict[str, list[tuple]] = {}
        for table, *rest in cursor.fetchall():
            policies.setdefault(table, []).append(tuple(rest))

        for table, rls, force, has_tenant_id in tables:
            column = TENANT_KEYED_BY_ID.get(table, "tenant_id" if has_tenant_id else None)
            if column is None or table in EXEMPT:
                continue
            problems = []
            if not rls:
                problems.append(f"{table}: row level security is not enabled")
            if not force:
                problems.append(f"{table}: row level security is not forced (the owner would bypass it)")
            isolation = [p for p in policies.get(table, []) if p[0] == "tenant_isolation"]
            if not isolation:
                problems.append(f"{table}: no tenant_isolation policy")
            else:
                _name, cmd, permissive, using, check, applies_to_app = isolation[0]
                if cmd != "*":
                    problems.append(f"{table}: tenant_isolation must cover ALL commands, covers {cmd!r}")
                if not permissive and len(policies.get(table, [])) == 1:
                    problems.append(f"{table}: a lone restrictive tenant_isolation policy denies everything")
                if not _expected_expression(column, using):
                    problems.append(f"{table}: tenant_isolation USING is not {column} = current_setting('app.tenant_id')")
                if not _expected_expression(column, check):
                    problems.append(
                        f"{table}: tenant_isolation WITH CHECK is not {column} = current_setting('app.tenant_id')"
                    )
                if not applies_to_app:
                    problems.append(f"{table}: tenant_isolation does not apply to theme_config_app")
            if problems:
                report.problems.extend(problems)
            else:
                report.tables_ok.append(table)

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
