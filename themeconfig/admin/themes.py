"""Tenant staff's admin of themes: the list, a theme form over the use cases (a stale save keeps the
user's input and says who changed what, when) and the theme's "New draft" action, a POST through a use case.

Also what the theme and version admins share: a refused save shown again on its form (`Refused`,
`RefusalShownAgain`) and object actions (`ObjectActions`). Versions are in `versions`; labels, badges
and refusal field errors every app's workspace pages use are in `common`.
"""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse

from themeconfig import services
from themeconfig.admin import workspace
from themeconfig.admin.actors import ActorColumns, actor_label, actor_names
from themeconfig.admin.base import TenantScopedAdmin, can, principal_of, refusal_shown
from themeconfig.admin.common import (
    add_refusal_errors,
    publication_label,
    status_badge,
    when_label,
)
from themeconfig.errors import ThemeErrorCode
from themeconfig.models import Theme, ThemeStatus
from themeconfig.platform.errors import DomainError
from themeconfig.platform.permissions import Permission
from themeconfig.selectors.tenancy import property_find, property_list
from themeconfig.selectors.themes import theme_list_with_live_version, version_list

WORKSPACE_MEDIA = forms.Media(css={"all": ["themeconfig/admin/workspace.css"]})


class Refused(Exception):
    """A use case refused a form's save; the form is shown again with the reason and the user's input."""

    def __init__(self, error: DomainError):
        super().__init__(error.message)
        self.error = error


def refused_save(error: DomainError) -> None:
    """`refusal_shown`'s answer in a `save_model`: the form shown again with the refusal (Refused); a
    404 goes on to the change view, which shows it as a message."""
    if error.http_status == 404:
        raise error
    raise Refused(error) from error


class RefusalShownAgain:
    """Shows a save the use case refused (Refused) on the same form, the user's input kept.

    The first pass raised out of Django's changeform transaction (so nothing of it stays); the
    second pass validates the same POST, and the form adds the refusal as field errors.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except Refused as refused:
            request._admin_refusal = refused.error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "_admin_refusal", None)
        if refusal is None:
            return form_class
        return type(form_class.__name__, (form_class,), {"refusal": refusal, "current": obj})


class ThemeForm(forms.ModelForm):
    # The version the form was loaded with: a save over someone else's newer save is refused (409).
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    property_id = forms.ChoiceField(required=False, label="Property",
                                    help_text="Only for a property theme; a tenant-wide theme has none.")
    drop_locale_packs = forms.BooleanField(
        required=False, label="Drop locale packs of removed locales",
        help_text="Deletes the draft and preview-ready versions' packs of the locales you remove from the enabled "
                  "locales (published and archived versions keep theirs). Without it such a save is refused "
                  "and the packs are listed.")
    refusal: DomainError | None = None
    current: Theme | None = None

    class Meta:
        model = Theme
        fields = ["name", "scope", "property_id", "default_locale", "enabled_locales", "fallback_chain", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "property_id" in self.fields:
            self.fields["property_id"].choices = [("", "—")] + [
                (p.pk, p.name) for p in property_list().order_by("name")
            ]
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version
        if self.refusal is not None and self.is_bound and self.refusal.code == ThemeErrorCode.VERSION_CONFLICT:
            # Saving again is a deliberate overwrite of the newer save, so the form now carries its version.
            data = self.data.copy()
            data["expected_version"] = str(self.refusal.extra.get("current_version", ""))
            self.data = data

    def clean(self):
        cleaned = super().clean()
        if self.refusal is not None:
            if self.refusal.code == ThemeErrorCode.VERSION_CONFLICT:
                self.add_error(None, conflict_text(self.current, cleaned))
            else:
                add_refusal_errors(self, self.refusal)
                if self.refusal.code == ThemeErrorCode.LOCALE_PACKS_PRESENT and "drop_locale_packs" in self.fields:
                    self.add_error("drop_locale_packs", "Tick this to delete the packs listed above with the change.")
        return cleaned


THEME_FORM_FIELDS = ("name", "default_locale", "enabled_locales", "fallback_chain", "status")


def conflict_text(current: Theme | None, submitted: dict) -> str:
    """Who saved the theme since this form was loaded, when, and which of the user's values differ."""
    if current is None:
        return "Someone else changed this theme since you loaded it."
    differing = [
        f"{name} is now {getattr(current, name)!r}" for name in THEME_FORM_FIELDS
        if name in submitted and submitted[name] != getattr(current, name)
    ]
    return (
        f"{actor_label(current.updated_by)} changed this theme at {when_label(current.updated_at)} "
        f"(now version {current.version}), after you loaded it. Your input is kept below"
        + (f"; their values: {'; '.join(differing)}" if differing else "")
        + ". Save again to overwrite their change, or reload to start from it."
    )


