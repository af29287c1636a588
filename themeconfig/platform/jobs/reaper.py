"""The stale-job reaper every kind's beat task calls: unfinished jobs untouched for a while (a lost
worker, a lost enqueue) run again, or fail with the kind's `worker_lost` once they used their runs.
Cross-tenant: found on the service connection, each one handled in its tenant's context."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from themeconfig.platform.jobs.dispatch import job_enqueue
from themeconfig.platform.jobs.kinds import JobKind
from themeconfig.platform.jobs.runner import job_fail
from themeconfig.platform.service_db import service_context

logger = logging.getLogger(__name__)


def jobs_reap(kind: JobKind[Any], *, stale_after: timedelta, give_up_after: int | None = None,
              rerun: Callable[..., object] | None = None) -> int:
    """Handles the kind's unfinished jobs not updated for `stale_after`; a job with `give_up_after`
    (default the kind's `max_runs`) attempts is failed, any other sent again (`rerun(job_id=,
    tenant_id=)`, default `job_enqueue`). Returns how many it found."""
    give_up_after = kind.max_runs if give_up_after is None else give_up_after
    cutoff = timezone.now() - stale_after
    with service_context() as alias:
        stale = list(kind.model.objects.using(alias).filter(updated_at__lt=cutoff).exclude(
            status__in=kind.finished).values_list("pk", "tenant_id", "attempts"))
    for job_id, tenant_id, attempts in stale:
        if attempts >= give_up_after:
            job_fail(kind, job_id=job_id, tenant_id=tenant_id, code=kind.worker_lost,
                     message=f"no worker finished it after {attempts} attempts")
        else:
            logger.warning("re-running stale %s %s (%s attempts so far)", kind.entity_type, job_id, attempts)
            if rerun is not None:
                rerun(job_id=job_id, tenant_id=tenant_id)
            else:
                job_enqueue(kind, job_id=job_id, tenant_id=tenant_id)
    return len(stale)
