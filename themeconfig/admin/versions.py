"""Tenant staff's admin of theme versions: the list, and the versions' object actions (new draft, mark
preview-ready with every problem listed, archive), each a POST through a use case.

A version's change form is its "Design" tab: colours (token_editor), typography, spacing, radius and
layout presets (design), saved through `version_update`; the token groups no editor covers stay
read-only JSON. Versions that cannot change, and people who cannot change them, see the same drawings
without inputs.
"""
from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import quote, unquote
from django.urls import reverse
from django.utils.http import urlencode

from themeconfig import services
from themeconfig.admin import design, workspace
from themeconfig.admin.actors import ActorColumns
from themeconfig.admin.base import TenantScopedAdmin, can, principal_of, refusal_shown
from themeconfig.admin.common import (
    EDITABLE_VERSIONS,
    actor_label,
    add_refusal_errors,
    status_badge,
    when_label,
)
from themeconfig.admin.themes import WORKSPACE_MEDIA, ObjectActions, RefusalShownAgain, refused_save
from themeconfig.admin.token_editor import TokenColorsField, TokenColorsWidget
from themeconfig.errors import ThemeErrorCode
from themeconfig.models import ThemeStatus, ThemeVersion, ThemeVersionStatus
from themeconfig.platform.errors import DomainError
from themeconfig.platform.permissions import Permission
from themeconfig.platform.request_memo import once_per_request
from themeconfig.selectors.layout_presets import layout_preset_list
from themeconfig.selectors.themes import content_block_list
from themeconfig.validators.layout import LAYOUT_SURFACES


def version_direction(version: ThemeVersion) -> str:
    direction = design.as_mapping(version.tokens).get("direction")
    return direction if direction in ("ltr", "rtl") else "ltr"


def preset_choices() -> list[design.PresetChoice]:
    """The whole registry, retired presets too: a version may still select one (it is shown as retired).
    Read once per request (the form and the read-only display both draw it)."""
    return once_per_request("layout_preset_choices",
                            lambda: design.preset_choices(layout_preset_list(include_inactive=True)))


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
        surface = content_block_list(version_id=version.pk).filter(pk=key).values_list("surface", flat=True).first()
        return f"{url}?{urlencode({'surface': surface})}#block-{key}" if surface else url
    if slug == "locales" and key:
        return f"{url}?{urlencode({'locale': key})}#editor"
    return url


@admin.register(ThemeVersion)
class ThemeVersionAdmin(ActorColumns, ObjectActions, RefusalShownAgain, TenantScopedAdmin):
    form = ThemeVersionForm
    view_permission = Permission.THEMES_READ
    edit_permission = Permission.THEMES_EDIT
    can_add = False  # drafts are made by "New draft" on the theme or a version
    list_display = ["__str__", "theme", "ordinal", "status_label", "updated_by_label", "updated_at"]
    actor_fields = ("updated_by",)
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
        return self.actor_column(obj, "updated_by")

    @admin.display(description="created by")
    def created_by_label(self, obj):
        return self.actor_column(obj, "created_by")

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

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("theme")  # every version page names its theme

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
        with refusal_shown(request, refused_save):
            saved = services.version_update(
                principal=principal_of(request), version_id=obj.pk,
                expected_version=form.cleaned_data.get("expected_version") or obj.version, **changes,
            )
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
            readiness = services.version_readiness(version)
            context["problems"], context["warnings"] = (
                [{"path": p.path, "message": p.message, "code": p.code,
                  "anchor": problem_anchor(p.path, version, theme_url)} for p in findings]
                for findings in (readiness.problems, readiness.warnings))
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
            done=lambda ready: self._preview_ready_done(version, ready.preview_warnings),
            # The page lists every problem (version_problems, the same checks) with a link to its field.
            refused_query=lambda error: "?problems=1" if error.code == ThemeErrorCode.NOT_PREVIEW_READY else "",
        )

    def _preview_ready_done(self, version, warnings):
        """Preview-ready; with warnings, the page that lists them (apart from problems, of which there are none)."""
        if not warnings:
            return f"Version {version.ordinal} is preview-ready.", self.change_page(version)
        return (f"Version {version.ordinal} is preview-ready, with {len(warnings)} warning(s) to look at.",
                self.change_page(version, "?problems=1"))

    def archive(self, request, version):
        return self.object_action(
            request, version, permission=Permission.THEMES_PUBLISH,
            run=lambda principal: services.version_archive(
                principal=principal, version_id=version.pk, expected_version=self.expected_version(request, version)),
            done=lambda _: (f"Version {version.ordinal} archived.", self.change_page(version)),
        )
