"""Tenant staff's admin of themes and their versions: lists, a theme form over the use cases (a stale
save keeps the user's input and says who changed what, when), and the versions' object actions
(new draft, mark preview-ready with every problem listed, archive), each a POST through a use case.

Tokens and layout selections are shown read-only here; their editor is a widget of its own.
"""
from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.dateformat import format as format_date
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime

from themeconfig import services
from themeconfig.admin import workspace
from themeconfig.admin.base import TenantScopedAdmin, can, principal_of
from themeconfig.admin.token_editor import TokenColorsField
from themeconfig.errors import ThemeErrorCode
from themeconfig.models import Property, Theme, ThemeStatus, ThemeVersion, ThemeVersionStatus
from themeconfig.platform.errors import DomainError
from themeconfig.platform.permissions import Permission

EDITABLE_VERSIONS = (ThemeVersionStatus.DRAFT, ThemeVersionStatus.PREVIEW_READY)
WORKSPACE_MEDIA = forms.Media(css={"all": ["themeconfig/admin/workspace.css"]})


def actor_label(actor: str | None) -> str:
    """`user:42` as the person's username; API keys and operators as recorded."""
    if not actor:
        return "—"
    kind, _, ident = actor.partition(":")
    if kind == "user" and ident.isdigit():
        username = get_user_model().objects.filter(pk=int(ident)).values_list("username", flat=True).first()
        if username:
            return username
    return actor


def when_label(moment) -> str:
    return format_date(localtime(moment), "Y-m-d H:i:s T") if moment else "—"


def status_badge(status: str, label: str):
    """The status as coloured text: the word carries the meaning, the colour only repeats it."""
    return format_html('<span class="tc-badge tc-badge--{}">{}</span>', status, label)


def pretty_json(value, *, anchor: str):
    """A JSON document, pretty-printed; each top-level key gets an anchor `<anchor>-<key>` to link to."""
    if isinstance(value, dict) and value:
        parts = format_html_join(
            "", '<div id="{}-{}" class="tc-json-part"><strong>{}</strong><pre class="tc-json">{}</pre></div>',
            ((anchor, key, key, json.dumps(part, indent=2, ensure_ascii=False, sort_keys=True))
             for key, part in value.items()),
        )
        return format_html('<div id="{}">{}</div>', anchor, parts)
    return format_html('<pre id="{}" class="tc-json">{}</pre>', anchor,
                       json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True))


class Refused(Exception):
    """A use case refused a form's save; the form is shown again with the reason and the user's input."""

    def __init__(self, error: DomainError):
        super().__init__(error.message)
        self.error = error


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


def add_refusal_errors(form: forms.Form, error: DomainError) -> None:
    """Each of the use case's field errors beside the field its JSON path starts with."""
    placed = False
    for field_error in error.errors:
        path = field_error.path.lstrip("/")
        if path.startswith("tokens/color/") and "colors" in form.fields:  # the colour editor's rows
            path = "colors/" + path.removeprefix("tokens/color/")
        parts = path.split("/", 1)
        field = parts[0] if parts[0] in form.fields else None
        where = parts[1] if field and len(parts) > 1 else ("" if field else field_error.path.strip("/"))
        form.add_error(field, f"{where}: {field_error.message}" if where else field_error.message)
        placed = True
    if not placed:
        form.add_error(None, error.message)


