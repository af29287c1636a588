"""What every ModelAdmin of both admin sites shares: lookups that cannot reach another tenant's row
or PostgreSQL with a NUL, a 404 for anything that is not there, use-case refusals as messages,
single-line inputs for names, and the page that shows a secret once.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import capfirst

from themeconfig.platform.errors import DomainError
from themeconfig.platform.ids import PrefixedIdField, is_valid_id
from themeconfig.platform.permissions import Permission

T = TypeVar("T")

# Text columns that hold a name, a host or an address: one line, not a 6-line textarea (every
# string column is `text` in PostgreSQL, which Django would edit as a textarea). The length is
# what the use cases accept; they check again and name the field when refusing.
SINGLE_LINE_TEXT_FIELDS = {"name": 200, "slug": 63, "host": 253, "email": 254, "title": 200, "label": 200,
                           "default_locale": 35, "locale": 35}


def principal_of(request):
    return getattr(request, "principal", None)


def can(request, permission: Permission) -> bool:
    principal = principal_of(request)
    return principal is not None and principal.can(permission)


def model_breadcrumbs(admin_site: admin.AdminSite, opts) -> list[tuple[str, str]]:
    """The admin's trail to a model's list, after Home: its app, then its list (as Django's change form draws it)."""
    return [(str(opts.app_config.verbose_name), reverse(f"{admin_site.name}:app_list", args=[opts.app_label])),
            (capfirst(opts.verbose_name_plural), reverse(f"{admin_site.name}:{opts.app_label}_{opts.model_name}_changelist"))]


def show_secret_once(request, *, title: str, secret: str, explanation: str, back_url: str,
                     admin_site: admin.AdminSite | None = None,
                     breadcrumbs: list[tuple[str, str]] = ()) -> TemplateResponse:
    """The secret in this response's body only: never in a cookie, a message or the session, and
    not cached (`no-store`), so going back or reloading does not show it again. The page has the
    admin's header (tenant, links) of `admin_site`, the tenant staff's site unless told, and its
    breadcrumbs: Home, each (label, url) of `breadcrumbs` (the page it came from), then `title`."""
    response = TemplateResponse(
        request, "admin/secret_once.html",
        {**(admin_site or admin.site).each_context(request), "title": title, "secret": secret, "explanation": explanation,
         "back_url": back_url, "breadcrumbs": breadcrumbs},
    )
    response["Cache-Control"] = "no-store"
    return response


def single_line_max_length(field_name: str) -> int | None:
    """The length of a name-like text column edited on one line, or None for other columns."""
    if field_name in SINGLE_LINE_TEXT_FIELDS:
        return SINGLE_LINE_TEXT_FIELDS[field_name]
    return SINGLE_LINE_TEXT_FIELDS["name"] if field_name.endswith("_name") else None


def could_be_key(field, value) -> bool:
    """False for a value this key column cannot hold (a NUL, an id of another kind or shape)."""
    if not isinstance(value, str) or "\x00" in value:
        return False
    return is_valid_id(value, field.prefix) if isinstance(field, PrefixedIdField) else True


class GuardedModelAdmin(admin.ModelAdmin):
    """Django's ModelAdmin with the doors a hostile or stale URL knocks on closed.

    - An object that is not there (unknown, malformed, or another tenant's: RLS hides it) is a 404
      on every object URL, instead of Django's "doesn't exist" redirect to the index, so another
      tenant's id looks exactly like an id nobody has.
    - An action on selected rows that are not all there is a 404 too (Django would run it on the
      rows it can see and say nothing about the others).
    - A NUL in an id, a filter or a search term never reaches PostgreSQL (it would be a 500).
    - A use case that refuses (DomainError) becomes an error message on the same page, a
      permission refusal the 403 page (`refusal_shown`).
    """

    view_on_site = False

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        max_length = single_line_max_length(db_field.name)
        if isinstance(db_field, models.TextField) and not db_field.choices and max_length is not None:
            kwargs.setdefault("widget", forms.TextInput(attrs={"class": "vTextField", "maxlength": max_length}))
            kwargs.setdefault("max_length", max_length)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_object(self, request, object_id, from_field=None):
        field = self.model._meta.pk if from_field is None else self.model._meta.get_field(from_field)
        found = super().get_object(request, object_id, from_field) if could_be_key(field, object_id) else None
        if found is None:
            raise Http404(f"No {self.model._meta.verbose_name} with this id.")
        return found

    def lookup_allowed(self, lookup, value, request):
        # Django allows a filter on any local field from the query string (`?name=…`); a NUL in
        # its value would reach PostgreSQL. Refused: Django answers 400 (DisallowedModelAdminLookup).
        if "\x00" in str(lookup) or "\x00" in str(value):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_results(self, request, queryset, search_term):
        # The changelist's search form refuses a NUL, but the autocomplete view hands its `term`
        # straight here: no text column holds a NUL, so nothing matches.
        if "\x00" in search_term:
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and "action" in request.POST:
            self._check_selected_rows_exist(request)
        with refusal_shown(request):  # an action's use case refused
            return super().changelist_view(request, extra_context)
        return HttpResponseRedirect(request.get_full_path())

    def _check_selected_rows_exist(self, request) -> None:
        selected = set(request.POST.getlist(helpers.ACTION_CHECKBOX_NAME))
        pk = self.model._meta.pk
        if not all(could_be_key(pk, value) for value in selected):
            raise Http404("Some of the selected items do not exist.")
        if selected and self.get_queryset(request).filter(pk__in=selected).count() != len(selected):
            raise Http404("Some of the selected items do not exist.")

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with refusal_shown(request):
            return super().changeform_view(request, object_id, form_url, extra_context)
        return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        with refusal_shown(request):
            return super().delete_view(request, object_id, extra_context)
        return HttpResponseRedirect(request.get_full_path())

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # bulk deletes would bypass the use cases
        return actions


def domain_error_text(error: DomainError) -> str:
    """A use case's refusal for a message: what went wrong, then each field it names."""
    details = "; ".join(f"{e.path.strip('/') or 'input'}: {e.message}" for e in error.errors)
    return f"{error.message} {details}".strip()


@dataclass
class CaughtRefusal:
    """What `refusal_shown` caught: true when the use case refused, with its error."""

    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.error is not None


def on_page(error: DomainError) -> None:
    """`refusal_shown`'s `show` for a page that shows the caught refusal itself (on its form)."""


@contextmanager
def refusal_shown(request, show: Callable[[DomainError], object] | None = None, *,
                  not_found_page: bool = False) -> Iterator[CaughtRefusal]:
    """The one way an admin page answers a use case's refusal, as the API's exception handler does
    for the API: a permission refusal (403) is the 403 page; with `not_found_page`, a 404 is the 404
    page; any other refusal is shown on the page, as an error message unless `show(error)` shows it
    another way (on a form, say). The block's caller checks the yielded `CaughtRefusal` to answer.
    """
    caught = CaughtRefusal()
    try:
        yield caught
    except DomainError as error:
        if error.http_status == 403:
            raise PermissionDenied(error.message) from error
        if not_found_page and error.http_status == 404:
            raise Http404(error.message) from error
        caught.error = error
        if show is None:
            messages.error(request, domain_error_text(error))
        else:
            show(error)


def found_or_404(lookup: Callable[[], T]) -> T:
    """What a selector's `…_get` returns for an id from the URL or the form; its refusal (not there,
    not this tenant's, not an id) is the 404 page, which looks the same for every one of them."""
    try:
        return lookup()
    except DomainError as error:
        raise Http404(error.message) from error


class TenantScopedAdmin(GuardedModelAdmin):
    """Rows of the current tenant only (RLS enforces it); what shows follows the principal's permissions.

    The permission checks here only decide what the admin shows; the use cases decide what happens.
    """

    view_permission = Permission.TENANT_READ
    edit_permission = Permission.TENANT_MANAGE
    can_add = True
    can_delete = False

    def has_module_permission(self, request):
        return can(request, self.view_permission)

    def get_object(self, request, object_id, from_field=None):
        """Read once per GET (the page, its tabs and Django's change form all ask for it); a POST reads
        it afresh each time (a form fills the instance it validates; a refused save goes round again)."""
        if request.method not in ("GET", "HEAD"):
            return super().get_object(request, object_id, from_field)
        memo = request.__dict__.setdefault("_admin_objects", {})
        key = (self.model, object_id, from_field)
        if key not in memo:
            memo[key] = super().get_object(request, object_id, from_field)
        return memo[key]

    def has_view_permission(self, request, obj=None):
        return can(request, self.view_permission)

    def has_add_permission(self, request):
        return self.can_add and can(request, self.edit_permission)

    def has_change_permission(self, request, obj=None):
        return can(request, self.edit_permission)

    def has_delete_permission(self, request, obj=None):
        return self.can_delete and can(request, self.edit_permission)
