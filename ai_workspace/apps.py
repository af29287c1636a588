"""Django app configuration for the AI workspace."""
from django.apps import AppConfig


class AiWorkspaceConfig(AppConfig):
    name = "ai_workspace"
    verbose_name = "AI workspace"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from ai_workspace import errors  # noqa: F401  (registers its constraint rules)
