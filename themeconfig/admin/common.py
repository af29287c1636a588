"""What the workspace pages of every app's admin share (the theme and version pages here, publishing's
and the AI workspace's tabs): who (themeconfig.admin.actors) and when as people read them, what is live, status badges, which versions are
editable, and a use case's refusal placed beside the form fields its JSON paths name.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from django import forms
from django.utils.dateformat import format as format_date
from django.utils.html import format_html
from django.utils.timezone import localtime

from themeconfig.admin.actors import actor_label, actor_names  # noqa: F401  (who, as every workspace page names them)
from themeconfig.models import ThemeVersionStatus
from themeconfig.platform.errors import DomainError

EDITABLE_VERSIONS = (ThemeVersionStatus.DRAFT, ThemeVersionStatus.PREVIEW_READY)


def when_label(moment) -> str:
    return format_date(localtime(moment), "Y-m-d H:i:s T") if moment else "—"


def publication_label(ordinal: int | None, published_at) -> str:
    """What is live, as people name it: "Version 3 (published 4 Dec 2026)"."""
    if ordinal is None:
        return "—"
    return f"Version {ordinal} (published {format_date(localtime(published_at), 'j M Y')})" if published_at \
        else f"Version {ordinal}"


# Ids that audit rows record of other rows (the version a draft was made from, the publication that went
# live…) named as people name those rows, for pages that show recorded values (the History tab). Each app
# registers its own id prefixes with how to name a set of its ids (`{id: label}`, ids not found left out),
# as it registers its workspace pages, so themeconfig never imports the apps that build on it.
ID_LABELLERS: dict[str, Callable[[set[str]], dict[str, str]]] = {}


def id_labeller(prefix: str):
    def register(labeller: Callable[[set[str]], dict[str, str]]):
        ID_LABELLERS[prefix] = labeller
        return labeller
    return register


def id_labels(ids: Iterable[str]) -> dict[str, str]:
    """`{id: label}` for the ids whose prefix has a labeller and that are found; one query per prefix."""
    by_prefix: dict[str, set[str]] = {}
    for value in ids:
        prefix = value.partition("_")[0]
        if prefix in ID_LABELLERS:
            by_prefix.setdefault(prefix, set()).add(value)
    labels: dict[str, str] = {}
    for prefix, values in by_prefix.items():
        labels.update(ID_LABELLERS[prefix](values))
    return labels


def status_badge(status: str, label: str):
    """The status as coloured text: the word carries the meaning, the colour only repeats it."""
    return format_html('<span class="tc-badge tc-badge--{}">{}</span>', status, label)


# The version page's editors of parts of a JSON document: a problem under the path goes beside the field.
FIELDS_BY_PATH = (("tokens/color", "colors"), ("tokens/typography", "typography"), ("tokens/spacing", "spacing"),
                  ("tokens/radius", "radius"), ("layout_selections", "layout"))


def field_of_path(form: forms.Form, path: str) -> tuple[str | None, str]:
    """The form field a JSON path (without its leading "/") belongs to, and the path under that field."""
    for prefix, name in FIELDS_BY_PATH:
        if name in form.fields and (path == prefix or path.startswith(prefix + "/")):
            return name, path[len(prefix) + 1:]
    parts = path.split("/", 1)
    if parts[0] in form.fields:
        return parts[0], parts[1] if len(parts) > 1 else ""
    return None, path.strip("/")


def add_refusal_errors(form: forms.Form, error: DomainError) -> None:
    """Each of the use case's field errors beside the field its JSON path starts with (a design editor
    also outlines the step the path names)."""
    placed = False
    for field_error in error.errors:
        field, where = field_of_path(form, field_error.path.lstrip("/"))
        form.add_error(field, f"{where}: {field_error.message}" if where else field_error.message)
        mark_invalid = getattr(form.fields[field].widget, "mark_invalid", None) if field else None
        if mark_invalid is not None and where:
            mark_invalid(where)
        placed = True
    if not placed:
        form.add_error(None, error.message)
