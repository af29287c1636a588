"""HTTP door of the audit log: who changed what, when, newest first."""
from __future__ import annotations

from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema

from themeconfig.apis.base import WorkspaceListApi
from themeconfig.platform.errors import FieldError, validation_error
from themeconfig.platform.permissions import Permission
from themeconfig.platform.read_replica import lag_tolerant
from themeconfig.selectors.audit import audit_log_list
from themeconfig.serializers.audit import AuditLogEntrySerializer


def _when(params, name):
    value = params.get(name)
    if value is None:
        return None
    parsed = parse_datetime(value) if len(value) <= 40 else None
    if parsed is None or parsed.tzinfo is None:
        raise validation_error([FieldError(f"/{name}", "invalid_datetime",
                                           "An ISO 8601 time with its offset, e.g. 2026-12-01T00:00:00Z.")])
    return parsed


class AuditLogListApi(WorkspaceListApi):
    """The tenant's audit trail. Filters: `entity_type`, `entity_id`, `actor` (`user:42`, `api_key:apk_…`),
    `action` (`theme.updated`), `since` (inclusive) and `until` (exclusive) as ISO 8601 times."""

    required_permission = Permission.TENANT_READ
    serializer_class = AuditLogEntrySerializer
    ordering_fields = ["occurred_at"]
    ordering = ("-occurred_at", "-id")

    @extend_schema(operation_id="audit_log_list", responses=AuditLogEntrySerializer(many=True), parameters=[
        OpenApiParameter(name, str) for name in ("entity_type", "entity_id", "actor", "action")
    ] + [OpenApiParameter("since", str, description="ISO 8601"), OpenApiParameter("until", str, description="ISO 8601")])
    @lag_tolerant
    def get(self, request):
        params = request.query_params
        rows = audit_log_list(
            entity_type=params.get("entity_type"), entity_id=params.get("entity_id"), actor=params.get("actor"),
            action=params.get("action"), since=_when(params, "since"), until=_when(params, "until"),
        )
        return self.paginated(rows, AuditLogEntrySerializer)
