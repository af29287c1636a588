"""Use cases of what a draft version holds: content blocks, navigation per surface, booking flow,
e-mail theme and locale packs. Each edit checks its contract with the same validators as
preview-ready, and puts the version back to draft (its own `version` moves on).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone

from themeconfig.errors import ThemeErrorCode
from themeconfig.models import (
    BookingFlowConfig,
    ContentBlock,
    ContentSurface,
    EmailTheme,
    LocalePack,
    NavigationConfig,
    NavigationSurface,
    ThemeVersion,
    Visibility,
)
from themeconfig.platform.errors import DomainError, FieldError, not_found, validation_error
from themeconfig.platform.ids import is_valid_id, new_id
from themeconfig.platform.permissions import Permission
from themeconfig.platform.principal import Principal, use_case
from themeconfig.services.audit import audit_record
from themeconfig.services.occ import check_version, update_with_version
from themeconfig.services.rules import choice_errors
from themeconfig.services.versions import UNSET, editable_version, version_touched
from themeconfig.validators import (
    CONTENT_BLOCK_KINDS,
    ContractViolation,
    validate_booking_flow,
    validate_content_body,
    validate_content_meta,
    validate_email_theme,
    validate_locale_enabled,
    validate_locale_entries,
    validate_navigation_items,
)

_T = TypeVar("_T")
_Child = TypeVar("_Child", NavigationConfig, BookingFlowConfig, EmailTheme, LocalePack)

MAX_BLOCKS_PER_SURFACE = 200
BLOCK_AUDITED = ("surface", "kind", "ordinal", "visibility", "body", "meta")


def _block_fields_of(block: ContentBlock) -> dict[str, Any]:
    return {f: getattr(block, f) for f in BLOCK_AUDITED}


def _audit_block(principal: Principal, action: str, before: ContentBlock | None, after: ContentBlock | None) -> None:
    """The block's audited fields; its version too when it is made or deleted, so the version's
    history finds every block it ever had (themeconfig.selectors.audit.audit_trail)."""
    block = after or before
    assert block is not None  # a block made, changed or deleted
    old = {**_block_fields_of(before), **({} if after else {"theme_version_id": before.theme_version_id})} if before else None
    new = {**_block_fields_of(after), **({} if before else {"theme_version_id": after.theme_version_id})} if after else None
    audit_record(principal=principal, action=action, entity_type="content_block", entity_id=block.pk, old=old, new=new)


def _issues(violation: ContractViolation, prefix: str = "") -> list[FieldError]:
    return [FieldError(prefix + i.path, i.code, i.message) for i in violation.issues]


def _validated(prefix: str, validate: Callable[[], _T], errors: list[FieldError]) -> _T | None:
    try:
        return validate()
    except ContractViolation as violation:
        errors.extend(_issues(violation, prefix))
        return None


# --- content blocks ------------------------------------------------------------------------------

def _block_fields(*, version: ThemeVersion, kind: str, body: Any, meta: Any, errors: list[FieldError]) -> tuple[Any, ...]:
    enabled = list(version.theme.enabled_locales)
    if kind not in CONTENT_BLOCK_KINDS:
        errors.append(FieldError("/kind", "invalid_choice", f"Kind must be one of {', '.join(sorted(CONTENT_BLOCK_KINDS))}."))
        return None, None
    body = _validated("/body", lambda: validate_content_body(body, enabled_locales=enabled), errors)
    meta = _validated("/meta", lambda: validate_content_meta(meta, kind=kind, enabled_locales=enabled), errors)
    return body, meta


def _block_and_version(block_id: str) -> tuple[ContentBlock, ThemeVersion]:
    """The block and its draft version, locked in the order every writer of a version's blocks takes:
    the version (and its theme, `editable_version`) first, then the block. Locking the block first
    deadlocked with an add or a reorder on its surface, which holds the version and renumbers the
    surface's blocks. A block never moves to another version, so its version is read unlocked first."""
    version_id = (ContentBlock.objects.filter(pk=block_id).values_list("theme_version_id", flat=True).first()
                  if is_valid_id(block_id, "cnb") else None)
    if version_id is None:
        raise not_found("content block")
    version = editable_version(version_id)
    block = ContentBlock.objects.select_for_update().filter(pk=block_id).first()
    if block is None:  # deleted while this waited for the version
        raise not_found("content block")
    return block, version


