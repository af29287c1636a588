"""Reads of AI drafts, and the `base` a caller records before asking a provider. RLS scopes every query."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.db.models import QuerySet

from ai_workspace.models import ContentDraft, Draft, GenerationJob, PaletteSuggestion, TranslationDraft
from themeconfig.models import ContentBlock, LocalePack, Theme, ThemeVersion, ThemeVersionStatus
from themeconfig.platform.errors import FieldError, not_found, validation_error
from themeconfig.platform.ids import is_valid_id

# kind → (model, id prefix, what error messages call it, audit entity type)
DRAFT_KINDS: dict[str, tuple[type[Draft], str, str, str]] = {
    "palette": (PaletteSuggestion, "ais", "palette suggestion", "palette_suggestion"),
    "translation": (TranslationDraft, "ait", "translation draft", "translation_draft"),
    "content": (ContentDraft, "aic", "content draft", "content_draft"),
}
EDITABLE = (ThemeVersionStatus.DRAFT, ThemeVersionStatus.PREVIEW_READY)


def draft_kind(kind: str) -> tuple[type[Draft], str, str, str]:
    if kind not in DRAFT_KINDS:
        raise validation_error([FieldError("/kind", "invalid_choice", f"Kind must be one of {', '.join(DRAFT_KINDS)}.")])
    return DRAFT_KINDS[kind]


def tokens_sha256(tokens: Any) -> str:
    canonical = json.dumps(tokens, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- the state a draft is generated from -------------------------------------------------------

def version_draft_base(version_id: str) -> dict[str, Any]:
    """`base` of a translation or content draft: the target version and its OCC counter now."""
    version = ThemeVersion.objects.filter(pk=version_id).first() if is_valid_id(version_id, "thv") else None
    if version is None:
        raise not_found("version")
    return {"version_id": version.pk, "version": version.version}


def palette_draft_base(theme_id: str) -> dict[str, Any]:
    """`base` of a palette draft: every editable version of the theme with its OCC counter now, the
    newest of them as the default target, and a hash of that one's tokens (what the palette kept)."""
    theme = (
        Theme.objects.filter(pk=theme_id, deleted_at__isnull=True).first() if is_valid_id(theme_id, "thm") else None
    )
    if theme is None:
        raise not_found("theme")
    versions = list(ThemeVersion.objects.filter(theme_id=theme.pk, status__in=EDITABLE).order_by("ordinal"))
    newest = versions[-1] if versions else None
    return {
        "theme_id": theme.pk,
        "versions": {v.pk: v.version for v in versions},
        "version_id": newest.pk if newest else None,
        "tokens_sha256": tokens_sha256(newest.tokens) if newest else None,
    }


# --- drafts ----------------------------------------------------------------------------------------

_D = TypeVar("_D", PaletteSuggestion, TranslationDraft, ContentDraft)


def _listed(drafts: QuerySet[_D], status: str | None) -> QuerySet[_D]:
    return drafts.filter(status=status) if status else drafts


def palette_suggestion_list(*, theme_id: str | None = None, status: str | None = None) -> QuerySet[PaletteSuggestion]:
    drafts = PaletteSuggestion.objects.all()
    if theme_id:
        drafts = drafts.filter(theme_id=theme_id)
    return _listed(drafts, status)


def translation_draft_list(*, version_id: str | None = None, locale: str | None = None,
                           status: str | None = None) -> QuerySet[TranslationDraft]:
    drafts = TranslationDraft.objects.all()
    if version_id:
        drafts = drafts.filter(theme_version_id=version_id)
    if locale:
        drafts = drafts.filter(locale=locale)
    return _listed(drafts, status)


def content_draft_list(*, version_id: str | None = None, surface: str | None = None,
                       status: str | None = None) -> QuerySet[ContentDraft]:
    drafts = ContentDraft.objects.all()
    if version_id:
        drafts = drafts.filter(theme_version_id=version_id)
    if surface:
        drafts = drafts.filter(surface=surface)
    return _listed(drafts, status)


def draft_get(kind: str, draft_id: str) -> Draft:
    """One draft of `kind` ("palette", "translation", "content"); 404 when it is not this tenant's."""
    model, prefix, what, _ = draft_kind(kind)
    draft = model.objects.filter(pk=draft_id).first() if is_valid_id(draft_id, prefix) else None
    if draft is None:
        raise not_found(what)
    return draft


