"""What changed between two versions of a theme: pure diffs over plain dicts and lists, and `version_diff`.

Every diff reads "other" (the version compared with) as the old side and "this" as the new one. The
pure functions take JSON values (what the columns hold) and return plain dicts, so the admin's
Compare page and tests use them alike; `version_diff` loads both versions' children under the current
tenant (RLS) and runs them all.
"""
from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from themeconfig.models import (
    BookingFlowConfig,
    ContentBlock,
    EmailTheme,
    LocalePack,
    NavigationConfig,
    ThemeVersion,
)
from themeconfig.validators.content import content_kind_label
from themeconfig.validators.contrast import to_hex
from themeconfig.validators.tokens import parse_color

ADDED, REMOVED, CHANGED, MOVED = "added", "removed", "changed", "moved"
PATH_SEPARATOR = " › "
MAX_COLOR_TEXT = 200

_MISSING = object()


# --- leaves ----------------------------------------------------------------------------------------

def _list_keys(items: list[Any]) -> list[str] | None:
    """Items of a list of objects that each carry a distinct "id" are named by it, not by position."""
    if not items or not all(isinstance(item, Mapping) and isinstance(item.get("id"), str) for item in items):
        return None
    ids = [item["id"] for item in items]
    return ids if len(set(ids)) == len(ids) else None


