"""The Content page itself: the view (`content_page`, registered as the version tab "Content"), which
surface and locale it shows (`View`), its POST actions (create, save, delete, move, reorder) through
the version_children use cases, and the rendering of the block cards.
"""
from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.utils.http import urlencode

from themeconfig import services
from themeconfig.admin import workspace
from themeconfig.admin.base import can, domain_error_text, principal_of, refusal_shown
from themeconfig.admin.common import EDITABLE_VERSIONS, actor_label, status_badge, when_label
from themeconfig.admin.content.forms import BlockForm
from themeconfig.admin.content.schema import describe, kind_label, text_locales
from themeconfig.admin.locales import locale_label, theme_locales
from themeconfig.errors import ThemeErrorCode
from themeconfig.models import ContentBlock, ContentSurface, ThemeVersion
from themeconfig.platform.errors import DomainError
from themeconfig.platform.permissions import Permission
from themeconfig.selectors.themes import content_block_list, version_find
from themeconfig.validators.content import KIND_FIELDS

SLUG = "content"
MEDIA = forms.Media(css={"all": ["themeconfig/admin/content-blocks.css"]}, js=["themeconfig/admin/content-blocks.js"])


def can_edit(request, version: ThemeVersion) -> bool:
    return (can(request, Permission.THEMES_EDIT) and version.status in EDITABLE_VERSIONS
            and version.theme.deleted_at is None)


@dataclass
class View:
    """Which surface and locale the page shows, and the one-off states (add, confirm delete)."""
    surface: str
    locale: str
    add_kind: str | None = None
    confirm_delete: str | None = None

    @classmethod
    def of(cls, request, version: ThemeVersion, params) -> View:
        locales = theme_locales(version.theme)
        surface = params.get("surface")
        if surface not in ContentSurface.values:
            used = list(content_block_list(version_id=version.pk).order_by("surface").values_list("surface", flat=True))
            surface = next((s for s in ContentSurface.values if s in used), ContentSurface.HOME)
        locale = params.get("locale")
        add = params.get("add")
        return cls(surface=surface, locale=locale if locale in locales else locales[0],
                   add_kind=add if add in KIND_FIELDS else None, confirm_delete=params.get("delete") or None)

    def query(self, **changes) -> str:
        values = {"surface": self.surface, "locale": self.locale, **changes}
        return "?" + urlencode({k: v for k, v in values.items() if v})


def page_url(model_admin, version) -> str:
    return workspace.page_url(model_admin.admin_site.name, "version", SLUG, version.pk)


def conflict_text(what: str, current, *, input_kept: bool) -> str:
    if current is None:
        return f"Someone else changed this {what} after you loaded the page."
    text = (f"{actor_label(current.updated_by)} changed this {what} at {when_label(current.updated_at)} "
            f"(now version {current.version}), after you loaded the page.")
    if input_kept:
        return text + " Your input is kept below. Save again to overwrite their change, or reload to start from it."
    return text + " Nothing was changed: the page now shows their version; try again."


@workspace.workspace_page("version", SLUG, "Content", order=20)
def content_page(model_admin, request, version):
    if request.method == "POST":
        if not can(request, Permission.THEMES_EDIT):
            raise PermissionDenied
        return _post(model_admin, request, version)
    return _render(model_admin, request, version, View.of(request, version, request.GET))


def _block_of(version, block_id: str) -> ContentBlock | None:
    found = content_block_list(version_id=version.pk).filter(pk=block_id).first() if block_id else None
    return found


