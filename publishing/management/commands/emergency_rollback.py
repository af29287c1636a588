"""manage.py emergency_rollback --tenant SLUG --theme THEME_ID --reason TEXT [--publication ID] [--operator NAME]:
an operator's rollback that does not wait for four-eyes approval, audited as an emergency."""
from django.core.management.base import BaseCommand, CommandError

from publishing.services import publish
from themeconfig.management.command_errors import domain_error_message
from themeconfig.platform.errors import DomainError
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.selectors.operators import tenant_by_slug
from themeconfig.selectors.themes import theme_get


class Command(BaseCommand):
    help = (
        "Roll a theme back at once, without the tenant's four-eyes approval (the live site is broken and "
        "nobody can approve in time). Asks for the rollback job (default: the publication before the active "
        "one) and prints its id; the audit log records it as theme.emergency_rollback_requested with the reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="Tenant slug.")
        parser.add_argument("--theme", required=True, help="Theme id (thm_…).")
        parser.add_argument("--reason", required=True, help="Why it cannot wait for approval (audited).")
        parser.add_argument("--publication", default=None, help="Earlier publication id (thp_…) to go back to.")
        parser.add_argument("--operator", default="emergency_rollback", help="Who runs it, for the audit log.")

    def handle(self, *args, tenant, theme, reason, publication, operator, **options):
        found = tenant_by_slug(slug=tenant)
        if found is None:
            raise CommandError(f"--tenant: no live tenant with slug {tenant!r}")
        principal = Principal.operator(operator, tenant_id=found.id)
        try:
            with tenant_context(found.id):
                expected = theme_get(theme).version
            job = publish.theme_emergency_rollback(principal=principal, theme_id=theme, expected_theme_version=expected,
                                                   publication_id=publication, reason=reason)
        except DomainError as error:
            raise CommandError(domain_error_message(error)) from error
        self.stderr.write(f"emergency rollback of {theme} to {job.target_publication_id} asked for: job {job.pk}")
        self.stdout.write(job.pk)
