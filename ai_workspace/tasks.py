"""Celery tasks of the AI workspace: run a generation job; re-run jobs a lost worker left open."""
from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.db import OperationalError

from ai_workspace.errors import AIErrorCode

MAX_ATTEMPTS = 3
# A provider call may take its timeout times its retries; a job untouched for this long is lost.
STALE_AFTER = timedelta(minutes=10)


@shared_task(
    name="ai_workspace.run_generation_job_task", bind=True, acks_late=True, reject_on_worker_lost=True,
    max_retries=MAX_ATTEMPTS, autoretry_for=(OperationalError,), retry_backoff=2, retry_backoff_max=60,
    retry_jitter=True,
)
def run_generation_job_task(self, *, job_id: str, tenant_id: str):
    """Runs the job (its own tenant transactions; the provider is called outside them); a database
    fault retries with backoff, provider faults are the provider's own retries and end on the job."""
    from ai_workspace.services.generation import generation_job_fail, generation_job_run
    from themeconfig.platform.jobs.runner import job_task_run

    return job_task_run(self, job_id=job_id, tenant_id=tenant_id, run=generation_job_run, fail=generation_job_fail,
                        fault_code=AIErrorCode.WORKER_LOST, gave_up="gave up after repeated database faults")


@shared_task(name="ai_workspace.reap_stale_generation_jobs_task")
def reap_stale_generation_jobs_task(*, stale_after_seconds: int | None = None) -> int:
    from ai_workspace.services.generation import reap_stale_generation_jobs

    stale_after = timedelta(seconds=stale_after_seconds) if stale_after_seconds is not None else STALE_AFTER
    return reap_stale_generation_jobs(stale_after=stale_after)
