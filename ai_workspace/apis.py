"""HTTP doors of the AI workspace: asking for a draft (POST on a draft list: 202 and a generation job
to poll), drafts listed per theme or version, one draft with what it would change, and its approval
or rejection. Reading needs themes.read, asking themes.edit, deciding ai.review."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema

from ai_workspace import selectors, services
from ai_workspace.models import DraftStatus, GenerationJobStatus
from ai_workspace.serializers import (
    DRAFT_SERIALIZERS,
    ContentDraftSerializer,
    ContentGenerateSerializer,
    DraftApproveSerializer,
    DraftRejectSerializer,
    GenerationJobSerializer,
    PaletteGenerateSerializer,
    PaletteSuggestionSerializer,
    TranslationDraftSerializer,
    TranslationGenerateSerializer,
)
from ai_workspace.services import generation
from themeconfig.apis.base import IDEMPOTENCY_KEY, WorkspaceApi, WorkspaceListApi
from themeconfig.platform.api.idempotency import idempotent
from themeconfig.platform.errors import FieldError, validation_error
from themeconfig.platform.permissions import Permission
from themeconfig.selectors import themes as theme_selectors

KIND = OpenApiParameter("kind", enum=list(selectors.DRAFT_KINDS), location=OpenApiParameter.PATH)
STATUS = OpenApiParameter("status", enum=DraftStatus.values)


def _polymorphic(name: str, detail: bool) -> PolymorphicProxySerializer:
    return PolymorphicProxySerializer(
        component_name=name, resource_type_field_name=None,
        serializers=[pair[1 if detail else 0] for pair in DRAFT_SERIALIZERS.values()],
    )


def _status(request) -> str | None:
    status = request.query_params.get("status")
    if status is not None and status not in DraftStatus.values:
        raise validation_error([FieldError("/status", "invalid_choice",
                                           f"status must be one of {', '.join(DraftStatus.values)}.")])
    return status


def _draft(kind: str, draft) -> dict:
    return DRAFT_SERIALIZERS[kind][0](draft).data


def _job_reply(view, job, status: int = 202):
    response = view.reply(GenerationJobSerializer(job).data, status=status,
                          location=f"/api/v1/ai-generation-jobs/{job.pk}/" if status == 202 else None)
    if job.status not in (GenerationJobStatus.SUCCEEDED, GenerationJobStatus.FAILED):
        response["Retry-After"] = "1"
    return response


class DraftListApi(WorkspaceListApi):
    required_permission = {"GET": Permission.THEMES_READ, "POST": Permission.THEMES_EDIT}
    ordering = ("-created_at", "id")
    ordering_fields = ["created_at", "decided_at"]


class PaletteSuggestionListApi(DraftListApi):
    """The theme's palette suggestions, newest first (filter `status`). POST asks the configured provider for a new
    pending draft: 202 with a generation job to poll at `ai-generation-jobs/{id}/` (429
    `MELMASTOON.AI.PENDING_LIMIT` / `MELMASTOON.AI.DAILY_LIMIT` past the tenant's limits)."""

    serializer_class = PaletteSuggestionSerializer

    @extend_schema(operation_id="themes_palette_suggestions_list", responses=PaletteSuggestionSerializer(many=True),
                   parameters=[STATUS])
    def get(self, request, theme_id):
        theme = theme_selectors.theme_get(theme_id)
        return self.paginated(selectors.palette_suggestion_list(theme_id=theme.pk, status=_status(request)),
                              PaletteSuggestionSerializer)

    @extend_schema(operation_id="themes_palette_suggestions_generate", request=PaletteGenerateSerializer,
                   responses={202: GenerationJobSerializer}, parameters=[IDEMPOTENCY_KEY])
    @idempotent
    def post(self, request, theme_id):
        theme_selectors.theme_get(theme_id)  # an unknown theme is 404 whatever the body says
        job = generation.palette_generation_request(principal=self.principal, theme_id=theme_id,
                                                    **self.body(PaletteGenerateSerializer))
        return _job_reply(self, job)


class TranslationDraftListApi(DraftListApi):
    """The version's translation drafts, newest first (filter `status`). POST asks the configured provider for a new
    pending draft: 202 with a generation job to poll at `ai-generation-jobs/{id}/` (429
    `MELMASTOON.AI.PENDING_LIMIT` / `MELMASTOON.AI.DAILY_LIMIT` past the tenant's limits)."""

    serializer_class = TranslationDraftSerializer

    @extend_schema(operation_id="versions_translation_drafts_list", responses=TranslationDraftSerializer(many=True),
                   parameters=[STATUS])
    def get(self, request, version_id):
        version = theme_selectors.version_get(version_id)
        return self.paginated(selectors.translation_draft_list(version_id=version.pk, status=_status(request)),
                              TranslationDraftSerializer)

    @extend_schema(operation_id="versions_translation_drafts_generate", request=TranslationGenerateSerializer,
                   responses={202: GenerationJobSerializer}, parameters=[IDEMPOTENCY_KEY])
    @idempotent
    def post(self, request, version_id):
        theme_selectors.version_get(version_id)  # an unknown version is 404 whatever the body says
        job = generation.translation_generation_request(principal=self.principal, version_id=version_id,
                                                        **self.body(TranslationGenerateSerializer))
        return _job_reply(self, job)


class ContentDraftListApi(DraftListApi):
    """The version's content drafts, newest first (filter `status`). POST asks the configured provider for a new
    pending draft: 202 with a generation job to poll at `ai-generation-jobs/{id}/` (429
    `MELMASTOON.AI.PENDING_LIMIT` / `MELMASTOON.AI.DAILY_LIMIT` past the tenant's limits)."""

    serializer_class = ContentDraftSerializer

    @extend_schema(operation_id="versions_content_drafts_list", responses=ContentDraftSerializer(many=True),
                   parameters=[STATUS])
    def get(self, request, version_id):
        version = theme_selectors.version_get(version_id)
        return self.paginated(selectors.content_draft_list(version_id=version.pk, status=_status(request)),
                              ContentDraftSerializer)

    @extend_schema(operation_id="versions_content_drafts_generate", request=ContentGenerateSerializer,
                   responses={202: GenerationJobSerializer}, parameters=[IDEMPOTENCY_KEY])
    @idempotent
    def post(self, request, version_id):
        theme_selectors.version_get(version_id)  # an unknown version is 404 whatever the body says
        job = generation.content_generation_request(principal=self.principal, version_id=version_id,
                                                    **self.body(ContentGenerateSerializer))
        return _job_reply(self, job)


class DraftApi(WorkspaceApi):
    """One AI draft of `kind`: its status, provenance, drafted data and `diff`, what approving it would
    change (computed from the current state of its target)."""

    required_permission = Permission.THEMES_READ

    @extend_schema(operation_id="ai_drafts_retrieve", responses=_polymorphic("AIDraftDetail", detail=True),
                   parameters=[KIND])
    def get(self, request, kind, draft_id):
        draft = selectors.draft_get(kind, draft_id)
        draft.diff = selectors.draft_diff(kind, draft)
        return self.reply(DRAFT_SERIALIZERS[kind][1](draft).data)


class DraftApproveApi(WorkspaceApi):
    """Applies a pending draft onto its draft version (a palette onto `version_id`, a translation's
    `keys` only if given); older pending drafts for the same target become superseded.

    409 `MELMASTOON.AI.STALE_DRAFT` when the version changed since the draft was generated,
    `MELMASTOON.AI.DRAFT_DECIDED` when it is no longer pending.
    """

    required_permission = Permission.AI_REVIEW

    @extend_schema(operation_id="ai_drafts_approve", request=DraftApproveSerializer,
                   responses=_polymorphic("AIDraft", detail=False), parameters=[KIND, IDEMPOTENCY_KEY])
    @idempotent
    def post(self, request, kind, draft_id):
        selectors.draft_get(kind, draft_id)  # an unknown draft is 404 whatever the body says
        draft = services.draft_approve(principal=self.principal, kind=kind, draft_id=draft_id,
                                       **self.body(DraftApproveSerializer))
        return self.reply(_draft(kind, draft))


class DraftRejectApi(WorkspaceApi):
    """Turns a pending draft down, with a `note` saying why; nothing is applied."""

    required_permission = Permission.AI_REVIEW

    @extend_schema(operation_id="ai_drafts_reject", request=DraftRejectSerializer,
                   responses=_polymorphic("AIDraft", detail=False), parameters=[KIND, IDEMPOTENCY_KEY])
    @idempotent
    def post(self, request, kind, draft_id):
        selectors.draft_get(kind, draft_id)  # an unknown draft is 404 whatever the body says
        draft = services.draft_reject(principal=self.principal, kind=kind, draft_id=draft_id,
                                      **self.body(DraftRejectSerializer))
        return self.reply(_draft(kind, draft))


JOB_STATUS = OpenApiParameter("status", enum=GenerationJobStatus.values)


class GenerationJobApi(WorkspaceApi):
    """An AI generation job: queued → running → succeeded (`draft_id`, `draft_url`) | failed (`error_code`;
    `errors` lists each problem of invalid provider output by its JSON path). Retry-After while unfinished."""

    required_permission = Permission.THEMES_READ

    @extend_schema(responses=GenerationJobSerializer)
    def get(self, request, generation_job_id):
        return _job_reply(self, selectors.generation_job_get(generation_job_id), status=200)


class ThemeGenerationJobListApi(WorkspaceListApi):
    """The theme's AI generation jobs (palette, translation and content), newest first (filter `status`)."""

    required_permission = Permission.THEMES_READ
    serializer_class = GenerationJobSerializer
    ordering = ("-created_at", "id")
    ordering_fields = ["created_at", "finished_at"]

    @extend_schema(operation_id="themes_ai_generation_jobs_list", responses=GenerationJobSerializer(many=True),
                   parameters=[JOB_STATUS])
    def get(self, request, theme_id):
        theme = theme_selectors.theme_get(theme_id)
        status = request.query_params.get("status")
        if status is not None and status not in GenerationJobStatus.values:
            raise validation_error([FieldError("/status", "invalid_choice",
                                               f"status must be one of {', '.join(GenerationJobStatus.values)}.")])
        return self.paginated(selectors.generation_job_list(theme_id=theme.pk, status=status), GenerationJobSerializer)
