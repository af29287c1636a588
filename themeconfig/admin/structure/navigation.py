"""A version's navigation menus (tab "Navigation"): each surface's saved tree, and for editors of a draft
one surface's items as rows of plain inputs saved with `navigation_put`.

A row's depth says where it sits in the tree (a row is at most one level below the one before it).
Indent, outdent, move up or down, add and remove are submit buttons of the same form: the server
answers with the rearranged rows, not saved yet, and an item moves with its sub-items.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.http import HttpResponseRedirect

from themeconfig import services
from themeconfig.admin import workspace
from themeconfig.admin.base import on_page, principal_of, refusal_shown
from themeconfig.admin.common import actor_label, when_label
from themeconfig.admin.locales import theme_locales
from themeconfig.admin.structure.common import (
    Input,
    Refusal,
    can_edit,
    filled,
    localised_inputs,
    posted_op,
    posted_texts,
    read_only_reason,
    refuse_post,
    refused,
    render_page,
    stored,
    structure_url,
    to_int,
)
from themeconfig.models import NavigationSurface
from themeconfig.selectors.themes import navigation_get
from themeconfig.validators.issues import child_path
from themeconfig.validators.navigation import (
    BOOKING_ENTRY_POINTS,
    MAX_DEPTH,
    MAX_ITEMS,
    MAX_SIBLINGS,
    NAVIGATION_KINDS,
)

NAV_SLUG = "navigation"
KIND_LABELS = {"page": "Page of the site", "url": "Web address", "anchor": "Section of the page",
               "booking": "Booking step", "phone": "Phone number", "email": "E-mail address"}
TARGET_HELP = (f"A site path (/rooms), an https:// address, an anchor (#location), a booking entry point "
               f"({', '.join(BOOKING_ENTRY_POINTS)}), tel:+41-22-555-0100 or mailto:stay@hotel.example, "
               "as the kind says.")
MAX_FORM_ROWS = MAX_ITEMS + MAX_SIBLINGS  # the contract refuses more than MAX_ITEMS; rows beyond this are dropped
DEPTH_LIMIT = MAX_DEPTH + 2  # posted depths are kept up to here, so a too deep tree reaches the contract


@dataclass
class NavRow:
    id: str
    depth: int
    kind: str = "page"
    target: str = ""
    labels: dict = field(default_factory=dict)
    new_tab: bool = False
    rel: str = ""
    path: str = ""  # the item's JSON pointer in the document sent last

    def title(self, locales: list[str], position: int) -> str:
        texts = filled(self.labels)
        return next((texts[code] for code in locales if code in texts), None) or next(
            iter(texts.values()), f"Item {position + 1}")


def nav_rows(items, depth: int = 1) -> list[NavRow]:
    """The stored tree as rows in reading order, each with its depth (the top level is 1)."""
    rows: list[NavRow] = []
    items = [item for item in items or [] if isinstance(item, dict)]
    for item in sorted(items, key=lambda entry: entry.get("ordinal", 0)):
        labels = item.get("label") if isinstance(item.get("label"), dict) else {}
        rows.append(NavRow(id=str(item.get("id", "")), depth=depth, kind=str(item.get("kind", "page")),
                           target=str(item.get("target", "")), labels={k: str(v) for k, v in labels.items()},
                           new_tab=item.get("openInNewTab") is True, rel=str(item.get("rel") or "")))
        rows += nav_rows(item.get("children"), depth + 1)
    return rows


def nav_rows_posted(post, locales: list[str]) -> list[NavRow]:
    rows: list[NavRow] = []
    for index in range(min(to_int(post.get("rows")) or 0, MAX_FORM_ROWS)):
        prefix = f"row-{index}-"
        if prefix + "id" not in post:
            continue
        # A row is at most one level below the one before it (it is that row's child).
        depth = to_int(post.get(prefix + "depth")) or 1
        depth = max(1, min(depth, rows[-1].depth + 1 if rows else 1, DEPTH_LIMIT))
        rows.append(NavRow(id=post.get(prefix + "id", "").strip(), depth=depth, kind=post.get(prefix + "kind", ""),
                           target=post.get(prefix + "target", ""),
                           labels=posted_texts(post, prefix + "label-", locales),
                           new_tab=prefix + "new_tab" in post, rel=post.get(prefix + "rel", "")))
    return rows


def nav_document(rows: list[NavRow]) -> tuple[list, dict[str, str]]:
    """The rows as the contract's item tree (ordinals in row order), and each JSON path's input."""
    top: list = []
    stack: list[tuple[int, list, str]] = [(0, top, "/items")]
    anchors: dict[str, str] = {"/items": "nav-items"}
    for index, row in enumerate(rows):
        while stack[-1][0] >= row.depth:
            stack.pop()
        _, siblings, base = stack[-1]
        row.path = child_path(base, len(siblings))
        item = {"id": row.id, "kind": row.kind, "target": row.target, "label": filled(row.labels),
                "ordinal": len(siblings), "openInNewTab": row.new_tab, "children": []}
        if row.rel.strip():
            item["rel"] = row.rel
        siblings.append(item)
        stack.append((row.depth, item["children"], child_path(row.path, "children")))
        name = f"row-{index}"
        anchors[row.path] = name
        anchors[child_path(row.path, "label")] = f"{name}-labels"
        for code in row.labels:
            anchors[child_path(row.path, "label", code)] = f"{name}-label-{code}"
        for key, suffix in (("id", "id"), ("kind", "kind"), ("target", "target"), ("openInNewTab", "new_tab"),
                            ("rel", "rel")):
            anchors[child_path(row.path, key)] = f"{name}-{suffix}"
    return top, anchors


def _subtree_end(rows: list[NavRow], index: int) -> int:
    end = index + 1
    while end < len(rows) and rows[end].depth > rows[index].depth:
        end += 1
    return end


def _previous_sibling(rows: list[NavRow], index: int) -> int | None:
    depth = rows[index].depth
    probe = index - 1
    while probe >= 0 and rows[probe].depth > depth:
        probe -= 1
    return probe if probe >= 0 and rows[probe].depth == depth else None


def _next_sibling(rows: list[NavRow], index: int) -> int | None:
    end = _subtree_end(rows, index)
    return end if end < len(rows) and rows[end].depth == rows[index].depth else None


def _new_row(rows: list[NavRow], depth: int) -> NavRow:
    taken = {row.id for row in rows}
    number = next(n for n in range(1, len(rows) + 2) if f"item-{n}" not in taken)
    return NavRow(id=f"item-{number}", depth=depth)


def nav_moves(rows: list[NavRow], index: int) -> dict[str, bool]:
    """Which structural buttons a row gets (an item moves with its sub-items)."""
    return {"up": _previous_sibling(rows, index) is not None, "down": _next_sibling(rows, index) is not None,
            "indent": _previous_sibling(rows, index) is not None and rows[index].depth < DEPTH_LIMIT,
            "outdent": rows[index].depth > 1}


def nav_apply(rows: list[NavRow], op: str, index: int | None, locales: list[str]) -> tuple[list[NavRow], str]:
    """The rows after one structural edit, and what it did (for the status line)."""
    if op == "add":
        return [*rows, _new_row(rows, 1)], f"Item {len(rows) + 1} added at level 1 (not saved yet)."
    if index is None or not 0 <= index < len(rows):
        return rows, "That item is not in the form any more."
    row, end = rows[index], _subtree_end(rows, index)
    title = row.title(locales, index)
    block = rows[index:end]
    moves = nav_moves(rows, index)
    if op == "remove":
        extra = f" and its {len(block) - 1} sub-item{'s' if len(block) > 2 else ''}" if len(block) > 1 else ""
        return rows[:index] + rows[end:], f"“{title}”{extra} removed (not saved yet)."
    if op == "add-below":
        new = _new_row(rows, row.depth)
        return rows[:end] + [new] + rows[end:], f"Item added at level {row.depth} below “{title}” (not saved yet)."
    if op not in moves or not moves[op]:
        return rows, f"“{title}” cannot be moved that way."
    if op == "indent":  # becomes the last child of the sibling above it
        for moved in block:
            moved.depth += 1
        return rows, f"“{title}” is now at level {row.depth} (not saved yet)."
    if op == "outdent":  # becomes the next sibling of its parent, after the parent's other sub-items
        parent = max(i for i in range(index) if rows[i].depth == row.depth - 1)
        parent_end = _subtree_end(rows, parent)
        for moved in block:
            moved.depth -= 1
        rest = rows[:index] + rows[end:]
        at = parent_end - len(block)
        return rest[:at] + block + rest[at:], f"“{title}” is now at level {row.depth} (not saved yet)."
    if op == "up":
        before = _previous_sibling(rows, index)
        return (rows[:before] + block + rows[before:index] + rows[end:],
                f"“{title}” moved up (not saved yet).")
    after = _next_sibling(rows, index)
    after_end = _subtree_end(rows, after)
    return rows[:index] + rows[after:after_end] + block + rows[after_end:], f"“{title}” moved down (not saved yet)."


def nav_tree(items, locales: list[str], depth: int = 1) -> list[dict]:
    """The stored tree for the read-only lists: each item's labels per locale, depth, kind and target."""
    nodes = []
    items = [item for item in items or [] if isinstance(item, dict)]
    for item in sorted(items, key=lambda entry: entry.get("ordinal", 0)):
        labels = item.get("label") if isinstance(item.get("label"), dict) else {}
        ordered = [code for code in locales if code in labels] + [code for code in labels if code not in locales]
        nodes.append({
            "depth": depth, "kind": KIND_LABELS.get(item.get("kind"), item.get("kind")), "target": item.get("target"),
            "new_tab": item.get("openInNewTab") is True,
            "labels": [{"locale": code, "text": labels[code]} for code in ordered],
            "children": nav_tree(item.get("children"), locales, depth + 1),
        })
    return nodes


