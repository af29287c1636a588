"""HTTP doors of publishing: preview links, publish/rollback/re-publish (202 + a job), jobs, publications."""
from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from publishing import preview, selectors, services
from publishing.errors import PublishingErrorCode
from publishing.models import PublishRequest
from publishing.resolve import cache as resolve_cache
from publishing.resolve import rollout_stats, slices
from publishing.serializers import (
    PreviewTokenCreatedSerializer,
    PreviewTokenCreateSerializer,
    PreviewTokenSerializer,
    PublicationSerializer,
    PublishApprovalRequestSerializer,
    PublishJobSerializer,
    PublishRequestSerializer,
    ResolutionSerializer,
    RollbackRequestSerializer,
)
from publishing.services import publish
from themeconfig.apis.base import WorkspaceApi, WorkspaceListApi
from themeconfig.platform.api.exceptions import PROBLEM_CONTENT_TYPE, problem_body, problem_response
from themeconfig.platform.api.idempotency import idempotent
from themeconfig.platform.api.openapi import PROBLEM_REF
from themeconfig.platform.errors import CoreErrorCode, DomainError, FieldError
from themeconfig.platform.hostnames import host_normalize
from themeconfig.platform.permissions import Permission
from themeconfig.platform.read_replica import lag_tolerant
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


def job_or_request_reply(view, job):
    """202 with the job to poll; or, with four-eyes on, 202 with the request waiting for approval."""
    if isinstance(job, PublishRequest):
        return view.reply(PublishApprovalRequestSerializer(job).data, status=202, version=job.version,
                          location=f"/api/v1/publish-requests/{job.pk}/")
    response = view.reply(PublishJobSerializer(job).data, status=202, location=f"/api/v1/publish-jobs/{job.pk}/")
    response["Retry-After"] = "1"
    return response


JOB_OR_REQUEST = PolymorphicProxySerializer(
    component_name="PublishJobOrApprovalRequest", resource_type_field_name=None,
    serializers=[PublishJobSerializer, PublishApprovalRequestSerializer])


class VersionPublishApi(WorkspaceApi):
    """Publishes a version: 202 with a job to poll at `publish-jobs/{id}/`. Send the theme's version
    you saw (If-Match with the theme's ETag, or `version`); the version must pass preview-ready. With
    the tenant's four-eyes setting on: 202 with a publish request (`publish-requests/{id}/`) that
    another member approves first; `note` goes to the approvers. Refused with
    `MELMASTOON.ROLLOUT.RUNNING` (409) while the theme has an open rollout: promote or abort it."""

    required_permission = Permission.THEMES_PUBLISH

    @extend_schema(request=PublishRequestSerializer, responses={202: JOB_OR_REQUEST})
    @idempotent
    def post(self, request, version_id):
        data = self.body(PublishRequestSerializer)
        job = publish.version_publish(principal=self.principal, version_id=version_id,
                                      expected_theme_version=self.expected(data), note=data.get("note"))
        return job_or_request_reply(self, job)


class ThemeRollbackApi(WorkspaceApi):
    """Flips the theme back to an earlier publication's bundle (`publication_id`, default the one before): 202 + job.
    Refused with `MELMASTOON.ROLLOUT.RUNNING` (409) while the theme has an open rollout (abort it first)."""

    required_permission = Permission.THEMES_PUBLISH

    @extend_schema(request=RollbackRequestSerializer, responses={202: JOB_OR_REQUEST})
    @idempotent
    def post(self, request, theme_id):
        data = self.body(RollbackRequestSerializer)
        job = publish.theme_rollback(principal=self.principal, theme_id=theme_id, expected_theme_version=self.expected(data),
                                     publication_id=data.get("publication_id"), note=data.get("note"))
        return job_or_request_reply(self, job)


class ThemeRepublishApi(WorkspaceApi):
    """Rebuilds and re-publishes the active version: 202 + job. Refused with `MELMASTOON.ROLLOUT.RUNNING`
    (409) while the theme has an open rollout."""

    required_permission = Permission.THEMES_PUBLISH

    @extend_schema(request=PublishRequestSerializer, responses={202: JOB_OR_REQUEST})
    @idempotent
    def post(self, request, theme_id):
        data = self.body(PublishRequestSerializer)
        job = publish.theme_republish(principal=self.principal, theme_id=theme_id,
                                      expected_theme_version=self.expected(data), note=data.get("note"))
        return job_or_request_reply(self, job)


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
    @lag_tolerant
    def get(self, request, theme_id):
        theme = theme_selectors.theme_get(theme_id)
        return self.paginated(selectors.publication_list(theme_id=theme.pk), PublicationSerializer)