class ThemeDeletionFilter(admin.SimpleListFilter):
    """Soft-deleted themes are hidden unless asked for."""

    title = "deletion"
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("yes", "Deleted"), ("all", "Live and deleted")]

    def choices(self, changelist):
        yield {"selected": self.value() is None, "query_string": changelist.get_query_string(remove=[self.parameter_name]),
               "display": "Live"}
        for lookup, title in self.lookup_choices:
            yield {"selected": self.value() == lookup,
                   "query_string": changelist.get_query_string({self.parameter_name: lookup}), "display": title}

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(deleted_at__isnull=False)
        if self.value() == "all":
            return queryset
        return queryset.filter(deleted_at__isnull=True)


class ObjectActions:
    """Buttons on a change page that POST to `<object_id>/<slug>/`: the object first (404 for one that
    is not there, whatever the method), then POST only, then the permission, then the use case."""

    object_actions: dict[str, str] = {}  # slug → method name

    def get_urls(self):
        def wrap(view):
            def wrapper(request, object_id):
                return self.admin_site.admin_view(lambda r: self._run_object_action(r, object_id, view))(request)
            wrapper.model_admin = self
            return wrapper

        def wrap_page(page):
            def wrapper(request, object_id):
                return self.admin_site.admin_view(lambda r: self._run_workspace_page(r, object_id, page))(request)
            wrapper.model_admin = self
            return wrapper

        info = self.opts.app_label, self.opts.model_name
        own = [
            path(f"<path:object_id>/{slug}/", wrap(method), name=f"{info[0]}_{info[1]}_{method.replace('_', '-')}")
            for slug, method in self.object_actions.items()
        ]
        kind = "theme" if self.opts.model_name == "theme" else "version"
        own += [path(f"<path:object_id>/{page.slug}/", wrap_page(page), name=page.url_name) for page in workspace.pages(kind)]
        return own + super().get_urls()

    def _run_workspace_page(self, request, object_id, page):
        obj = self.get_object(request, unquote(object_id))
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        if request.method not in ("GET", "HEAD", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        return page.view(self, request, obj)

    def _run_object_action(self, request, object_id, method):
        obj = self.get_object(request, unquote(object_id))
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return getattr(self, method)(request, obj)

    def change_page(self, obj, query: str = "") -> HttpResponseRedirect:
        url = reverse(f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_change", args=[quote(obj.pk)])
        return HttpResponseRedirect(url + query)

    def expected_version(self, request, obj) -> int:
        try:
            return int(request.POST.get("expected_version", ""))
        except ValueError:
            return obj.version

    def object_action(self, request, obj, *, permission: Permission, run, done, refused_query=None) -> HttpResponse:
        """What every object action does: 403 for a role without `permission`; else the use case
        (`run(principal)`); its refusal as a message on the object's page (`refused_query(error)` added to
        the URL), its success as the message and redirect `done(result)` returns."""
        if not can(request, permission):
            raise PermissionDenied
        with refusal_shown(request, lambda error: messages.error(request, error.message)) as refused:
            result = run(principal_of(request))
        if refused:
            return self.change_page(obj, refused_query(refused.error) if refused_query else "")
        message, response = done(result)
        messages.success(request, message)
        return response


@admin.register(Theme)
class ThemeAdmin(ActorColumns, ObjectActions, RefusalShownAgain, TenantScopedAdmin):
    form = ThemeForm
    view_permission = Permission.THEMES_READ
    edit_permission = Permission.THEMES_EDIT
    list_display = ["name", "scope", "default_locale", "locales", "status", "active_publication", "updated_at",
                    "updated_by_label"]
    list_filter = [ThemeDeletionFilter, "status", "scope"]
    search_fields = ["name"]
    actions = ["soft_delete", "restore"]
    object_actions = {"new-draft": "new_blank_draft"}
    actor_fields = ("updated_by",)

    @property
    def media(self):
        return super().media + WORKSPACE_MEDIA

    @admin.display(description="enabled locales")
    def locales(self, obj):
        return ", ".join(obj.enabled_locales)

    def get_queryset(self, request):
        # The live version of each theme in the same query (its publication id is for the API).
        return theme_list_with_live_version(super().get_queryset(request))

    @admin.display(description="active publication")
    def active_publication(self, obj):
        if not obj.active_publication_id:
            return "—"
        return publication_label(getattr(obj, "live_ordinal", None), getattr(obj, "live_published_at", None))

    @admin.display(description="updated by", ordering="updated_by")
    def updated_by_label(self, obj):
        return self.actor_column(obj, "updated_by")

    @admin.display(description="created by")
    def created_by_label(self, obj):
        return self.actor_column(obj, "created_by")

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.deleted_at is None)

    def has_soft_delete_permission(self, request):
        return can(request, Permission.THEMES_DELETE)

    def has_restore_permission(self, request):
        return can(request, Permission.THEMES_DELETE)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "scope", "property_id", "default_locale", "enabled_locales", "fallback_chain"]
        editable = self.has_change_permission(request, obj)
        fields = ["name", "scope", "property_label", "default_locale", "enabled_locales",
                  *(["drop_locale_packs"] if editable else []), "fallback_chain", "status",
                  "active_publication", "deleted_at", "created_by_label", "created_at", "updated_by_label", "updated_at"]
        return fields + (["expected_version"] if editable else [])

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        readonly = ["scope", "property_label", "active_publication", "deleted_at", "created_by_label", "created_at",
                    "updated_by_label", "updated_at"]
        if not can(request, Permission.THEMES_PUBLISH):
            readonly.append("status")  # a status change needs publish rights
        return readonly

    @admin.display(description="property")
    def property_label(self, obj):
        if not obj.property_id:
            return "— (tenant-wide)"
        found = property_find(obj.property_id)
        return f"{found.name} ({obj.property_id})" if found else obj.property_id

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        with refusal_shown(request, refused_save):
            if change:
                values = {k: data[k] for k in ("name", "default_locale", "enabled_locales", "fallback_chain") if k in data}
                if "status" in data and data["status"] != form.initial.get("status"):
                    values["status"] = data["status"]
                saved = services.theme_update(
                    principal=principal_of(request), theme_id=obj.pk,
                    expected_version=data.get("expected_version") or obj.version,
                    drop_locale_packs=bool(data.get("drop_locale_packs")), **values,
                )
            else:
                saved = services.theme_create(
                    principal=principal_of(request), name=data["name"], scope=data["scope"],
                    property_id=data.get("property_id") or None, default_locale=data["default_locale"],
                    enabled_locales=data["enabled_locales"], fallback_chain=data["fallback_chain"],
                )
        obj.pk, obj.version = saved.pk, saved.version

    def change_view(self, request, object_id, form_url="", extra_context=None):
        theme = self.get_object(request, unquote(object_id))
        versions = list(version_list(theme_id=theme.pk).order_by("-ordinal"))
        names = actor_names(actor for v in versions for actor in (v.created_by, v.updated_by))
        rows = [{
            "ordinal": v.ordinal, "badge": status_badge(v.status, v.get_status_display()),
            "created_by": actor_label(v.created_by, names), "created_at": when_label(v.created_at),
            "updated_by": actor_label(v.updated_by, names), "updated_at": when_label(v.updated_at),
            "url": reverse(f"{self.admin_site.name}:themeconfig_themeversion_change", args=[quote(v.pk)]),
        } for v in versions]
        context = {
            **(extra_context or {}), "version_rows": rows,
            "workspace_tabs": workspace.tabs(self.admin_site.name, "theme", request, theme, None),
            "can_new_draft": can(request, Permission.THEMES_EDIT) and theme.deleted_at is None
            and theme.status != ThemeStatus.ARCHIVED,
            "new_draft_url": reverse(f"{self.admin_site.name}:themeconfig_theme_new-blank-draft", args=[quote(theme.pk)]),
        }
        return super().change_view(request, object_id, form_url, context)

    def new_blank_draft(self, request, theme):
        return self.object_action(
            request, theme, permission=Permission.THEMES_EDIT,
            run=lambda principal: services.version_create(principal=principal, theme_id=theme.pk),
            done=lambda version: (f"Draft {version.ordinal} created.", HttpResponseRedirect(
                reverse(f"{self.admin_site.name}:themeconfig_themeversion_change", args=[quote(version.pk)]))),
        )

    @admin.action(description="Delete the selected themes (soft: they can be restored)", permissions=["soft_delete"])
    def soft_delete(self, request, queryset):
        done = 0
        for theme in queryset.filter(deleted_at__isnull=True):
            services.theme_delete(principal=principal_of(request), theme_id=theme.pk, expected_version=theme.version)
            done += 1
        self.message_user(request, f"Deleted {done} theme(s); they can be restored.")

    @admin.action(description="Restore the selected deleted themes", permissions=["restore"])
    def restore(self, request, queryset):
        done = 0
        for theme in queryset.filter(deleted_at__isnull=False):
            services.theme_restore(principal=principal_of(request), theme_id=theme.pk)
            done += 1
        self.message_user(request, f"Restored {done} theme(s).")
