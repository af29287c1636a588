"""The History tab of a theme and of a version: their audit trail, newest first, 50 rows a page.

A theme's trail holds the theme's rows, its versions' rows and their children's (content blocks,
navigation, booking flow, e-mail theme, locale packs, preview links), publishes and rollbacks; a
version's, its own and its children's. Each row says who (the person's username), when (in the
active locale's date format, with the time zone), what (the event in words) and shows the change
the way its editor shows it, through the Compare tab's diffs (themeconfig.selectors.diffs): colour
swatches before → after, word diffs of texts (block bodies per locale, locale pack entries, release
notes), moved blocks as moves, every other field before → after; the raw row one click away in a
<details>. Registered as the workspace page `history`, whose URL is Django's own history URL
(`<id>/history/`): the admin's *History* button opens it, and Django's page of admin-form changes
(LogEntry, unused here) is not reachable.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping

from django import forms
from django.core.paginator import Paginator
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.timezone import localtime

from themeconfig.admin.actors import actor_label, actor_names
from themeconfig.admin.common import id_labeller, id_labels
from themeconfig.admin.workspace import render_workspace_page, workspace_page
from themeconfig.models import ThemeStatus, ThemeVersionStatus
from themeconfig.selectors.audit import audit_entity_labels, audit_trail
from themeconfig.selectors.diffs import (
    ADDED,
    CHANGED,
    PATH_SEPARATOR,
    REMOVED,
    color_swatch,
    layout_diff,
    leaf_diff,
    navigation_items_diff,
    order_moves,
    text_diff,
    tokens_diff,
)
from themeconfig.selectors.themes import (
    content_block_labels,
    locale_pack_locales,
    version_labels,
    version_list,
)
from themeconfig.services.versions import direction_of

PAGE_SIZE = 50
MEDIA = forms.Media(css={"all": ["themeconfig/admin/version-compare.css"]})
HIDDEN_FIELDS = ("theme_version_id", "theme_id", "tenant_id")  # what links a row to its version or theme, not a change
LONG_TEXT = 60  # a string field longer than this (or on several lines) is shown as a word diff

# The events of a theme's and a version's trail in words; any other reads "<entity> <verb>".
ACTION_NAMES = {
    "theme.created": "Theme created", "theme.updated": "Theme settings changed", "theme.deleted": "Theme deleted",
    "theme.restored": "Theme restored", "theme.published": "Theme published", "theme.rolled_back": "Theme rolled back",
    "version.created": "Version created", "version.updated": "Version edited",
    "version.preview_ready": "Version marked ready for preview", "version.archived": "Version archived",
    "content_block.created": "Content block added", "content_block.updated": "Content block edited",
    "content_block.moved": "Content block moved", "content_block.deleted": "Content block deleted",
    "content_blocks.reordered": "Content blocks reordered",
    "navigation.created": "Navigation created", "navigation.updated": "Navigation updated",
    "booking_flow.created": "Booking flow created", "booking_flow.updated": "Booking flow updated",
    "email_theme.created": "E-mail theme created", "email_theme.updated": "E-mail theme updated",
    "locale_pack.created": "Locale pack added", "locale_pack.updated": "Locale pack updated",
    "locale_pack.deleted": "Locale pack deleted",
    "preview_token.created": "Preview link shared", "preview_token.revoked": "Preview link revoked",
    "publish_job.publish_requested": "Publish requested", "publish_job.rollback_requested": "Rollback requested",
    "publish_job.failed": "Publish failed",
}

FIELD_LABELS = {
    "tokens": "Design tokens", "layout_selections": "Layout", "release_notes": "Release notes", "status": "Status",
    "body": "Text", "entries": "Messages", "items": "Menu items", "position": "Position", "block_ids": "Order",
    "ordinal": "Number", "from_version_id": "Made from", "active_publication_id": "Live version",
    "expires_at": "Expires", "revoked_at": "Revoked", "default_locale": "Default language",
    "enabled_locales": "Languages", "fallback_chain": "Fallback languages", "locale": "Language",
}
# Recorded codes as the pages that set them name them (a version's and a theme's status).
VALUE_LABELS = {"status": {**dict(ThemeVersionStatus.choices), **dict(ThemeStatus.choices),
                           ThemeVersionStatus.PREVIEW_READY: "Ready for preview"}}
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")


id_labeller("thv")(version_labels)  # "Made from: version 2"; other apps register their own prefixes


def setting_label(path: str) -> str | None:
    """A field of the row itself named as people read it ("Made from", "Expires"); None for a path into a
    document (`consent › text › fr`), which the page shows as recorded."""
    if PATH_SEPARATOR in path:
        return None
    return FIELD_LABELS.get(path, path.replace("_", " ").capitalize())


def value_label(field: str, text: str, ids: Mapping[str, str]) -> str:
    """A recorded value as people read it: another row's id by its name, a moment in the page's format,
    a status in words; anything else as recorded."""
    if text in ids:
        return ids[text]
    if ISO_MOMENT.fullmatch(text) and (moment := parse_datetime(text)) is not None:
        return moment_label(moment)
    return VALUE_LABELS.get(field, {}).get(text, text)


def _readable(rows: list[dict], ids: Mapping[str, str]) -> list[dict]:
    field_of = {row["path"]: row["path"].split(PATH_SEPARATOR)[0] for row in rows}
    return [{**row, "label": setting_label(row["path"]),
             "old": value_label(field_of[row["path"]], row["old"], ids),
             "new": value_label(field_of[row["path"]], row["new"], ids)} for row in rows]


def action_name(action: str) -> str:
    if action in ACTION_NAMES:
        return ACTION_NAMES[action]
    entity, _, verb = action.partition(".")
    return f"{entity.replace('_', ' ')} {verb.replace('.', ' ').replace('_', ' ')}".strip().capitalize()


def moment_label(moment) -> str:
    """The moment in the active locale's date and time format, in the current time zone, named."""
    if not moment:
        return "—"
    local = localtime(moment)
    return f"{date_format(local, 'DATETIME_FORMAT')} {date_format(local, 'T')}"


