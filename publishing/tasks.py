"""Celery tasks of publishing: run a publish job; re-run jobs a lost worker left open."""
from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.db import DatabaseError, OperationalError
from django.utils import timezone

from publishing.errors import PublishingErrorCode

logger = logging.getLogger(__name__)
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

    try:
        job = publish_job_run(job_id=job_id, tenant_id=tenant_id, worker=self.request.hostname)
    except (OperationalError, OSError):
        if self.request.retries >= MAX_ATTEMPTS:
            publish_job_fail(job_id=job_id, tenant_id=tenant_id, code=PublishingErrorCode.BUILD_FAILED,
                             message="gave up after repeated transient faults")
            return "failed"
        raise
    except DatabaseError as exc:
        publish_job_fail(job_id=job_id, tenant_id=tenant_id, code=PublishingErrorCode.BUILD_FAILED, message=str(exc))
        raise
    return job.status if job is not None else "missing"


@shared_task(name="publishing.reap_stale_publish_jobs_task")
def reap_stale_publish_jobs_task(*, stale_after_seconds: int | None = None) -> int:
    """Unfinished jobs untouched for a while (a lost worker, a lost enqueue): run again, or fail
    them with WORKER_LOST once they have used their attempts. Cross-tenant, on the service connection."""
    from publishing.models import PublishJob, PublishJobStatus
    from publishing.services.publish import enqueue_publish_job, publish_job_fail
    from themeconfig.platform.service_db import service_context

    cutoff = timezone.now() - (timedelta(seconds=stale_after_seconds) if stale_after_seconds is not None else STALE_AFTER)
    with service_context() as alias:
        stale = list(PublishJob.objects.using(alias).filter(updated_at__lt=cutoff).exclude(
            status__in=[PublishJobStatus.SUCCEEDED, PublishJobStatus.FAILED]).values_list("id", "tenant_id", "attempts"))
    for job_id, tenant_id, attempts in stale:
        if attempts >= MAX_ATTEMPTS:
            publish_job_fail(job_id=job_id, tenant_id=tenant_id, code=PublishingErrorCode.WORKER_LOST,
                             message=f"no worker finished it after {attempts} attempts")
        else:
            logger.warning("re-running stale publish job %s (%s attempts so far)", job_id, attempts)
            enqueue_publish_job(job_id=job_id, tenant_id=tenant_id)
    return len(stale)


@shared_task(name="publishing.relay_outbox_task", ignore_result=True)
def relay_outbox_task() -> dict:
    """Drains the outbox once (woken after each commit that writes an event, and by beat)."""
    from publishing.relay import relay_outbox

    result = relay_outbox()
    return {"published": result.published, "retried": result.retried, "dead_lettered": result.dead_lettered}


@shared_task(name="publishing.refresh_read_models_task", ignore_result=True)
def refresh_read_models_task() -> str:
    """Refreshes the seed's materialized views if a refresh is due (coalesced, publishing/read_models.py)."""
    from publishing.read_models import run_refresh

    return run_refresh()


@shared_task(name="publishing.purge_expired_task", ignore_result=True)
def purge_expired_task() -> dict:
    """Nightly retention (seed 000 §8, every row; publishing/retention.py) on the service connection."""
    from publishing.retention import purge_expired

    return purge_expired()