def _renumber(version_id: str, surface: str, ordered_ids: list[str]) -> None:
    """Gives the surface's blocks ordinals 0..n-1 in this order, in two statements that never
    trip content_blocks_ordinal_uq: first out of the way (negative), then into place."""
    blocks = ContentBlock.objects.filter(theme_version_id=version_id, surface=surface)
    blocks.update(ordinal=-1 - F("ordinal"))
    if ordered_ids:
        blocks.filter(pk__in=ordered_ids).update(ordinal=Case(
            *[When(pk=pk, then=Value(index)) for index, pk in enumerate(ordered_ids)], output_field=IntegerField()))


def _surface_ids(version_id: str, surface: str) -> list[str]:
    return list(ContentBlock.objects.filter(theme_version_id=version_id, surface=surface)
                .order_by("ordinal").values_list("pk", flat=True))


def content_block_create(
    *, principal: Principal, version_id: str, surface: str, kind: str, body: Any, meta: Any, visibility: str = Visibility.ALL,
    ordinal: int | None = None,
) -> ContentBlock:
    """A block on a surface of a draft, appended or inserted at `ordinal` (the rest move down)."""
    errors = choice_errors("surface", surface, ContentSurface.values) + choice_errors(
        "visibility", visibility, Visibility.values)
    if ordinal is not None and (isinstance(ordinal, bool) or not isinstance(ordinal, int) or ordinal < 0):
        errors.append(FieldError("/ordinal", "invalid", "The position is a whole number from 0."))
    with use_case(principal, Permission.THEMES_EDIT):
        version = editable_version(version_id)
        body, meta = _block_fields(version=version, kind=kind, body=body, meta=meta, errors=errors)
        if errors:
            raise validation_error(errors)
        order = _surface_ids(version.pk, surface)
        if len(order) >= MAX_BLOCKS_PER_SURFACE:
            raise validation_error([FieldError("/surface", "too_many_items",
                                               f"A surface holds at most {MAX_BLOCKS_PER_SURFACE} blocks.")])
        position = len(order) if ordinal is None else min(ordinal, len(order))
        # Created out of the way (no live block has a negative ordinal), then everything renumbered.
        block = ContentBlock.objects.create(
            id=new_id("cnb"), tenant_id=principal.bound_tenant_id, theme_version_id=version.pk, surface=surface,
            kind=kind, ordinal=-1_000_000, visibility=visibility, body=body, meta=meta,
            created_by=principal.actor, updated_by=principal.actor,
        )
        order.insert(position, block.pk)
        _renumber(version.pk, surface, order)
        block.ordinal = position
        _audit_block(principal, "content_block.created", None, block)
        version_touched(version, principal)
        return block


def content_block_update(
    *, principal: Principal, block_id: str, expected_version: int, body: Any = UNSET, meta: Any = UNSET, visibility: Any = UNSET,
) -> ContentBlock:
    with use_case(principal, Permission.THEMES_EDIT):
        block, version = _block_and_version(block_id)
        errors: list[FieldError] = []
        values: dict[str, Any] = {}
        enabled = list(version.theme.enabled_locales)
        if body is not UNSET:
            values["body"] = _validated("/body", lambda: validate_content_body(body, enabled_locales=enabled), errors)
        if meta is not UNSET:
            values["meta"] = _validated(
                "/meta", lambda: validate_content_meta(meta, kind=block.kind, enabled_locales=enabled), errors)
        if visibility is not UNSET:
            errors += choice_errors("visibility", visibility, Visibility.values)
            values["visibility"] = visibility
        if errors:
            raise validation_error(errors)
        update_with_version(ContentBlock, pk=block.pk, expected_version=expected_version, what="content block",
                            values={**values, "updated_by": principal.actor, "updated_at": timezone.now()})
        version_touched(version, principal)
        after = ContentBlock.objects.get(pk=block.pk)
        _audit_block(principal, "content_block.updated", block, after)
        return after


