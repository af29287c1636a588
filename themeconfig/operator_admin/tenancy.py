"""Operators' pages for tenants, their hosts and memberships, and the layout preset registry.

Each write calls the use case the management commands call (`tenant_create`, `host_add`,
`membership_grant`, …) as `operator:<username>` bound to the row's tenant; the use case checks
its rules and writes the audit row. Slugs and plans have no use case to change them, so they are
read-only after creation; layout presets arrive through migrations only.
"""
from __future__ import annotations

import re

from django import forms
from django.contrib import admin, messages

from themeconfig import services
from themeconfig.admin.base import domain_error_text, refusal_shown
from themeconfig.models import HostListing, InvitationRole, LayoutPreset, Membership, Tenant
from themeconfig.operator_admin.site import OperatorModelAdmin, operator_site
from themeconfig.platform.service_db import service_context
from themeconfig.selectors.operators import active_user_by_username, live_properties_of, tenant_by_slug
from themeconfig.services.host_verification import host_verify_by_operator
from themeconfig.services.tenancy import host_remove


class TenantSlugField(forms.CharField):
    """A live tenant named by its slug (looked up across tenants); the form names the field on a miss."""

    def clean(self, value):
        slug = super().clean(value).strip()
        tenant = tenant_by_slug(slug=slug)
        if tenant is None:
            raise forms.ValidationError(f"No live tenant has the slug {slug!r}.", code="unknown_tenant")
        return tenant


class TenantCreateForm(forms.ModelForm):
    hosts = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"class": "vTextField"}),
        help_text="Host names this tenant serves, separated by commas or spaces (more can be added later).",
    )

    class Meta:
        model = Tenant
        fields = ["slug", "name", "plan"]


class TenantChangeForm(forms.ModelForm):
    class Meta:
        model = Tenant
        fields = ["name", "settings"]


