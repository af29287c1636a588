"""Tenant staff's admin of themes and their versions: lists, a theme form over the use cases (a stale
save keeps the user's input and says who changed what, when), and the versions' object actions
(new draft, mark preview-ready with every problem listed, archive), each a POST through a use case.

A version's change form is its "Design" tab: colours (token_editor), typography, spacing, radius and
layout presets (design), saved through `version_update`; the token groups no editor covers stay
read-only JSON. Versions that cannot change, and people who cannot change them, see the same drawings
without inputs.
"""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.dateformat import format as format_date
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.timezone import localtime

from themeconfig import services
from themeconfig.admin import design, workspace
from themeconfig.admin.base import TenantScopedAdmin, can, principal_of
from themeconfig.admin.token_editor import TokenColorsField, TokenColorsWidget
from themeconfig.errors import ThemeErrorCode
from themeconfig.models import ContentBlock, Property, Theme, ThemeStatus, ThemeVersion, ThemeVersionStatus
from themeconfig.platform.errors import DomainError
from themeconfig.platform.permissions import Permission
from themeconfig.selectors.layout_presets import layout_preset_list
from themeconfig.validators.layout import LAYOUT_SURFACES

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

    def object_action(self, request, obj, *, permission: Permission, run, done, refused_query=None) -> HttpResponse:
        """What every object action does: 403 for a role without `permission`; else the use case
        (`run(principal)`); its refusal as a message on the object's page (`refused_query(error)` added to
        the URL), its success as the message and redirect `done(result)` returns."""
        if not can(request, permission):
            raise PermissionDenied
        try:
            result = run(principal_of(request))
        except DomainError as error:
            messages.error(request, error.message)
            return self.change_page(obj, refused_query(error) if refused_query else "")
        message, response = done(result)
        messages.success(request, message)
        return response


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


def version_direction(version: ThemeVersion) -> str:
    direction = design.as_mapping(version.tokens).get("direction")
    return direction if direction in ("ltr", "rtl") else "ltr"


def preset_choices() -> list[design.PresetChoice]:
    """The whole registry, retired presets too: a version may still select one (it is shown as retired)."""
    return design.preset_choices(layout_preset_list(include_inactive=True))


class ThemeVersionForm(forms.ModelForm):
    """A version's design: release notes, then an editor per token group a designer edits, and the layout
    presets. Each editor's element has the id a problem's link points at (`problem_anchor`)."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    colors = TokenColorsField(label="Colour tokens", required=False, widget=TokenColorsWidget(attrs={"id": "tokens-color"}),
                              help_text="Contrast badges follow WCAG 2.x: 4.5:1 for text, 3:1 for UI elements.")
    typography = design.TypographyField(
        label="Typography", required=False,
        help_text="The sample follows your changes as you type; nothing is saved until you press Save.")
    spacing = design.ScaleField(design.SPACING, label="Spacing", required=False,
                                help_text="Each bar is as long as its step. Clear a step to remove it.")
    radius = design.ScaleField(design.RADIUS, label="Corner radius", required=False,
                               help_text="Each box has its step's corners. Clear a step to remove it.")
    layout = design.LayoutSelectionsField(
        label="Layout presets", required=False,
        help_text="One preset per surface, or the site's built-in layout. A preset's options are kept while it "
                  "stays chosen.")
    refusal: DomainError | None = None
    current: ThemeVersion | None = None

    class Meta:
        model = ThemeVersion
        fields = ["release_notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            tokens = design.as_mapping(self.instance.tokens)
            self.fields["expected_version"].initial = self.instance.version
            self.fields["colors"].initial = dict((self.instance.tokens or {}).get("color") or {})
            for group in ("typography", "spacing", "radius"):
                self.fields[group].initial = tokens.get(group)
            self.fields["layout"].initial = self.instance.layout_selections
            self.fields["layout"].set_presets(preset_choices(), current=self.instance.layout_selections,
                                              direction=version_direction(self.instance))
        if self.refusal is not None and self.is_bound and self.refusal.code == ThemeErrorCode.VERSION_CONFLICT:
            data = self.data.copy()
            data["expected_version"] = str(self.refusal.extra.get("current_version", ""))
            self.data = data

    def edited_tokens(self, current) -> dict:
        """The version's tokens with what the editors changed (a group the form did not send is kept)."""
        tokens = dict(current) if isinstance(current, dict) else {}
        if "colors" in self.changed_data and self.cleaned_data.get("colors"):
            tokens["color"] = self.cleaned_data["colors"]
        for name in ("typography", "spacing", "radius"):
            if self.cleaned_data.get(name) is not None:
                tokens[name] = self.cleaned_data[name]
        return tokens

    def clean(self):
        cleaned = super().clean()
        if self.refusal is not None:
            if self.refusal.code == ThemeErrorCode.VERSION_CONFLICT and self.current is not None:
                self.add_error(None, version_conflict_text(self.current, cleaned))
            else:
                add_refusal_errors(self, self.refusal)
        return cleaned


