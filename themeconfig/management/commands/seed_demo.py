"""manage.py seed_demo: the local demo tenant (slug demo, host demo.localhost) and staff user demo/demo."""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from themeconfig import services
from themeconfig.management.commands.create_tenant import domain_error_message
from themeconfig.models import BrandKit, Role
from themeconfig.platform.errors import DomainError
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

DEMO_SLUG = "demo"
DEMO_HOST = "demo.localhost"
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
        "Seed local demo data, idempotently: tenant 'demo' with host demo.localhost, a property and a "
        "default brand kit, and a staff user demo/demo who owns it. For local use only: refuses to run when DEBUG is off unless "
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
        except DomainError as error:
            raise CommandError(domain_error_message(error)) from error
        self.stdout.write(self.style.SUCCESS(f"demo tenant {tenant.id} ready; staff login demo/demo"))