class ThemeForm(forms.ModelForm):
    # The version the form was loaded with: a save over someone else's newer save is refused (409).
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    property_id = forms.ChoiceField(required=False, label="Property",
                                    help_text="Only for a property theme; a tenant-wide theme has none.")
    refusal: DomainError | None = None
    current: Theme | None = None

    class Meta:
        model = Theme
        fields = ["name", "scope", "property_id", "default_locale", "enabled_locales", "fallback_chain", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "property_id" in self.fields:
            self.fields["property_id"].choices = [("", "—")] + [
                (p.pk, p.name) for p in Property.objects.filter(deleted_at__isnull=True).order_by("name")
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


@admin.register(Theme)
class ThemeAdmin(ObjectActions, RefusalShownAgain, TenantScopedAdmin):
    form = ThemeForm
    view_permission = Permission.THEMES_READ
    edit_permission = Permission.THEMES_EDIT
    list_display = ["name", "scope", "default_locale", "locales", "status", "active_publication", "updated_at",
                    "updated_by_label"]
    list_filter = [ThemeDeletionFilter, "status", "scope"]
    search_fields = ["name"]
    actions = ["soft_delete", "restore"]
    object_actions = {"new-draft": "new_blank_draft"}

    @property
    def media(self):
        return super().media + WORKSPACE_MEDIA

    @admin.display(description="enabled locales")
    def locales(self, obj):
        return ", ".join(obj.enabled_locales)

    @admin.display(description="active publication")
    def active_publication(self, obj):
        return obj.active_publication_id or "—"

    @admin.display(description="updated by", ordering="updated_by")
    def updated_by_label(self, obj):
        return actor_label(obj.updated_by)

    @admin.display(description="created by")
    def created_by_label(self, obj):
        return actor_label(obj.created_by)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.deleted_at is None)

    def has_soft_delete_permission(self, request):
        return can(request, Permission.THEMES_DELETE)

    def has_restore_permission(self, request):
        return can(request, Permission.THEMES_DELETE)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "scope", "property_id", "default_locale", "enabled_locales", "fallback_chain"]
        fields = ["name", "scope", "property_label", "default_locale", "enabled_locales", "fallback_chain", "status",
                  "active_publication", "deleted_at", "created_by_label", "created_at", "updated_by_label", "updated_at"]
        return fields + (["expected_version"] if self.has_change_permission(request, obj) else [])

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
        found = Property.objects.filter(pk=obj.property_id).first()
        return f"{found.name} ({obj.property_id})" if found else obj.property_id

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if change:
                values = {k: data[k] for k in ("name", "default_locale", "enabled_locales", "fallback_chain") if k in data}
                if "status" in data and data["status"] != form.initial.get("status"):
                    values["status"] = data["status"]
                saved = services.theme_update(
                    principal=principal_of(request), theme_id=obj.pk,
                    expected_version=data.get("expected_version") or obj.version, **values,
                )
            else:
                saved = services.theme_create(
                    principal=principal_of(request), name=data["name"], scope=data["scope"],
                    property_id=data.get("property_id") or None, default_locale=data["default_locale"],
                    enabled_locales=data["enabled_locales"], fallback_chain=data["fallback_chain"],
                )
        except DomainError as error:
            if error.http_status in (403, 404):
                raise
            raise Refused(error) from error
        obj.pk, obj.version = saved.pk, saved.version

    def change_view(self, request, object_id, form_url="", extra_context=None):
        theme = self.get_object(request, unquote(object_id))
        versions = list(ThemeVersion.objects.filter(theme_id=theme.pk).order_by("-ordinal"))
        rows = [{
            "ordinal": v.ordinal, "badge": status_badge(v.status, v.get_status_display()),
            "created_by": actor_label(v.created_by), "created_at": when_label(v.created_at),
            "updated_by": actor_label(v.updated_by), "updated_at": when_label(v.updated_at),
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
        if not can(request, Permission.THEMES_EDIT):
            raise PermissionDenied
        try:
            version = services.version_create(principal=principal_of(request), theme_id=theme.pk)
        except DomainError as error:
            messages.error(request, error.message)
            return self.change_page(theme)
        messages.success(request, f"Draft {version.ordinal} created.")
        return HttpResponseRedirect(
            reverse(f"{self.admin_site.name}:themeconfig_themeversion_change", args=[quote(version.pk)]))

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


class ThemeVersionForm(forms.ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    colors = TokenColorsField(label="Colour tokens", required=False,
                              help_text="Contrast badges follow WCAG 2.x: 4.5:1 for text, 3:1 for UI elements.")
    refusal: DomainError | None = None
    current: ThemeVersion | None = None

    class Meta:
        model = ThemeVersion
        fields = ["release_notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version
            self.fields["colors"].initial = dict((self.instance.tokens or {}).get("color") or {})
        if self.refusal is not None and self.is_bound and self.refusal.code == ThemeErrorCode.VERSION_CONFLICT:
            data = self.data.copy()
            data["expected_version"] = str(self.refusal.extra.get("current_version", ""))
            self.data = data

    def clean(self):
        cleaned = super().clean()
        if self.refusal is not None:
            if self.refusal.code == ThemeErrorCode.VERSION_CONFLICT and self.current is not None:
                self.add_error(None, (
                    f"{actor_label(self.current.updated_by)} changed this version at "
                    f"{when_label(self.current.updated_at)} (now version {self.current.version}), after you loaded "
                    "it. Your input is kept below. Save again to overwrite their change, or reload to start from it."))
            else:
                add_refusal_errors(self, self.refusal)
        return cleaned


def problem_anchor(problem_path: str, version: ThemeVersion, theme_url: str) -> str | None:
    """Where on the pages the field a problem's JSON path names is shown, if it is shown."""
    parts = problem_path.lstrip("/").split("/")
    if parts[0] in ("tokens", "layout_selections"):
        document = getattr(version, parts[0])
        key = parts[1] if len(parts) > 1 else None
        return f"#{parts[0]}-{key}" if isinstance(document, dict) and key in document else f"#{parts[0]}"
    if parts[0] == "theme":
        return theme_url
    return None  # content blocks, navigation, booking flow, e-mail theme, locale packs: no admin page yet


@admin.register(ThemeVersion)
class ThemeVersionAdmin(ObjectActions, RefusalShownAgain, TenantScopedAdmin):
    form = ThemeVersionForm
    view_permission = Permission.THEMES_READ
    edit_permission = Permission.THEMES_EDIT
    can_add = False  # drafts are made by "New draft" on the theme or a version
    list_display = ["__str__", "theme", "ordinal", "status_label", "updated_by_label", "updated_at"]
    list_display_links = ["__str__"]
    list_filter = ["status", "theme"]
    list_select_related = ["theme"]
    object_actions = {"new-draft": "new_draft_from", "mark-preview-ready": "mark_preview_ready", "archive": "archive"}
    readonly_fields = ["theme", "ordinal", "status_label", "tokens_display", "layout_display", "created_by_label",
                       "created_at", "updated_by_label", "updated_at", "published_at", "archived_at",
                       "archived_reason"]
    fields = ["theme", "ordinal", "status_label", "release_notes", "colors", "tokens_display", "layout_display",
              "created_by_label", "created_at", "updated_by_label", "updated_at", "published_at", "archived_at",
              "archived_reason", "expected_version"]

    @property
    def media(self):
        return super().media + WORKSPACE_MEDIA

    @admin.display(description="status", ordering="status")
    def status_label(self, obj):
        return status_badge(obj.status, obj.get_status_display())

    @admin.display(description="updated by", ordering="updated_by")
    def updated_by_label(self, obj):
        return actor_label(obj.updated_by)

    @admin.display(description="created by")
    def created_by_label(self, obj):
        return actor_label(obj.created_by)

    @admin.display(description="tokens")
    def tokens_display(self, obj):
        return pretty_json(obj.tokens, anchor="tokens")

    @admin.display(description="layout selections")
    def layout_display(self, obj):
        return pretty_json(obj.layout_selections, anchor="layout_selections")

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if not self.has_change_permission(request, obj):
            fields.remove("expected_version")
            fields.remove("colors")  # the read-only tokens below show them
        return fields

    def has_change_permission(self, request, obj=None):
        # Published and archived versions never change: their page is read-only.
        return super().has_change_permission(request, obj) and (
            obj is None or (obj.status in EDITABLE_VERSIONS and obj.theme.deleted_at is None))

    def save_model(self, request, obj, form, change):
        changes = {"release_notes": form.cleaned_data.get("release_notes") or None}
        if "colors" in form.changed_data and form.cleaned_data.get("colors"):
            changes["tokens"] = {**obj.tokens, "color": form.cleaned_data["colors"]}
        try:
            saved = services.version_update(
                principal=principal_of(request), version_id=obj.pk,
                expected_version=form.cleaned_data.get("expected_version") or obj.version, **changes,
            )
        except DomainError as error:
            if error.http_status in (403, 404):
                raise
            raise Refused(error) from error
        obj.version = saved.version

    def change_view(self, request, object_id, form_url="", extra_context=None):
        version = self.get_object(request, unquote(object_id))
        theme_live = version.theme.deleted_at is None
        editable = version.status in EDITABLE_VERSIONS and theme_live
        theme_url = reverse(f"{self.admin_site.name}:themeconfig_theme_change", args=[quote(version.theme_id)])
        name = f"{self.admin_site.name}:themeconfig_themeversion"
        context = {
            **(extra_context or {}),
            "theme_url": theme_url,
            "workspace_tabs": workspace.tabs(self.admin_site.name, "version", request, version, None),
            "version_status": status_badge(version.status, version.get_status_display()),
            "can_new_draft": theme_live and version.theme.status != ThemeStatus.ARCHIVED
            and can(request, Permission.THEMES_EDIT),
            "can_publish_actions": editable and can(request, Permission.THEMES_PUBLISH),
            "can_mark_preview_ready": version.status == ThemeVersionStatus.DRAFT,
            "new_draft_url": reverse(f"{name}_new-draft-from", args=[quote(version.pk)]),
            "mark_preview_ready_url": reverse(f"{name}_mark-preview-ready", args=[quote(version.pk)]),
            "archive_url": reverse(f"{name}_archive", args=[quote(version.pk)]),
        }
        if request.method == "GET" and "problems" in request.GET and editable:
            context["problems"] = [
                {"path": p.path, "message": p.message, "code": p.code,
                 "anchor": problem_anchor(p.path, version, theme_url)}
                for p in services.version_problems(version)
            ]
        return super().change_view(request, object_id, form_url, context)

    def new_draft_from(self, request, version):
        if not can(request, Permission.THEMES_EDIT):
            raise PermissionDenied
        try:
            draft = services.version_create(principal=principal_of(request), theme_id=version.theme_id,
                                            from_version_id=version.pk)
        except DomainError as error:
            messages.error(request, error.message)
            return self.change_page(version)
        messages.success(request, f"Draft {draft.ordinal} created from version {version.ordinal}.")
        return self.change_page(draft)

    def mark_preview_ready(self, request, version):
        if not can(request, Permission.THEMES_PUBLISH):
            raise PermissionDenied
        try:
            services.version_mark_preview_ready(principal=principal_of(request), version_id=version.pk,
                                                expected_version=self.expected_version(request, version))
        except DomainError as error:
            messages.error(request, error.message)
            # The page lists every problem (version_problems, the same checks) with a link to its field.
            return self.change_page(version, "?problems=1" if error.code == ThemeErrorCode.NOT_PREVIEW_READY else "")
        messages.success(request, f"Version {version.ordinal} is preview-ready.")
        return self.change_page(version)

    def archive(self, request, version):
        if not can(request, Permission.THEMES_PUBLISH):
            raise PermissionDenied
        try:
            services.version_archive(principal=principal_of(request), version_id=version.pk,
                                     expected_version=self.expected_version(request, version))
        except DomainError as error:
            messages.error(request, error.message)
            return self.change_page(version)
        messages.success(request, f"Version {version.ordinal} archived.")
        return self.change_page(version)