def content_block_delete(*, principal: Principal, block_id: str, expected_version: int) -> None:
    with use_case(principal, Permission.THEMES_EDIT):
        block, version = _block_and_version(block_id)
        check_version(current=block.version, expected_version=expected_version, what="content block")
        block_id = block.pk
        block.delete()
        block.pk = block_id
        _renumber(version.pk, block.surface, _surface_ids(version.pk, block.surface))
        version_touched(version, principal)
        _audit_block(principal, "content_block.deleted", block, None)


def content_block_move(*, principal: Principal, block_id: str, expected_version: int, ordinal: int) -> ContentBlock:
    """Moves a block to position `ordinal` of its surface; the others close up around it."""
    if isinstance(ordinal, bool) or not isinstance(ordinal, int) or ordinal < 0:
        raise validation_error([FieldError("/ordinal", "invalid", "The position is a whole number from 0.")])
    with use_case(principal, Permission.THEMES_EDIT):
        block, version = _block_and_version(block_id)
        update_with_version(ContentBlock, pk=block.pk, expected_version=expected_version, what="content block",
                            values={"updated_by": principal.actor, "updated_at": timezone.now()})
        order = [pk for pk in _surface_ids(version.pk, block.surface) if pk != block.pk]
        order.insert(min(ordinal, len(order)), block.pk)
        _renumber(version.pk, block.surface, order)
        version_touched(version, principal)
        after = ContentBlock.objects.get(pk=block.pk)
        _audit_block(principal, "content_block.moved", block, after)
        return after


def content_blocks_reorder(
    *, principal: Principal, version_id: str, surface: str, block_ids: list[str], expected_version: int,
) -> list[ContentBlock]:
    """Puts a whole surface in the given order, atomically; the list must name each block once."""
    if errors := choice_errors("surface", surface, ContentSurface.values):
        raise validation_error(errors)
    if not isinstance(block_ids, list) or not all(isinstance(i, str) for i in block_ids):
        raise validation_error([FieldError("/block_ids", "invalid_type", "block_ids is a list of block ids.")])
    with use_case(principal, Permission.THEMES_EDIT):
        version = editable_version(version_id)
        update_with_version(ThemeVersion, pk=version.pk, expected_version=expected_version, what="version",
                            values={"updated_by": principal.actor, "updated_at": timezone.now()})
        current = _surface_ids(version.pk, surface)
        if sorted(block_ids) != sorted(current) or len(set(block_ids)) != len(block_ids):
            missing, unknown = set(current) - set(block_ids), set(block_ids) - set(current)
            raise DomainError(
                ThemeErrorCode.REORDER_MISMATCH,
                "List every block of the surface exactly once"
                + (f"; missing {sorted(missing)}" if missing else "") + (f"; unknown {sorted(unknown)}" if unknown else ""),
                http_status=422, errors=[FieldError("/block_ids", "mismatch", "Not the surface's blocks.")],
            )
        _renumber(version.pk, surface, block_ids)
        version_touched(version, principal)
        audit_record(principal=principal, action="content_blocks.reordered", entity_type="version",
                     entity_id=version.pk, old={"surface": surface, "block_ids": current},
                     new={"surface": surface, "block_ids": block_ids})
        return list(ContentBlock.objects.filter(theme_version_id=version.pk, surface=surface).order_by("ordinal"))


# --- navigation, booking flow, e-mail theme (one per version or per surface: PUT replaces) --------

AUDIT_ENTITY = {NavigationConfig: "navigation", BookingFlowConfig: "booking_flow", EmailTheme: "email_theme",
                LocalePack: "locale_pack"}

def _put_child(model: type[_Child], *, lookup: dict[str, Any], values: dict[str, Any], expected_version: int | None, principal: Principal,
               version: ThemeVersion, prefix: str, what: str) -> _Child:
    entity_type = AUDIT_ENTITY[model]
    existing = model.objects.select_for_update().filter(theme_version_id=version.pk, **lookup).first()
    if existing is None:
        if expected_version not in (None, 0):
            raise not_found(what)
        child = model.objects.create(id=new_id(prefix), tenant_id=principal.bound_tenant_id, theme_version_id=version.pk,
                                     updated_by=principal.actor, **lookup, **values)
        audit_record(principal=principal, action=f"{entity_type}.created", entity_type=entity_type,
                     entity_id=child.pk, new={**lookup, **values, "theme_version_id": version.pk})
    else:
        update_with_version(model, pk=existing.pk, expected_version=expected_version, what=what,
                            values={**values, "updated_by": principal.actor, "updated_at": timezone.now()})
        child = model.objects.get(pk=existing.pk)
        audit_record(principal=principal, action=f"{entity_type}.updated", entity_type=entity_type,
                     entity_id=child.pk, old={k: getattr(existing, k) for k in values},
                     new={k: getattr(child, k) for k in values})
    version_touched(version, principal)
    return child


