"""Use cases of routing flags (seed 003): set a flag's value for a scope, change it, remove it; each
change writes its routing_flag_audit row (who, when, what, why) and the tenant's audit log in its
transaction. A reason is required for every change."""
from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.utils import timezone

from themeconfig.models import RoutingFlag, RoutingFlagAudit, RoutingScope, Theme
from themeconfig.platform.errors import FieldError, not_found, validation_error
from themeconfig.platform.ids import is_valid_id, new_id
from themeconfig.platform.permissions import Permission
from themeconfig.platform.principal import Principal, use_case
from themeconfig.services.audit import audit_record
from themeconfig.services.occ import check_expected_version, version_conflict

_ENV_RE = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_FIELDS = ("flag_key", "scope_type", "scope_id", "route_mode", "enabled")


def routing_flag_create(*, principal: Principal, flag_key: str, scope_type: str, scope_id: str | None = None,
                        route_mode: str, enabled: bool = True, reason: str) -> RoutingFlag:
    """A flag's value for one scope. A tenant scope's id is the tenant's own (given or not); a style
    is one of the tenant's themes; an env is an environment name (ROUTING_FLAG_ENV names this one)."""
    reason = _reason(reason)
    with use_case(principal, Permission.THEMES_PUBLISH) as bound:
        assert bound.bound_tenant_id is not None
        scope_id = _scope_id(scope_type, scope_id, bound.bound_tenant_id)
        flag = RoutingFlag.objects.create(
            id=new_id("rfl"), tenant_id=bound.bound_tenant_id, flag_key=flag_key, scope_type=scope_type,
            scope_id=scope_id, route_mode=route_mode, enabled=enabled, created_by=bound.actor, updated_by=bound.actor)
        _audit(bound, flag, "created", None, _values(flag), reason)
        return flag


def routing_flag_update(*, principal: Principal, flag_id: str, expected_version: int, reason: str,
                        route_mode: str | None = None, enabled: bool | None = None) -> RoutingFlag:
    reason = _reason(reason)
    with use_case(principal, Permission.THEMES_PUBLISH) as bound:
        flag = _locked(flag_id, expected_version)
        old = _values(flag)
        if route_mode is not None:
            flag.route_mode = route_mode
        if enabled is not None:
            flag.enabled = enabled
        if _values(flag) == old:
            return flag
        flag.version += 1
        flag.updated_by = bound.actor
        flag.save()
        _audit(bound, flag, "updated", old, _values(flag), reason)
        return flag


def routing_flag_delete(*, principal: Principal, flag_id: str, expected_version: int, reason: str) -> None:
    """Removes the flag; its audit trail stays (with this deletion and its reason last)."""
    reason = _reason(reason)
    with use_case(principal, Permission.THEMES_PUBLISH) as bound:
        flag = _locked(flag_id, expected_version)
        _audit(bound, flag, "deleted", _values(flag), None, reason)
        flag.delete()


def _locked(flag_id: str, expected_version: int) -> RoutingFlag:
    flag = RoutingFlag.objects.select_for_update().filter(pk=flag_id).first() if is_valid_id(flag_id, "rfl") else None
    if flag is None:
        raise not_found("routing flag")
    check_expected_version(expected_version)
    if flag.version != expected_version:
        raise version_conflict("routing flag", expected_version, flag.version)
    return flag


def _values(flag: RoutingFlag) -> dict[str, Any]:
    return {field: getattr(flag, field) for field in _FIELDS}


def _audit(bound: Principal, flag: RoutingFlag, action: str, old: dict[str, Any] | None, new: dict[str, Any] | None, reason: str) -> None:
    RoutingFlagAudit.objects.create(
        id=new_id("rfa"), tenant_id=flag.tenant_id, routing_flag_id=flag.pk, changed_by=bound.actor,
        changed_at=timezone.now(), change_payload={"action": action, "old": old, "new": new, "reason": reason})
    audit_record(principal=bound, action=f"routing_flag.{action}", entity_type="routing_flag", entity_id=flag.pk,
                 old=old, new=None if new is None else {**new, "reason": reason})


def _reason(reason: object) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    if not 1 <= len(text) <= 500:
        raise validation_error([FieldError("/reason", "required", "Say why, in 1 to 500 characters.")])
    return text


def _scope_id(scope_type: str, scope_id: str | None, tenant_id: str) -> str:
    if scope_type == RoutingScope.TENANT:
        if scope_id not in (None, "", tenant_id):
            raise validation_error([FieldError("/scope_id", "invalid", "A tenant scope is this tenant.")])
        return tenant_id
    if scope_type == RoutingScope.STYLE:
        if not (is_valid_id(scope_id, "thm") and Theme.objects.filter(pk=scope_id, deleted_at__isnull=True).exists()):
            raise validation_error([FieldError("/scope_id", "unknown", "A style scope is one of this tenant's themes.")])
        return str(scope_id)
    if scope_type == RoutingScope.ENV:
        scope_id = scope_id or settings.ROUTING_FLAG_ENV
        if not _ENV_RE.fullmatch(scope_id):
            raise validation_error([FieldError("/scope_id", "invalid", "An environment name (a-z, 0-9, '_', '-').")])
        return scope_id
    if scope_type == RoutingScope.USER:
        if not scope_id or len(scope_id) > 200:
            raise validation_error([FieldError("/scope_id", "required", "A user key of 1 to 200 characters.")])
        return scope_id
    raise validation_error([FieldError("/scope_type", "invalid_choice", "One of env, tenant, style, user.")])
