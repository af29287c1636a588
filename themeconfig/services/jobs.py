"""What the apps' background jobs (publish jobs, AI generation jobs) share: failing an open job, audited.

Each job table has `status`, `error_code`, `error_message`, `finished_at`, `updated_at` and the
`principal` payload of whoever asked for it; a finished job (succeeded or failed) is left as it is.
"""
from __future__ import annotations

from django.db.models import Model
from django.utils import timezone

from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.services.audit import audit_record

MAX_ERROR_MESSAGE = 2000


def job_fail(model: type[Model], *, job_id: str, tenant_id: str, finished: tuple[str, ...], failed: str,
             entity_type: str, code: str, message: str, **fields):
    """Marks the job failed with `code`/`message` (and any extra columns in `fields`, which may be
    callables of the locked job) and audits `<entity_type>.failed` as the job's principal; a job
    already in one of the `finished` states is returned unchanged."""
    with tenant_context(tenant_id):
        job = model.objects.select_for_update().get(pk=job_id)
        if job.status in finished:
            return job
        now = timezone.now()
        extra = {name: value(job) if callable(value) else value for name, value in fields.items()}
        model.objects.filter(pk=job_id).update(status=failed, error_code=str(code),
                                               error_message=message[:MAX_ERROR_MESSAGE], finished_at=now,
                                               updated_at=now, **extra)
        audit_record(principal=Principal.from_payload(job.principal), action=f"{entity_type}.failed",
                     entity_type=entity_type, entity_id=job_id, old={"status": job.status},
                     new={"status": failed, "error_code": str(code)})
        return model.objects.get(pk=job_id)