def leaves(value: Any, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """Each scalar of a JSON value by its path; an empty object or list is a leaf of its own."""
    if isinstance(value, Mapping) and value:
        found: dict[tuple[str, ...], Any] = {}
        for key, child in value.items():
            found.update(leaves(child, (*prefix, str(key))))
        return found
    if isinstance(value, list) and value:
        found = {}
        keys = _list_keys(value)
        for index, child in enumerate(value):
            found.update(leaves(child, (*prefix, f"[{keys[index]}]" if keys else str(index))))
        return found
    return {prefix: value}


def value_text(value: Any) -> str:
    """A leaf as the page shows it: text as itself, anything else as JSON."""
    if value is _MISSING or value is None:
        return "—" if value is _MISSING else "null"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def leaf_diff(old: Any, new: Any, prefix: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Leaf paths that differ: `{path, change, old, new}` (old/new as text; "—" for a side without it)."""
    before, after = leaves(old, prefix) if old is not None else {}, leaves(new, prefix) if new is not None else {}
    changes = []
    for path in [*before, *(p for p in after if p not in before)]:
        was, now = before.get(path, _MISSING), after.get(path, _MISSING)
        if was == now and type(was) is type(now):
            continue
        change = ADDED if was is _MISSING else REMOVED if now is _MISSING else CHANGED
        changes.append({"path": PATH_SEPARATOR.join(path) or "(whole value)", "change": change,
                        "old": value_text(was), "new": value_text(now)})
    return changes


def text_diff(old: str, new: str) -> list[dict[str, Any]]:
    """Two texts as runs of words (whitespace kept with them): `[{op, text}]`, op "same", "removed" or
    "added", in reading order, so a page can strike out and underline just what changed."""
    old, new = old.replace("\r\n", "\n"), new.replace("\r\n", "\n")  # a browser posts CRLF; a line is a line
    before, after = re.findall(r"\s+|[^\s]+", old), re.findall(r"\s+|[^\s]+", new)
    runs: list[dict[str, Any]] = []

    def add(op: str, words: list[str]) -> None:
        if not words:
            return
        if runs and runs[-1]["op"] == op:
            runs[-1]["text"] += "".join(words)
        else:
            runs.append({"op": op, "text": "".join(words)})

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if tag == "equal":
            add("same", before[i1:i2])
        else:
            add("removed", before[i1:i2])
            add("added", after[j1:j2])
    return runs


def order_moves(old_ids: list[str], new_ids: list[str]) -> list[dict[str, Any]]:
    """Items that moved between two orders of the same items: `[{id, old, new}]` (1-based positions), the
    fewest that explain the new order (those off one longest run that kept its order)."""
    where = {item: index for index, item in enumerate(old_ids)}
    common = [item for item in new_ids if item in where]
    kept = {common[i] for i in _longest_increasing([where[item] for item in common])}
    return [{"id": item, "old": where[item] + 1, "new": new_ids.index(item) + 1} for item in common if item not in kept]


# --- tokens ----------------------------------------------------------------------------------------

def color_swatch(value: Any) -> dict[str, Any] | None:
    """A colour as the page may draw it: its text, its #rrggbb and the swatch colour — or None when the
    text is not a CSS colour (then no swatch is drawn, only the text)."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_COLOR_TEXT:
        return None
    if parse_color(value.strip()) is None:
        return None
    hex_value = to_hex(value)
    return {"text": value, "hex": hex_value, "css": hex_value} if hex_value else None


def color_diff(old: Any, new: Any) -> list[dict[str, Any]]:
    """Colour tokens (tokens["color"]) by name: `{name, change, old, new, old_swatch, new_swatch}`."""
    old = old if isinstance(old, Mapping) else {}
    new = new if isinstance(new, Mapping) else {}
    rows = []
    for name in sorted({*old, *new}):
        was, now = old.get(name), new.get(name)
        if name in old and name in new and was == now:
            continue
        change = ADDED if name not in old else REMOVED if name not in new else CHANGED
        rows.append({"name": name, "change": change,
                     "old": None if name not in old else value_text(was),
                     "new": None if name not in new else value_text(now),
                     "old_swatch": color_swatch(was), "new_swatch": color_swatch(now)})
    return rows


def tokens_diff(old: Any, new: Any) -> dict[str, Any]:
    """`{"colors": color rows, "other": leaf changes of every other token group}`."""
    old = old if isinstance(old, Mapping) else {}
    new = new if isinstance(new, Mapping) else {}
    rest_old = {k: v for k, v in old.items() if k != "color"}
    rest_new = {k: v for k, v in new.items() if k != "color"}
    return {"colors": color_diff(old.get("color"), new.get("color")), "other": leaf_diff(rest_old, rest_new)}


# --- per-surface maps (layout selections, navigation) -----------------------------------------------

def layout_diff(old: Any, new: Any) -> list[dict[str, Any]]:
    """Layout selections per surface: `[{surface, change, changes}]`, only the surfaces that differ."""
    old = old if isinstance(old, Mapping) else {}
    new = new if isinstance(new, Mapping) else {}
    surfaces = []
    for surface in sorted({*old, *new}):
        changes = leaf_diff(old.get(surface), new.get(surface))
        if changes:
            change = ADDED if surface not in old else REMOVED if surface not in new else CHANGED
            surfaces.append({"surface": surface, "change": change, "changes": changes})
    return surfaces


def _flat_navigation(items: Any, parent: str | None = None, found: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """Each item of a navigation tree by its id (ids are unique across the tree), children left out
    and replaced by the parent's id, so a moved item shows as a changed parent or ordinal."""
    found = {} if found is None else found
    for index, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, Mapping):
            continue
        item_id = str(item.get("id", f"#{index}"))
        found[item_id] = {**{k: v for k, v in item.items() if k != "children"}, "parent": parent}
        _flat_navigation(item.get("children"), item_id, found)
    return found


def _item_label(item: Mapping[str, Any] | None) -> str:
    label = item.get("label") if isinstance(item, Mapping) else None
    if isinstance(label, Mapping) and label:
        return str(next(iter(label.values())))
    return ""


def navigation_items_diff(old: Any, new: Any) -> list[dict[str, Any]]:
    """One surface's items by id: `[{id, label, change, changes}]` (label in this version, else the other's)."""
    before, after = _flat_navigation(old), _flat_navigation(new)
    rows = []
    for item_id in [*before, *(i for i in after if i not in before)]:
        was, now = before.get(item_id), after.get(item_id)
        changes = leaf_diff(was, now)
        if not changes:
            continue
        change = ADDED if was is None else REMOVED if now is None else CHANGED
        rows.append({"id": item_id, "label": _item_label(now) or _item_label(was), "change": change,
                     "changes": changes})
    return rows


def navigation_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Navigation per surface (`{surface: items}` each side): `[{surface, items}]`, surfaces that differ."""
    surfaces = []
    for surface in sorted({*old, *new}):
        items = navigation_items_diff(old.get(surface), new.get(surface))
        if items:
            surfaces.append({"surface": surface, "items": items})
    return surfaces


# --- content blocks --------------------------------------------------------------------------------

def _block_signature(block: Mapping[str, Any]) -> str:
    return json.dumps({k: block.get(k) for k in ("kind", "visibility", "body", "meta")}, sort_keys=True, default=str)


def _block_name(block: Mapping[str, Any], position: int) -> str:
    kind = str(block.get("kind") or "block")
    return f"{content_kind_label(kind)} (position {position + 1})"


def _longest_increasing(values: list[int]) -> set[int]:
    """Indexes (into `values`) of one longest strictly increasing subsequence: the blocks that kept their order."""
    if not values:
        return set()
    best_len, prev = [1] * len(values), [-1] * len(values)
    for i in range(len(values)):
        for j in range(i):
            if values[j] < values[i] and best_len[j] + 1 > best_len[i]:
                best_len[i], prev[i] = best_len[j] + 1, j
    index = max(range(len(values)), key=lambda i: best_len[i])
    kept = set()
    while index != -1:
        kept.add(index)
        index = prev[index]
    return kept


def _locale_of(path: str, locales: Iterable[str]) -> str:
    parts = path.split(PATH_SEPARATOR)
    if parts and parts[0] == "body" and len(parts) > 1:
        return parts[1]
    return next((part for part in parts if part in locales), "")


def _text_rows(block: Mapping[str, Any], change: str, name: str) -> list[dict[str, Any]]:
    """An added or removed block: a row per locale of its body, with its text."""
    raw = block.get("body")
    body: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    rows = []
    for locale, entry in body.items():
        text = entry.get("value") if isinstance(entry, Mapping) else entry
        side = {"old": value_text(text), "new": "—"} if change == REMOVED else {"old": "—", "new": value_text(text)}
        rows.append({"block": name, "change": change, "locale": str(locale), "path": f"body{PATH_SEPARATOR}{locale}",
                     **side})
    return rows or [{"block": name, "change": change, "locale": "", "path": "", "old": "—", "new": "—"}]


def surface_blocks_diff(old: list[Mapping[str, Any]], new: list[Mapping[str, Any]], *, locales: Iterable[str] = ()) -> list[dict[str, Any]]:
    """One surface's blocks (each side in display order): rows `{block, change, locale, path, old, new}`.

    Blocks have new ids in every version, so they are matched by what they hold: identical blocks
    first (those out of their relative order are "moved"), then the remaining ones of the same kind in
    order ("changed", a row per leaf that differs, with its locale), the rest "added" or "removed".
    """
    locales = list(locales)
    used_old: set[int] = set()
    pairs: dict[int, int] = {}  # new index -> old index
    signatures = [_block_signature(b) for b in old]
    for n, block in enumerate(new):
        signature = _block_signature(block)
        o = next((i for i, s in enumerate(signatures) if i not in used_old and s == signature), None)
        if o is not None:
            pairs[n], used_old = o, used_old | {o}
    identical = dict(pairs)
    for n, block in enumerate(new):
        if n in pairs:
            continue
        o = next((i for i, b in enumerate(old) if i not in used_old and b.get("kind") == block.get("kind")), None)
        if o is not None:
            pairs[n], used_old = o, used_old | {o}
    order = sorted(pairs)  # new indexes of matched blocks
    kept = {order[i] for i in _longest_increasing([pairs[n] for n in order])}
    rows: list[dict[str, Any]] = []
    for n, block in enumerate(new):
        name = _block_name(block, n)
        if n not in pairs:
            rows += _text_rows(block, ADDED, name)
            continue
        o = pairs[n]
        if n not in kept:
            rows.append({"block": name, "change": MOVED, "locale": "", "path": "",
                         "old": f"position {o + 1}", "new": f"position {n + 1}"})
        if n not in identical:
            fields = ("visibility", "body", "meta")
            for change in leaf_diff({k: old[o].get(k) for k in fields}, {k: block.get(k) for k in fields}):
                rows.append({"block": name, **change, "locale": _locale_of(change["path"], locales)})
    for o, block in enumerate(old):
        if o not in used_old:
            rows += _text_rows(block, REMOVED, _block_name(block, o))
    return rows


def content_diff(old: Mapping[str, list[Any]], new: Mapping[str, list[Any]], *, locales: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Blocks per surface (`{surface: [block, …]}` in order, each side): `[{surface, rows}]`, surfaces that differ."""
    surfaces = []
    for surface in sorted({*old, *new}):
        rows = surface_blocks_diff(list(old.get(surface, [])), list(new.get(surface, [])), locales=locales)
        if rows:
            surfaces.append({"surface": surface, "rows": rows})
    return surfaces


# --- locale packs ----------------------------------------------------------------------------------

def locale_packs_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Messages per locale (`{locale: entries}` each side): `[{locale, change, keys: [{key, change, old, new}]}]`."""
    locales = []
    for locale in sorted({*old, *new}):
        raw_old, raw_new = old.get(locale), new.get(locale)
        was: Mapping[str, Any] = raw_old if isinstance(raw_old, Mapping) else {}
        now: Mapping[str, Any] = raw_new if isinstance(raw_new, Mapping) else {}
        keys = []
        for key in sorted({*was, *now}):
            if key in was and key in now and was[key] == now[key]:
                continue
            change = ADDED if key not in was else REMOVED if key not in now else CHANGED
            keys.append({"key": key, "change": change, "old": value_text(was[key]) if key in was else "—",
                         "new": value_text(now[key]) if key in now else "—"})
        if keys or (locale in old) != (locale in new):
            change = ADDED if locale not in old else REMOVED if locale not in new else CHANGED
            locales.append({"locale": locale, "change": change, "keys": keys})
    return locales


# --- both versions, from the database --------------------------------------------------------------

def _children(version_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Each version's children as plain values, one query per child table."""
    found: dict[str, dict[str, Any]] = {pk: {"content": {}, "navigation": {}, "booking": None, "email": None, "locale_packs": {}}
             for pk in version_ids}
    for block in ContentBlock.objects.filter(theme_version_id__in=version_ids).order_by("surface", "ordinal"):
        found[block.theme_version_id]["content"].setdefault(block.surface, []).append(
            {"kind": block.kind, "visibility": block.visibility, "body": block.body, "meta": block.meta})
    for nav in NavigationConfig.objects.filter(theme_version_id__in=version_ids):
        found[nav.theme_version_id]["navigation"][nav.surface] = nav.items
    for flow in BookingFlowConfig.objects.filter(theme_version_id__in=version_ids):
        found[flow.theme_version_id]["booking"] = {"steps": flow.steps, "toggles": flow.toggles, "consent": flow.consent}
    for email in EmailTheme.objects.filter(theme_version_id__in=version_ids):
        found[email.theme_version_id]["email"] = {"tokens": email.tokens, "logo_ref": email.logo_ref,
                                                  "footer": email.footer}
    for pack in LocalePack.objects.filter(theme_version_id__in=version_ids):
        found[pack.theme_version_id]["locale_packs"][pack.locale] = pack.entries
    return found


def version_diff(this: ThemeVersion, other: ThemeVersion) -> dict[str, Any]:
    """Every difference from `other` (old) to `this` (new), by section: tokens, layout, content,
    navigation, booking, email, locale_packs, release_notes (word runs). An empty section means the two
    are equal there."""
    children = _children([this.pk, other.pk])
    mine, theirs = children[this.pk], children[other.pk]
    locales = set(this.theme.enabled_locales or []) | set(mine["locale_packs"]) | set(theirs["locale_packs"])
    return {
        "tokens": tokens_diff(other.tokens, this.tokens),
        "layout": layout_diff(other.layout_selections, this.layout_selections),
        "content": content_diff(theirs["content"], mine["content"], locales=locales),
        "navigation": navigation_diff(theirs["navigation"], mine["navigation"]),
        "booking": leaf_diff(theirs["booking"], mine["booking"]),
        "email": leaf_diff(theirs["email"], mine["email"]),
        "locale_packs": locale_packs_diff(theirs["locale_packs"], mine["locale_packs"]),
        "release_notes": release_notes_diff(other.release_notes, this.release_notes),
    }


def release_notes_diff(old: str | None, new: str | None) -> dict[str, Any] | None:
    """A version's release notes from `old` to `new`: `{change, runs}` (text_diff's runs), None when equal."""
    old, new = (old or "").replace("\r\n", "\n"), (new or "").replace("\r\n", "\n")
    if old == new:
        return None
    return {"change": ADDED if not old else REMOVED if not new else CHANGED, "runs": text_diff(old, new)}
