"""Admin for tenant staff: scoped to the tenant picked for the session, permissions from the membership role."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect

from themeconfig import services
from themeconfig.models import ApiClient, BrandKit, Membership, Property, Tenant, TenantHost
from themeconfig.platform.errors import DomainError
from themeconfig.platform.middleware import request_role
from themeconfig.platform.tenant_context import current_tenant_id
from themeconfig.validators import ContractViolation, validate_brand_kit

EDIT_ROLES = {"owner", "admin", "member"}
MANAGE_ROLES = {"owner", "admin"}


def actor_of(request) -> str:
    return f"user:{request.user.pk}"


class TenantScopedAdmin(admin.ModelAdmin):
    """Rows of the current tenant only (RLS enforces it; the filter says it); role-based permissions."""

    edit_roles = EDIT_ROLES

    def get_queryset(self, request):
        return super().get_queryset(request).filter(**{self.tenant_field: current_tenant_id()})

    tenant_field = "tenant_id"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A use case refused (e.g. a host another tenant serves): say why, keep the user on the form.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:
            details = "; ".join(f"{e.path.strip('/') or 'input'}: {e.message}" for e in error.errors)
            messages.error(request, f"{error.message} {details}".strip())
            return HttpResponseRedirect(request.get_full_path())

    def has_module_permission(self, request):
        return request_role(request) is not None

    def has_view_permission(self, request, obj=None):
        return request_role(request) is not None

    def has_add_permission(self, request):
        return request_role(request) in self.edit_roles

    def has_change_permission(self, request, obj=None):
        return request_role(request) in self.edit_roles

    def has_delete_permission(self, request, obj=None):
        return request_role(request) in self.edit_roles


@admin.register(Tenant)
class TenantAdmin(TenantScopedAdmin):
    tenant_field = "id"
    edit_roles = MANAGE_ROLES
    list_display = ["name", "slug", "plan", "created_at"]
    fields = ["id", "slug", "name", "plan", "settings", "created_at", "updated_at"]
    readonly_fields = ["id", "slug", "plan", "created_at", "updated_at"]

    def has_add_permission(self, request):
        return False  # operators create tenants (manage.py create_tenant)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Property)
class PropertyAdmin(TenantScopedAdmin):
    list_display = ["name", "id", "created_at"]
    search_fields = ["name"]
    fields = ["name"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name", "updated_at"])
            return
        created = services.property_create(name=obj.name, actor=actor_of(request))
        obj.pk, obj.tenant_id, obj.created_at = created.pk, created.tenant_id, created.created_at


@admin.register(TenantHost)
class TenantHostAdmin(TenantScopedAdmin):
    list_display = ["host", "property", "created_at"]
    fields = ["host", "property"]
    edit_roles = MANAGE_ROLES

    def get_readonly_fields(self, request, obj=None):
        return ["host"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "property":
            kwargs["queryset"] = Property.objects.filter(tenant_id=current_tenant_id(), deleted_at__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["property"])
            return
        created = services.host_add(host=obj.host, property_id=obj.property_id, actor=actor_of(request))
        obj.host, obj.tenant_id = created.host, created.tenant_id


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    list_display = ["user", "role", "created_at"]
    fields = ["user", "role"]
    raw_id_fields = ["user"]
    edit_roles = MANAGE_ROLES

    def save_model(self, request, obj, form, change):
        saved = services.membership_set(user_id=obj.user_id, role=obj.role, actor=actor_of(request))
        obj.pk, obj.tenant_id = saved.pk, saved.tenant_id


@admin.register(ApiClient)
class ApiClientAdmin(TenantScopedAdmin):
    list_display = ["name", "role", "secret_hint", "created_at", "last_used_at", "expires_at", "revoked_at"]
    fields = ["name", "role", "permissions", "expires_at"]
    readonly_fields: list[str] = []
    actions = ["revoke"]
    edit_roles = MANAGE_ROLES

    def has_change_permission(self, request, obj=None):
        return False  # keys are issued and revoked, never edited

    def has_delete_permission(self, request, obj=None):
        return False  # revoke keeps the audit trail

    def save_model(self, request, obj, form, change):
        client, secret = services.api_key_create(
            name=obj.name, role=obj.role, permissions=obj.permissions or None, expires_at=obj.expires_at,
            actor=actor_of(request),
        )
        obj.pk, obj.tenant_id = client.pk, client.tenant_id
        messages.warning(request, f"Copy the new key now; it is not shown again: {secret}")

    @admin.action(description="Revoke the selected API keys")
    def revoke(self, request, queryset):
        for client in queryset:
            services.api_key_revoke(api_client_id=client.pk, actor=actor_of(request))
        self.message_user(request, f"Revoked {queryset.count()} key(s).")


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
class BrandKitAdmin(TenantScopedAdmin):
    form = BrandKitForm
    list_display = ["name", "is_default", "version", "updated_at", "updated_by"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(deleted_at__isnull=True)

    def save_model(self, request, obj, form, change):
        fields = {k: form.cleaned_data.get(k) for k in ("name", "colors", "fonts", "logos", "style_preferences")}
        if change:
            saved = services.brand_kit_update(
                brand_kit_id=obj.pk, expected_version=form.cleaned_data["expected_version"] or obj.version,
                is_default=form.cleaned_data["is_default"], actor=actor_of(request), **fields,
            )
        else:
            saved = services.brand_kit_create(is_default=form.cleaned_data["is_default"], actor=actor_of(request), **fields)
        obj.pk, obj.version = saved.pk, saved.version

    def delete_model(self, request, obj):
        services.brand_kit_delete(brand_kit_id=obj.pk, actor=actor_of(request))

    def delete_queryset(self, request, queryset):
        for kit in queryset:
            services.brand_kit_delete(brand_kit_id=kit.pk, actor=actor_of(request))