@dataclass
class NavEditing:
    rows: list[NavRow]
    expected_version: int
    refusal: Refusal = field(default_factory=Refusal)
    status: str = ""


def nav_row_view(rows: list[NavRow], index: int, locales: list[str], refusal: Refusal) -> dict:
    row, name = rows[index], f"row-{index}"
    kinds = tuple((kind, KIND_LABELS[kind]) for kind in NAVIGATION_KINDS)
    if row.kind not in NAVIGATION_KINDS:
        kinds = ((row.kind, f"{row.kind} (unknown)"), *kinds)
    return {
        "index": index, "name": name, "depth": row.depth, "title": row.title(locales, index),
        "indent": min(row.depth, DEPTH_LIMIT) - 1, "errors": refusal.of(name), "moves": nav_moves(rows, index),
        "id_input": Input(f"{name}-id", "Id", row.id, help="Letters, digits, _ and -; unique in the menu.",
                          errors=refusal.of(f"{name}-id")),
        "depth_name": f"{name}-depth",
        "labels": localised_inputs(f"{name}-label-", "Label", row.labels, locales, refusal),
        "label_errors": refusal.of(f"{name}-labels"),
        "kind": Input(f"{name}-kind", "Kind", row.kind, type="select", choices=kinds, errors=refusal.of(f"{name}-kind")),
        "target": Input(f"{name}-target", "Link", row.target, help=TARGET_HELP, errors=refusal.of(f"{name}-target")),
        "new_tab": Input(f"{name}-new_tab", "Open in a new tab", type="checkbox", checked=row.new_tab,
                         errors=refusal.of(f"{name}-new_tab")),
        "rel": Input(f"{name}-rel", "rel (optional)", row.rel, help="Space-separated, e.g. nofollow.",
                     errors=refusal.of(f"{name}-rel")),
    }


