"""Use cases of the AI workspace: a provider's validated output becomes a pending draft; a human
approves it onto a draft version (or rejects it).

The `base` binding. A draft records in `ai_provenance.base` the state it was generated from, read
by the caller *before* it asked the provider (ai_workspace.selectors.version_draft_base /
palette_draft_base), so a change made while the provider ran also counts:
  translation, content: {"version_id", "version"}: the target version and its OCC counter. Every
      edit of the version or of anything in it (tokens, blocks, packs, …) moves that counter, so
      approval refuses (409 STALE_DRAFT) whenever anything in the version changed since, including
      the approval of another draft on it: regenerate from the new state.
  palette: {"theme_id", "versions": {version id: counter}, "version_id", "tokens_sha256"}: the
      theme's editable versions and their counters, the newest as the default target. Approval
      applies the drafted colours to one of them (`version_id`, default the recorded one), and only
      while that version's counter is still the recorded one; a version made later is not in base.
Approval writes like a human edit (the same validators, OCC bump, version back to draft, audit
row) but needs only Permission.AI_REVIEW, so it does not call the THEMES_EDIT use cases.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.db.models import Max, QuerySet
from django.utils import timezone

from ai_workspace.errors import AIErrorCode
from ai_workspace.models import ContentDraft, Draft, DraftStatus, PaletteSuggestion, TranslationDraft
from ai_workspace.providers import ProviderResult
from ai_workspace.selectors import draft_kind
from themeconfig.models import (
    ContentBlock,
    ContentSurface,
    LocalePack,
    Theme,
    ThemeVersion,
    ThemeVersionStatus,
    Visibility,
)
from themeconfig.platform.errors import DomainError, FieldError, not_found, validation_error
from themeconfig.platform.ids import is_valid_id, new_id
from themeconfig.platform.permissions import Permission
from themeconfig.platform.principal import Principal, use_case
from themeconfig.services.audit import audit_record, jsonable
from themeconfig.services.occ import update_with_version
from themeconfig.services.rules import choice_errors
from themeconfig.services.version_children import (
    BLOCK_AUDITED,
    MAX_BLOCKS_PER_SURFACE,
    default_locale_entries,
)
from themeconfig.services.version_children import locale_pack_completeness_recompute as recompute_completeness
from themeconfig.services.versions import audited_version_change, editable_version, version_touched
from themeconfig.validators import (
    CONTENT_BLOCK_KINDS,
    ContractViolation,
    validate_content_body,
    validate_content_meta,
    validate_design_tokens,
    validate_locale_enabled,
    validate_locale_entries,
)

_T = TypeVar("_T")

MAX_NOTE = 10_000


# --- shared ---------------------------------------------------------------------------------------

def _invalid_output(violation: ContractViolation, prefix: str) -> DomainError:
    return DomainError(
        AIErrorCode.INVALID_OUTPUT, "The provider's draft does not pass the validators; nothing was stored.",
        http_status=422, errors=[FieldError(prefix + i.path, i.code, i.message) for i in violation.issues],
    )


def _checked_output(validate: Callable[[], _T], prefix: str) -> _T:
    try:
        return validate()
    except ContractViolation as violation:
        raise _invalid_output(violation, prefix) from violation


def _provenance(principal: Principal, result: ProviderResult, base: dict[str, Any]) -> dict[str, Any]:
    provenance: dict[str, Any] = jsonable({**result.provenance(), "requested_by": principal.actor, "base": base})
    return provenance


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _check_version_base(base: Any, version: ThemeVersion) -> dict[str, Any]:
    if not isinstance(base, dict) or base.get("version_id") != version.pk or not _positive_int(base.get("version")):
        raise validation_error([FieldError(
            "/base", "invalid", "base is {version_id, version}: the target version and its counter when drafted.")])
    return {"version_id": base["version_id"], "version": base["version"]}


def _check_palette_base(base: Any, theme: Theme) -> dict[str, Any]:
    versions = base.get("versions") if isinstance(base, dict) else None
    if (
        not isinstance(base, dict) or base.get("theme_id") != theme.pk or not isinstance(versions, dict)
        or not all(is_valid_id(k, "thv") and _positive_int(v) for k, v in versions.items())
        or (base.get("version_id") is not None and base["version_id"] not in versions)
    ):
        raise validation_error([FieldError(
            "/base", "invalid", "base is {theme_id, versions: {version id: counter}, version_id, tokens_sha256}.")])
    return {k: base.get(k) for k in ("theme_id", "versions", "version_id", "tokens_sha256")}


def _check_note(note: Any, *, required: bool) -> list[FieldError]:
    if note is None or (isinstance(note, str) and not note.strip()):
        return [FieldError("/note", "required", "Say why in a note.")] if required else []
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        return [FieldError("/note", "invalid", f"A note is text of at most {MAX_NOTE:,} characters.")]
    return []


def _audit_created(principal: Principal, entity_type: str, draft: Draft, **fields: Any) -> None:
    audit_record(principal=principal, action=f"{entity_type}.created", entity_type=entity_type, entity_id=draft.pk,
                 new={"status": draft.status, "ai_provenance": draft.ai_provenance, **fields})


# --- create ---------------------------------------------------------------------------------------

def palette_draft_create(*, principal: Principal, theme_id: str, result: ProviderResult, base: dict[str, Any]) -> PaletteSuggestion:
    """A pending palette for a theme: the provider's token set, valid by validate_design_tokens."""
    with use_case(principal, Permission.THEMES_EDIT):
        theme = (
            Theme.objects.filter(pk=theme_id, deleted_at__isnull=True).first() if is_valid_id(theme_id, "thm") else None
        )
        if theme is None:
            raise not_found("theme")
        base = _check_palette_base(base, theme)
        tokens = _checked_output(lambda: validate_design_tokens(result.output), "/output")
        draft = PaletteSuggestion.objects.create(
            tenant_id=principal.bound_tenant_id, theme_id=theme.pk, drafted_tokens=tokens,
            ai_provenance=_provenance(principal, result, base), status=DraftStatus.PENDING,
        )
        _audit_created(principal, "palette_suggestion", draft, theme_id=theme.pk)
        return draft


