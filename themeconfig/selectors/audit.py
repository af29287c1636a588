"""Reads of the audit log. Call inside a tenant context: RLS scopes the rows to that tenant."""
from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from themeconfig.models import (
    AuditLogEntry,
    BookingFlowConfig,
    ContentBlock,
    EmailTheme,
    LocalePack,
    NavigationConfig,
)
from themeconfig.platform.tenant_context import current_tenant_id


def audit_log_list(
    *,
    entity_type: str | None = None,
    entity_id: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditLogEntry]:
    """The current tenant's audit rows, newest first, narrowed by whatever filters are given.

    `since` is inclusive, `until` exclusive. Each filter leads with the tenant, as the indexes do
    (tenant_id, entity_type, entity_id, occurred_at) and (tenant_id, actor, occurred_at); a time
    range also prunes the monthly partitions.
    """
    # The explicit tenant filter is defence in depth (RLS already scopes the rows) and lets the
    # planner use the tenant-leading indexes.
    rows = AuditLogEntry.objects.filter(tenant_id=current_tenant_id())
    if entity_type is not None:
        rows = rows.filter(entity_type=entity_type)
    if entity_id is not None:
        rows = rows.filter(entity_id=entity_id)
    if actor is not None:
        rows = rows.filter(actor=actor)
    if action is not None:
        rows = rows.filter(action=action)
    if since is not None:
        rows = rows.filter(occurred_at__gte=since)
    if until is not None:
        rows = rows.filter(occurred_at__lt=until)
    return rows.order_by("-occurred_at", "-id")


def audit_trail(*, entity_ids: list[str], version_ids: list[str]) -> QuerySet[AuditLogEntry]:
    """The audit rows of some entities and of everything that belongs to some versions, newest first.

    A version's children (content blocks, navigation, booking flow, e-mail theme, locale packs,
    preview links) are its current parts and whatever recorded its `theme_version_id` when made or
    deleted, so a child deleted since still shows with its whole story.
    """
    rows = audit_log_list()
    children = set()
    if version_ids:
        children = set(rows.filter(Q(new_values__theme_version_id__in=version_ids)
                                   | Q(old_values__theme_version_id__in=version_ids))
                       .values_list("entity_id", flat=True))
        # Parts copied into a draft from another version are made without an audit row of their own.
        for model in (ContentBlock, NavigationConfig, BookingFlowConfig, EmailTheme, LocalePack):
            children.update(model.objects.filter(theme_version_id__in=version_ids).values_list("pk", flat=True))
    return rows.filter(entity_id__in=set(entity_ids) | children)
