"""HTTP doors of four-eyes publish requests: list (`?status=pending` is the "Waiting for approval"
list), show, approve (asks for the publish job), reject, withdraw. Reading needs themes.read,
deciding themes.publish; the same use cases as the admin's approval page."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema

from publishing import selectors
from publishing.models import PublishRequestStatus
from publishing.serializers import PublishApprovalRequestSerializer, PublishDecisionSerializer
from publishing.services import publish_requests as services
from themeconfig.apis.base import IF_MATCH, WorkspaceApi, WorkspaceListApi
from themeconfig.platform.api.idempotency import idempotent
from themeconfig.platform.errors import CoreErrorCode, DomainError, FieldError
from themeconfig.platform.permissions import Permission

STATUS_PARAMETER = OpenApiParameter(
    "status", str, enum=list(PublishRequestStatus.values),
    description="Only requests in this state; `pending` is what waits for approval.")
THEME_PARAMETER = OpenApiParameter("theme_id", str, description="Only requests about this theme.")


def _reply(view, request, *, status: int = 200):
    return view.reply(PublishApprovalRequestSerializer(request).data, status=status, version=request.version,
                      location=f"/api/v1/publish-requests/{request.pk}/")


class PublishApprovalRequestListApi(WorkspaceListApi):
    """The tenant's publish requests, newest first."""

    required_permission = Permission.THEMES_READ
    serializer_class = PublishApprovalRequestSerializer
    ordering = ("-created_at",)
    ordering_fields = ["created_at"]

    @extend_schema(operation_id="publish_requests_list", responses=PublishApprovalRequestSerializer(many=True),
                   parameters=[STATUS_PARAMETER, THEME_PARAMETER])
    def get(self, request):
        status = request.query_params.get("status") or None
        if status is not None and status not in PublishRequestStatus.values:
            raise DomainError(CoreErrorCode.VALIDATION_FAILED, "Unknown status.", http_status=422,
                              errors=[FieldError("/status", "invalid_choice",
                                                 f"One of {', '.join(PublishRequestStatus.values)}.")])
        return self.paginated(selectors.publish_request_list(status=status,
                                                             theme_id=request.query_params.get("theme_id") or None),
                              PublishApprovalRequestSerializer)


class PublishApprovalRequestApi(WorkspaceApi):
    """One publish request and its state (the requester follows theirs here)."""

    required_permission = Permission.THEMES_READ

    @extend_schema(responses=PublishApprovalRequestSerializer)
    def get(self, request, request_id):
        return _reply(self, selectors.publish_request_get(request_id))


class PublishApprovalRequestApproveApi(WorkspaceApi):
    """Approves another member's request (never your own): 202, the request now names its `publish_job_id`
    to follow at `publish-jobs/{id}/` (none for a scheduled publish: approval arms its schedule, whose job
    comes at its time). An edit of the version since voids it (`…PUBLISH_REQUEST.VOIDED_BY_EDIT`); a
    scheduled publish whose schedule was cancelled is answered `…PUBLISH_REQUEST.NOT_PENDING`."""

    required_permission = Permission.THEMES_PUBLISH

    @extend_schema(request=PublishDecisionSerializer, responses={202: PublishApprovalRequestSerializer},
                   parameters=[IF_MATCH])
    @idempotent
    def post(self, request, request_id):
        data = self.body(PublishDecisionSerializer)
        decided = services.publish_request_approve(principal=self.principal, request_id=request_id,
                                                   expected_version=self.expected(data), note=data.get("note"))
        return _reply(self, decided, status=202)


class PublishApprovalRequestRejectApi(WorkspaceApi):
    """Rejects another member's request with a `note` saying why; nothing is published."""

    required_permission = Permission.THEMES_PUBLISH

    @extend_schema(request=PublishDecisionSerializer, responses=PublishApprovalRequestSerializer,
                   parameters=[IF_MATCH])
    @idempotent
    def post(self, request, request_id):
        data = self.body(PublishDecisionSerializer)
        decided = services.publish_request_reject(principal=self.principal, request_id=request_id,
                                                  expected_version=self.expected(data), note=data.get("note"))
        return _reply(self, decided)


class PublishApprovalRequestWithdrawApi(WorkspaceApi):
    """The requester takes their pending request back."""

    required_permission = Permission.THEMES_PUBLISH

    @extend_schema(request=PublishDecisionSerializer, responses=PublishApprovalRequestSerializer,
                   parameters=[IF_MATCH])
    @idempotent
    def post(self, request, request_id):
        data = self.body(PublishDecisionSerializer)
        withdrawn = services.publish_request_withdraw(principal=self.principal, request_id=request_id,
                                                      expected_version=self.expected(data))
        return _reply(self, withdrawn)
