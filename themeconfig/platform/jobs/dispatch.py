"""Handing a job of any kind to a worker, and handing it again once the broker is back.

A finished job (succeeded or failed) is left as it is. Each app registers its job kinds
(`job_kind_register`, from its AppConfig.ready()) so that `jobs_redispatch` finds them.
"""
from __future__ import annotations

import logging
from typing import Any

from django.utils import timezone

from themeconfig.platform.enqueue import task_send
from themeconfig.platform.jobs.kinds import JobKind, job_kinds
from themeconfig.platform.service_db import service_context
from themeconfig.platform.tenant_context import tenant_context

logger = logging.getLogger(__name__)
# In a job's `trace` while its task could not be sent (the broker was down): jobs_redispatch sends it.
ENQUEUE_FAILED = "enqueue_failed_at"


def job_enqueue(kind: JobKind[Any], *, job_id: str, tenant_id: str) -> bool:
    """Sends the task that runs the job (call it after the job's commit). With the broker down the
    job is marked in its `trace`, and beat's `jobs_redispatch` (every few seconds) sends it as soon
    as the broker answers again, instead of the stale-job reaper minutes later. Returns whether it
    was sent now."""
    sent = task_send(kind.task_name, kwargs={"job_id": job_id, "tenant_id": tenant_id}, keep_result=True,
                     fallback=f"jobs_redispatch (job {job_id}, once the broker answers)")
    if not sent:  # the job waits, marked, for jobs_redispatch
        _mark(kind, job_id=job_id, tenant_id=tenant_id, enqueue_failed=True)
    return sent


def _mark(kind: JobKind[Any], *, job_id: str, tenant_id: str, enqueue_failed: bool, since: str | None = None) -> str | None:
    """Sets the job's enqueue-failed mark (to `since`, default now), or swaps it for
    `redispatched_at`, under the job's row lock. Returns the mark's value, or None when there was
    nothing to change (no such job, or the mark already in that state)."""
    with tenant_context(tenant_id):
        job = kind.model.objects.select_for_update().filter(pk=job_id).first()
        trace = dict(job.trace or {}) if job is not None else {}
        if job is None or (ENQUEUE_FAILED in trace) == enqueue_failed:
            return None
        now = timezone.now().isoformat()
        if enqueue_failed:
            value = trace[ENQUEUE_FAILED] = since or now
        else:
            value = trace.pop(ENQUEUE_FAILED)
            trace["redispatched_at"] = now
        # No updated_at bump: the stale-job reaper still sees how long the job has waited.
        kind.model.objects.filter(pk=job_id).update(trace=trace)
        return value


def jobs_redispatch() -> int:
    """Sends again every unfinished job of every registered kind whose enqueue failed; returns how
    many were sent. Run by beat every JOB_REDISPATCH_SECONDS, so it runs as soon as the broker is
    back. Cross-tenant: jobs are found on the service connection, each one's mark is cleared in its
    tenant's context before its task is sent (a run copies the trace it read, so it must not read
    the mark; and a concurrent redispatch that cleared it first sends it instead), and put back if
    the send fails. A job sent twice all the same runs once (a run of a finished job is a no-op)."""
    waiting = []
    with service_context() as alias:
        for kind in job_kinds():
            rows = (kind.model.objects.using(alias).filter(trace__has_key=ENQUEUE_FAILED)
                    .exclude(status__in=kind.finished).order_by("created_at").values_list("pk", "tenant_id"))
            waiting += [(kind, job_id, tenant_id) for job_id, tenant_id in rows]
    sent = 0
    for kind, job_id, tenant_id in waiting:
        failed_at = _mark(kind, job_id=job_id, tenant_id=tenant_id, enqueue_failed=False)
        if failed_at is None:
            continue
        if not task_send(kind.task_name, kwargs={"job_id": job_id, "tenant_id": tenant_id}, keep_result=True,
                         fallback=f"the next jobs_redispatch (job {job_id})"):
            _mark(kind, job_id=job_id, tenant_id=tenant_id, enqueue_failed=True, since=failed_at)
            break  # the broker went away again: the next run tries again
        logger.info("sent job %s (%s), whose enqueue had failed", job_id, kind.task_name)
        sent += 1
    return sent
