"""What every workspace door shares: the principal, JSON body shape checks, ETag/Location replies."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter
from rest_framework import filters, generics
from rest_framework.response import Response
from rest_framework.views import APIView

from themeconfig.platform.api.concurrency import expected_version, with_etag
from themeconfig.platform.errors import CoreErrorCode, DomainError

# The request headers the doors honour, for the OpenAPI schema (themeconfig.platform.api.concurrency
# and .idempotency read them).
IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, pattern=r'^(W/)?"\d{1,9}"$',
    description='The ETag of the version you edited, as this API sent it ("3"); or `version` in the body.',
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, pattern=r"^[\x21-\x7e]{1,255}$",
    description="Repeating the request with the same key and body replays the first answer (24 hours).",
)


class WorkspaceMixin:
    """Thin-door helpers: read the input's shape, call one use case, say what happened."""

    @property
    def principal(self):
        return self.request.auth

    def body(self, serializer_class) -> dict:
        if not isinstance(self.request.data, dict):
            raise DomainError(CoreErrorCode.VALIDATION_FAILED, "The body must be a JSON object.", http_status=422)
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def expected(self, data: dict | None = None) -> int | None:
        return expected_version(self.request, data if data is not None else self.request.data)

    def reply(self, data, *, status: int = 200, version: int | None = None, location: str | None = None,
              secret_fields: tuple[str, ...] = ()) -> Response:
        """`secret_fields`: members shown in this reply only (never cached, never kept for an
        Idempotency-Key replay, which answers with them null)."""
        response = Response(data, status=status)
        if version is not None:
            with_etag(response, version)
        if location is not None:
            response["Location"] = location
        if secret_fields:
            response["Cache-Control"] = "no-store"
            response.secret_fields = secret_fields
        return response


class WorkspaceApi(WorkspaceMixin, APIView):
    pass


class WorkspaceListApi(WorkspaceMixin, generics.GenericAPIView):
    """A cursor-paginated list with `?ordering=` over `ordering_fields`."""

    filter_backends = [filters.OrderingFilter]
    ordering = ("id",)

    def paginated(self, queryset, serializer_class):
        queryset = self.filter_queryset(queryset)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializer_class(page, many=True).data)
