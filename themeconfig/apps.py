"""Django app configuration for the theme-config core."""
from django.apps import AppConfig


class ThemeConfigConfig(AppConfig):
    name = "themeconfig"
    verbose_name = "Theme configuration"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from themeconfig import errors  # noqa: F401  (registers its constraint rules)
        from themeconfig.platform import service_db

        service_db.install()