def _checked_entries(version: ThemeVersion, locale: str, entries: Any, prefix: str, on_error: Any) -> dict[str, Any]:
    try:
        validate_locale_enabled(locale, enabled_locales=version.theme.enabled_locales)
    except ContractViolation as violation:
        raise validation_error([FieldError("/locale" + i.path, i.code, i.message) for i in violation.issues]) from None
    try:
        return validate_locale_entries(
            entries, default_entries=default_locale_entries(version, locale), locale=locale).entries
    except ContractViolation as violation:
        raise on_error(violation, prefix) from violation


def translation_draft_create(*, principal: Principal, version_id: str, locale: str, result: ProviderResult,
                             base: dict[str, Any]) -> TranslationDraft:
    """Pending entries for one locale pack of a draft version: ICU-valid, with the default pack's
    arguments (parity) and the language's plural categories."""
    with use_case(principal, Permission.THEMES_EDIT):
        version = editable_version(version_id)
        base = _check_version_base(base, version)
        entries = _checked_entries(version, locale, result.output, "/output", _invalid_output)
        draft = TranslationDraft.objects.create(
            tenant_id=principal.bound_tenant_id, theme_version_id=version.pk, locale=locale, drafted_entries=entries,
            ai_provenance=_provenance(principal, result, base), status=DraftStatus.PENDING,
        )
        _audit_created(principal, "translation_draft", draft, theme_version_id=version.pk, locale=locale)
        return draft


