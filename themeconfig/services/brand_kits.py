"""Use cases of brand kits: create, update (optimistic concurrency), soft delete, one default per tenant."""
from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils import timezone

from themeconfig.models import BrandKit
from themeconfig.platform.errors import (
    CoreErrorCode,
    DomainError,
    contract_error,
    validation_error,
)
from themeconfig.platform.permissions import Permission
from themeconfig.platform.principal import Principal, use_case
from themeconfig.services.audit import audit_record
from themeconfig.services.rules import name_errors
from themeconfig.validators import ContractViolation, validate_brand_kit


def _brand_kit_fields(*, name: Any, colors: Any, fonts: Any, logos: Any, style_preferences: Any) -> dict[str, Any]:
    errors = name_errors(name)
    try:
        colors, fonts, logos, style_preferences = validate_brand_kit(
            colors=colors, fonts=fonts, logos=logos, style_preferences=style_preferences
        )
    except ContractViolation as violation:
        errors += contract_error(violation).errors
    if errors:
        raise validation_error(errors)
    return {"name": name.strip(), "colors": colors, "fonts": fonts, "logos": logos,
            "style_preferences": style_preferences}


_AUDITED_FIELDS = ("name", "colors", "fonts", "logos", "style_preferences", "is_default", "version")


def _audited(kit: BrandKit) -> dict[str, Any]:
    return {field: getattr(kit, field) for field in _AUDITED_FIELDS}


def _clear_default_brand_kit(*, keep_id: str | None) -> list[BrandKit]:
    """Takes the default flag off every other live kit; returns those kits as they were."""
    # Lock the current default(s) in primary-key order before moving the flag.
    others = BrandKit.objects.select_for_update().filter(is_default=True, deleted_at__isnull=True).order_by("pk")
    cleared = []
    for kit in others:
        if kit.pk != keep_id:
            BrandKit.objects.filter(pk=kit.pk).update(is_default=False, version=F("version") + 1)
            cleared.append(kit)
    return cleared


def _move_default(*, principal: Principal, keep_id: str | None) -> None:
    for kit in _clear_default_brand_kit(keep_id=keep_id) or []:
        audit_record(principal=principal, action="brand_kit.updated", entity_type="brand_kit", entity_id=kit.pk,
                     old={"is_default": True, "version": kit.version},
                     new={"is_default": False, "version": kit.version + 1})


def brand_kit_create(
    *, principal: Principal, name: str, colors: Any, fonts: Any, logos: Any = None, style_preferences: Any = None, is_default: bool = False
) -> BrandKit:
    """A brand kit of the current tenant; `is_default` moves the tenant's default to it."""
    fields = _brand_kit_fields(name=name, colors=colors, fonts=fonts, logos=logos, style_preferences=style_preferences)
    with use_case(principal, Permission.THEMES_EDIT):
        if is_default:
            _move_default(principal=principal, keep_id=None)
        kit = BrandKit.objects.create(
            tenant_id=principal.bound_tenant_id, is_default=is_default, created_by=principal.actor,
            updated_by=principal.actor, **fields
        )
        audit_record(principal=principal, action="brand_kit.created", entity_type="brand_kit", entity_id=kit.pk,
                     new=_audited(kit))
        return kit


def brand_kit_update(
    *,
    principal: Principal,
    brand_kit_id: str,
    expected_version: int,
    name: str,
    colors: Any,
    fonts: Any,
    logos: Any = None,
    style_preferences: Any = None,
    is_default: bool = False,
) -> BrandKit:
    """Replaces a brand kit's contents if nobody changed it since `expected_version` (409 otherwise)."""
    fields = _brand_kit_fields(name=name, colors=colors, fonts=fonts, logos=logos, style_preferences=style_preferences)
    with use_case(principal, Permission.THEMES_EDIT):
        if is_default:
            _move_default(principal=principal, keep_id=brand_kit_id)
        before = BrandKit.objects.select_for_update().filter(pk=brand_kit_id, deleted_at__isnull=True).first()
        updated = BrandKit.objects.filter(
            pk=brand_kit_id, version=expected_version, deleted_at__isnull=True
        ).update(
            **fields, is_default=is_default, version=F("version") + 1, updated_by=principal.actor,
            updated_at=timezone.now(),
        )
        if updated == 0:
            current = BrandKit.objects.filter(pk=brand_kit_id, deleted_at__isnull=True).values_list("version", flat=True).first()
            if current is None:
                raise DomainError(CoreErrorCode.NOT_FOUND, "No such brand kit.", http_status=404)
            raise DomainError(
                CoreErrorCode.BRAND_KIT_VERSION_CONFLICT,
                f"The brand kit changed since version {expected_version}; it is at version {current}.",
                http_status=409, extra={"current_version": current},
            )
        assert before is not None  # updated: it was there, locked
        kit = BrandKit.objects.get(pk=brand_kit_id)
        audit_record(principal=principal, action="brand_kit.updated", entity_type="brand_kit", entity_id=kit.pk,
                     old=_audited(before), new=_audited(kit))
        return kit


def brand_kit_delete(*, principal: Principal, brand_kit_id: str) -> None:
    """Soft delete (seed 000 §2): the row stays for the retention window; a default frees its slot."""
    with use_case(principal, Permission.THEMES_EDIT):
        kit = BrandKit.objects.select_for_update().filter(pk=brand_kit_id, deleted_at__isnull=True).first()
        deleted = BrandKit.objects.filter(pk=brand_kit_id, deleted_at__isnull=True).update(
            deleted_at=timezone.now(), is_default=False, version=F("version") + 1, updated_by=principal.actor,
            updated_at=timezone.now(),
        )
        if deleted:
            assert kit is not None  # deleted: it was there, locked
            audit_record(principal=principal, action="brand_kit.deleted", entity_type="brand_kit", entity_id=kit.pk,
                         old=_audited(kit))
