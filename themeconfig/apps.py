"""Django app configuration for the theme-config core."""
from django.apps import AppConfig
from django.core import checks


class ThemeConfigConfig(AppConfig):
    name = "themeconfig"
    verbose_name = "Theme configuration"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from themeconfig import errors  # noqa: F401  (registers its constraint rules)
        from themeconfig.platform import encryption, metrics, service_db
        from themeconfig.platform.api import openapi

        service_db.install()
        metrics.scrape_gauge_register(metrics.CELERY_QUEUE_LENGTH)
        checks.register(encryption.keys_check, checks.Tags.security)
        # Before any request: drf-spectacular's lazy extension loading races under threads.
        openapi.load_extension_targets()
