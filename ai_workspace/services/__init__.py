"""Use cases of the AI workspace (writes), one module per aggregate: drafts (create, approve,
reject) and generation jobs (ask a provider for a draft, run by a worker)."""
from ai_workspace.services.drafts import (
    MAX_NOTE,
    content_draft_create,
    draft_approve,
    draft_reject,
    palette_draft_create,
    translation_draft_create,
)

__all__ = [
    "MAX_NOTE",
    "content_draft_create",
    "draft_approve",
    "draft_reject",
    "palette_draft_create",
    "translation_draft_create",
]
