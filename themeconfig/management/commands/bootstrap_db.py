"""manage.py bootstrap_db: roles, database, schemas, grants and default privileges (idempotent)."""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from themeconfig.platform import bootstrap


class Command(BaseCommand):
    help = (
        "Create (idempotently) the database named in DATABASE_URL, the schemas theme_config and "
        "tenant_service, and the roles theme_config_migrator/_app/_ro/_preview_reader/_service with "
        "exactly their privileges. Connects with ADMIN_DATABASE_URL (a superuser). Role passwords are "
        "taken from the passwords in DATABASE_URL, MIGRATOR_DATABASE_URL, SERVICE_DATABASE_URL, "
        "PREVIEW_DATABASE_URL and READONLY_DATABASE_URL when they have one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--admin-url", default=None, help="Superuser URL (default: ADMIN_DATABASE_URL).")
        parser.add_argument("--database", default=None, help="Database name (default: the one in DATABASE_URL).")

    def handle(self, *args, **options):
        databases = settings.DATABASES
        database = options["database"] or databases["default"]["NAME"]
        passwords = {
            bootstrap.APP: databases["default"].get("PASSWORD") or None,
            bootstrap.MIGRATOR: databases["migrator"].get("PASSWORD") or None,
            bootstrap.SERVICE: databases["service"].get("PASSWORD") or None,
        }
        if "preview" in databases:
            passwords[bootstrap.PREVIEW_READER] = databases["preview"].get("PASSWORD") or None
        if "readonly" in databases:
            passwords[bootstrap.READONLY] = databases["readonly"].get("PASSWORD") or None
        try:
            bootstrap.bootstrap(
                admin_url=options["admin_url"] or settings.ADMIN_DATABASE_URL,
                database=database,
                passwords=passwords,
                statement_timeout=settings.STATEMENT_TIMEOUT,
                log=lambda line: self.stdout.write(f"  {line}"),
            )
        except Exception as exc:  # psycopg errors: say what failed, exit non-zero
            raise CommandError(f"bootstrap failed: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"database {database} is bootstrapped"))
