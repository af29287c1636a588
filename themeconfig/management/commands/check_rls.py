"""manage.py check_rls: fails (non-zero) on any tenant table without RLS/FORCE/policy, or a role that bypasses it."""
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from themeconfig.platform.rls_audit import audit


class Command(BaseCommand):
    help = (
        "Audit row level security: every table with a tenant_id column (and every partition of one) must "
        "have RLS enabled and forced "
        "and a tenant_isolation policy on current_setting('app.tenant_id') for USING and WITH CHECK; the "
        "outbox may only be appended to by the request role, through an INSERT policy that checks the "
        "tenant; consumed_events is the service role's alone; the preview reader reads no table; the "
        "request roles must not be superuser, BYPASSRLS, or owner of anything. Exits 1 naming each failure."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="migrator", help="Alias whose database is audited.")

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        request_role = connections["default"].settings_dict.get("USER") or "theme_config_app"
        report = audit(connection, request_roles={"theme_config_app", request_role})
        for table in report.tables_ok:
            self.stdout.write(f"  ok    {table}")
        for problem in report.problems:
            self.stdout.write(self.style.ERROR(f"  FAIL  {problem}"))
        if report.problems:
            raise CommandError(f"{len(report.problems)} RLS problem(s) found")
        self.stdout.write(self.style.SUCCESS(f"RLS is in force on {len(report.tables_ok)} tenant table(s)"))
