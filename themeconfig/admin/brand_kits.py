"""Tenant staff's admin of brand kits; a save over someone else's newer save is refused (409)."""
from __future__ import annotations

from django import forms
from django.contrib import admin

from themeconfig import services
from themeconfig.admin.actors import ActorColumns
from themeconfig.admin.base import TenantScopedAdmin, principal_of
from themeconfig.models import BrandKit
from themeconfig.platform.permissions import Permission
from themeconfig.validators import ContractViolation, validate_brand_kit


def add_contract_errors(form: forms.Form, violation: ContractViolation) -> None:
    """Each issue next to the form field its JSON path starts with, the rest of the path in the text."""
    for issue in violation.issues:
        parts = issue.path.lstrip("/").split("/", 1)
        field = parts[0] if parts[0] in form.fields else None
        where = parts[1] if field and len(parts) > 1 else issue.path
        form.add_error(field, f"{where}: {issue.message}" if where else issue.message)


class BrandKitForm(forms.ModelForm):
    # The version the editor loaded: a save over someone else's newer save is refused (409).
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = BrandKit
        fields = ["name", "is_default", "colors", "fonts", "logos", "style_preferences"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            validate_brand_kit(
                colors=cleaned.get("colors"), fonts=cleaned.get("fonts"),
                logos=cleaned.get("logos"), style_preferences=cleaned.get("style_preferences"),
            )
        except ContractViolation as violation:
            add_contract_errors(self, violation)
        return cleaned


@admin.register(BrandKit)
class BrandKitAdmin(ActorColumns, TenantScopedAdmin):
    form = BrandKitForm
    view_permission = Permission.THEMES_READ
    edit_permission = Permission.THEMES_EDIT
    can_delete = True
    list_display = ["name", "is_default", "version", "updated_at", "updated_by_label"]
    list_filter = ["is_default"]
    search_fields = ["name"]
    actor_fields = ("updated_by",)

    @admin.display(description="updated by", ordering="updated_by")
    def updated_by_label(self, obj):
        return self.actor_column(obj, "updated_by")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(deleted_at__isnull=True)

    def save_model(self, request, obj, form, change):
        fields = {k: form.cleaned_data.get(k) for k in ("name", "colors", "fonts", "logos", "style_preferences")}
        principal = principal_of(request)
        if change:
            saved = services.brand_kit_update(
                principal=principal, brand_kit_id=obj.pk,
                expected_version=form.cleaned_data["expected_version"] or obj.version,
                is_default=form.cleaned_data["is_default"], **fields,
            )
        else:
            saved = services.brand_kit_create(principal=principal, is_default=form.cleaned_data["is_default"], **fields)
        obj.pk, obj.version = saved.pk, saved.version

    def delete_model(self, request, obj):
        services.brand_kit_delete(principal=principal_of(request), brand_kit_id=obj.pk)
