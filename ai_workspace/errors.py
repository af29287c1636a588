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
}

register_constraints(CONSTRAINTS)
