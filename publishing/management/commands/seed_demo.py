"""manage.py seed_demo: the local demo tenant (slug demo, host demo.localhost) with a published theme
(publishing/demo/theme.py: a complete seaside hotel in en/fr/ar), and staff user demo/demo. Lives in
publishing because it publishes (themeconfig never imports publishing)."""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from publishing.demo import theme as demo_theme
from publishing.models import PublishJob
from publishing.selectors import publication_version_id
from publishing.services import publish
from themeconfig import services
from themeconfig.management.command_errors import domain_error_message
from themeconfig.models import Role
from themeconfig.platform.errors import DomainError
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.selectors.brand_kits import brand_kit_list
from themeconfig.selectors.themes import (
    theme_get,
    theme_list,
    version_get,
    version_has_booking_flow_and_email_theme,
)

DEMO_SLUG = "demo"
DEMO_HOST = "demo.localhost"


class Command(BaseCommand):
    help = (
        "Seed local demo data, idempotently: tenant 'demo' with host demo.localhost, a property, a "
        "default brand kit, a theme (Harbour House, a seaside hotel in English, French and Arabic: tokens that "
        "pass WCAG AA, layouts, content blocks, header and footer navigation, a booking flow, an e-mail theme and "
        "locale packs) whose version is marked preview-ready and published (so /api/v1/resolve/?host=demo.localhost "
        "answers), and a staff user demo/demo who owns it. For local use only: refuses to run when DEBUG is off unless "
        "--force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even though DEBUG is off.")

    def handle(self, *args, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates a demo/demo login: refusing with DEBUG off (use --force)")
        operator = Principal.operator("seed_demo")
        try:
            tenant, _ = services.tenant_ensure(
                principal=operator, slug=DEMO_SLUG, name="Demo Hotels", plan="pro", hosts=[DEMO_HOST]
            )
            user, _ = services.staff_user_ensure(
                principal=operator, username="demo", password="demo", email="demo@example.com"
            )
            principal = operator.in_tenant(tenant.id)
            services.property_ensure(principal=principal, name=demo_theme.PROPERTY_NAME)
            services.membership_grant(principal=principal, user_id=user.pk, role=Role.OWNER)
            with tenant_context(tenant.id):
                has_kit = brand_kit_list().exists()
            if not has_kit:
                services.brand_kit_create(principal=principal, is_default=True, **demo_theme.BRAND_KIT)
            published = self._publish_demo_theme(principal)
        except DomainError as error:
            raise CommandError(domain_error_message(error)) from error
        if published is not None:
            self.stdout.write(f"published the demo theme: {published}")
        self.stdout.write(self.style.SUCCESS(f"demo tenant {tenant.id} ready; staff login demo/demo"))

    def _publish_demo_theme(self, principal):
        """The tenant-wide theme (made if missing) with the demo version published, unless it is already.

        A demo seeded by an older release (published, but without a booking flow or an e-mail theme) gets
        the complete version published over it. The job runs here, in this process (no worker needed at
        seed time), through the same use cases as every other door.
        """
        with tenant_context(principal.tenant_id):
            theme = theme_list().filter(property_id__isnull=True).first()
            if theme is not None and theme.active_publication_id and _is_complete(theme.active_publication_id):
                return None
        if theme is None:
            theme = services.theme_create(principal=principal, name=demo_theme.THEME_NAME,
                                          enabled_locales=list(demo_theme.LOCALES), fallback_chain=["en"])
        version = self._demo_version(principal, theme)
        with tenant_context(principal.tenant_id):
            expected = theme_get(theme.pk).version
        job = publish.version_publish(principal=principal, version_id=version.pk, expected_theme_version=expected)
        if not isinstance(job, PublishJob):
            raise CommandError(f"the tenant has four-eyes approval on: another member must approve request {job.pk}")
        job = publish.publish_job_run(job_id=job.pk, tenant_id=principal.tenant_id, worker="seed_demo")
        if job.status != "succeeded":
            raise CommandError(f"the demo publish failed: {job.error_code} {job.error_message}")
        return f"theme {theme.pk}, publication {job.publication_id}"

    @staticmethod
    def _demo_version(principal, theme):
        """A new draft holding all of demo_theme, marked preview-ready (which checks all of it)."""
        version = services.version_create(principal=principal, theme_id=theme.pk, release_notes="Harbour House demo")
        version = services.version_update(principal=principal, version_id=version.pk, expected_version=version.version,
                                          tokens=demo_theme.TOKENS, layout_selections=demo_theme.LAYOUT)
        for block in demo_theme.CONTENT_BLOCKS:
            services.content_block_create(principal=principal, version_id=version.pk, **block)
        for surface, items in demo_theme.NAVIGATION.items():
            services.navigation_put(principal=principal, version_id=version.pk, surface=surface, items=items)
        services.booking_flow_put(principal=principal, version_id=version.pk, **demo_theme.BOOKING_FLOW)
        services.email_theme_put(principal=principal, version_id=version.pk, **demo_theme.EMAIL_THEME)
        # The default locale first: the others are checked against it.
        for locale in sorted(demo_theme.MESSAGES, key=lambda code: code != theme.default_locale):
            services.locale_pack_put(principal=principal, version_id=version.pk, locale=locale,
                                     entries=demo_theme.MESSAGES[locale])
        with tenant_context(principal.tenant_id):
            current = version_get(version.pk).version
        return services.version_mark_preview_ready(principal=principal, version_id=version.pk, expected_version=current)


def _is_complete(publication_id: str) -> bool:
    """Whether the published version holds what the demo shows (a demo of an older release had neither)."""
    return version_has_booking_flow_and_email_theme(publication_version_id(publication_id))