def palette_suggestion_get(draft_id: str) -> PaletteSuggestion:
    return cast(PaletteSuggestion, draft_get("palette", draft_id))  # draft_kind("palette")'s model


def translation_draft_get(draft_id: str) -> TranslationDraft:
    return cast(TranslationDraft, draft_get("translation", draft_id))


def content_draft_get(draft_id: str) -> ContentDraft:
    return cast(ContentDraft, draft_get("content", draft_id))


# --- what a draft would replace -------------------------------------------------------------------

def _change(current: Any, drafted: Any) -> str:
    if current is None:
        return "added"
    return "unchanged" if current == drafted else "changed"


def _leaves(tree: Any, prefix: str = "") -> dict[str, Any]:
    """A token group's values by dotted path (`color.primary`), nested groups flattened."""
    if not isinstance(tree, dict):
        return {prefix: tree} if prefix else {}
    leaves = {}
    for name, value in tree.items():
        leaves.update(_leaves(value, f"{prefix}.{name}" if prefix else name))
    return leaves


def palette_suggestion_diff(draft: PaletteSuggestion) -> dict[str, Any]:
    """Per colour token, the drafted value against the recorded target version's current one
    (`removed`: a colour the target has that the palette drops)."""
    version_id = (draft.ai_provenance.get("base") or {}).get("version_id")
    version = ThemeVersion.objects.filter(pk=version_id).first() if version_id else None
    current = _leaves((version.tokens if version else {}).get("color"), "color")
    drafted = _leaves((draft.drafted_tokens or {}).get("color"), "color")
    tokens = [{"token": token, "current": current.get(token), "drafted": value,
               "change": _change(current.get(token), value)} for token, value in sorted(drafted.items())]
    tokens += [{"token": token, "current": value, "drafted": None, "change": "removed"}
               for token, value in sorted(current.items()) if token not in drafted]
    return {"version_id": version.pk if version else None, "tokens": tokens}


def translation_draft_diff(draft: TranslationDraft) -> dict[str, Any]:
    """Per drafted key, the locale pack's current entry against the drafted one."""
    pack = LocalePack.objects.filter(theme_version_id=draft.theme_version_id, locale=draft.locale).first()
    current = pack.entries if pack else {}
    return {"version_id": draft.theme_version_id, "locale": draft.locale, "entries": [
        {"key": key, "current": current.get(key), "drafted": value, "change": _change(current.get(key), value)}
        for key, value in sorted(draft.drafted_entries.items())
    ]}


def content_draft_diff(draft: ContentDraft) -> dict[str, Any]:
    """The block's current body and meta (null for a new block) against the drafted ones."""
    block = (ContentBlock.objects.filter(pk=draft.content_block_id).first()
             if draft.content_block_id is not None else None)
    return {
        "version_id": draft.theme_version_id, "content_block_id": draft.content_block_id,
        "current": {"body": block.body, "meta": block.meta} if block else None,
        "drafted": {"body": draft.drafted_body, "meta": draft.drafted_meta},
        "change": _change({"body": block.body, "meta": block.meta} if block else None,
                          {"body": draft.drafted_body, "meta": draft.drafted_meta}),
    }


def draft_diff(kind: str, draft: Draft) -> dict[str, Any]:
    """What approving `draft` would change, computed from the current state."""
    diffs: dict[str, Callable[[Any], dict[str, Any]]] = {
        "palette": palette_suggestion_diff, "translation": translation_draft_diff, "content": content_draft_diff}
    return diffs[kind](draft)


# --- generation jobs ------------------------------------------------------------------------------

def generation_job_get(job_id: str) -> GenerationJob:
    job = GenerationJob.objects.filter(pk=job_id).first() if is_valid_id(job_id, "aij") else None
    if job is None:
        raise not_found("AI generation job")
    return job


def generation_job_list(*, theme_id: str, status: str | None = None) -> QuerySet[GenerationJob]:
    """The theme's generation jobs (palette, translation and content), newest first."""
    jobs = GenerationJob.objects.filter(theme_id=theme_id)
    return jobs.filter(status=status) if status is not None else jobs