def version_differences(current: ThemeVersion, submitted: dict) -> list[str]:
    """What the newer save holds that differs from the user's input, field by field (colours per token)."""
    tokens = design.as_mapping(current.tokens)
    differing = []
    if "release_notes" in submitted and (submitted["release_notes"] or None) != (current.release_notes or None):
        differing.append(f"release notes are now {current.release_notes or '(none)'!r}")
    theirs, mine = dict(tokens.get("color") or {}), submitted.get("colors") or {}
    for token in sorted(set(theirs) | set(mine)):
        if mine and theirs.get(token) != mine.get(token):
            differing.append(f"colour {token} is now {theirs.get(token) or '(none)'}")
    for group, label in (("typography", "typography"), ("spacing", "spacing"), ("radius", "corner radius")):
        if submitted.get(group) is not None and submitted[group] != tokens.get(group):
            differing.append(f"{label} differs")
    if submitted.get("layout") is not None and submitted["layout"] != current.layout_selections:
        differing.append("layout presets differ")
    return differing


def version_conflict_text(current: ThemeVersion, submitted: dict) -> str:
    differing = version_differences(current, submitted)
    return (
        f"{actor_label(current.updated_by)} changed this version at {when_label(current.updated_at)} "
        f"(now version {current.version}), after you loaded it. Your input is kept below"
        + (f"; their values: {'; '.join(differing)}" if differing else "")
        + ". Save again to overwrite their change, or reload to start from it.")


def problem_anchor(problem_path: str, version: ThemeVersion, theme_url: str) -> str | None:
    """Where on the pages the field a problem's JSON path names is shown, if it is shown.

    The design tab always draws the edited token groups (`#tokens-color`, `#tokens-typography`…) and
    every layout surface (`#layout_selections-home`…); other groups are read-only JSON under `#tokens`."""
    parts = problem_path.lstrip("/").split("/")
    key = parts[1] if len(parts) > 1 else None
    if parts[0] == "tokens":
        if key in design.EDITED_TOKEN_GROUPS:
            return f"#tokens-{key}"
        return f"#tokens-{key}" if isinstance(version.tokens, dict) and key in version.tokens else "#tokens"
    if parts[0] == "layout_selections":
        return f"#layout_selections-{key}" if key in LAYOUT_SURFACES else "#layout_selections"
    if parts[0] == "theme":
        return theme_url
    return child_problem_anchor(parts, version)


# The tab that edits each part of a version a problem's JSON path can name.
CHILD_TABS = {"content_blocks": "content", "navigation": "navigation", "booking_flow": "booking",
              "email_theme": "email", "locale_packs": "locales"}


