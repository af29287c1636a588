"""Use cases of theme versions: create a draft (blank or copied), edit, mark preview-ready, archive.

Published and archived versions are immutable. Any edit of a draft or of anything in it puts a
preview-ready version back to draft; preview-ready runs every validator over the version and all
its children, plus the cross-aggregate rules of seed §5, and reports every problem at once. Colour
pairs below WCAG AA are problems or warnings as the tenant's `contrast_policy` setting says
(validators/contrast.py); warnings are reported but never block.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import F, Max
from django.utils import timezone

from themeconfig.errors import ThemeErrorCode
from themeconfig.models import (
    ArchivedReason,
    BookingFlowConfig,
    BrandKit,
    ContentBlock,
    EmailTheme,
    LocalePack,
    NavigationConfig,
    Theme,
    ThemeStatus,
    ThemeVersion,
    ThemeVersionStatus,
)
from themeconfig.platform.errors import DomainError, FieldError, not_found, validation_error
from themeconfig.platform.ids import is_valid_id, new_id
from themeconfig.platform.merge_patch import merge_patch
from themeconfig.platform.permissions import Permission
from themeconfig.platform.principal import Principal, use_case
from themeconfig.selectors.layout_presets import layout_presets_for_validation
from themeconfig.selectors.tenancy import tenant_contrast_policy
from themeconfig.services.audit import audit_record
from themeconfig.services.occ import check_version, update_with_version
from themeconfig.validators import (
    ContractViolation,
    tokens_from_brand_kit,
    validate_booking_flow,
    validate_content_body,
    validate_content_meta,
    validate_design_tokens,
    validate_email_theme,
    validate_layout_selections,
    validate_locale_enabled,
    validate_locale_entries,
    validate_navigation_items,
    validate_theme_locales,
)
from themeconfig.validators.contrast import check_pairs, failing_pair_blocks
from themeconfig.validators.locales import completeness_text

_T = TypeVar("_T")

UNSET = object()
EDITABLE = (ThemeVersionStatus.DRAFT, ThemeVersionStatus.PREVIEW_READY)
RTL_LANGUAGES = {"ar", "he", "fa", "ur", "ps", "dv", "yi", "ckb"}
HOUSE_PALETTE = [{"name": "Primary", "value": "#1f4e79", "role": "primary"}]


def direction_of(locale: str) -> str:
    return "rtl" if locale.split("-", 1)[0] in RTL_LANGUAGES else "ltr"


def _theme_for_new_version(theme_id: str) -> Theme:
    # Locking the theme row serialises version creation per theme: ordinals come out n, n+1, …
    theme = (
        Theme.objects.select_for_update().filter(pk=theme_id, deleted_at__isnull=True).first()
        if is_valid_id(theme_id, "thm") else None
    )
    if theme is None:
        raise not_found("theme")
    if theme.status == ThemeStatus.ARCHIVED:
        raise DomainError(ThemeErrorCode.THEME_ARCHIVED, "An archived theme gets no new versions.", http_status=409)
    return theme


def _starting_tokens(theme: Theme) -> dict[str, Any]:
    kit = BrandKit.objects.filter(is_default=True, deleted_at__isnull=True).first()
    colors, fonts = (kit.colors, kit.fonts) if kit is not None else (HOUSE_PALETTE, [])
    return tokens_from_brand_kit(colors=colors, fonts=fonts, direction=direction_of(theme.default_locale))


def version_create(
    *, principal: Principal, theme_id: str, from_version_id: str | None = None, release_notes: str | None = None
) -> ThemeVersion:
    """A new draft: blank (tokens from the tenant's default brand kit) or a copy of any version of
    the same theme with all its children, in a constant number of statements."""
    if release_notes is not None and (not isinstance(release_notes, str) or len(release_notes) > 10_000):
        raise validation_error([FieldError("/release_notes", "invalid", "Release notes are text of at most 10,000 characters.")])
    with use_case(principal, Permission.THEMES_EDIT):
        theme = _theme_for_new_version(theme_id)
        source = None
        if from_version_id is not None:
            source = (
                ThemeVersion.objects.filter(pk=from_version_id, theme_id=theme.pk).first()
                if is_valid_id(from_version_id, "thv") else None
            )
            if source is None:
                raise validation_error([FieldError(
                    "/from_version_id", "unknown_version", "No such version of this theme.")])
        ordinal = (ThemeVersion.objects.filter(theme_id=theme.pk).aggregate(m=Max("ordinal"))["m"] or 0) + 1
        version = ThemeVersion.objects.create(
            tenant_id=principal.bound_tenant_id, theme_id=theme.pk, ordinal=ordinal, status=ThemeVersionStatus.DRAFT,
            tokens=source.tokens if source else _starting_tokens(theme),
            layout_selections=source.layout_selections if source else {},
            release_notes=release_notes, created_by=principal.actor, updated_by=principal.actor,
        )
        if source is not None:
            _copy_children(source=source, target=version, actor=principal.actor, enabled_locales=theme.enabled_locales)
        audit_record(principal=principal, action="version.created", entity_type="version", entity_id=version.pk,
                     new={"theme_id": theme.pk, "ordinal": ordinal, "from_version_id": from_version_id,
                          "release_notes": release_notes})
        return version


VERSION_AUDITED = ("status", "tokens", "layout_selections", "release_notes", "archived_reason")


def audited_version_change(principal: Principal, action: str, before: ThemeVersion) -> ThemeVersion:
    after = ThemeVersion.objects.get(pk=before.pk)
    audit_record(principal=principal, action=action, entity_type="version", entity_id=after.pk,
                 old={f: getattr(before, f) for f in VERSION_AUDITED}, new={f: getattr(after, f) for f in VERSION_AUDITED})
    return after


def _copy_children(*, source: ThemeVersion, target: ThemeVersion, actor: str, enabled_locales: list[str]) -> None:
    """One SELECT and one bulk INSERT per child table, whatever the number of children.

    Locale packs of locales the theme no longer enables stay behind: a published or archived source
    keeps them as history, but a draft may not have them (seed 000 §5.4)."""
    common = {"tenant_id": target.tenant_id, "theme_version_id": target.pk, "updated_by": actor}
    ContentBlock.objects.bulk_create([
        ContentBlock(id=new_id("cnb"), surface=b.surface, kind=b.kind, ordinal=b.ordinal, visibility=b.visibility,
                     body=b.body, meta=b.meta, ai_provenance=b.ai_provenance, created_by=actor, **common)
        for b in ContentBlock.objects.filter(theme_version_id=source.pk)
    ])
    NavigationConfig.objects.bulk_create([
        NavigationConfig(id=new_id("nvc"), surface=n.surface, items=n.items, **common)
        for n in NavigationConfig.objects.filter(theme_version_id=source.pk)
    ])
    BookingFlowConfig.objects.bulk_create([
        BookingFlowConfig(id=new_id("bfc"), steps=f.steps, toggles=f.toggles, consent=f.consent, **common)
        for f in BookingFlowConfig.objects.filter(theme_version_id=source.pk)
    ])
    EmailTheme.objects.bulk_create([
        EmailTheme(id=new_id("emt"), tokens=e.tokens, logo_ref=e.logo_ref, footer=e.footer, **common)
        for e in EmailTheme.objects.filter(theme_version_id=source.pk)
    ])
    LocalePack.objects.bulk_create([
        LocalePack(id=new_id("lpk"), locale=p.locale, entries=p.entries, ai_provenance=p.ai_provenance,
                   completeness_pct=p.completeness_pct, **common)
        for p in LocalePack.objects.filter(theme_version_id=source.pk, locale__in=list(enabled_locales))
    ])


def immutable(version: ThemeVersion) -> DomainError:
    return DomainError(
        ThemeErrorCode.VERSION_IMMUTABLE,
        f"Version {version.ordinal} is {version.status}; published and archived versions never change. "
        "Create a new draft from it instead.",
        http_status=409, extra={"version_status": version.status},
    )


def editable_version(version_id: str) -> ThemeVersion:
    """The draft (or preview-ready) version and its theme, locked for this transaction; 404 or 409
    otherwise. The theme's row first, then the version's: the order of every other writer of both
    (a publish's flip, a rollout's start or promote, a theme's locale change hold the theme and then
    reference or update its versions); locked the other way round, an edit deadlocked with them. A
    version never moves to another theme, so its theme is read unlocked first."""
    theme_id = (ThemeVersion.objects.filter(pk=version_id).values_list("theme_id", flat=True).first()
                if is_valid_id(version_id, "thv") else None)
    if theme_id is not None:
        list(Theme.objects.select_for_update().filter(pk=theme_id))
    version = (
        ThemeVersion.objects.select_for_update().select_related("theme").filter(
            pk=version_id, theme__deleted_at__isnull=True).first()
        if theme_id is not None else None
    )
    if version is None:
        raise not_found("version")
    if version.status not in EDITABLE:
        raise immutable(version)
    return version


def version_touched(version: ThemeVersion, principal: Principal) -> None:
    """Something in the version changed: back to draft, and its own version moves on."""
    ThemeVersion.objects.filter(pk=version.pk).update(
        status=ThemeVersionStatus.DRAFT, version=F("version") + 1, updated_by=principal.actor,
        updated_at=timezone.now(),
    )


def version_update(
    *, principal: Principal, version_id: str, expected_version: int, tokens: Any = UNSET, layout_selections: Any = UNSET,
    release_notes: Any = UNSET, as_merge_patch: bool = False,
) -> ThemeVersion:
    """Edits a draft's tokens, layout selections and release notes (what is given).

    `as_merge_patch`: `tokens` and `layout_selections` are RFC 7396 merge patches of the stored
    documents rather than their replacements (checked against `expected_version` before merging, so
    a patch is never applied to a document its sender has not seen); the result is validated whole.
    """
    with use_case(principal, Permission.THEMES_EDIT):
        version = editable_version(version_id)
        if as_merge_patch:
            check_version(current=version.version, expected_version=expected_version, what="version")
            if tokens is not UNSET:
                tokens = merge_patch(version.tokens, tokens)
            if layout_selections is not UNSET:
                layout_selections = merge_patch(version.layout_selections, layout_selections)
        values: dict[str, Any] = {}
        errors: list[FieldError] = []
        direction = version.tokens.get("direction", "ltr") if isinstance(version.tokens, dict) else "ltr"
        if tokens is not UNSET:
            try:
                values["tokens"] = validate_design_tokens(tokens)
                direction = values["tokens"]["direction"]
            except ContractViolation as violation:
                errors += _prefixed(violation, "/tokens")
        if layout_selections is not UNSET:
            try:
                values["layout_selections"] = validate_layout_selections(
                    layout_selections, presets=layout_presets_for_validation(), direction=direction)
            except ContractViolation as violation:
                errors += _prefixed(violation, "/layout_selections")
        if release_notes is not UNSET:
            if release_notes is not None and (not isinstance(release_notes, str) or len(release_notes) > 10_000):
                errors.append(FieldError("/release_notes", "invalid", "Release notes are text of at most 10,000 characters."))
            values["release_notes"] = release_notes
        if errors:
            raise validation_error(errors)
        update_with_version(
            ThemeVersion, pk=version.pk, expected_version=expected_version, what="version",
            values={**values, "status": ThemeVersionStatus.DRAFT, "updated_by": principal.actor,
                    "updated_at": timezone.now()},
        )
        return audited_version_change(principal, "version.updated", version)


def _prefixed(violation: ContractViolation, prefix: str) -> list[FieldError]:
    return [FieldError(prefix + issue.path, issue.code, issue.message) for issue in violation.issues]


@dataclass(frozen=True)
class Readiness:
    """What preview-ready found: problems block it, warnings are shown beside them and do not."""

    problems: list[FieldError]
    warnings: list[FieldError]


def _contrast_findings(colors: dict[str, Any], policy: str) -> Readiness:
    """Each colour pair below WCAG AA, at the JSON path of its foreground token, as a problem or a
    warning as `policy` says."""
    problems: list[FieldError] = []
    warnings: list[FieldError] = []
    for result in check_pairs(colors):
        if result.passes is not False:
            continue
        pair = result.pair
        what = "text" if pair.kind == "text" else "interface components"
        finding = FieldError(
            f"/tokens/color/{pair.foreground}", "low_contrast",
            f"{pair.foreground} on {pair.background} is {result.ratio:.2f}:1; WCAG AA needs {pair.minimum:g}:1 "
            f"for {what}.")
        (problems if failing_pair_blocks(pair, policy) else warnings).append(finding)
    return Readiness(problems, warnings)


def version_problems(version: ThemeVersion) -> list[FieldError]:
    """Every problem that keeps `version` from being previewed, each with its JSON path."""
    return version_readiness(version).problems


def version_readiness(version: ThemeVersion) -> Readiness:
    """Every problem that keeps `version` from being previewed and every warning, each with its JSON path."""
    theme = version.theme
    problems: list[FieldError] = []
    warnings: list[FieldError] = []

    def check(prefix: str, validate: Callable[..., _T]) -> _T | None:
        try:
            return validate()
        except ContractViolation as violation:
            problems.extend(_prefixed(violation, prefix))
            return None

    check("/theme", lambda: validate_theme_locales(
        default_locale=theme.default_locale, enabled_locales=theme.enabled_locales,
        fallback_chain=theme.fallback_chain))
    enabled = list(theme.enabled_locales)
    tokens = check("/tokens", lambda: validate_design_tokens(version.tokens))
    direction = tokens["direction"] if tokens else "ltr"
    if tokens:
        contrast = _contrast_findings(tokens["color"], tenant_contrast_policy(version.tenant_id))
        problems.extend(contrast.problems)
        warnings.extend(contrast.warnings)
    check("/layout_selections", lambda: validate_layout_selections(
        version.layout_selections, presets=layout_presets_for_validation(), direction=direction))
    for block in ContentBlock.objects.filter(theme_version_id=version.pk).order_by("surface", "ordinal"):
        prefix = f"/content_blocks/{block.pk}"
        check(prefix + "/body", lambda b=block: validate_content_body(b.body, enabled_locales=enabled))
        check(prefix + "/meta", lambda b=block: validate_content_meta(b.meta, kind=b.kind, enabled_locales=enabled))
    for nav in NavigationConfig.objects.filter(theme_version_id=version.pk):
        check(f"/navigation/{nav.surface}/items", lambda n=nav: validate_navigation_items(n.items, enabled_locales=enabled))
    for flow in BookingFlowConfig.objects.filter(theme_version_id=version.pk):
        check("/booking_flow", lambda f=flow: validate_booking_flow(f.steps, f.toggles, f.consent, enabled_locales=enabled))
    for email in EmailTheme.objects.filter(theme_version_id=version.pk):
        check("/email_theme", lambda e=email: validate_email_theme(e.tokens, e.logo_ref, e.footer, enabled_locales=enabled))
    packs = {p.locale: p for p in LocalePack.objects.filter(theme_version_id=version.pk)}
    default_pack = packs.get(theme.default_locale)
    minimum = settings.PREVIEW_READY_MIN_LOCALE_COMPLETENESS
    for locale, pack in sorted(packs.items()):
        prefix = f"/locale_packs/{locale}"
        if check(prefix + "/locale", lambda p=pack: validate_locale_enabled(p.locale, enabled_locales=enabled)) is None:
            continue
        result = check(prefix + "/entries", lambda p=pack: validate_locale_entries(
            p.entries, default_entries=None if p.locale == theme.default_locale or default_pack is None
            else default_pack.entries, locale=p.locale))
        if result is not None and locale != theme.default_locale and result.completeness_pct < minimum:
            problems.append(FieldError(
                prefix + "/completeness_pct", "incomplete",
                f"{locale} is {completeness_text(result.completeness_pct)}% translated; preview needs at least "
                f"{minimum}%."))
    for locale in enabled:
        if locale not in packs:
            problems.append(FieldError(
                f"/locale_packs/{locale}", "missing",
                f"Enabled locale {locale} has no locale pack (the fallback chain cannot resolve it)."))
    return Readiness(problems, warnings)


def version_mark_preview_ready(*, principal: Principal, version_id: str, expected_version: int) -> ThemeVersion:
    """Checks everything in the version; all problems at once (422, the warnings beside them in
    `extra["warnings"]`), or the version is preview-ready. The returned version carries the warnings
    found as `preview_warnings` (a list of FieldError; not a column)."""
    with use_case(principal, Permission.THEMES_PUBLISH):
        version = editable_version(version_id)
        readiness = version_readiness(version)
        if readiness.problems:
            raise DomainError(
                ThemeErrorCode.NOT_PREVIEW_READY,
                f"The version has {len(readiness.problems)} problem(s) to fix before it can be previewed.",
                http_status=422, errors=readiness.problems,
                extra={"warnings": [w.as_dict() for w in readiness.warnings]},
            )
        update_with_version(
            ThemeVersion, pk=version.pk, expected_version=expected_version, what="version",
            values={"status": ThemeVersionStatus.PREVIEW_READY, "updated_by": principal.actor,
                    "updated_at": timezone.now()},
        )
        ready = audited_version_change(principal, "version.preview_ready", version)
        ready.preview_warnings = readiness.warnings  # type: ignore[attr-defined]  # handed to the caller on the instance
        return ready


def version_archive(*, principal: Principal, version_id: str, expected_version: int) -> ThemeVersion:
    """Retires a draft or preview-ready version (a published one is retired by the next publish)."""
    with use_case(principal, Permission.THEMES_PUBLISH):
        version = editable_version(version_id)
        now = timezone.now()
        update_with_version(
            ThemeVersion, pk=version.pk, expected_version=expected_version, what="version",
            values={"status": ThemeVersionStatus.ARCHIVED, "archived_at": now,
                    "archived_reason": ArchivedReason.MANUAL_ARCHIVE, "updated_by": principal.actor,
                    "updated_at": now},
        )
        return audited_version_change(principal, "version.archived", version)