def navigation_put(*, principal: Principal, version_id: str, surface: str, items: Any, expected_version: int | None = None) -> NavigationConfig:
    """Replaces the whole navigation tree of one surface (creating it when the version has none)."""
    if errors := choice_errors("surface", surface, NavigationSurface.values):
        raise validation_error(errors)
    with use_case(principal, Permission.THEMES_EDIT):
        version = editable_version(version_id)
        errors = []
        items = _validated("/items", lambda: validate_navigation_items(
            items, enabled_locales=version.theme.enabled_locales), errors)
        if errors:
            raise validation_error(errors)
        return _put_child(NavigationConfig, lookup={"surface": surface}, values={"items": items},
                          expected_version=expected_version, principal=principal, version=version, prefix="nvc",
                          what="navigation")


def booking_flow_put(*, principal: Principal, version_id: str, steps: Any, toggles: Any, consent: Any,
                     expected_version: int | None = None) -> BookingFlowConfig:
    with use_case(principal, Permission.THEMES_EDIT):
        version = editable_version(version_id)
        errors: list[FieldError] = []
        checked = _validated("", lambda: validate_booking_flow(
            steps, toggles, consent, enabled_locales=version.theme.enabled_locales), errors)
        if errors:
            raise validation_error(errors)
        assert checked is not None  # no errors: the checked flow
        steps, toggles, consent = checked
        return _put_child(BookingFlowConfig, lookup={}, values={"steps": steps, "toggles": toggles, "consent": consent},
                          expected_version=expected_version, principal=principal, version=version, prefix="bfc",
                          what="booking flow")


def email_theme_put(*, principal: Principal, version_id: str, tokens: Any, logo_ref: Any, footer: Any,
                    expected_version: int | None = None) -> EmailTheme:
    with use_case(principal, Permission.THEMES_EDIT):
        version = editable_version(version_id)
        errors: list[FieldError] = []
        checked = _validated("", lambda: validate_email_theme(
            tokens, logo_ref, footer, enabled_locales=version.theme.enabled_locales), errors)
        if errors:
            raise validation_error(errors)
        assert checked is not None  # no errors: the checked e-mail theme
        tokens, logo_ref, footer = checked
        return _put_child(EmailTheme, lookup={}, values={"tokens": tokens, "logo_ref": logo_ref, "footer": footer},
                          expected_version=expected_version, principal=principal, version=version, prefix="emt",
                          what="e-mail theme")


# --- locale packs --------------------------------------------------------------------------------

def locale_pack_completeness_recompute(version: ThemeVersion) -> None:
    """Every other pack's completeness is measured against the default locale's keys (one read of the
    version's packs, an update only for a pack whose figure changes)."""
    theme = version.theme
    packs = list(LocalePack.objects.filter(theme_version_id=version.pk).only("pk", "locale", "entries", "completeness_pct"))
    default = next((pack for pack in packs if pack.locale == theme.default_locale), None)
    default_entries = default.entries if default else {}
    for pack in packs:
        if pack is default:
            continue
        pct = completeness_pct(default_entries, pack.entries)
        if float(pack.completeness_pct) != pct:
            LocalePack.objects.filter(pk=pack.pk).update(completeness_pct=pct)


def completeness_pct(default_entries: dict[str, Any], entries: dict[str, Any]) -> float:
    """The share of the default pack's keys a pack translates, in percent (100 when there are none)."""
    default_keys = set(default_entries)
    translated = len(default_keys & set(entries))
    return round(100 * translated / len(default_keys), 2) if default_keys else 100