def _post(model_admin, request, version):
    view = View.of(request, version, request.POST)
    action = request.POST.get("action")
    back = HttpResponseRedirect(page_url(model_admin, version) + view.query())
    if not can_edit(request, version):  # the use cases refuse it too (published, archived, deleted theme)
        messages.error(request, _read_only_reason(request, version))
        return back
    principal = principal_of(request)
    if action == "reorder":
        ids = request.POST.getlist("block_ids")
        with refusal_shown(request, lambda error: _refused_message(
                request, error, "version", version_find(version.pk))) as refusal:
            services.content_blocks_reorder(principal=principal, version_id=version.pk, surface=view.surface,
                                            block_ids=ids, expected_version=_int(request.POST.get("expected_version")))
        if refusal:
            return back
        messages.success(request, f"The order of the {ContentSurface(view.surface).label} blocks is saved.")
        return back
    if action == "create":
        kind = request.POST.get("kind", "")
        form = BlockForm(request.POST, kind=kind, locale=view.locale, key="new") if kind in KIND_FIELDS else None
        if form is None:
            messages.error(request, "Choose a kind of block to add.")
            return back
        if form.is_valid():
            with refusal_shown(request, form.add_refusal) as refusal:
                block = services.content_block_create(
                    principal=principal, version_id=version.pk, surface=view.surface, kind=kind,
                    body=form.cleaned_data["body"], meta=form.cleaned_data["meta"],
                    visibility=form.cleaned_data["visibility"])
            if not refusal:
                messages.success(request, f"{kind_label(kind)} block added to {ContentSurface(view.surface).label}.")
                return HttpResponseRedirect(page_url(model_admin, version) + view.query() + f"#block-{block.pk}")
        view.add_kind = kind
        return _render(model_admin, request, version, view, new_form=form)

    block = _block_of(version, request.POST.get("block_id", ""))
    if block is None:
        messages.error(request, "That block is not on this version any more.")
        return back
    expected = _int(request.POST.get("expected_version"))
    anchor = f"#block-{block.pk}"
    with refusal_shown(request, lambda error: _refused_message(
            request, error, "block", content_block_list(version_id=version.pk).filter(pk=block.pk).first())):
        if action == "save":
            form = BlockForm(request.POST, kind=block.kind, locale=view.locale, block=block, key=block.pk)
            if not form.is_valid():
                return _render(model_admin, request, version, view, bound={block.pk: form})

            def on_form(error):
                if error.http_status == 404:
                    raise error  # the block is gone: the page's message, as for delete and move
                if error.code == ThemeErrorCode.VERSION_CONFLICT:
                    form.add_error(None, conflict_text("block", block, input_kept=True))
                    form.keep_their_version(error.extra.get("current_version", block.version))
                else:
                    form.add_refusal(error)

            with refusal_shown(request, on_form) as refusal:
                services.content_block_update(
                    principal=principal, block_id=block.pk, expected_version=form.cleaned_data["expected_version"],
                    body=form.cleaned_data["body"], meta=form.cleaned_data["meta"],
                    visibility=form.cleaned_data["visibility"])
            if refusal:
                return _render(model_admin, request, version, view, bound={block.pk: form})
            messages.success(request, f"{kind_label(block.kind)} block {block.ordinal + 1} saved.")
        elif action == "delete":
            services.content_block_delete(principal=principal, block_id=block.pk, expected_version=expected)
            messages.success(request, f"{kind_label(block.kind)} block {block.ordinal + 1} deleted.")
            anchor = ""
        elif action == "move":
            step = -1 if request.POST.get("direction") == "up" else 1
            target = block.ordinal + step
            if target < 0 or target >= content_block_list(version_id=version.pk, surface=block.surface).count():
                return HttpResponseRedirect(page_url(model_admin, version) + view.query() + anchor)
            moved = services.content_block_move(principal=principal, block_id=block.pk, expected_version=expected,
                                                ordinal=target)
            messages.success(request, f"{kind_label(block.kind)} block moved to position {moved.ordinal + 1}.")
        else:
            messages.error(request, "Unknown action.")
    return HttpResponseRedirect(page_url(model_admin, version) + view.query() + anchor)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _refused_message(request, error: DomainError, what: str, current) -> None:
    if error.code == ThemeErrorCode.VERSION_CONFLICT:
        messages.error(request, conflict_text(what, current, input_kept=False))
    else:
        messages.error(request, domain_error_text(error))



def _render(model_admin, request, version, view: View, *, bound: dict | None = None, new_form: BlockForm | None = None):
    theme = version.theme
    editable = can_edit(request, version)
    blocks = list(content_block_list(version_id=version.pk).order_by("surface", "ordinal"))
    counts = {s: 0 for s in ContentSurface.values}
    for block in blocks:
        counts[block.surface] = counts.get(block.surface, 0) + 1
    shown = [b for b in blocks if b.surface == view.surface]
    cards = []
    for index, block in enumerate(shown):
        card = {
            "block": block, "kind_label": kind_label(block.kind), "position": index + 1,
            "visibility": block.get_visibility_display(),
            "locales": [code for code in theme_locales(theme) if code in text_locales(block)],
            "first": index == 0, "last": index == len(shown) - 1,
            "confirm_delete": editable and view.confirm_delete == block.pk,
            "delete_url": view.query(delete=block.pk) + f"#block-{block.pk}",
        }
        if editable:
            card["form"] = (bound or {}).get(block.pk) or BlockForm(kind=block.kind, locale=view.locale, block=block,
                                                                    key=block.pk)
        else:
            card["rows"] = describe(block.kind, block, view.locale)
        cards.append(card)
    if editable and view.add_kind and new_form is None:
        new_form = BlockForm(kind=view.add_kind, locale=view.locale, key="new")
    surface_label = ContentSurface(view.surface).label
    context = {
        "media": model_admin.media + MEDIA,
        "editable": editable,
        "read_only_reason": _read_only_reason(request, version),
        "version_status": status_badge(version.status, version.get_status_display()),
        "view": view,
        "surface_label": surface_label,
        "surface_tabs": [{"label": label, "count": counts.get(value, 0), "current": value == view.surface,
                          "url": view.query(surface=value)} for value, label in ContentSurface.choices],
        "locale_tabs": [{"label": locale_label(code), "current": code == view.locale, "url": view.query(locale=code),
                         "default": code == theme.default_locale} for code in theme_locales(theme)],
        "locale_text": locale_label(view.locale),
        "cards": cards,
        "new_form": new_form if editable else None,
        "new_kind_label": kind_label(view.add_kind) if view.add_kind else "",
        "kinds": [(kind, kind_label(kind)) for kind in KIND_FIELDS],
        "surfaces": ContentSurface.choices,
        "cancel_url": view.query(),
    }
    return workspace.render_workspace_page(model_admin, request, version, slug=SLUG,
                                           template="admin/themeconfig/content/page.html", context=context,
                                           title=f"Content: {theme.name}, version {version.ordinal}")


def _read_only_reason(request, version) -> str:
    if version.theme.deleted_at is not None:
        return "The theme is deleted: its versions are read-only."
    if version.status not in EDITABLE_VERSIONS:
        return (f"Version {version.ordinal} is {version.get_status_display().lower()}: it never changes. "
                "Create a new draft from it to edit its content.")
    if not can(request, Permission.THEMES_EDIT):
        return "Your role can read this version's content but not change it."
    return ""