def raw_text(values) -> str:
    return json.dumps(values, indent=2, ensure_ascii=False, sort_keys=True) if values is not None else "—"


def _text_of(value) -> str | None:
    """A block body's locale entry ({format, value} or plain text) or a message, as its text; None when absent."""
    if isinstance(value, Mapping):
        value = value.get("value")
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _besides_text(value) -> dict | None:
    """A block body's locale entry without its text (its format…), for the fields table."""
    return {k: v for k, v in value.items() if k != "value"} if isinstance(value, Mapping) else None


def _text_row(label: str, old: str | None, new: str | None, *, lang: str = "") -> dict | None:
    if old == new:
        return None
    change = ADDED if old is None else REMOVED if new is None else CHANGED
    return {"label": label, "lang": lang, "dir": direction_of(lang) if lang else "auto", "change": change,
            "runs": text_diff(old or "", new or "")}


def _with_swatches(rows: list[dict]) -> list[dict]:
    """Leaf changes with a swatch beside each side that is a colour (e-mail theme tokens, brand colours…)."""
    return [{**row, "old_swatch": color_swatch(row["old"]), "new_swatch": color_swatch(row["new"])} for row in rows]


class EntryParts:
    """The parts of one audit row's change, each drawn by its own template block: colours, word diffs,
    moves, and a table of every other field before → after."""

    def __init__(self, *, block_labels: Mapping[str, str], pack_locales: Mapping[str, str],
                 id_names: Mapping[str, str] | None = None):
        self.block_labels, self.pack_locales, self.id_names = block_labels, pack_locales, id_names or {}

    def __call__(self, entry) -> list[dict]:
        old = {k: v for k, v in (entry.old_values or {}).items() if k not in HIDDEN_FIELDS}
        new = {k: v for k, v in (entry.new_values or {}).items() if k not in HIDDEN_FIELDS}
        # A block's ordinal counts from 0 and its editor says position 1, 2…; a version's ordinal is
        # already its number (version 1, 2…) and is shown as it is.
        for side in (old, new) if entry.entity_type == "content_block" else ():
            if isinstance(side.get("ordinal"), int) and not isinstance(side["ordinal"], bool):
                side["position"] = side.pop("ordinal") + 1
        parts: list[dict] = []
        settings: list[dict] = []
        for field in sorted(set(old) | set(new)):
            was, now = old.get(field), new.get(field)
            handler = getattr(self, f"_{field}", None)
            if handler is not None and (part := handler(entry, was, now, old=old, new=new)) is not None:
                parts += part if isinstance(part, list) else [part]
            elif isinstance(was, str | None) and isinstance(now, str | None) and any(
                    isinstance(v, str) and (len(v) > LONG_TEXT or "\n" in v) for v in (was, now)):
                row = _text_row(FIELD_LABELS.get(field, field.replace("_", " ").capitalize()), was, now)
                if row:
                    parts.append({"kind": "texts", "title": row["label"], "rows": [row]})
            else:
                settings += leaf_diff(was if field in old else None, now if field in new else None, (field,))
        if settings:
            parts.append({"kind": "leaves", "title": "Fields", "rows": _with_swatches(_readable(settings, self.id_names))})
        return parts

    # One method per field whose editor shows it in its own way; each returns a part, parts or None.

    def _tokens(self, entry, was, now, **_):
        diff = tokens_diff(was, now)
        parts = []
        if diff["colors"]:
            parts.append({"kind": "colors", "title": "Colours", "rows": diff["colors"]})
        if diff["other"]:
            parts.append({"kind": "leaves", "title": "Other tokens", "rows": _with_swatches(diff["other"])})
        return parts

    def _layout_selections(self, entry, was, now, **_):
        return [{"kind": "leaves", "title": f"{surface['surface'].capitalize()} page layout ({surface['change']})",
                 "rows": surface["changes"]} for surface in layout_diff(was, now)]

    def _body(self, entry, was, now, **_):
        was, now = (v if isinstance(v, Mapping) else {} for v in (was, now))
        rows, settings = [], []
        for locale in sorted({*was, *now}):
            row = _text_row(locale, _text_of(was.get(locale)), _text_of(now.get(locale)), lang=locale)
            if row:
                rows.append(row)
            settings += leaf_diff(_besides_text(was.get(locale)), _besides_text(now.get(locale)), ("body", locale))
        parts = [{"kind": "texts", "title": "Text, per locale", "rows": rows}] if rows else []
        if settings:
            parts.append({"kind": "leaves", "title": "Text settings", "rows": settings})
        return parts

    def _entries(self, entry, was, now, *, old, new):
        locale = new.get("locale") or old.get("locale") or self.pack_locales.get(entry.entity_id, "")
        was, now = (v if isinstance(v, Mapping) else {} for v in (was, now))
        rows = [row for key in sorted({*was, *now})
                if (row := _text_row(key, _text_of(was.get(key)), _text_of(now.get(key)), lang=locale))]
        title = f"Messages ({locale})" if locale else "Messages"
        return {"kind": "texts", "title": title, "rows": rows} if rows else None

    def _items(self, entry, was, now, **_):
        rows = [{**change, "path": PATH_SEPARATOR.join(filter(None, [item["label"] or item["id"], change["path"]]))}
                for item in navigation_items_diff(was, now) for change in item["changes"]]
        return {"kind": "leaves", "title": "Menu items", "rows": rows} if rows else None

    def _position(self, entry, was, now, **_):
        if not isinstance(was, int) or not isinstance(now, int):
            return None  # a block made or deleted: its position is in the fields table
        return {"kind": "moves", "title": "Moved", "rows": [{"label": self._block_label(entry.entity_id),
                                                             "old": was, "new": now}]}

    def _block_ids(self, entry, was, now, **_):
        if not isinstance(was, list) or not isinstance(now, list):
            return None
        rows = [{"label": self._block_label(move["id"]), "old": move["old"], "new": move["new"]}
                for move in order_moves(was, now)]
        return {"kind": "moves", "title": "Moved blocks", "rows": rows} if rows else None

    def _block_label(self, block_id: str) -> str:
        # As its editor names it ("Home · Rich text #2", where it is now), never by id.
        return self.block_labels.get(block_id, "a block deleted since")


