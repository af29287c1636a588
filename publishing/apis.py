"""HTTP doors of publishing: preview links of a version (create, list, revoke)."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema

from publishing import selectors, services
from publishing.serializers import (
    PreviewTokenCreatedSerializer,
    PreviewTokenCreateSerializer,
    PreviewTokenSerializer,
)
from themeconfig.apis.base import WorkspaceApi, WorkspaceListApi
from themeconfig.platform.api.idempotency import idempotent
from themeconfig.platform.permissions import Permission
from themeconfig.selectors import themes as theme_selectors


class PreviewTokenListApi(WorkspaceListApi):
    """The version's preview links (newest first); POST makes one — its `token` is shown only in that reply."""

    required_permission = {"GET": Permission.THEMES_READ, "POST": Permission.PREVIEWS_MANAGE}
    serializer_class = PreviewTokenSerializer
    ordering = ("-created_at",)
    ordering_fields = ["created_at", "expires_at"]

    @extend_schema(operation_id="versions_preview_tokens_list", responses=PreviewTokenSerializer(many=True))
    def get(self, request, version_id):
        version = theme_selectors.version_get(version_id)
        return self.paginated(selectors.preview_token_list(version_id=version.pk), PreviewTokenSerializer)

    @extend_schema(request=PreviewTokenCreateSerializer, responses={201: PreviewTokenCreatedSerializer})
    @idempotent
    def post(self, request, version_id):
        data = self.body(PreviewTokenCreateSerializer)
        token, secret = services.preview_token_create(principal=self.principal, version_id=version_id, **data)
        token.token = secret
        response = self.reply(PreviewTokenCreatedSerializer(token).data, status=201,
                              location=f"/api/v1/versions/{version_id}/preview-tokens/")
        response["Cache-Control"] = "no-store"
        return response


class PreviewTokenRevokeApi(WorkspaceApi):
    """Revokes a preview link at once (idempotent)."""

    required_permission = Permission.PREVIEWS_MANAGE

    @extend_schema(request=None, responses=PreviewTokenSerializer)
    @idempotent
    def post(self, request, token_id):
        token = services.preview_token_revoke(principal=self.principal, token_id=token_id)
        return self.reply(PreviewTokenSerializer(token).data)
