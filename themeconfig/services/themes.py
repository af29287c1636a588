"""Use cases of themes: create, update (name, locales, status), soft delete and restore.

A tenant has at most one live theme for the whole tenant and one per property
(themes_tenant_property_uq); a clash names the theme holding the slot. Removing an enabled locale
that a draft or preview-ready version still has a pack for is refused (409 naming the packs) unless
the caller asks to drop those packs with the change; published and archived versions are immutable
history and keep theirs (seed 000 §5.4 is checked when locales are removed, not at preview-ready).
"""
from __future__ import annotations

from typing import Any

from django.utils import timezone

from themeconfig.errors import ThemeErrorCode
from themeconfig.models import LocalePack, Property, TenantHost, Theme, ThemeScope, ThemeStatus, ThemeVersion
from themeconfig.platform.errors import DomainError, FieldError, contract_error, not_found, validation_error
from themeconfig.platform.ids import is_valid_id
from themeconfig.platform.permissions import Permission
from themeconfig.platform.principal import Principal, use_case
from themeconfig.services.audit import audit_record
from themeconfig.services.occ import update_with_version
from themeconfig.services.rules import choice_errors, name_errors
from themeconfig.services.version_children import locale_pack_completeness_recompute, locale_pack_remove
from themeconfig.services.versions import EDITABLE, version_touched
from themeconfig.signals import host_resolution_changed_on_commit
from themeconfig.validators import ContractViolation, validate_theme_locales

UNSET = object()
AUDITED = ("name", "scope", "property_id", "default_locale", "enabled_locales", "fallback_chain", "status", "deleted_at")


def _audited(theme: Theme) -> dict[str, Any]:
    return {field: getattr(theme, field) for field in AUDITED}
# Status changes a theme may make; archived is final (create a new theme instead).
STATUS_TRANSITIONS: dict[str, set[ThemeStatus]] = {
    ThemeStatus.ACTIVE: {ThemeStatus.SUSPENDED, ThemeStatus.ARCHIVED},
    ThemeStatus.SUSPENDED: {ThemeStatus.ACTIVE, ThemeStatus.ARCHIVED},
    ThemeStatus.ARCHIVED: set(),
}


# What a theme that is not active answers to publish, rollback, re-publish and queued jobs (409).
_INACTIVE: dict[str, tuple[ThemeErrorCode, str]] = {
    ThemeStatus.SUSPENDED: (ThemeErrorCode.THEME_SUSPENDED, "The theme is suspended: make it active again first."),
    ThemeStatus.ARCHIVED: (ThemeErrorCode.THEME_ARCHIVED, "The theme is archived: it is never published again."),
}


def require_active_theme(status: str | None) -> None:
    """Refuses publishing work on a suspended or archived theme with a 409 naming its status.

    Only an active theme is served (theme_config.host_resolution_sync), so only an active theme
    takes new publications; reactivating a suspended one serves its active publication again."""
    if status in _INACTIVE:
        code, message = _INACTIVE[status]
        raise DomainError(code, message, http_status=409, extra={"theme_status": status})


def _locale_errors(default_locale: Any, enabled_locales: Any, fallback_chain: Any) -> tuple[list[FieldError], tuple[Any, ...] | None]:
    try:
        return [], validate_theme_locales(
            default_locale=default_locale, enabled_locales=enabled_locales, fallback_chain=fallback_chain
        )
    except ContractViolation as violation:
        return contract_error(violation).errors, None


def _slot_taken(holder: Theme) -> DomainError:
    where = f"property {holder.property_id}" if holder.property_id else "the whole tenant"
    return DomainError(
        ThemeErrorCode.THEME_SLOT_TAKEN,
        f"{where.capitalize()} already has a live theme: {holder.id} ({holder.name}).",
        http_status=409, errors=[FieldError("/property_id", "taken", "This slot has a live theme.")],
        extra={"existing_theme_id": holder.id},
    )


def _live_holder(property_id: str | None, *, exclude: str | None = None) -> Theme | None:
    holders = Theme.objects.filter(property_id=property_id, deleted_at__isnull=True)
    if exclude:
        holders = holders.exclude(pk=exclude)
    return holders.first()


