"""manage.py migrate: Django's migrate, run as theme_config_migrator (the `migrator` alias) by default."""
from django.core.management.commands.migrate import Command as DjangoMigrate


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " Runs on the 'migrator' alias (theme_config_migrator) unless --database is given."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(database="migrator")
