"""Django app configuration for the AI workspace."""
from django.apps import AppConfig


class AiWorkspaceConfig(AppConfig):
    name = "ai_workspace"
    verbose_name = "AI workspace"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from ai_workspace import errors  # noqa: F401  (registers its constraint rules)
        from ai_workspace.services.generation import GENERATION_JOBS
        from themeconfig.platform.jobs.kinds import job_kind_register

        job_kind_register(GENERATION_JOBS)  # generation jobs whose enqueue failed are sent again (jobs_redispatch)
