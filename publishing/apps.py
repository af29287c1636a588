"""Django app configuration for publishing."""
from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "publishing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from publishing import errors, preview  # noqa: F401  (errors registers its constraint rules)

        preview.install()  # the preview reader's connection answers the preview read only

        from publishing.resolve import cache as resolve_cache

        resolve_cache.connect_receivers()  # themeconfig's host changes drop cached resolutions

        from publishing.services.publish import PUBLISH_JOBS
        from themeconfig.platform.jobs.kinds import job_kind_register

        job_kind_register(PUBLISH_JOBS)  # publish jobs whose enqueue failed are sent again (jobs_redispatch)

        from publishing.services.tenant_export import TENANT_EXPORT_JOBS

        job_kind_register(TENANT_EXPORT_JOBS)

        from publishing import metrics

        metrics.register()  # the outbox's and the read models' gauges, computed by serve_metrics at scrape time
