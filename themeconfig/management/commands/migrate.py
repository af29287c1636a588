"""manage.py migrate: Django's migrate, run as theme_config_migrator (the `migrator` alias) by default,
with MIGRATION_LOCK_TIMEOUT on its session: a DDL statement that cannot get its lock soon fails (run it
again later) instead of queueing every query of the live service behind it."""
from django.conf import settings
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections


class Command(DjangoMigrate):
    help = DjangoMigrate.help + (
        " Runs on the 'migrator' alias (theme_config_migrator) unless --database is given, with lock_timeout "
        "MIGRATION_LOCK_TIMEOUT (default 5s).")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(database="migrator")

    def handle(self, *args, **options):
        with connections[options["database"]].cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, false)", [settings.MIGRATION_LOCK_TIMEOUT])
        return super().handle(*args, **options)
