"""The theme workspace's pages beyond a change form: a tab per page on a theme's and a version's page.

Each page is a plain function `view(model_admin, request, obj) -> HttpResponse` registered under a
slug with `@workspace_page("version", "content", "Content")`; its URL is
`/admin/themeconfig/themeversion/<id>/content/` (`…/theme/<id>/<slug>/` for a theme). Before the
view runs, the object has been looked up (404 when it is not there, malformed or another tenant's:
RLS hides it) and the view permission checked; the view checks what its POSTs need (every change
goes through a use case, which checks again) and answers GET and POST itself.

Apps that must not be imported by themeconfig (publishing, ai_workspace) register their pages from
their own `admin.py`, which Django's autodiscovery imports before the admin's URL conf is built.
`render_workspace_page` draws a page with the admin's header, breadcrumbs and the tab bar.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.admin.utils import quote
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

KINDS = ("theme", "version")
MODEL_NAMES = {"theme": "theme", "version": "themeversion"}


def _always(request, obj) -> bool:
    return True


@dataclass(frozen=True)
class WorkspacePage:
    kind: str  # "theme" or "version"
    slug: str  # the URL part after the object id
    title: str  # the tab's label
    view: Callable[..., HttpResponse]  # (model_admin, request, obj) -> response
    order: int = 100  # tabs sort by it; the change form itself is 0
    shown: Callable[[HttpRequest, object], bool] = _always  # whether the tab shows for this request and object

    @property
    def url_name(self) -> str:
        return f"themeconfig_{MODEL_NAMES[self.kind]}_page_{self.slug.replace('-', '_')}"


_PAGES: dict[str, dict[str, WorkspacePage]] = {kind: {} for kind in KINDS}


def workspace_page(kind: str, slug: str, title: str, *, order: int = 100,
                   shown: Callable[[HttpRequest, object], bool] = _always):
    """Registers the decorated function as the page `slug` of each theme (kind "theme") or version."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")

    def register(view):
        if slug in _PAGES[kind] and _PAGES[kind][slug].view is not view:
            raise ValueError(f"a {kind} workspace page {slug!r} is already registered")
        _PAGES[kind][slug] = WorkspacePage(kind, slug, title, view, order, shown)
        return view

    return register


def pages(kind: str) -> list[WorkspacePage]:
    return sorted(_PAGES[kind].values(), key=lambda page: (page.order, page.slug))


def page_url(admin_site_name: str, kind: str, slug: str, obj_pk: str) -> str:
    return reverse(f"{admin_site_name}:{_PAGES[kind][slug].url_name}", args=[quote(obj_pk)])


def change_url(admin_site_name: str, kind: str, obj_pk: str) -> str:
    return reverse(f"{admin_site_name}:themeconfig_{MODEL_NAMES[kind]}_change", args=[quote(obj_pk)])


def tabs(admin_site_name: str, kind: str, request, obj, current: str | None) -> list[dict]:
    """The tab bar: the change form ("Overview" of a theme, "Design" of a version), then each page shown."""
    first = {"title": "Overview" if kind == "theme" else "Design", "url": change_url(admin_site_name, kind, obj.pk),
             "current": current is None}
    return [first] + [
        {"title": page.title, "url": page_url(admin_site_name, kind, page.slug, obj.pk), "current": page.slug == current}
        for page in pages(kind) if page.shown(request, obj)
    ]


def object_label(obj) -> str:
    """A theme by its name, a version as "<theme name>, version <ordinal>" (their __str__ shows ids)."""
    if hasattr(obj, "ordinal") and hasattr(obj, "theme"):
        return f"{obj.theme.name}, version {obj.ordinal}"
    return getattr(obj, "name", None) or str(obj)


def render_workspace_page(model_admin, request, obj, *, slug: str, template: str, context: dict | None = None,
                          title: str | None = None, status: int = 200) -> TemplateResponse:
    """A workspace page with the admin's header, breadcrumbs back to the object and the tab bar.

    `template` extends "admin/themeconfig/workspace_page.html" and fills `{% block workspace %}`.
    """
    kind = "theme" if model_admin.opts.model_name == "theme" else "version"
    page = _PAGES[kind][slug]
    site = model_admin.admin_site
    response = TemplateResponse(request, template, {
        **site.each_context(request),
        "opts": model_admin.opts,
        "original": obj,
        "title": title or f"{page.title}: {object_label(obj)}",
        "object_label": object_label(obj),
        "workspace_kind": kind,
        "workspace_tabs": tabs(site.name, kind, request, obj, slug),
        "change_url": change_url(site.name, kind, obj.pk),
        "page_url": page_url(site.name, kind, slug, obj.pk),
        "media": model_admin.media,
        **(context or {}),
    }, status=status)
    return response