def default_locale_entries(version: ThemeVersion, locale: str) -> dict[str, Any] | None:
    """The default-locale pack's entries a pack of `locale` is held to (ICU parity, completeness);
    None for the default locale itself, {} when the version has no default pack yet."""
    theme = version.theme
    if locale == theme.default_locale:
        return None
    default = LocalePack.objects.filter(theme_version_id=version.pk, locale=theme.default_locale).first()
    return default.entries if default else {}


def _checked_entries(version: ThemeVersion, locale: str, entries: Any,
                     default_entries: dict[str, Any] | None) -> dict[str, Any]:
    """`entries` validated against `default_entries` (default_locale_entries; None for the default locale)."""
    theme = version.theme
    errors: list[FieldError] = []
    _validated("/locale", lambda: validate_locale_enabled(locale, enabled_locales=theme.enabled_locales), errors)
    if errors:
        raise validation_error(errors)
    result = _validated("/entries", lambda: validate_locale_entries(
        entries, default_entries=default_entries, locale=locale), errors)
    if errors:
        raise validation_error(errors)
    assert result is not None  # no errors: the entries validated
    return result.entries


def locale_pack_put(*, principal: Principal, version_id: str, locale: str, entries: Any,
                    expected_version: int | None = None) -> LocalePack:
    """Replaces a locale's entries (ICU messages, parity and plural categories checked against the
    default-locale pack); creates the pack when the version has none for the locale."""
    with use_case(principal, Permission.THEMES_EDIT):
        version = editable_version(version_id)
        default_entries = default_locale_entries(version, locale)
        entries = _checked_entries(version, locale, entries, default_entries)
        pack = _put_child(LocalePack, lookup={"locale": locale}, values={"entries": entries},
                          expected_version=expected_version, principal=principal, version=version, prefix="lpk",
                          what="locale pack")
        if default_entries is None:
            # The default pack: every other pack is measured against its keys; it is complete itself.
            locale_pack_completeness_recompute(version)
            pct: float = 100
        else:
            pct = completeness_pct(default_entries, entries)  # only this pack's figure can have changed
        if float(pack.completeness_pct) != pct:
            LocalePack.objects.filter(pk=pack.pk).update(completeness_pct=pct)
        return LocalePack.objects.get(pk=pack.pk)


def locale_pack_patch(*, principal: Principal, version_id: str, locale: str, entries: Any, expected_version: int) -> LocalePack:
    """Merges entries into a locale's pack; a key set to null is removed."""
    if not isinstance(entries, dict):
        raise validation_error([FieldError("/entries", "invalid_type", "Entries are an object of key → message.")])
    with use_case(principal, Permission.THEMES_EDIT):
        version = editable_version(version_id)
        pack = LocalePack.objects.filter(theme_version_id=version.pk, locale=locale).first()
        if pack is None:
            raise not_found("locale pack")
        merged = {**pack.entries, **{k: v for k, v in entries.items() if v is not None}}
        for key in [k for k, v in entries.items() if v is None]:
            merged.pop(key, None)
        return locale_pack_put(principal=principal, version_id=version_id, locale=locale, entries=merged,
                               expected_version=expected_version)


def locale_pack_delete(*, principal: Principal, version_id: str, locale: str, expected_version: int) -> None:
    with use_case(principal, Permission.THEMES_EDIT):
        version = editable_version(version_id)
        pack = LocalePack.objects.select_for_update().filter(theme_version_id=version.pk, locale=locale).first()
        if pack is None:
            raise not_found("locale pack")
        check_version(current=pack.version, expected_version=expected_version, what="locale pack")
        locale_pack_remove(principal, pack)
        locale_pack_completeness_recompute(version)
        version_touched(version, principal)


def locale_pack_remove(principal: Principal, pack: LocalePack) -> None:
    """Deletes a pack and records it, with its version so that the version's history still finds it; a
    step inside the caller's use case (the pack's own DELETE, a theme update dropping a locale's packs)."""
    pack_id = pack.pk
    LocalePack.objects.filter(pk=pack_id).delete()
    audit_record(principal=principal, action="locale_pack.deleted", entity_type="locale_pack", entity_id=pack_id,
                 old={"locale": pack.locale, "entries": pack.entries, "theme_version_id": pack.theme_version_id})


