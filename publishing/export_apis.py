"""HTTP doors of tenant export (owners only): ask for an archive (202 + a job), follow the job,
download the archive once it is written."""
from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers

from publishing.models import TenantExportJob
from publishing.services import tenant_export
from themeconfig.apis.base import WorkspaceApi
from themeconfig.platform.api.idempotency import idempotent
from themeconfig.platform.permissions import Permission


class TenantExportJobSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = TenantExportJob
        fields = ["id", "status", "size_bytes", "manifest", "download_url", "error_code", "error_message", "trace",
                  "attempts", "requested_by", "created_at", "started_at", "finished_at", "updated_at"]
        read_only_fields = fields

    def get_download_url(self, job) -> str | None:
        return f"/api/v1/tenant/exports/{job.pk}/archive/" if job.status == "succeeded" else None


def _job_reply(view, job, *, status: int = 200):
    response = view.reply(TenantExportJobSerializer(job).data, status=status,
                          location=f"/api/v1/tenant/exports/{job.pk}/" if status == 202 else None)
    if job.status not in ("succeeded", "failed"):
        response["Retry-After"] = "2"
    return response


class TenantExportListApi(WorkspaceApi):
    """Asks for an archive of the whole tenant: 202 + a job to follow at `tenant/exports/{id}/`."""

    required_permission = Permission.TENANT_EXPORT

    @extend_schema(request=None, responses={202: TenantExportJobSerializer})
    @idempotent
    def post(self, request):
        return _job_reply(self, tenant_export.tenant_export_request(principal=self.principal), status=202)


class TenantExportApi(WorkspaceApi):
    """An export job: queued → writing → succeeded (with `download_url`) | failed (with `error_code`)."""

    required_permission = Permission.TENANT_EXPORT

    @extend_schema(responses=TenantExportJobSerializer)
    def get(self, request, job_id):
        return _job_reply(self, tenant_export.tenant_export_job_get(principal=self.principal, job_id=job_id))


class TenantExportArchiveApi(WorkspaceApi):
    """The finished export's zip archive (409 `MELMASTOON.EXPORT.NOT_READY` until it is written)."""

    required_permission = Permission.TENANT_EXPORT

    @extend_schema(responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request, job_id):
        job, archive = tenant_export.tenant_export_download(principal=self.principal, job_id=job_id)
        return FileResponse(archive, as_attachment=True, filename=f"{job.pk}.zip", content_type="application/zip")
