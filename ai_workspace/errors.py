"""Error codes of the AI workspace, and the constraint rules of its tables; never renamed or reused."""
from enum import StrEnum

from themeconfig.platform.errors import already_exists, invalid, register_constraints


class AIErrorCode(StrEnum):
    # The draft's target (a version, by its OCC counter) changed since the draft was generated.
    STALE_DRAFT = "MELMASTOON.AI.STALE_DRAFT"
    # Approve or reject of a draft that is no longer pending (approved, rejected, superseded).
    DRAFT_DECIDED = "MELMASTOON.AI.DRAFT_DECIDED"
    # The provider's output failed the validators human input passes; it never becomes a draft.
    INVALID_OUTPUT = "MELMASTOON.AI.INVALID_OUTPUT"
    # The tenant has AI_MAX_PENDING_DRAFTS drafts waiting (pending or being generated): 429.
    PENDING_LIMIT = "MELMASTOON.AI.PENDING_LIMIT"
    # The tenant asked for AI_MAX_GENERATIONS_PER_DAY drafts in the last 24 hours: 429, Retry-After.
    DAILY_LIMIT = "MELMASTOON.AI.DAILY_LIMIT"
    # The provider cannot draft from these inputs (a fact a template needs, an invalid source message).
    PROVIDER_INPUT_REJECTED = "MELMASTOON.AI.PROVIDER_INPUT_REJECTED"
    # A generation job no worker finished after its runs (a lost or crashing worker).
    WORKER_LOST = "MELMASTOON.AI.WORKER_LOST"



# What an AI provider's failure is (ProviderError.code), mapped to our HTTP status by the provider.
class ProviderErrorCode(StrEnum):
    NOT_CONFIGURED = "MELMASTOON.AI.PROVIDER_NOT_CONFIGURED"
    TIMEOUT = "MELMASTOON.AI.PROVIDER_TIMEOUT"
    RATE_LIMITED = "MELMASTOON.AI.PROVIDER_RATE_LIMITED"
    UNAVAILABLE = "MELMASTOON.AI.PROVIDER_UNAVAILABLE"
    HTTP_ERROR = "MELMASTOON.AI.PROVIDER_HTTP_ERROR"
    MALFORMED_OUTPUT = "MELMASTOON.AI.PROVIDER_MALFORMED_OUTPUT"
    REQUEST_TOO_LARGE = "MELMASTOON.AI.PROVIDER_REQUEST_TOO_LARGE"


_STATUS = "Status must be one of pending, approved, rejected, superseded."

CONSTRAINTS = {
    "palette_suggestions_pkey": already_exists(),
    "palette_suggestions_id_check": invalid("/id", "Not a palette suggestion id."),
    "palette_suggestions_status_check": invalid("/status", _STATUS),
    "translation_drafts_pkey": already_exists(),
    "translation_drafts_id_check": invalid("/id", "Not a translation draft id."),
    "translation_drafts_status_check": invalid("/status", _STATUS),
    "translation_drafts_locale_check": invalid("/locale", "Use a BCP 47 tag such as en or fa-IR."),
    "translation_drafts_entries_shape_chk": invalid("/drafted_entries", "Drafted entries must be a JSON object."),
    "content_drafts_pkey": already_exists(),
    "content_drafts_id_check": invalid("/id", "Not a content draft id."),
    "content_drafts_status_check": invalid("/status", _STATUS),
    "content_drafts_surface_check": invalid("/surface", "Not a content surface."),
    "content_drafts_body_locales_chk": invalid("/drafted_body", "Every key of the body must be a locale."),
    "content_drafts_meta_kind_chk": invalid("/drafted_meta/kind", "meta.kind must equal the block's kind."),
    "ai_generation_jobs_pkey": already_exists(),
    "ai_generation_jobs_id_check": invalid("/id", "Not an AI generation job id."),
    "ai_generation_jobs_tenant_id_check": invalid("/tenant_id", "Not a tenant id."),
    "ai_generation_jobs_kind_check": invalid("/kind", "Kind must be palette, translation or content."),
    "ai_generation_jobs_status_check": invalid("/status", "Not a generation job status."),
    "ai_generation_jobs_parameters_check": invalid("/parameters", "The parameters are a JSON object."),
    "ai_generation_jobs_base_check": invalid("/base", "The base is a JSON object."),
    "ai_generation_jobs_errors_check": invalid("/errors", "The errors are a JSON array."),
    "ai_generation_jobs_trace_check": invalid("/trace", "The trace is a JSON object."),
    "ai_generation_jobs_principal_check": invalid("/principal", "The principal is a JSON object."),
    "ai_generation_jobs_version_kind_chk": invalid("/theme_version_id", "A palette job targets a theme, the others a version."),
    "ai_generation_jobs_finished_chk": invalid("/status", "A finished job has its finish time, an open one none."),
    "ai_generation_jobs_failed_has_code_chk": invalid("/error_code", "A failed job says why."),
    "ai_generation_jobs_succeeded_has_draft_chk": invalid("/draft_id", "A succeeded job names its draft."),
}

register_constraints(CONSTRAINTS)