def history_rows(entries) -> list[dict]:
    entries = list(entries)
    block_ids = {i for e in entries if e.action == "content_blocks.reordered"
                 for side in (e.old_values or {}, e.new_values or {}) for i in side.get("block_ids") or []
                 if isinstance(i, str)} | {e.entity_id for e in entries if e.entity_type == "content_block"}
    pack_ids = {e.entity_id for e in entries if e.entity_type == "locale_pack"}
    recorded_ids = {v for e in entries for side in (e.old_values or {}, e.new_values or {}) for v in side.values()
                    if isinstance(v, str) and "_" in v and len(v) < 40}
    # Blocks and packs deleted since are not found; their rows say what they were themselves.
    parts_of = EntryParts(
        block_labels=content_block_labels(block_ids) if block_ids else {},
        pack_locales=locale_pack_locales(pack_ids) if pack_ids else {},
        id_names=id_labels(recorded_ids),
    )
    labels = audit_entity_labels(entries)
    names = actor_names(entry.actor for entry in entries)
    rows = []
    for entry in entries:
        rows.append({
            "when": moment_label(entry.occurred_at), "iso": entry.occurred_at.isoformat() if entry.occurred_at else "",
            "actor": actor_label(entry.actor, names), "action": entry.action, "name": action_name(entry.action),
            "entity": labels[(entry.entity_type, entry.entity_id)],
            "entity_id": entry.entity_id, "parts": parts_of(entry), "request_id": entry.request_id,
            "raw_old": raw_text(entry.old_values), "raw_new": raw_text(entry.new_values),
        })
    return rows


def _history(model_admin, request, obj, *, kind: str, entity_ids: list[str], version_ids: list[str]):
    page = Paginator(audit_trail(entity_ids=entity_ids, version_ids=version_ids), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render_workspace_page(model_admin, request, obj, slug="history",
                                 template="admin/themeconfig/audit_history.html",
                                 context={"entries": history_rows(page.object_list), "page_obj": page,
                                          "what": "theme" if kind == "theme" else "version",
                                          "media": model_admin.media + MEDIA})


@workspace_page("theme", "history", "History", order=200)
def theme_history(model_admin, request, theme):
    version_ids = list(version_list(theme_id=theme.pk).values_list("pk", flat=True))
    return _history(model_admin, request, theme, kind="theme", entity_ids=[theme.pk, *version_ids],
                    version_ids=version_ids)


@workspace_page("version", "history", "History", order=200)
def version_history(model_admin, request, version):
    return _history(model_admin, request, version, kind="version", entity_ids=[version.pk], version_ids=[version.pk])
