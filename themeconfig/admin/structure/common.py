"""What the structure pages (navigation, booking flow, e-mail) share: the `Input` their templates draw,
a use case's refusal placed beside the input its JSON path names (`Refusal`, `refused`), who may edit a
version and why not, the posted form's small readers, and drawing a page of the workspace.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.utils.http import urlencode

from themeconfig.admin import workspace
from themeconfig.admin.base import can
from themeconfig.admin.common import EDITABLE_VERSIONS, actor_label, status_badge, when_label
from themeconfig.admin.locales import locale_label
from themeconfig.errors import ThemeErrorCode
from themeconfig.models import ThemeVersion
from themeconfig.platform.errors import DomainError
from themeconfig.platform.permissions import Permission

MEDIA = forms.Media(css={"all": ["themeconfig/admin/structure.css"]}, js=["themeconfig/admin/structure.js"])
TEMPLATES = "admin/themeconfig/structure/"


@dataclass
class Input:
    """One input of a page as its template draws it (structure/field.html)."""
    name: str
    label: str
    value: str = ""
    type: str = "text"  # text, textarea, number, select, checkbox, color
    choices: tuple = ()
    checked: bool = False
    disabled: bool = False  # shown checked and kept by a hidden input: the contract requires it
    help: str = ""
    lang: str = ""
    id: str = ""
    errors: list = field(default_factory=list)
    picker: str = ""  # a colour's #rrggbb for the colour picker

    def __post_init__(self):
        self.id = self.id or f"id_{self.name}"


@dataclass
class Refusal:
    """A use case's refusal: each field error under the input (or group) its JSON path leads to."""
    general: list = field(default_factory=list)
    by_name: dict = field(default_factory=dict)
    summary: list = field(default_factory=list)  # the placed ones again, with the element to jump to

    def of(self, name: str) -> list:
        return self.by_name.get(name, [])


def _anchor_of(path: str, anchors: dict[str, str]) -> str | None:
    """The input of the longest JSON path the page knows that `path` is, or lies under."""
    probe = path
    while probe:
        if probe in anchors:
            return anchors[probe]
        probe = probe.rpartition("/")[0]
    return anchors.get("")


def place_errors(error: DomainError, anchors: dict[str, str]) -> Refusal:
    refusal = Refusal()
    for field_error in error.errors:
        entry = {"path": field_error.path or "/", "message": field_error.message}
        name = _anchor_of(field_error.path, anchors)
        if name is None:
            refusal.general.append(entry)
        else:
            refusal.by_name.setdefault(name, []).append(entry)
            refusal.summary.append({**entry, "target": f"id_{name}"})
    if not error.errors:
        refusal.general.append({"path": "", "message": error.message})
    return refusal


def conflict_text(what: str, current) -> str:
    if current is None:
        return f"Someone else changed the {what} after you loaded this page. Your input is kept below."
    return (f"{actor_label(current.updated_by)} changed the {what} at {when_label(current.updated_at)} "
            f"(now version {current.version}), after you loaded this page. Your input is kept below: save "
            "again to overwrite their change, or reload the page to start from theirs.")


def refused(error: DomainError, anchors: dict[str, str], *, what: str, current: Callable, expected: int
            ) -> tuple[Refusal, int]:
    """The refusal to show, and the document version the form carries from now on.

    A stale save names who saved since and when; the form then carries their version, so saving
    again is a deliberate overwrite. A form loaded before the document existed sends 0; when someone
    created it meanwhile the use case asks for a version (428), which is the same conflict.
    """
    stale = error.code == ThemeErrorCode.VERSION_CONFLICT or (
        error.code == ThemeErrorCode.PRECONDITION_REQUIRED and not expected)
    if stale:
        now = current()
        return Refusal(general=[{"path": "", "message": conflict_text(what, now)}]), (now.version if now else expected)
    return place_errors(error, anchors), expected


def can_edit(request, version: ThemeVersion) -> bool:
    return (can(request, Permission.THEMES_EDIT) and version.status in EDITABLE_VERSIONS
            and version.theme.deleted_at is None)


def read_only_reason(request, version: ThemeVersion, what: str) -> str:
    if version.theme.deleted_at is not None:
        return "The theme is deleted: its versions are read-only."
    if version.status not in EDITABLE_VERSIONS:
        return (f"Version {version.ordinal} is {version.get_status_display().lower()}: it never changes. "
                f"Create a new draft from it to edit its {what}.")
    if not can(request, Permission.THEMES_EDIT):
        return f"Your role can read this version's {what} but not change it."
    return ""


def refuse_post(request, version: ThemeVersion, url: str, what: str) -> HttpResponseRedirect | None:
    """403 for a role that cannot edit; a read-only version answers with its reason, nothing changed."""
    if not can(request, Permission.THEMES_EDIT):
        raise PermissionDenied
    if not can_edit(request, version):
        messages.error(request, read_only_reason(request, version, what))
        return HttpResponseRedirect(url)
    return None


def stored(selector: Callable, **lookup):
    """The version's document, or None when it has none yet."""
    try:
        return selector(**lookup)
    except DomainError as error:
        if error.http_status == 404:
            return None
        raise


def to_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def number_or_text(text: str):
    """A number input's value for the contract: an integer, or the text as typed (the contract names it)."""
    text = (text or "").strip()
    value = to_int(text)
    return text if value is None else value


def posted_op(post) -> tuple[str, int | None]:
    """`indent:3` → ("indent", 3); `save` → ("save", None)."""
    name, _, index = (post.get("op") or "save").partition(":")
    return name, to_int(index)


def posted_texts(post, prefix: str, locales: list[str]) -> dict[str, str]:
    """A localised text's inputs `<prefix><locale>`: the theme's locales, then any other one posted."""
    texts = {code: post.get(prefix + code, "") for code in locales}
    for key in post:
        if key.startswith(prefix) and key[len(prefix):] not in texts and len(texts) < len(locales) + 10:
            texts[key[len(prefix):]] = post.get(key, "")
    return texts


def filled(texts: dict[str, str]) -> dict[str, str]:
    return {code: text for code, text in texts.items() if text.strip()}


def localised_inputs(prefix: str, label: str, texts: dict, locales: list[str], refusal: Refusal, *,
                     type: str = "text", help: str = "") -> list[Input]:
    """An input per enabled locale (and one per other locale the text has, to clear it)."""
    codes = [*locales, *(code for code in texts if code not in locales)]
    return [Input(f"{prefix}{code}", f"{label} in {locale_label(code)}"
                  + ("" if code in locales else " (not enabled for this theme: clear it)"),
                  value=texts.get(code, ""), type=type, lang=code, help=help, errors=refusal.of(f"{prefix}{code}"))
            for code in codes]


def render_page(model_admin, request, version, slug: str, template: str, what: str, context: dict):
    return workspace.render_workspace_page(
        model_admin, request, version, slug=slug, template=TEMPLATES + template, title=f"{what}: {version}",
        context={
            "media": model_admin.media + MEDIA,
            "version_status": status_badge(version.status, version.get_status_display()),
            **context,
        })


def structure_url(model_admin, version, slug: str, **query) -> str:
    url = workspace.page_url(model_admin.admin_site.name, "version", slug, version.pk)
    return url + ("?" + urlencode(query) if query else "")
