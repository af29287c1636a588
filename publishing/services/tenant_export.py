"""Use cases of tenant export (issue 18): an owner asks for an archive of the whole tenant (a job,
on the shared job machinery); a worker writes it (publishing/tenant_archive.py) to a temporary file,
then to storage under `exports/{tenant_id}/{job_id}.zip`, and the job records its key, size and
manifest; the owner follows the job and downloads the archive. Commands use the same writer.

The archive is read as the request role inside the tenant's context (RLS gives the whole tenant and
nothing else); nothing here needs the service role. Only the stale-job reaper, which looks across
tenants, runs on the service connection, as for every job kind.
"""
from __future__ import annotations

import os
import socket
import tempfile

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from publishing.bundles.storage import bundle_storage
from publishing.errors import PublishingErrorCode
from publishing.models import TenantExportJob, TenantExportJobStatus
from publishing.tenant_archive import archive_write
from themeconfig.platform.errors import DomainError, not_found
from themeconfig.platform.ids import is_valid_id, new_id
from themeconfig.platform.jobs.dispatch import job_enqueue
from themeconfig.platform.jobs.kinds import JobKind
from themeconfig.platform.jobs.runner import JobSteps, job_claimed, job_fail, job_succeed
from themeconfig.platform.permissions import Permission
from themeconfig.platform.principal import Principal, use_case
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.services.audit import audit_record

FINISHED = (TenantExportJobStatus.SUCCEEDED, TenantExportJobStatus.FAILED)
MAX_RUNS = 3
TENANT_EXPORT_JOBS = JobKind(model=TenantExportJob, task_name="publishing.run_tenant_export_job_task",
                             finished=FINISHED, entity_type="tenant_export_job", max_runs=MAX_RUNS,
                             worker_lost=PublishingErrorCode.EXPORT_WORKER_LOST, audit=audit_record)


def export_storage_key(tenant_id: str, job_id: str) -> str:
    return f"exports/{tenant_id}/{job_id}.zip"


def enqueue_tenant_export_job(*, job_id: str, tenant_id: str) -> None:
    job_enqueue(TENANT_EXPORT_JOBS, job_id=job_id, tenant_id=tenant_id)


def tenant_export_request(*, principal: Principal) -> TenantExportJob:
    """A queued export job of the principal's tenant (owners only)."""
    with use_case(principal, Permission.TENANT_EXPORT):
        job = TenantExportJob.objects.create(
            id=new_id("exj"), tenant_id=principal.bound_tenant_id, requested_by=principal.actor,
            principal=principal.as_payload(), trace={"requested_at": timezone.now().isoformat()})
        audit_record(principal=principal, action="tenant_export_job.requested", entity_type="tenant_export_job",
                     entity_id=job.pk, new={"status": job.status})
        transaction.on_commit(lambda: enqueue_tenant_export_job(job_id=job.pk, tenant_id=job.tenant_id))
        return job


def tenant_export_job_get(*, principal: Principal, job_id: str) -> TenantExportJob:
    with use_case(principal, Permission.TENANT_EXPORT):
        job = TenantExportJob.objects.filter(pk=job_id).first() if is_valid_id(job_id, "exj") else None
        if job is None:
            raise not_found("export job")
        return job


def tenant_export_download(*, principal: Principal, job_id: str) -> tuple[TenantExportJob, File[bytes]]:
    """The finished job's archive, opened from storage."""
    job = tenant_export_job_get(principal=principal, job_id=job_id)
    if job.status != TenantExportJobStatus.SUCCEEDED:
        raise DomainError(PublishingErrorCode.EXPORT_NOT_READY, f"The export is {job.status}, not ready to download.",
                          http_status=409)
    assert job.storage_key is not None  # a succeeded export job has stored its archive
    return job, bundle_storage().open(job.storage_key, "rb")


def tenant_export_job_fail(*, job_id: str, tenant_id: str, code: str, message: str) -> TenantExportJob | None:
    return job_fail(TENANT_EXPORT_JOBS, job_id=job_id, tenant_id=tenant_id, code=code, message=message)


def tenant_export_job_run(*, job_id: str, tenant_id: str, worker: str | None = None) -> TenantExportJob | None:
    """Writes the archive and stores it; safe to run again (a redelivered task writes it anew)."""
    with job_claimed(TENANT_EXPORT_JOBS, job_id=job_id, tenant_id=tenant_id,
                     status=TenantExportJobStatus.WRITING) as claim:
        pass
    if claim.over:
        return claim.job
    steps: JobSteps = claim.steps
    assert claim.job is not None  # a claim that is not over holds its job
    key = export_storage_key(tenant_id, job_id)
    storage = bundle_storage()
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "archive.zip")
        steps.start("write")
        with open(path, "wb") as out:
            manifest = archive_write(out, tenant_id=tenant_id)
        steps.start("store")
        # Never under the final key half-written: a storage that refuses midway leaves the key absent.
        if storage.exists(key):
            storage.delete(key)
        try:
            with open(path, "rb") as archive:
                saved = storage.save(key, File(archive))
        except BaseException:
            if storage.exists(key):
                storage.delete(key)
            raise
        size = os.path.getsize(path)
    summary = {"tables": {entry["table"]: entry["count"] for entry in manifest["tables"]},
               "bundles": len(manifest["bundles"]), "users": manifest["users"]["count"],
               "schema_version": manifest["schema_version"]}
    with tenant_context(tenant_id):
        job_succeed(TENANT_EXPORT_JOBS, job_id=job_id, steps=steps,
                    trace={**claim.job.trace, "worker": worker or socket.gethostname()},
                    storage_key=saved, size_bytes=size, manifest=summary)
        return TenantExportJob.objects.get(pk=job_id)