@workspace.workspace_page("version", NAV_SLUG, "Navigation", order=25)
def navigation_page(model_admin, request, version):
    surface = (request.POST if request.method == "POST" else request.GET).get("surface")
    surface = surface if surface in NavigationSurface.values else NavigationSurface.HEADER
    if request.method != "POST":
        return _navigation(model_admin, request, version, surface)
    page = structure_url(model_admin, version, NAV_SLUG, surface=surface)
    if (refusal := refuse_post(request, version, page, "navigation")) is not None:
        return refusal
    locales = theme_locales(version.theme)
    rows = nav_rows_posted(request.POST, locales)
    expected = to_int(request.POST.get("expected_version")) or 0
    op, index = posted_op(request.POST)
    if op != "save":
        rows, status = nav_apply(rows, op, index, locales)
        return _navigation(model_admin, request, version, surface, NavEditing(rows, expected, status=status))
    items, anchors = nav_document(rows)
    what = f"{NavigationSurface(surface).label.lower()} navigation"
    with refusal_shown(request, on_page) as refusal:
        services.navigation_put(principal=principal_of(request), version_id=version.pk, surface=surface,
                                items=items, expected_version=expected)
    if refusal:
        shown, expected = refused(refusal.error, anchors, what=what, expected=expected, current=lambda: stored(
            navigation_get, version_id=version.pk, surface=surface))
        return _navigation(model_admin, request, version, surface, NavEditing(rows, expected, shown))
    messages.success(request, f"The {what} is saved.")
    return HttpResponseRedirect(page + f"#nav-{surface}")


def _navigation(model_admin, request, version, surface: str, editing: NavEditing | None = None):
    locales = theme_locales(version.theme)
    configs = {value: stored(navigation_get, version_id=version.pk, surface=value)
               for value in NavigationSurface.values}
    editable = can_edit(request, version)
    context = {
        "editable": editable,
        "read_only_reason": read_only_reason(request, version, "navigation"),
        "max_depth": MAX_DEPTH, "max_siblings": MAX_SIBLINGS, "max_items": MAX_ITEMS,
        "surfaces": [{"value": value, "label": label, "config": configs[value],
                      "tree": nav_tree(configs[value].items if configs[value] else [], locales),
                      "edit_url": f"?surface={value}#nav-editor", "current": value == surface,
                      "updated_by": actor_label(configs[value].updated_by) if configs[value] else "",
                      "updated_at": when_label(configs[value].updated_at) if configs[value] else ""}
                     for value, label in NavigationSurface.choices],
        "surface": surface, "surface_label": NavigationSurface(surface).label,
    }
    if editable:
        config = configs[surface]
        if editing is None:
            editing = NavEditing(nav_rows(config.items if config else []), config.version if config else 0)
        refusal = editing.refusal
        context.update({
            "editing": editing, "refusal": refusal, "form_action": f"?surface={surface}#nav-editor",
            "rows": [nav_row_view(editing.rows, i, locales, refusal) for i in range(len(editing.rows))],
            "items_errors": refusal.of("nav-items"),
        })
    return render_page(model_admin, request, version, NAV_SLUG, "navigation.html", "Navigation", context)
