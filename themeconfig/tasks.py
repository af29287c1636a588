"""Celery tasks of the core app (autodiscovered by config.celery)."""
from __future__ import annotations

from celery import shared_task

from themeconfig.services.audit import audit_partitions_ensure
from themeconfig.services.jobs import jobs_redispatch


@shared_task(name="themeconfig.ensure_audit_partitions_task")
def ensure_audit_partitions_task(*, months_ahead: int = 3) -> list[str]:
    """Daily (CELERY_BEAT_SCHEDULE): the audit log's monthly partitions exist `months_ahead` ahead.

    Cross-tenant upkeep, so no tenant context: it runs on the service connection.
    """
    return audit_partitions_ensure(months_ahead=months_ahead)


@shared_task(name="themeconfig.redispatch_jobs_task", ignore_result=True)
def redispatch_jobs_task() -> int:
    """Every JOB_REDISPATCH_SECONDS (CELERY_BEAT_SCHEDULE): jobs of every kind whose enqueue failed
    (the broker was down when they were asked for) are sent now that the broker answers."""
    return jobs_redispatch()