def _checked_block(version: ThemeVersion, kind: str, body: Any, meta: Any, prefix: str, on_error: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    enabled = list(version.theme.enabled_locales)
    issues = []
    checked: list[dict[str, Any]] = []
    validate: Callable[[], dict[str, Any]]
    for path, validate in (("/body", lambda: validate_content_body(body, enabled_locales=enabled)),
                           ("/meta", lambda: validate_content_meta(meta, kind=kind, enabled_locales=enabled))):
        try:
            checked.append(validate())
        except ContractViolation as violation:
            issues += [FieldError(prefix + path + i.path, i.code, i.message) for i in violation.issues]
    if issues:
        raise on_error(issues)
    return checked[0], checked[1]


def content_draft_create(*, principal: Principal, version_id: str, surface: str, kind: str,
                         content_block_id: str | None = None, result: ProviderResult, base: dict[str, Any]) -> ContentDraft:
    """A pending body and meta for a new block on `surface` of a draft version, or for an existing
    block (`content_block_id`, same surface and kind); HTML sanitised as for human input."""
    errors = choice_errors("surface", surface, ContentSurface.values)
    if kind not in CONTENT_BLOCK_KINDS:
        errors.append(FieldError("/kind", "invalid_choice", f"Kind must be one of {', '.join(sorted(CONTENT_BLOCK_KINDS))}."))
    if errors:
        raise validation_error(errors)
    with use_case(principal, Permission.THEMES_EDIT):
        version = editable_version(version_id)
        base = _check_version_base(base, version)
        if content_block_id is not None:
            block = (
                ContentBlock.objects.filter(pk=content_block_id, theme_version_id=version.pk).first()
                if is_valid_id(content_block_id, "cnb") else None
            )
            if block is None:
                raise validation_error([FieldError("/content_block_id", "unknown_block", "No such block in this version.")])
            if (block.surface, block.kind) != (surface, kind):
                raise validation_error([FieldError(
                    "/content_block_id", "mismatch", f"That block is a {block.kind} on {block.surface}.")])
        output = result.output if isinstance(result.output, dict) else {}
        body, meta = _checked_block(
            version, kind, output.get("body"), output.get("meta"), "/output",
            lambda issues: DomainError(
                AIErrorCode.INVALID_OUTPUT, "The provider's draft does not pass the validators; nothing was stored.",
                http_status=422, errors=issues),
        )
        draft = ContentDraft.objects.create(
            tenant_id=principal.bound_tenant_id, theme_version_id=version.pk, content_block_id=content_block_id,
            surface=surface, kind=kind, drafted_body=body, drafted_meta=meta,
            ai_provenance=_provenance(principal, result, base), status=DraftStatus.PENDING,
        )
        _audit_created(principal, "content_draft", draft, theme_version_id=version.pk, surface=surface, kind=kind,
                       content_block_id=content_block_id)
        return draft


# --- approve --------------------------------------------------------------------------------------

def _pending_draft(kind: str, draft_id: str) -> tuple[Draft, str]:
    model, prefix, what, entity_type = draft_kind(kind)
    draft = model.objects.select_for_update().filter(pk=draft_id).first() if is_valid_id(draft_id, prefix) else None
    if draft is None:
        raise not_found(what)
    if draft.status != DraftStatus.PENDING:
        raise DomainError(AIErrorCode.DRAFT_DECIDED, f"This {what} is already {draft.status}.", http_status=409,
                          extra={"draft_status": draft.status})
    return draft, entity_type


def _stale(version: ThemeVersion, recorded: Any) -> DomainError:
    return DomainError(
        AIErrorCode.STALE_DRAFT,
        f"Version {version.ordinal} changed since the draft was generated (it was at {recorded}, it is at "
        f"{version.version}); nothing was applied. Generate a new draft from the current state.",
        http_status=409, extra={"draft_base_version": recorded, "current_version": version.version},
    )


def _bound_version(version_id: str, recorded: Any) -> ThemeVersion:
    """The target version, locked: editable (409 VERSION_IMMUTABLE) and still at `recorded` (409 STALE_DRAFT)."""
    version = editable_version(version_id)
    if version.version != recorded:
        raise _stale(version, recorded)
    return version


def _applied_provenance(principal: Principal, draft: Draft, **extra: Any) -> dict[str, Any]:
    return {**draft.ai_provenance, "draft_id": draft.pk, "approved_by": principal.actor, **extra}


def _apply_palette(principal: Principal, draft: PaletteSuggestion, version_id: str | None) -> tuple[ThemeVersion, dict[str, Any]]:
    base = draft.ai_provenance.get("base") or {}
    target_id = version_id if version_id is not None else base.get("version_id")
    if target_id is None:
        raise validation_error([FieldError("/version_id", "required", "Choose the draft version to apply the palette to.")])
    version = editable_version(target_id)
    if version.theme_id != draft.theme_id:
        raise validation_error([FieldError("/version_id", "other_theme", "That version is of another theme.")])
    recorded = (base.get("versions") or {}).get(version.pk)
    if version.version != recorded:
        raise _stale(version, recorded)
    # The drafted colours replace the version's; its typography, spacing and the rest stay.
    tokens = {**version.tokens, "color": draft.drafted_tokens["color"]}
    try:
        tokens = validate_design_tokens(tokens)
    except ContractViolation as violation:
        raise _invalid_output(violation, "/drafted_tokens") from violation
    update_with_version(
        ThemeVersion, pk=version.pk, expected_version=version.version, what="version",
        values={"tokens": tokens, "ai_provenance": _applied_provenance(principal, draft),
                "status": ThemeVersionStatus.DRAFT, "updated_by": principal.actor, "updated_at": timezone.now()},
    )
    audited_version_change(principal, "version.updated", version)
    return version, {}


def _apply_translation(principal: Principal, draft: TranslationDraft, keys: Any) -> tuple[ThemeVersion, dict[str, Any]]:
    version = _bound_version(draft.theme_version_id, (draft.ai_provenance.get("base") or {}).get("version"))
    drafted = draft.drafted_entries
    if keys is None:
        chosen, approval = dict(drafted), {}
    else:
        if not isinstance(keys, list) or not keys:
            raise validation_error([FieldError("/keys", "invalid", "keys is a non-empty list of the draft's keys.")])
        unknown = [FieldError(f"/keys/{i}", "unknown_key", "Not a key of this draft.")
                   for i, key in enumerate(keys) if not isinstance(key, str) or key not in drafted]
        if unknown:
            raise validation_error(unknown)
        chosen = {key: drafted[key] for key in dict.fromkeys(keys)}
        approval = {"applied_keys": sorted(chosen)}
    pack = LocalePack.objects.select_for_update().filter(theme_version_id=version.pk, locale=draft.locale).first()
    merged = {**(pack.entries if pack else {}), **chosen}
    entries = _checked_entries(version, draft.locale, merged, "/drafted_entries",
                               lambda violation, prefix: validation_error(
                                   [FieldError(prefix + i.path, i.code, i.message) for i in violation.issues]))
    provenance = _applied_provenance(principal, draft, **approval)
    if pack is None:
        pack = LocalePack.objects.create(
            id=new_id("lpk"), tenant_id=principal.bound_tenant_id, theme_version_id=version.pk, locale=draft.locale,
            entries=entries, ai_provenance=provenance, updated_by=principal.actor,
        )
        audit_record(principal=principal, action="locale_pack.created", entity_type="locale_pack", entity_id=pack.pk,
                     new={"locale": draft.locale, "entries": entries, "theme_version_id": version.pk})
    else:
        update_with_version(LocalePack, pk=pack.pk, expected_version=pack.version, what="locale pack",
                            values={"entries": entries, "ai_provenance": provenance, "updated_by": principal.actor,
                                    "updated_at": timezone.now()})
        audit_record(principal=principal, action="locale_pack.updated", entity_type="locale_pack", entity_id=pack.pk,
                     old={"entries": pack.entries}, new={"entries": entries})
    recompute_completeness(version)
    if draft.locale == version.theme.default_locale:
        LocalePack.objects.filter(pk=pack.pk).update(completeness_pct=100)
    version_touched(version, principal)
    return version, approval


def _apply_content(principal: Principal, draft: ContentDraft) -> tuple[ThemeVersion, dict[str, Any]]:
    version = _bound_version(draft.theme_version_id, (draft.ai_provenance.get("base") or {}).get("version"))
    # Checked again: the theme's enabled locales are not part of the version's counter.
    body, meta = _checked_block(version, draft.kind, draft.drafted_body, draft.drafted_meta, "/drafted",
                                validation_error)
    provenance = _applied_provenance(principal, draft)
    now = timezone.now()
    if draft.content_block_id is not None:
        block = ContentBlock.objects.select_for_update().filter(
            pk=draft.content_block_id, theme_version_id=version.pk).first()
        if block is None:
            raise not_found("content block")
        update_with_version(ContentBlock, pk=block.pk, expected_version=block.version, what="content block",
                            values={"body": body, "meta": meta, "ai_provenance": provenance,
                                    "updated_by": principal.actor, "updated_at": now})
        after = ContentBlock.objects.get(pk=block.pk)
        audit_record(principal=principal, action="content_block.updated", entity_type="content_block",
                     entity_id=block.pk, old={f: getattr(block, f) for f in BLOCK_AUDITED},
                     new={f: getattr(after, f) for f in BLOCK_AUDITED})
    else:
        siblings = ContentBlock.objects.filter(theme_version_id=version.pk, surface=draft.surface)
        if siblings.count() >= MAX_BLOCKS_PER_SURFACE:
            raise validation_error([FieldError("/surface", "too_many_items",
                                               f"A surface holds at most {MAX_BLOCKS_PER_SURFACE} blocks.")])
        # Appended: ordinals of a surface run 0..n-1, so the next one is past the highest.
        last = siblings.aggregate(m=Max("ordinal"))["m"]
        block = ContentBlock.objects.create(
            id=new_id("cnb"), tenant_id=principal.tenant_id, theme_version_id=version.pk, surface=draft.surface,
            kind=draft.kind, ordinal=0 if last is None else last + 1, visibility=Visibility.ALL, body=body, meta=meta,
            ai_provenance=provenance, created_by=principal.actor, updated_by=principal.actor,
        )
        audit_record(principal=principal, action="content_block.created", entity_type="content_block",
                     entity_id=block.pk, new={f: getattr(block, f) for f in BLOCK_AUDITED})
    version_touched(version, principal)
    return version, {"content_block_id": block.pk}


def _same_target(draft: Draft) -> QuerySet[Any]:
    """The other pending drafts an approval of `draft` makes moot."""
    model = type(draft)
    others: QuerySet[Any] = model.objects.filter(status=DraftStatus.PENDING, created_at__lte=draft.created_at).exclude(pk=draft.pk)
    if isinstance(draft, PaletteSuggestion):
        return others.filter(theme_id=draft.theme_id)
    if isinstance(draft, TranslationDraft):
        return others.filter(theme_version_id=draft.theme_version_id, locale=draft.locale)
    assert isinstance(draft, ContentDraft)  # the third and last kind
    if draft.content_block_id is not None:
        return others.filter(content_block_id=draft.content_block_id)
    return others.filter(theme_version_id=draft.theme_version_id, surface=draft.surface, kind=draft.kind,
                         content_block_id__isnull=True)


def draft_approve(*, principal: Principal, kind: str, draft_id: str, note: str | None = None,
                  keys: list[str] | None = None, version_id: str | None = None) -> Draft:
    """Applies a pending draft to a draft version in one transaction with its audit rows.

    kind "palette" applies the drafted colours to `version_id` (default: the version recorded in
    base); "translation" merges the drafted entries (only `keys` if given) into the locale pack;
    "content" creates or updates the block. Older pending drafts for the same target are
    superseded. 409 DRAFT_DECIDED, VERSION_IMMUTABLE or STALE_DRAFT, and nothing applied, when the
    draft is decided, the version is not a draft, or it changed since the draft was generated.
    """
    draft_kind(kind)
    errors = _check_note(note, required=False)
    if keys is not None and kind != "translation":
        errors.append(FieldError("/keys", "not_allowed", "Only a translation draft is approved by keys."))
    if version_id is not None and kind != "palette":
        errors.append(FieldError("/version_id", "not_allowed", "Only a palette is applied to a chosen version."))
    if errors:
        raise validation_error(errors)
    with use_case(principal, Permission.AI_REVIEW):
        draft, entity_type = _pending_draft(kind, draft_id)
        if kind == "palette":
            version, approval = _apply_palette(principal, cast(PaletteSuggestion, draft), version_id)
        elif kind == "translation":
            version, approval = _apply_translation(principal, cast(TranslationDraft, draft), keys)
        else:
            version, approval = _apply_content(principal, cast(ContentDraft, draft))
        now = timezone.now()
        old = {"status": draft.status}
        provenance = {**draft.ai_provenance, "approval": approval} if approval else draft.ai_provenance
        type(draft).objects.filter(pk=draft.pk).update(
            status=DraftStatus.APPROVED, approver_user_id=principal.actor, approver_note=note, decided_at=now,
            applied_to_version_id=version.pk, ai_provenance=provenance,
        )
        audit_record(principal=principal, action=f"{entity_type}.approved", entity_type=entity_type,
                     entity_id=draft.pk, old=old,
                     new={"status": DraftStatus.APPROVED, "approver_note": note, "applied_to_version_id": version.pk,
                          **approval})
        superseded = list(_same_target(draft).select_for_update().order_by("pk").values_list("pk", flat=True))
        if superseded:
            type(draft).objects.filter(pk__in=superseded).update(status=DraftStatus.SUPERSEDED, decided_at=now)
            for pk in superseded:
                audit_record(principal=principal, action=f"{entity_type}.superseded", entity_type=entity_type,
                             entity_id=pk, old={"status": DraftStatus.PENDING},
                             new={"status": DraftStatus.SUPERSEDED, "superseded_by": draft.pk})
        return type(draft).objects.get(pk=draft.pk)


def draft_reject(*, principal: Principal, kind: str, draft_id: str, note: str) -> Draft:
    """Turns a pending draft down, saying why (a note is required); nothing is applied."""
    draft_kind(kind)
    if errors := _check_note(note, required=True):
        raise validation_error(errors)
    with use_case(principal, Permission.AI_REVIEW):
        draft, entity_type = _pending_draft(kind, draft_id)
        type(draft).objects.filter(pk=draft.pk).update(
            status=DraftStatus.REJECTED, approver_user_id=principal.actor, approver_note=note,
            decided_at=timezone.now(),
        )
        audit_record(principal=principal, action=f"{entity_type}.rejected", entity_type=entity_type,
                     entity_id=draft.pk, old={"status": draft.status},
                     new={"status": DraftStatus.REJECTED, "approver_note": note})
        return type(draft).objects.get(pk=draft.pk)
