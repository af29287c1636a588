"""Tenant staff's admin of routing flags (seed 003): set a flag's value for a scope, change its value or
switch it off, each with a reason (kept in the flag's audit trail, shown on its page). Removing a flag
is the API's (DELETE with a reason); here a flag is switched off instead."""
from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.html import format_html_join

from themeconfig.admin.actors import ActorColumns
from themeconfig.admin.base import TenantScopedAdmin, principal_of
from themeconfig.admin.common import when_label
from themeconfig.models import RoutingFlag
from themeconfig.platform.permissions import Permission
from themeconfig.selectors.routing_flags import routing_flag_audit_list
from themeconfig.services import routing_flags as services


class RoutingFlagForm(forms.ModelForm):
    reason = forms.CharField(max_length=500, help_text="Why you make this change (kept in the flag's audit trail).",
                             widget=forms.TextInput(attrs={"class": "vTextField"}))
    # The version the editor loaded: a save over someone else's newer save is refused (409).
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = RoutingFlag
        fields = ["flag_key", "scope_type", "scope_id", "route_mode", "enabled"]
        widgets = {name: forms.TextInput(attrs={"class": "vTextField"})
                   for name in ("flag_key", "scope_id", "route_mode")}
        help_texts = {"scope_id": "env: an environment name; tenant: leave empty; style: a theme id; user: a user key.",
                      "route_mode": "The flag's value for this scope."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "scope_id" in self.fields:
            self.fields["scope_id"].required = False
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version


@admin.register(RoutingFlag)
class RoutingFlagAdmin(ActorColumns, TenantScopedAdmin):
    form = RoutingFlagForm
    view_permission = Permission.THEMES_READ
    edit_permission = Permission.THEMES_PUBLISH
    list_display = ["flag_key", "scope_type", "scope_id", "route_mode", "enabled", "updated_by_label"]
    list_filter = ["scope_type", "enabled"]
    search_fields = ["flag_key", "scope_id"]
    actor_fields = ("updated_by",)
    readonly_fields = ["audit_trail"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["flag_key", "scope_type", "scope_id", "route_mode", "enabled", "reason"]
        return ["route_mode", "enabled", "reason", "expected_version", "audit_trail"]

    def get_readonly_fields(self, request, obj=None):
        return ["audit_trail"] if obj is not None else []

    @admin.display(description="updated by", ordering="updated_by")
    def updated_by_label(self, obj):
        return self.actor_column(obj, "updated_by")

    @admin.display(description="audit trail (newest first)")
    def audit_trail(self, obj):
        rows = routing_flag_audit_list(flag_id=obj.pk).order_by("-changed_at", "-id")[:50]
        return format_html_join(
            "", "<p>{} — {} {}: {} → {} (why: {})</p>",
            ((when_label(row.changed_at), row.changed_by, row.change_payload.get("action"),
              (row.change_payload.get("old") or {}).get("route_mode", "—"),
              (row.change_payload.get("new") or {}).get("route_mode", "—"), row.change_payload.get("reason"))
             for row in rows))

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = services.routing_flag_update(
                principal=principal_of(request), flag_id=obj.pk, reason=data["reason"],
                expected_version=data.get("expected_version") or obj.version, route_mode=data["route_mode"],
                enabled=data["enabled"])
        else:
            saved = services.routing_flag_create(
                principal=principal_of(request), flag_key=data["flag_key"], scope_type=data["scope_type"],
                scope_id=data.get("scope_id") or None, route_mode=data["route_mode"], enabled=data["enabled"],
                reason=data["reason"])
        obj.pk, obj.version = saved.pk, saved.version
