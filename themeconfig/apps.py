"""Django app configuration for the theme-config core."""
from django.apps import AppConfig


class ThemeConfigConfig(AppConfig):
    name = "themeconfig"
    verbose_name = "Theme configuration"
    default_auto_field = "django.db.models.BigAutoField"