def theme_create(
    *,
    principal: Principal,
    name: str,
    scope: str = ThemeScope.TENANT,
    property_id: str | None = None,
    default_locale: str = "en",
    enabled_locales: list[str] | None = None,
    fallback_chain: list[str] | None = None,
) -> Theme:
    """A live theme for the tenant (scope `tenant`) or one of its properties (scope `property`)."""
    enabled_locales = [default_locale] if enabled_locales is None else enabled_locales
    fallback_chain = [default_locale] if fallback_chain is None else fallback_chain
    errors = name_errors(name) + choice_errors("scope", scope, ThemeScope.values)
    locale_errors, locales = _locale_errors(default_locale, enabled_locales, fallback_chain)
    errors += locale_errors
    if scope == ThemeScope.PROPERTY and not property_id:
        errors.append(FieldError("/property_id", "required", "A property theme needs its property_id."))
    if scope == ThemeScope.TENANT and property_id:
        errors.append(FieldError("/property_id", "not_allowed", "A tenant-wide theme has no property_id."))
    if errors:
        raise validation_error(errors)
    assert locales is not None  # no locale errors: the checked locales
    with use_case(principal, Permission.THEMES_EDIT):
        if property_id is not None and not (
            is_valid_id(property_id, "prp")
            and Property.objects.filter(pk=property_id, deleted_at__isnull=True).exists()
        ):
            raise validation_error([FieldError("/property_id", "unknown_property", "No such property in this tenant.")])
        if (holder := _live_holder(property_id)) is not None:
            raise _slot_taken(holder)
        default, enabled, chain = locales
        theme = Theme.objects.create(
            tenant_id=principal.bound_tenant_id, property_id=property_id, name=name.strip(), scope=scope,
            default_locale=default, enabled_locales=enabled, fallback_chain=chain, status=ThemeStatus.ACTIVE,
            created_by=principal.actor, updated_by=principal.actor,
        )
        audit_record(principal=principal, action="theme.created", entity_type="theme", entity_id=theme.pk,
                     new=_audited(theme))
        return theme


def _live_theme(theme_id: str, *, lock: bool = False) -> Theme:
    themes = Theme.objects.select_for_update() if lock else Theme.objects
    theme = themes.filter(pk=theme_id, deleted_at__isnull=True).first() if is_valid_id(theme_id, "thm") else None
    if theme is None:
        raise not_found("theme")
    return theme


def theme_update(
    *,
    principal: Principal,
    theme_id: str,
    expected_version: int,
    name: Any = UNSET,
    default_locale: Any = UNSET,
    enabled_locales: Any = UNSET,
    fallback_chain: Any = UNSET,
    status: Any = UNSET,
    drop_locale_packs: bool = False,
) -> Theme:
    """Changes what is given (name, locale settings, status); status changes need publish rights.

    `drop_locale_packs`: delete the draft and preview-ready versions' packs of the locales this
    change removes from `enabled_locales` (without it such packs make the change a 409 naming them)."""
    permission = Permission.THEMES_PUBLISH if status is not UNSET else Permission.THEMES_EDIT
    with use_case(principal, permission):
        theme = _live_theme(theme_id)
        values: dict[str, Any] = {}
        errors: list[FieldError] = []
        if name is not UNSET:
            errors += name_errors(name)
            values["name"] = name.strip() if isinstance(name, str) else name
        if any(value is not UNSET for value in (default_locale, enabled_locales, fallback_chain)):
            default = theme.default_locale if default_locale is UNSET else default_locale
            enabled = theme.enabled_locales if enabled_locales is UNSET else enabled_locales
            chain = theme.fallback_chain if fallback_chain is UNSET else fallback_chain
            locale_errors, locales = _locale_errors(default, enabled, chain)
            errors += locale_errors
            if locales is not None:
                values["default_locale"], values["enabled_locales"], values["fallback_chain"] = locales
        if status is not UNSET:
            errors += choice_errors("status", status, ThemeStatus.values)
            if not errors and status != theme.status:
                if status not in STATUS_TRANSITIONS[theme.status]:
                    raise DomainError(
                        ThemeErrorCode.INVALID_STATUS_TRANSITION,
                        f"A theme that is {theme.status} cannot become {status}.", http_status=409,
                        errors=[FieldError("/status", "invalid_transition", f"{theme.status} → {status}")],
                    )
                values["status"] = status
        if errors:
            raise validation_error(errors)
        if theme.status == ThemeStatus.ARCHIVED and values:
            raise DomainError(ThemeErrorCode.THEME_ARCHIVED, "An archived theme cannot change.", http_status=409)
        update_with_version(
            Theme, pk=theme.pk, expected_version=expected_version, what="theme", deleted_at__isnull=True,
            values={**values, "updated_by": principal.actor, "updated_at": timezone.now()},
        )
        if "enabled_locales" in values:
            removed = [locale for locale in theme.enabled_locales if locale not in values["enabled_locales"]]
            _drop_or_refuse_locale_packs(principal, theme, removed, drop=drop_locale_packs)
        if "status" in values:  # the trigger has rewritten the slot's read-model rows; cached answers go at commit
            host_resolution_changed_on_commit(_slot_hosts(theme))
        return _audited_change(principal, "theme.updated", theme)