def child_problem_anchor(parts: list[str], version: ThemeVersion) -> str | None:
    """The version tab that edits the part a problem names: the block's surface and card, the
    locale's editor, the navigation, booking flow or e-mail page."""
    slug = CHILD_TABS.get(parts[0])
    if slug is None:
        return None
    url = workspace.page_url(admin.site.name, "version", slug, version.pk)
    key = parts[1] if len(parts) > 1 else None
    if slug == "content" and key:
        surface = ContentBlock.objects.filter(pk=key, theme_version_id=version.pk).values_list(
            "surface", flat=True).first()
        return f"{url}?{urlencode({'surface': surface})}#block-{key}" if surface else url
    if slug == "locales" and key:
        return f"{url}?{urlencode({'locale': key})}#editor"
    return url


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
    readonly_fields = ["theme", "ordinal", "status_label", "colors_display", "typography_display", "spacing_display",
                       "radius_display", "layout_display", "other_tokens_display", "created_by_label", "created_at",
                       "updated_by_label", "updated_at", "published_at", "archived_at", "archived_reason"]
    HISTORY_FIELDS = ["created_by_label", "created_at", "updated_by_label", "updated_at", "published_at", "archived_at",
                      "archived_reason"]

    @property
    def media(self):
        return super().media + WORKSPACE_MEDIA + design.DESIGN_MEDIA

    @admin.display(description="status", ordering="status")
    def status_label(self, obj):
        return status_badge(obj.status, obj.get_status_display())

    @admin.display(description="updated by", ordering="updated_by")
    def updated_by_label(self, obj):
        return actor_label(obj.updated_by)

    @admin.display(description="created by")
    def created_by_label(self, obj):
        return actor_label(obj.created_by)

    # The design as the editors draw it, without inputs: for versions and people that cannot change it.
    @admin.display(description="colour tokens")
    def colors_display(self, obj):
        return design.colors_readonly(design.as_mapping(obj.tokens).get("color"))

    @admin.display(description="typography")
    def typography_display(self, obj):
        return design.typography_readonly(design.as_mapping(obj.tokens).get("typography"))

    @admin.display(description="spacing")
    def spacing_display(self, obj):
        return design.scale_readonly(design.SPACING, design.as_mapping(obj.tokens).get("spacing"))

    @admin.display(description="corner radius")
    def radius_display(self, obj):
        return design.scale_readonly(design.RADIUS, design.as_mapping(obj.tokens).get("radius"))

    @admin.display(description="layout presets")
    def layout_display(self, obj):
        return design.layout_readonly(obj.layout_selections, preset_choices(), direction=version_direction(obj))

    @admin.display(description="other tokens")
    def other_tokens_display(self, obj):
        return design.other_tokens_readonly(obj.tokens)

    def get_fieldsets(self, request, obj=None):
        editable = self.has_change_permission(request, obj)
        colors, typography, spacing, radius, layout = (
            ("colors", "typography", "spacing", "radius", "layout") if editable else
            ("colors_display", "typography_display", "spacing_display", "radius_display", "layout_display"))
        return [
            (None, {"fields": ["theme", "ordinal", "status_label", "release_notes"]}),
            ("Colours", {"fields": [colors]}),
            ("Typography", {"fields": [typography]}),
            ("Spacing and corners", {"fields": [spacing, radius]}),
            ("Layout", {"fields": [layout]}),
            ("Other tokens", {"fields": ["other_tokens_display"],
                              "description": "Token groups without an editor here yet, shown as they are saved."}),
            ("History", {"fields": self.HISTORY_FIELDS + (["expected_version"] if editable else [])}),
        ]

    def has_change_permission(self, request, obj=None):
        # Published and archived versions never change: their page is read-only.
        return super().has_change_permission(request, obj) and (
            obj is None or (obj.status in EDITABLE_VERSIONS and obj.theme.deleted_at is None))

    def save_model(self, request, obj, form, change):
        changes = {"release_notes": form.cleaned_data.get("release_notes") or None}
        tokens = form.edited_tokens(obj.tokens)
        if tokens != obj.tokens:
            changes["tokens"] = tokens
        layout = form.cleaned_data.get("layout")
        if layout is not None and layout != (obj.layout_selections or {}):
            changes["layout_selections"] = layout
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
        return self.object_action(
            request, version, permission=Permission.THEMES_EDIT,
            run=lambda principal: services.version_create(principal=principal, theme_id=version.theme_id,
                                                          from_version_id=version.pk),
            done=lambda draft: (f"Draft {draft.ordinal} created from version {version.ordinal}.",
                                self.change_page(draft)),
        )

    def mark_preview_ready(self, request, version):
        return self.object_action(
            request, version, permission=Permission.THEMES_PUBLISH,
            run=lambda principal: services.version_mark_preview_ready(
                principal=principal, version_id=version.pk, expected_version=self.expected_version(request, version)),
            done=lambda _: (f"Version {version.ordinal} is preview-ready.", self.change_page(version)),
            # The page lists every problem (version_problems, the same checks) with a link to its field.
            refused_query=lambda error: "?problems=1" if error.code == ThemeErrorCode.NOT_PREVIEW_READY else "",
        )

    def archive(self, request, version):
        return self.object_action(
            request, version, permission=Permission.THEMES_PUBLISH,
            run=lambda principal: services.version_archive(
                principal=principal, version_id=version.pk, expected_version=self.expected_version(request, version)),
            done=lambda _: (f"Version {version.ordinal} archived.", self.change_page(version)),
        )
