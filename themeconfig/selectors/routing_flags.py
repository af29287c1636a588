"""Reads of routing flags (RLS scopes every query to the tenant), and their evaluation."""
from __future__ import annotations

from django.conf import settings
from django.db.models import Q, QuerySet

from themeconfig.models import RoutingFlag, RoutingFlagAudit, RoutingScope
from themeconfig.platform.errors import not_found
from themeconfig.platform.ids import is_valid_id

# Seed 003's evaluation priority: the most specific scope set (and enabled) wins.
EVALUATION_ORDER = (RoutingScope.USER, RoutingScope.STYLE, RoutingScope.TENANT, RoutingScope.ENV)


def routing_flag_list(*, flag_key: str | None = None) -> QuerySet[RoutingFlag]:
    flags = RoutingFlag.objects.all()
    return flags.filter(flag_key=flag_key) if flag_key else flags


def routing_flag_get(flag_id: str) -> RoutingFlag:
    flag = RoutingFlag.objects.filter(pk=flag_id).first() if is_valid_id(flag_id, "rfl") else None
    if flag is None:
        raise not_found("routing flag")
    return flag


def routing_flag_audit_list(*, flag_id: str) -> QuerySet[RoutingFlagAudit]:
    """The flag's trail, kept after the flag is deleted; a 404 for a flag this tenant never had (every
    flag has its `created` row)."""
    trail = RoutingFlagAudit.objects.filter(routing_flag_id=flag_id)
    if not is_valid_id(flag_id, "rfl") or not trail.exists():
        raise not_found("routing flag")
    return trail


def routing_flag_evaluate(*, tenant_id: str, flag_key: str, style_id: str | None = None, user_key: str | None = None,
                          env: str | None = None) -> RoutingFlag | None:
    """The flag that decides for this context: of the enabled ones set for the user key, the style
    (theme), the tenant or the environment (ROUTING_FLAG_ENV unless given), the most specific; None
    when none is set. One query."""
    scopes = {RoutingScope.TENANT: tenant_id, RoutingScope.ENV: env or settings.ROUTING_FLAG_ENV}
    if style_id:
        scopes[RoutingScope.STYLE] = style_id
    if user_key:
        scopes[RoutingScope.USER] = user_key
    match = Q()
    for scope_type, scope_id in scopes.items():
        match |= Q(scope_type=scope_type, scope_id=scope_id)
    found = {flag.scope_type: flag for flag in RoutingFlag.objects.filter(match, flag_key=flag_key, enabled=True)}
    return next((found[scope] for scope in EVALUATION_ORDER if scope in found), None)