@admin.register(Tenant, site=operator_site)
class TenantOperatorAdmin(OperatorModelAdmin):
    can_add = can_change = True
    list_display = ["name", "slug", "plan", "created_at", "deleted_at"]
    list_filter = ["plan", ("deleted_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "slug", "id"]
    readonly_fields = ["id", "slug", "plan", "created_at", "updated_at", "deleted_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = TenantChangeForm if obj is not None else TenantCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["slug", "name", "plan", "hosts"]
        return ["id", "slug", "name", "plan", "settings", "created_at", "updated_at", "deleted_at"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = services.tenant_update(principal=request.operator.in_tenant(obj.pk), name=data["name"],
                                           settings=data["settings"])
            obj.updated_at = saved.updated_at
            return
        hosts = [h for h in re.split(r"[\s,]+", data.get("hosts") or "") if h]
        created = services.tenant_create(principal=request.operator, slug=data["slug"], name=data["name"],
                                         plan=data["plan"], hosts=hosts)
        obj.pk, obj.created_at = created.pk, created.created_at


class HostCreateForm(forms.ModelForm):
    tenant_slug = TenantSlugField(label="Tenant (slug)")

    class Meta:
        model = HostListing
        fields = ["host"]


@admin.register(HostListing, site=operator_site)
class TenantHostOperatorAdmin(OperatorModelAdmin):
    """Hosts of every tenant, served and claimed (several tenants may claim one name; verifying one
    claim removes the others, audited). A host moves to another tenant by removing it here and adding
    it there."""

    can_add = can_change = can_delete = True
    list_display = ["host", "tenant", "property", "verification_status", "verified_by", "created_at"]
    list_filter = ["verification_status"]
    list_select_related = ["tenant", "property"]
    search_fields = ["host", "tenant__slug"]
    actions = ["verify_by_hand"]

    @admin.action(description="Mark the selected hosts verified (checked by hand; audited as you)",
                  permissions=["change"])
    def verify_by_hand(self, request, queryset):
        with service_context():
            hosts = list(queryset.values_list("host", "tenant_id"))
        verified = 0
        for host, tenant_id in hosts:
            with refusal_shown(request, lambda error, host=host: self.message_user(
                    request, f"{host}: {domain_error_text(error)}", level=messages.ERROR)) as refused:
                host_verify_by_operator(principal=request.operator.in_tenant(tenant_id), host=host)
            if not refused:
                verified += 1
        self.message_user(request, f"Verified {verified} host(s).")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = HostCreateForm
            return super().get_form(request, obj, change=change, **kwargs)
        form = super().get_form(request, obj, change=change, **kwargs)
        # Only the host's own tenant's live properties (the service connection sees everyone's).
        form.base_fields["property"].queryset = live_properties_of(tenant_id=obj.tenant_id, alias=request.service_alias)
        return form

    def get_fields(self, request, obj=None):
        return ["tenant_slug", "host"] if obj is None else [
            "host", "tenant", "property", "verification_status", "verified_at", "verified_by",
            "verification_method", "verification_attempts", "verification_checked_at", "verification_last_error",
            "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["host", "tenant", "verification_status", "verified_at", "verified_by",
                                       "verification_attempts", "verification_checked_at",
                                       "verification_last_error", "created_at"]

    def save_model(self, request, obj, form, change):
        if change:
            services.host_update(principal=request.operator.in_tenant(obj.tenant_id), host=obj.host,
                                 property_id=obj.property_id)
            return
        tenant = form.cleaned_data["tenant_slug"]
        added, _created = services.host_add(principal=request.operator.in_tenant(tenant.pk), host=obj.host)
        obj.host, obj.tenant_id = added.host, added.tenant_id
        obj.id = f"{added.tenant_id}:{added.host}"

    def delete_model(self, request, obj):
        host_remove(principal=request.operator.in_tenant(obj.tenant_id), host=obj.host)


class MembershipGrantForm(forms.ModelForm):
    """Operators may grant a membership directly (support, seed data); tenant staff invite instead."""

    tenant_slug = TenantSlugField(label="Tenant (slug)")
    username = forms.CharField(label="User name", max_length=150,
                               widget=forms.TextInput(attrs={"class": "vTextField"}))

    class Meta:
        model = Membership
        fields = ["role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = InvitationRole.choices  # people's roles; `api` is for keys

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = active_user_by_username(username)
        if user is None:
            raise forms.ValidationError(f"No active user is named {username!r}.", code="unknown_user")
        return user


class MembershipRoleForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = InvitationRole.choices


@admin.register(Membership, site=operator_site)
class MembershipOperatorAdmin(OperatorModelAdmin):
    can_add = can_change = can_delete = True
    list_display = ["user", "user_email", "tenant", "role", "created_at"]
    list_filter = ["role"]
    list_select_related = ["user", "tenant"]
    search_fields = ["user__username", "user__email", "tenant__slug"]

    @admin.display(description="e-mail")
    def user_email(self, obj):
        return obj.user.email

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = MembershipRoleForm if obj is not None else MembershipGrantForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["tenant_slug", "username", "role"] if obj is None else ["user", "tenant", "role", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["user", "tenant", "created_at"]

    def save_model(self, request, obj, form, change):
        if change:
            services.membership_change_role(principal=request.operator.in_tenant(obj.tenant_id),
                                            membership_id=obj.pk, role=obj.role)
            return
        tenant, user = form.cleaned_data["tenant_slug"], form.cleaned_data["username"]
        granted = services.membership_grant(principal=request.operator.in_tenant(tenant.pk), user_id=user.pk,
                                            role=form.cleaned_data["role"])
        obj.pk, obj.tenant_id, obj.user_id = granted.pk, granted.tenant_id, granted.user_id

    def delete_model(self, request, obj):
        services.membership_remove(principal=request.operator.in_tenant(obj.tenant_id), membership_id=obj.pk)


@admin.register(LayoutPreset, site=operator_site)
class LayoutPresetOperatorAdmin(OperatorModelAdmin):
    """The global preset registry, read-only: presets arrive through migrations."""

    list_display = ["key", "surface", "supports_rtl", "min_viewport_px", "is_active", "registered_at"]
    list_filter = ["surface", "is_active", "supports_rtl"]
    search_fields = ["key"]