class ResolveApi(APIView):
    """Public (no auth): the active bundle for a host, from the incrementally kept read model.

    `ETag` is the bundle's sha256 (304 on a matching `If-None-Match`); a host no published theme serves
    is a 404 problem; a missing, empty or malformed `host` a 400 problem (`MELMASTOON.RESOLVE.INVALID_HOST`,
    `errors[0].path` `/host`).
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []  # per client address, in PublicEndpointMiddleware

    def dispatch(self, request, *args, **kwargs):
        # GET and HEAD go straight to the lookup, without DRF's request wrapping, negotiation and
        # serializer, which cost more than the cached lookup itself (bench/publish.py). The answers
        # are the same: the body ResolutionSerializer documents, the same problem+json 404. Other
        # methods get DRF's own answers (405, OPTIONS).
        if request.method in ("GET", "HEAD"):
            return self.get(request)
        return super().dispatch(request, *args, **kwargs)

    @extend_schema(
        parameters=[
            OpenApiParameter("host", str, required=True),
            OpenApiParameter(slices.VISITOR_PARAMETER, str, description=(
                "A stable key of the visitor (at most 200 characters; the `X-Visitor-Key` header says the same and "
                "the parameter wins). While the theme has a running rollout, it decides whether this visitor is in "
                "the rollout's slice (a named user key, or the key's hash bucket below the percentage): then the "
                "answer is the candidate's (`publication_id` null, `rollout_id` set). Without a key, only named "
                "hosts get the candidate.")),
            OpenApiParameter(slices.VISITOR_HEADER, str, OpenApiParameter.HEADER,
                             description="The visitor key, as the `visitor` parameter (answers carry `Vary: X-Visitor-Key`)."),
        ],
        responses={200: ResolutionSerializer, 304: OpenApiResponse(description="Not modified (ETag matched).")})
    def get(self, request):
        # The names tenants add are stored in this same form (themeconfig.platform.hostnames).
        given = request.GET.get("host")
        host = host_normalize(given, port=True)
        if host is None:
            return problem_response(_invalid_host(given), instance=request.path)
        found = resolve_cache.resolve(host)
        if found is None:
            return problem_response(DomainError(CoreErrorCode.NOT_FOUND, "No published theme serves this host.",
                                                http_status=404), instance=request.path)
        if found.slice is not None:  # a running rollout: this visitor's answer, counted for the admin's share
            answer = found.for_visitor(request.GET.get(slices.VISITOR_PARAMETER)
                                       or request.headers.get(slices.VISITOR_HEADER))
            rollout_stats.count(found.slice.rollout_id, candidate=answer is not found)
            found = answer
        etag = f'"{found.sha256}"'
        if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
            response = HttpResponseNotModified()  # no body, so no content type
        else:
            response = HttpResponse(found.body, content_type="application/json")
        response["ETag"] = etag
        response["Cache-Control"] = f"public, max-age={settings.RESOLVE_MAX_AGE_SECONDS}"
        # Always, rollout or not: a shared cache must not hand one visitor's answer to another, and a
        # rollout may start within a cached answer's max-age (the query parameter is in the URL already).
        response["Vary"] = slices.VISITOR_HEADER
        return response


def _invalid_host(given: str | None) -> DomainError:
    field = (FieldError("/host", "required", "Give the host name to resolve: ?host=www.example.com.")
             if not given or not given.strip() else FieldError("/host", "invalid_host", "Not a valid host name."))
    return DomainError(PublishingErrorCode.RESOLVE_INVALID_HOST, "The host parameter is missing or not a host name.",
                       http_status=400, errors=[field])


# --- the public preview read (preview/{token}/) ------------------------------------------------
# One answer for every token that shows nothing (unknown, expired, revoked, malformed, its theme
# deleted): the same status, bytes and headers, built once, with nothing from the request in it.
PREVIEW_NOT_FOUND_BODY = json.dumps(problem_body(DomainError(
    CoreErrorCode.NOT_FOUND, "No such preview link, or it has expired or been revoked.", http_status=404,
)), sort_keys=True, separators=(",", ":")).encode()
PREVIEW_HEADERS = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"}
BUNDLE_DOCUMENT_SCHEMA = {
    "type": "object",
    "description": "The bundle document (`theme-config.bundle.v1`), the bytes a publish of this version "
                   "would store: canonical JSON, keys sorted (see the README's *Bundles*).",
    "properties": {
        "schema": {"type": "string", "enum": ["theme-config.bundle.v1"]},
        "tenant_id": {"type": "string"}, "theme_id": {"type": "string"}, "version_id": {"type": "string"},
        "ordinal": {"type": "integer"},
        "locales": {"type": "object", "additionalProperties": True},
        "tokens": {"type": "object", "additionalProperties": True},
        "layout": {"type": "object", "additionalProperties": True},
        "content": {"type": "object", "additionalProperties": True},
        "navigation": {"type": "object", "additionalProperties": True},
        "booking_flow": {"type": "object", "nullable": True, "additionalProperties": True},
        "email_theme": {"type": "object", "nullable": True, "additionalProperties": True},
        "messages": {"type": "object", "additionalProperties": True},
    },
    "required": ["schema", "tenant_id", "theme_id", "version_id", "ordinal", "locales", "tokens", "layout",
                 "content", "navigation", "booking_flow", "email_theme", "messages"],
}


def _problem_response(status: int, description: str) -> dict:
    return {(status, PROBLEM_CONTENT_TYPE): OpenApiResponse(response=PROBLEM_REF, description=description)}


_PREVIEW_PROBLEMS = {
    **_problem_response(400, "A NUL character in the URL (refused before any lookup, as on every route)."),
    **_problem_response(404, "The one answer, byte for byte, for a token that is unknown, expired, revoked or "
                             "malformed, or whose theme was deleted."),
    **_problem_response(429, "Too many preview requests from this client address; `Retry-After` says when to try "
                             "again."),
}


class _WhateverIsAccepted(BaseContentNegotiation):
    """The preview answers its own bytes whatever `Accept` or `?format=` ask for (DRF's default
    negotiation would answer those with a 406 or a 404 of its own, unlike the preview's one 404)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class PreviewApi(APIView):
    """Public (no auth): the bundle document of the version a preview link shows, built on the fly by
    the publishing builder, read through the preview reader role only; each answer counts an access.

    `Cache-Control: private, no-store` and `X-Robots-Tag: noindex`. Unknown, expired, revoked and
    malformed tokens all get the same 404, byte for byte.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []  # per client address, in PublicEndpointMiddleware
    content_negotiation_class = _WhateverIsAccepted
    part = "json"

    @extend_schema(
        operation_id="preview_retrieve",
        parameters=[OpenApiParameter("token", str, OpenApiParameter.PATH,
                                     description="The preview link's secret (`pvw_…`), shown once when it was made.")],
        responses={(200, "application/json"): OpenApiResponse(response=BUNDLE_DOCUMENT_SCHEMA,
                                                              description="The bundle document."),
                   **_PREVIEW_PROBLEMS},
    )
    def get(self, request, token):
        bundle = preview.preview_bundle(token)
        if bundle is None:
            response = HttpResponse(PREVIEW_NOT_FOUND_BODY, status=404, content_type=PROBLEM_CONTENT_TYPE)
        elif self.part == "css":
            response = HttpResponse(bundle.css_bytes, content_type="text/css; charset=utf-8")
        else:
            response = HttpResponse(bundle.json_bytes, content_type="application/json")
        for header, value in PREVIEW_HEADERS.items():
            response[header] = value
        return response


class PreviewStylesheetApi(PreviewApi):
    """Public (no auth): the stylesheet of the version a preview link shows (its tokens as CSS custom
    properties), as publishing would store it; otherwise as `preview/{token}/`."""

    part = "css"

    @extend_schema(
        operation_id="preview_css_retrieve",
        parameters=[OpenApiParameter("token", str, OpenApiParameter.PATH,
                                     description="The preview link's secret (`pvw_…`), shown once when it was made.")],
        responses={(200, "text/css"): OpenApiResponse(response={"type": "string"}, description="The stylesheet."),
                   **_PREVIEW_PROBLEMS},
    )
    def get(self, request, token):
        return super().get(request, token)
