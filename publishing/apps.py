"""Django app configuration for publishing."""
from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "publishing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from publishing import errors  # noqa: F401  (registers its constraint rules)
