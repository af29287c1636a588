"""The History tab of a theme and of a version: their audit trail, newest first, 50 rows a page.

A theme's trail holds the theme's rows, its versions' rows and their children's (content blocks,
navigation, booking flow, e-mail theme, locale packs, preview links), publishes and rollbacks; a
version's, its own and its children's. Each row says who (the person's username), when, what
(the action, in words) and which fields changed, old → new. Registered as the workspace page
`history`, whose URL is Django's own history URL (`<id>/history/`): the admin's *History* button
opens it, and Django's page of admin-form changes (LogEntry, unused here) is not reachable.
"""
from __future__ import annotations

import json

from django.core.paginator import Paginator

from themeconfig.admin.themes import actor_label, when_label
from themeconfig.admin.workspace import render_workspace_page, workspace_page
from themeconfig.models import ThemeVersion
from themeconfig.selectors.audit import audit_entity_labels, audit_trail

PAGE_SIZE = 50
VALUE_SHOWN = 240  # characters of one old or new value; the rest is elided

def shown_value(value) -> str:
    if value is None:
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= VALUE_SHOWN else text[:VALUE_SHOWN] + "…"


def history_rows(entries) -> list[dict]:
    entries = list(entries)
    labels = audit_entity_labels(entries)
    rows = []
    for entry in entries:
        old, new = entry.old_values or {}, entry.new_values or {}
        changes = [{"field": name, "old": shown_value(old.get(name)), "new": shown_value(new.get(name))}
                   for name in sorted(set(old) | set(new)) if name not in ("theme_version_id", "tenant_id")]
        rows.append({
            "when": when_label(entry.occurred_at), "actor": actor_label(entry.actor), "action": entry.action,
            "entity": labels[(entry.entity_type, entry.entity_id)],
            "entity_id": entry.entity_id, "changes": changes, "request_id": entry.request_id,
        })
    return rows


def _history(model_admin, request, obj, *, kind: str, entity_ids: list[str], version_ids: list[str]):
    page = Paginator(audit_trail(entity_ids=entity_ids, version_ids=version_ids), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render_workspace_page(model_admin, request, obj, slug="history",
                                 template="admin/themeconfig/audit_history.html",
                                 context={"entries": history_rows(page.object_list), "page_obj": page,
                                          "what": "theme" if kind == "theme" else "version"})


@workspace_page("theme", "history", "History", order=200)
def theme_history(model_admin, request, theme):
    version_ids = list(ThemeVersion.objects.filter(theme_id=theme.pk).values_list("pk", flat=True))
    return _history(model_admin, request, theme, kind="theme", entity_ids=[theme.pk, *version_ids],
                    version_ids=version_ids)


@workspace_page("version", "history", "History", order=200)
def version_history(model_admin, request, version):
    return _history(model_admin, request, version, kind="version", entity_ids=[version.pk], version_ids=[version.pk])
