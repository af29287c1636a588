"""HTTP doors of routing flags (seed 003): list and set, read, change, remove (each with a reason),
the audit trail of one flag, and the evaluation for a context."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from themeconfig.apis.base import WorkspaceApi, WorkspaceListApi
from themeconfig.platform.api.idempotency import idempotent
from themeconfig.platform.errors import FieldError, validation_error
from themeconfig.platform.permissions import Permission
from themeconfig.selectors import routing_flags as selectors
from themeconfig.serializers.routing_flags import (
    RoutingFlagAuditSerializer,
    RoutingFlagCreateSerializer,
    RoutingFlagDeleteSerializer,
    RoutingFlagEvaluationSerializer,
    RoutingFlagSerializer,
    RoutingFlagUpdateSerializer,
)
from themeconfig.services import routing_flags as services


class RoutingFlagListApi(WorkspaceListApi):
    """The tenant's routing flags (`flag_key=` narrows); POST sets a flag's value for one scope
    (env | tenant | style | user) with a reason. Evaluation: user, then style, then tenant, then env."""

    required_permission = {"GET": Permission.THEMES_READ, "POST": Permission.THEMES_PUBLISH}
    serializer_class = RoutingFlagSerializer
    ordering = ("flag_key", "scope_type", "scope_id")
    ordering_fields = ["flag_key", "updated_at"]

    @extend_schema(operation_id="routing_flags_list", responses=RoutingFlagSerializer(many=True),
                   parameters=[OpenApiParameter("flag_key", str)])
    def get(self, request):
        return self.paginated(selectors.routing_flag_list(flag_key=request.query_params.get("flag_key")),
                              RoutingFlagSerializer)

    @extend_schema(request=RoutingFlagCreateSerializer, responses={201: RoutingFlagSerializer})
    @idempotent
    def post(self, request):
        flag = services.routing_flag_create(principal=self.principal, **self.body(RoutingFlagCreateSerializer))
        return self.reply(RoutingFlagSerializer(flag).data, status=201, version=flag.version,
                          location=f"/api/v1/routing-flags/{flag.pk}/")


class RoutingFlagDetailApi(WorkspaceApi):
    """One flag (ETag: its version). PATCH changes its value or `enabled`; DELETE removes it (the body
    carries the reason); both need the version you saw (If-Match or `version`) and a reason."""

    required_permission = {"GET": Permission.THEMES_READ, "PATCH": Permission.THEMES_PUBLISH,
                           "DELETE": Permission.THEMES_PUBLISH}

    @extend_schema(responses=RoutingFlagSerializer)
    def get(self, request, flag_id):
        flag = selectors.routing_flag_get(flag_id)
        return self.reply(RoutingFlagSerializer(flag).data, version=flag.version)

    @extend_schema(request=RoutingFlagUpdateSerializer, responses=RoutingFlagSerializer)
    @idempotent
    def patch(self, request, flag_id):
        data = self.body(RoutingFlagUpdateSerializer)
        expected = self.expected(data)
        data.pop("version", None)
        flag = services.routing_flag_update(principal=self.principal, flag_id=flag_id, expected_version=expected,
                                            **data)
        return self.reply(RoutingFlagSerializer(flag).data, version=flag.version)

    @extend_schema(request=RoutingFlagDeleteSerializer, responses={204: None})
    def delete(self, request, flag_id):
        data = self.body(RoutingFlagDeleteSerializer)
        services.routing_flag_delete(principal=self.principal, flag_id=flag_id, expected_version=self.expected(data),
                                     reason=data["reason"])
        return Response(status=204)


class RoutingFlagAuditApi(WorkspaceListApi):
    """Who changed the flag, when, what (old and new values) and why; newest first. Kept after the flag
    is deleted."""

    required_permission = Permission.THEMES_READ
    serializer_class = RoutingFlagAuditSerializer
    ordering = ("-changed_at", "-id")
    ordering_fields = ["changed_at"]

    @extend_schema(operation_id="routing_flags_audit_list", responses=RoutingFlagAuditSerializer(many=True))
    def get(self, request, flag_id):
        return self.paginated(selectors.routing_flag_audit_list(flag_id=flag_id), RoutingFlagAuditSerializer)


class RoutingFlagEvaluateApi(WorkspaceApi):
    """The value of `flag_key` for a context: the enabled flag of the most specific scope set (user key,
    then style = theme, then this tenant, then the environment); `route_mode` null when none is."""

    required_permission = Permission.THEMES_READ

    @extend_schema(responses=RoutingFlagEvaluationSerializer, parameters=[
        OpenApiParameter("flag_key", str, required=True), OpenApiParameter("style", str, description="a theme id"),
        OpenApiParameter("user", str, description="a user key"),
        OpenApiParameter("env", str, description="default ROUTING_FLAG_ENV")])
    def get(self, request):
        query = request.query_params
        flag_key = query.get("flag_key")
        if not flag_key:
            raise validation_error([FieldError("/flag_key", "required", "Name the flag: ?flag_key=…")])
        flag = selectors.routing_flag_evaluate(tenant_id=self.principal.bound_tenant_id, flag_key=flag_key,
                                               style_id=query.get("style"), user_key=query.get("user"),
                                               env=query.get("env"))
        return self.reply(RoutingFlagEvaluationSerializer({
            "flag_key": flag_key, "route_mode": flag.route_mode if flag else None, "decided_by": flag}).data)
