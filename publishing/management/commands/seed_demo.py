"""manage.py seed_demo: the local demo tenant (slug demo, host demo.localhost) with a published theme,
and staff user demo/demo. Lives in publishing because it publishes (themeconfig never imports publishing)."""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from publishing.services import publish
from themeconfig import services
from themeconfig.management.commands.create_tenant import domain_error_message
from themeconfig.models import BrandKit, Role, Theme
from themeconfig.platform.errors import DomainError
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

DEMO_SLUG = "demo"
DEMO_HOST = "demo.localhost"
DEMO_TEXT = {
    "en": {"welcome": "## Welcome to the seaside", "title": "Find your room", "greeting": "Hello, {name}!"},
    "fr": {"welcome": "## Bienvenue au bord de la mer", "title": "Trouvez votre chambre",
           "greeting": "Bonjour, {name} !"},
    "ar": {"welcome": "## أهلاً بكم على شاطئ البحر", "title": "ابحث عن غرفتك", "greeting": "مرحبًا، {name}!"},
}
DEMO_BRAND_KIT = {
    "name": "Demo Seaside",
    "colors": [
        {"name": "Harbour Blue", "value": "#0b3d91", "role": "primary"},
        {"name": "Sand", "value": "#f4e9d8", "role": "background"},
        {"name": "Coral", "value": "#ff6f59", "role": "accent"},
        {"name": "Ink", "value": "#1c2430", "role": "text"},
    ],
    "fonts": [
        {"name": "Body", "family": "Inter", "role": "body"},
        {"name": "Titles", "family": "Playfair Display", "role": "heading"},
    ],
    "logos": [{"name": "Wordmark", "url": "https://demo.localhost/static/logo.svg", "format": "svg"}],
    "style_preferences": {"tone": "calm, coastal", "industry": "boutique hotels"},
}


class Command(BaseCommand):
    help = (
        "Seed local demo data, idempotently: tenant 'demo' with host demo.localhost, a property, a "
        "default brand kit, a theme whose first version is published (so /api/v1/resolve/?host=demo.localhost "
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
            services.property_ensure(principal=principal, name="Demo Seaside Hotel")
            services.membership_grant(principal=principal, user_id=user.pk, role=Role.OWNER)
            with tenant_context(tenant.id):
                has_kit = BrandKit.objects.filter(deleted_at__isnull=True).exists()
            if not has_kit:
                services.brand_kit_create(principal=principal, is_default=True, **DEMO_BRAND_KIT)
            published = self._publish_demo_theme(principal)
        except DomainError as error:
            raise CommandError(domain_error_message(error)) from error
        if published is not None:
            self.stdout.write(f"published the demo theme: {published}")
        self.stdout.write(self.style.SUCCESS(f"demo tenant {tenant.id} ready; staff login demo/demo"))

    def _publish_demo_theme(self, principal):
        """The tenant-wide theme (made if missing) with a published version, unless one is published already.

        The job runs here, in this process (no worker needed at seed time), through the same use cases.
        """
        with tenant_context(principal.tenant_id):
            theme = Theme.objects.filter(deleted_at__isnull=True, property_id__isnull=True).first()
        if theme is not None and theme.active_publication_id:
            return None
        if theme is None:
            theme = services.theme_create(principal=principal, name="Demo Seaside", enabled_locales=["en", "fr", "ar"],
                                          fallback_chain=["fr", "en"])
        version = services.version_create(principal=principal, theme_id=theme.pk, release_notes="First version")
        services.version_update(principal=principal, version_id=version.pk, expected_version=version.version,
                                layout_selections={"home": {"preset": "home.hero-split"}})
        locales = [theme.default_locale, *[loc for loc in theme.enabled_locales if loc != theme.default_locale]]
        services.content_block_create(
            principal=principal, version_id=version.pk, surface="home", kind="rich_text",
            body={loc: {"format": "markdown", "value": DEMO_TEXT.get(loc, DEMO_TEXT["en"])["welcome"]} for loc in locales},
            meta={"kind": "rich_text"})
        for loc in locales:  # the default locale first: the others are checked against it
            text = DEMO_TEXT.get(loc, DEMO_TEXT["en"])
            services.locale_pack_put(principal=principal, version_id=version.pk, locale=loc,
                                     entries={"booking.search.title": text["title"], "common.greeting": text["greeting"]})
        with tenant_context(principal.tenant_id):
            expected = Theme.objects.get(pk=theme.pk).version
        job = publish.version_publish(principal=principal, version_id=version.pk, expected_theme_version=expected)
        job = publish.publish_job_run(job_id=job.pk, tenant_id=principal.tenant_id, worker="seed_demo")
        if job.status != "succeeded":
            raise CommandError(f"the demo publish failed: {job.error_code} {job.error_message}")
        return f"theme {theme.pk}, publication {job.publication_id}"