def _drop_or_refuse_locale_packs(principal: Principal, theme: Theme, removed: list[str], *, drop: bool) -> None:
    """The unpublished versions' packs of `removed` locales: a 409 naming each, or deleted (audited,
    each version back to draft with its own version moved on).

    Runs after the theme's UPDATE, so the theme row is locked: every child write locks it too
    (editable_version), hence no pack of a removed locale can be added meanwhile, and a refusal rolls
    the UPDATE back with the rest of the use case."""
    if not removed:
        return
    packs = list(
        LocalePack.objects.filter(theme_version__theme_id=theme.pk, theme_version__status__in=EDITABLE,
                                  locale__in=removed)
        .select_related("theme_version").order_by("theme_version__ordinal", "locale")
    )
    if not packs:
        return
    if not drop:
        raise _locale_packs_in_the_way(packs)
    for pack in packs:
        locale_pack_remove(principal, pack)
    touched = {pack.theme_version_id for pack in packs}
    for version in ThemeVersion.objects.select_related("theme").filter(pk__in=touched).order_by("pk"):
        locale_pack_completeness_recompute(version)
        version_touched(version, principal)


def _locale_packs_in_the_way(packs: list[LocalePack]) -> DomainError:
    removed = sorted({pack.locale for pack in packs})
    return DomainError(
        ThemeErrorCode.LOCALE_PACKS_PRESENT,
        f"{len(packs)} locale pack(s) of unpublished versions are in the locale(s) this change removes "
        f"({', '.join(removed)}). Send drop_locale_packs: true to delete them with the change, or keep the locales. "
        "Published and archived versions keep theirs.",
        http_status=409,
        errors=[FieldError("/enabled_locales", "locale_pack_present",
                           f"Version {pack.theme_version.ordinal} ({pack.theme_version_id}, "
                           f"{pack.theme_version.status}) has a {pack.locale} locale pack.") for pack in packs],
        extra={"locale_packs": [{"version_id": pack.theme_version_id, "version_ordinal": pack.theme_version.ordinal,
                                 "version_status": pack.theme_version.status, "locale": pack.locale}
                                for pack in packs]},
    )


def theme_delete(*, principal: Principal, theme_id: str, expected_version: int) -> Theme:
    """Soft delete (seed 000 §2): the slot frees up; the row stays for the retention window."""
    with use_case(principal, Permission.THEMES_DELETE):
        theme = _live_theme(theme_id)
        now = timezone.now()
        update_with_version(
            Theme, pk=theme.pk, expected_version=expected_version, what="theme", deleted_at__isnull=True,
            values={"deleted_at": now, "updated_by": principal.actor, "updated_at": now},
        )
        host_resolution_changed_on_commit(_slot_hosts(theme))
        return _audited_change(principal, "theme.deleted", theme)


def theme_restore(*, principal: Principal, theme_id: str) -> Theme:
    """Brings a soft-deleted theme back, unless another live theme took its slot meanwhile (409)."""
    with use_case(principal, Permission.THEMES_DELETE):
        theme = (
            Theme.objects.select_for_update().filter(pk=theme_id, deleted_at__isnull=False).first()
            if is_valid_id(theme_id, "thm") else None
        )
        if theme is None:
            raise not_found("deleted theme")
        if (holder := _live_holder(theme.property_id, exclude=theme.pk)) is not None:
            raise _slot_taken(holder)
        update_with_version(
            Theme, pk=theme.pk, expected_version=theme.version, what="theme",
            values={"deleted_at": None, "updated_by": principal.actor, "updated_at": timezone.now()},
        )
        host_resolution_changed_on_commit(_slot_hosts(theme))
        return _audited_change(principal, "theme.restored", theme)


def _slot_hosts(theme: Theme) -> list[str]:
    """The tenant's hosts that resolve to whichever live theme holds this theme's slot."""
    return list(TenantHost.objects.filter(property_id=theme.property_id).values_list("host", flat=True))


def _audited_change(principal: Principal, action: str, before: Theme) -> Theme:
    after = Theme.objects.get(pk=before.pk)
    audit_record(principal=principal, action=action, entity_type="theme", entity_id=after.pk,
                 old=_audited(before), new=_audited(after))
    return after
