"""HTTP doors of publishing: preview links, publish/rollback/re-publish (202 + a job), jobs, publications."""
from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from publishing import selectors, services
from publishing.serializers import (
    PreviewTokenCreatedSerializer,
    PreviewTokenCreateSerializer,
    PreviewTokenSerializer,
    PublicationSerializer,
    PublishJobSerializer,
    PublishRequestSerializer,
    ResolutionSerializer,
    RollbackRequestSerializer,
)
from publishing.services import publish
from themeconfig.apis.base import WorkspaceApi, WorkspaceListApi
from themeconfig.platform.api.idempotency import idempotent
from themeconfig.platform.errors import CoreErrorCode, DomainError
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
        return self.reply(PreviewTokenCreatedSerializer(token).data, status=201,
                          location=f"/api/v1/versions/{version_id}/preview-tokens/", secret_fields=("token",))


class PreviewTokenRevokeApi(WorkspaceApi):
    """Revokes a preview link at once (idempotent)."""

    required_permission = Permission.PREVIEWS_MANAGE

    @extend_schema(request=None, responses=PreviewTokenSerializer)
    @idempotent
    def post(self, request, token_id):
        token = services.preview_token_revoke(principal=self.principal, token_id=token_id)
        return self.reply(PreviewTokenSerializer(token).data)


def _job_reply(view, job):
    response = view.reply(PublishJobSerializer(job).data, status=202, location=f"/api/v1/publish-jobs/{job.pk}/")
    response["Retry-After"] = "1"
    return response


class VersionPublishApi(WorkspaceApi):
    """Publishes a version: 202 with a job to poll at `publish-jobs/{id}/`. Send the theme's version
    you saw (If-Match with the theme's ETag, or `version`); the version must pass preview-ready."""

    required_permission = Permission.THEMES_PUBLISH

    @extend_schema(request=PublishRequestSerializer, responses={202: PublishJobSerializer})
    @idempotent
    def post(self, request, version_id):
        data = self.body(PublishRequestSerializer)
        job = publish.version_publish(principal=self.principal, version_id=version_id,
                                      expected_theme_version=self.expected(data))
        return _job_reply(self, job)


class ThemeRollbackApi(WorkspaceApi):
    """Flips the theme back to an earlier publication's bundle (`publication_id`, default the one before): 202 + job."""

    required_permission = Permission.THEMES_PUBLISH

    @extend_schema(request=RollbackRequestSerializer, responses={202: PublishJobSerializer})
    @idempotent
    def post(self, request, theme_id):
        data = self.body(RollbackRequestSerializer)
        job = publish.theme_rollback(principal=self.principal, theme_id=theme_id, expected_theme_version=self.expected(data),
                                     publication_id=data.get("publication_id"))
        return _job_reply(self, job)


class ThemeRepublishApi(WorkspaceApi):
    """Rebuilds and re-publishes the active version: 202 + job."""

    required_permission = Permission.THEMES_PUBLISH

    @extend_schema(request=PublishRequestSerializer, responses={202: PublishJobSerializer})
    @idempotent
    def post(self, request, theme_id):
        job = publish.theme_republish(principal=self.principal, theme_id=theme_id,
                                      expected_theme_version=self.expected(self.body(PublishRequestSerializer)))
        return _job_reply(self, job)


class PublishJobApi(WorkspaceApi):
    """A publish job: queued → building → uploading → flipping → succeeded | failed (with `error_code`)."""

    required_permission = Permission.THEMES_READ

    @extend_schema(responses=PublishJobSerializer)
    def get(self, request, job_id):
        job = selectors.publish_job_get(job_id)
        response = self.reply(PublishJobSerializer(job).data)
        if job.status not in ("succeeded", "failed"):
            response["Retry-After"] = "1"
        return response


class ThemePublicationListApi(WorkspaceListApi):
    """The theme's publications, newest first (the active one has `is_active`)."""

    required_permission = Permission.THEMES_READ
    serializer_class = PublicationSerializer
    ordering = ("-published_at",)
    ordering_fields = ["published_at"]

    @extend_schema(operation_id="themes_publications_list", responses=PublicationSerializer(many=True))
    def get(self, request, theme_id):
        theme = theme_selectors.theme_get(theme_id)
        return self.paginated(selectors.publication_list(theme_id=theme.pk), PublicationSerializer)


class ResolveApi(APIView):
    """Public (no auth): the active bundle for a host, from the incrementally kept read model.

    `ETag` is the bundle's sha256 (304 on a matching `If-None-Match`); unknown hosts are a 404 problem.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(parameters=[OpenApiParameter("host", str, required=True)],
                   responses={200: ResolutionSerializer, 304: OpenApiResponse(description="Not modified (ETag matched).")})
    def get(self, request):
        host = (request.query_params.get("host") or "").strip().lower().rstrip(".")
        host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        row = selectors.resolve_host(host) if host else None
        if row is None:
            raise DomainError(CoreErrorCode.NOT_FOUND, "No published theme serves this host.", http_status=404)
        etag = f'"{row["bundle_sha256"]}"'
        if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
            response = Response(status=304)
        else:
            response = Response(ResolutionSerializer(row).data)
        response["ETag"] = etag
        response["Cache-Control"] = f"public, max-age={settings.RESOLVE_MAX_AGE_SECONDS}"
        return response
