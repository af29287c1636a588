"""Reads of the audit log. Call inside a tenant context: RLS scopes the rows to that tenant."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Model, Q, QuerySet

from themeconfig.models import (
    AuditLogEntry,
    BookingFlowConfig,
    ContentBlock,
    EmailTheme,
    LocalePack,
    NavigationConfig,
    Theme,
    ThemeVersion,
)
from themeconfig.platform.tenant_context import current_tenant_id
from themeconfig.validators.locales import locale_label


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


# What each kind of audited thing is called when no row of it is found any more (deleted since).
ENTITY_NAMES = {
    "theme": "theme", "version": "version", "content_block": "content block", "navigation": "navigation",
    "booking_flow": "booking flow", "email_theme": "e-mail theme", "locale_pack": "locale pack",
    "preview_token": "preview link", "publish_job": "publish job",
}


def audit_entity_labels(entries: list[AuditLogEntry]) -> dict[tuple[str, str], str]:
    """(entity_type, entity_id) → what staff call it ("French (fr) locale pack", "version 3",
    "Home · Rich text #1", 'theme "Seaside"'), one query per kind present; ids stay out of sight."""
    ids: dict[str, set[str]] = {}
    for entry in entries:
        ids.setdefault(entry.entity_type, set()).add(entry.entity_id)
    labels: dict[tuple[str, str], str] = {}

    def add(entity_type: str, rows: Iterable[tuple[Model, str]]) -> None:
        labels.update({(entity_type, row.pk): label for row, label in rows})

    if ids.get("theme"):
        add("theme", ((t, f'theme "{t.name}"') for t in Theme.objects.filter(pk__in=ids["theme"]).only("name")))
    if ids.get("version"):
        add("version", ((v, f"version {v.ordinal}")
                        for v in ThemeVersion.objects.filter(pk__in=ids["version"]).only("ordinal")))
    for entity_type, model in (("content_block", ContentBlock), ("navigation", NavigationConfig),
                               ("booking_flow", BookingFlowConfig), ("email_theme", EmailTheme),
                               ("locale_pack", LocalePack)):
        if ids.get(entity_type):
            add(entity_type, ((row, str(row)) for row in model.objects.filter(pk__in=ids[entity_type])))
    for entry in entries:
        key = (entry.entity_type, entry.entity_id)
        if key not in labels:
            labels[key] = _label_of_deleted(entry)
    return labels


def _label_of_deleted(entry: AuditLogEntry) -> str:
    """A thing deleted since, named from what its audit row recorded of it."""
    recorded = {**(entry.new_values or {}), **(entry.old_values or {})}
    name = ENTITY_NAMES.get(entry.entity_type, entry.entity_type.replace("_", " "))
    if entry.entity_type == "locale_pack" and isinstance(recorded.get("locale"), str):
        return f"{locale_label(recorded['locale'])} {name}"
    if entry.entity_type == "content_block" and isinstance(recorded.get("ordinal"), int):
        block = ContentBlock(surface=str(recorded.get("surface")), kind=str(recorded.get("kind") or "block"),
                             ordinal=recorded["ordinal"])
        return f"{block} (deleted)"
    return name
