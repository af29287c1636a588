"""Tenant staff's admin of their tenant, its properties and its hosts."""
from __future__ import annotations

from django.contrib import admin

from themeconfig import services
from themeconfig.admin.base import TenantScopedAdmin, principal_of
from themeconfig.models import Property, Tenant, TenantHost
from themeconfig.validators.contrast import CONTRAST_POLICIES, DEFAULT_CONTRAST_POLICY


@admin.register(Tenant)
class TenantAdmin(TenantScopedAdmin):
    can_add = False  # operators create tenants (/platform/ or manage.py create_tenant)
    list_display = ["name", "slug", "plan", "created_at"]
    search_fields = ["name", "slug"]
    fields = ["id", "slug", "name", "plan", "settings", "created_at", "updated_at"]
    readonly_fields = ["id", "slug", "plan", "created_at", "updated_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "settings" in form.base_fields:
            form.base_fields["settings"].help_text = (
                'A JSON object. "contrast_policy" decides what colour pairs below WCAG AA do at preview-ready: '
                f'{" | ".join(CONTRAST_POLICIES)} (default {DEFAULT_CONTRAST_POLICY}: text pairs block, '
                "interface pairs warn).")
        return form

    def save_model(self, request, obj, form, change):
        saved = services.tenant_update(principal=principal_of(request), name=obj.name, settings=obj.settings)
        obj.updated_at = saved.updated_at


@admin.register(Property)
class PropertyAdmin(TenantScopedAdmin):
    list_display = ["name", "id", "created_at"]
    search_fields = ["name"]
    fields = ["name"]

    def save_model(self, request, obj, form, change):
        principal = principal_of(request)
        if change:
            services.property_rename(principal=principal, property_id=obj.pk, name=obj.name)
            return
        created = services.property_create(principal=principal, name=obj.name)
        obj.pk, obj.tenant_id, obj.created_at = created.pk, created.tenant_id, created.created_at


@admin.register(TenantHost)
class TenantHostAdmin(TenantScopedAdmin):
    list_display = ["host", "property", "created_at"]
    search_fields = ["host"]
    fields = ["host", "property"]

    def get_readonly_fields(self, request, obj=None):
        return ["host"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "property":
            kwargs["queryset"] = Property.objects.filter(deleted_at__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        principal = principal_of(request)
        if change:
            services.host_update(principal=principal, host=obj.host, property_id=obj.property_id)
            return
        created = services.host_add(principal=principal, host=obj.host, property_id=obj.property_id)
        obj.host, obj.tenant_id = created.host, created.tenant_id
