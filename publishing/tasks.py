"""Celery tasks of publishing: run a publish job; re-run jobs a lost worker left open."""
from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.db import OperationalError

from publishing.errors import PublishingErrorCode

MAX_ATTEMPTS = 5
STALE_AFTER = timedelta(minutes=5)


@shared_task(
    name="publishing.run_publish_job_task", bind=True, acks_late=True, reject_on_worker_lost=True,
    max_retries=MAX_ATTEMPTS, autoretry_for=(OperationalError, OSError), retry_backoff=2, retry_backoff_max=60,
    retry_jitter=True,
)
def run_publish_job_task(self, *, job_id: str, tenant_id: str):
    """Runs the job (each step opens its own tenant transaction); transient faults retry with backoff."""
    from publishing.services.publish import publish_job_fail, publish_job_run
    from themeconfig.platform.jobs.runner import job_task_run

    return job_task_run(self, job_id=job_id, tenant_id=tenant_id, run=publish_job_run, fail=publish_job_fail,
                        transient=(OperationalError, OSError), fault_code=PublishingErrorCode.BUILD_FAILED,
                        gave_up="gave up after repeated transient faults")


@shared_task(name="publishing.reap_stale_publish_jobs_task")
def reap_stale_publish_jobs_task(*, stale_after_seconds: int | None = None) -> int:
    """Unfinished jobs untouched for a while (a lost worker, a lost enqueue): run again, or fail
    them with WORKER_LOST once they have used their attempts. Cross-tenant, on the service connection."""
    from publishing.services import publish
    from themeconfig.platform.jobs.reaper import jobs_reap

    stale_after = timedelta(seconds=stale_after_seconds) if stale_after_seconds is not None else STALE_AFTER
    return jobs_reap(publish.PUBLISH_JOBS, stale_after=stale_after, give_up_after=MAX_ATTEMPTS,
                     rerun=publish.enqueue_publish_job)


@shared_task(name="publishing.relay_outbox_task", ignore_result=True)
def relay_outbox_task() -> dict:
    """Drains the outbox once (woken after each commit that writes an event, and by beat)."""
    from publishing.outbox.relay import relay_outbox

    result = relay_outbox()
    return {"published": result.published, "retried": result.retried, "dead_lettered": result.dead_lettered}


@shared_task(name="publishing.refresh_read_models_task", ignore_result=True)
def refresh_read_models_task() -> str:
    """Refreshes the seed's materialized views if a refresh is due (coalesced, publishing/resolve/read_models.py)."""
    from publishing.resolve.read_models import run_refresh

    return run_refresh()


@shared_task(name="publishing.purge_expired_task", ignore_result=True)
def purge_expired_task() -> dict:
    """Nightly retention (seed 000 §8, every row; publishing/retention.py) on the service connection."""
    from publishing.retention import purge_expired

    return purge_expired()


@shared_task(
    name="publishing.run_tenant_export_job_task", bind=True, acks_late=True, reject_on_worker_lost=True,
    max_retries=MAX_ATTEMPTS, autoretry_for=(OperationalError, OSError), retry_backoff=2, retry_backoff_max=60,
    retry_jitter=True,
)
def run_tenant_export_job_task(self, *, job_id: str, tenant_id: str):
    """Writes a tenant's archive to storage (publishing/services/tenant_export.py)."""
    from publishing.services.tenant_export import tenant_export_job_fail, tenant_export_job_run
    from themeconfig.platform.jobs.runner import job_task_run

    return job_task_run(self, job_id=job_id, tenant_id=tenant_id, run=tenant_export_job_run,
                        fail=tenant_export_job_fail, transient=(OperationalError, OSError),
                        fault_code=PublishingErrorCode.EXPORT_FAILED, gave_up="gave up after repeated transient faults")


@shared_task(name="publishing.reap_stale_tenant_export_jobs_task")
def reap_stale_tenant_export_jobs_task(*, stale_after_seconds: int | None = None) -> int:
    """Export jobs a lost worker left open: run again, or fail with EXPORT_WORKER_LOST."""
    from publishing.services import tenant_export
    from themeconfig.platform.jobs.reaper import jobs_reap

    stale_after = timedelta(seconds=stale_after_seconds) if stale_after_seconds is not None else timedelta(minutes=15)
    return jobs_reap(tenant_export.TENANT_EXPORT_JOBS, stale_after=stale_after,
                     rerun=tenant_export.enqueue_tenant_export_job)


@shared_task(name="publishing.run_due_schedules_task")
def run_due_schedules_task() -> dict:
    """Beat, every SCHEDULE_SCAN_SECONDS: starts due publish schedules as publish jobs (exactly once,
    FOR UPDATE SKIP LOCKED), fails the ones whose version changed, settles the finished ones."""
    from publishing.services.schedules import publish_schedules_run_due

    result = publish_schedules_run_due()
    return {"started": len(result.started), "failed": len(result.failed), "succeeded": len(result.succeeded),
            "deferred": len(result.deferred)}
