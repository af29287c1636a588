"""Admin for tenant staff: rows of the session's tenant (RLS), permissions from the one role table.

Every change goes through a use case with `request.principal`; the permission checks here only
decide what the admin shows, the use cases decide what happens.
"""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse

from themeconfig import services
from themeconfig.models import ApiClient, BrandKit, Invitation, Membership, Property, Tenant, TenantHost
from themeconfig.platform.errors import DomainError
from themeconfig.platform.ids import PrefixedIdField, is_valid_id
from themeconfig.platform.permissions import Permission
from themeconfig.validators import ContractViolation, validate_brand_kit


def principal_of(request):
    return getattr(request, "principal", None)


def _can(request, permission: Permission) -> bool:
    principal = principal_of(request)
    return principal is not None and principal.can(permission)


def show_secret_once(request, *, title: str, secret: str, explanation: str, back_url: str) -> TemplateResponse:
    """The secret in this response's body only: never in a cookie, a message or the session."""
    response = TemplateResponse(
        request, "admin/secret_once.html",
        {"title": title, "secret": secret, "explanation": explanation, "back_url": back_url,
         "site_header": admin.site.site_header, "has_permission": True},
    )
    response["Cache-Control"] = "no-store"
    return response


class TenantScopedAdmin(admin.ModelAdmin):
    """Rows of the current tenant only (RLS enforces it); what shows follows the principal's permissions."""

    view_permission = Permission.TENANT_READ
    edit_permission = Permission.TENANT_MANAGE
    can_add = True
    can_delete = False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A use case refused (a host another tenant serves, a role above one's own): say why.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:
            details = "; ".join(f"{e.path.strip('/') or 'input'}: {e.message}" for e in error.errors)
            messages.error(request, f"{error.message} {details}".strip())
            return HttpResponseRedirect(request.get_full_path())

    def get_object(self, request, object_id, from_field=None):
        # Django's own lookup catches only what to_python rejects; a text id takes anything, and a
        # NUL reaches PostgreSQL as an error (a 500). An id this model could not have is simply
        # not there: None, and Django answers its usual "doesn't exist" redirect.
        field = self.model._meta.pk if from_field is None else self.model._meta.get_field(from_field)
        if not self._could_be_key(field, object_id):
            return None
        return super().get_object(request, object_id, from_field)

    @staticmethod
    def _could_be_key(field, value) -> bool:
        if not isinstance(value, str) or "\x00" in value:
            return False
        return is_valid_id(value, field.prefix) if isinstance(field, PrefixedIdField) else True

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
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME) if request.method == "POST" else []
        if not all(self._could_be_key(self.model._meta.pk, value) for value in selected):
            messages.error(request, "Some of the selected items do not exist.")
            return HttpResponseRedirect(request.get_full_path())
        try:
            return super().changelist_view(request, extra_context)
        except DomainError as error:  # an action's use case refused
            messages.error(request, error.message)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(request.get_full_path())

    def has_module_permission(self, request):
        return _can(request, self.view_permission)

    def has_view_permission(self, request, obj=None):
        return _can(request, self.view_permission)

    def has_add_permission(self, request):
        return self.can_add and _can(request, self.edit_permission)

    def has_change_permission(self, request, obj=None):
        return _can(request, self.edit_permission)

    def has_delete_permission(self, request, obj=None):
        return self.can_delete and _can(request, self.edit_permission)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # bulk deletes would bypass the use cases
        return actions


class SingleLineNameForm(forms.ModelForm):
    name = forms.CharField(max_length=200)


@admin.register(Tenant)
class TenantAdmin(TenantScopedAdmin):
    form = SingleLineNameForm
    can_add = False  # operators create tenants (manage.py create_tenant)
    list_display = ["name", "slug", "plan", "created_at"]
    fields = ["id", "slug", "name", "plan", "settings", "created_at", "updated_at"]
    readonly_fields = ["id", "slug", "plan", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        saved = services.tenant_update(principal=principal_of(request), name=obj.name, settings=obj.settings)
        obj.updated_at = saved.updated_at


@admin.register(Property)
class PropertyAdmin(TenantScopedAdmin):
    form = SingleLineNameForm
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


class MembershipRoleForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role"]


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    """Members are added by invitation (see Invitations); here their role changes or they leave."""

    form = MembershipRoleForm
    edit_permission = Permission.MEMBERS_MANAGE
    can_add = False
    can_delete = True
    list_display = ["user", "user_email", "role", "created_at"]
    fields = ["user", "role"]
    readonly_fields = ["user"]

    @admin.display(description="e-mail")
    def user_email(self, obj):
        return obj.user.email

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def save_model(self, request, obj, form, change):
        services.membership_change_role(principal=principal_of(request), membership_id=obj.pk, role=obj.role)

    def delete_model(self, request, obj):
        services.membership_remove(principal=principal_of(request), membership_id=obj.pk)


class InvitationForm(forms.ModelForm):
    email = forms.EmailField()

    class Meta:
        model = Invitation
        fields = ["email", "role"]


@admin.register(Invitation)
class InvitationAdmin(TenantScopedAdmin):
    form = InvitationForm
    edit_permission = Permission.MEMBERS_MANAGE
    list_display = ["email", "role", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)  # issued and revoked, never edited

    def save_model(self, request, obj, form, change):
        invitation, secret = services.membership_invite(principal=principal_of(request), email=obj.email, role=obj.role)
        obj.pk, obj.tenant_id = invitation.pk, invitation.tenant_id
        request._invitation_link = request.build_absolute_uri(f"/admin/invitations/{secret}/")

    def response_add(self, request, obj, post_url_continue=None):
        return show_secret_once(
            request, title=f"Invitation for {obj.email}", secret=request._invitation_link,
            explanation="Send this one-time link to the person you invited; it is shown only now and "
                        "works for 7 days, for that e-mail address only.",
            back_url="../",
        )

    @admin.action(description="Revoke the selected invitations", permissions=["change"])
    def revoke(self, request, queryset):
        for invitation in queryset:
            services.invitation_revoke(principal=principal_of(request), invitation_id=invitation.pk)
        self.message_user(request, f"Revoked {len(queryset)} invitation(s).")


@admin.register(ApiClient)
class ApiClientAdmin(TenantScopedAdmin):
    edit_permission = Permission.API_KEYS_MANAGE
    list_display = ["name", "role", "secret_hint", "created_at", "last_used_at", "expires_at", "revoked_at"]
    fields = ["name", "role", "permissions", "expires_at"]
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)  # issued and revoked, never edited

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.base_fields["name"] = forms.CharField(max_length=200)
        return form

    def save_model(self, request, obj, form, change):
        client, secret = services.api_key_create(
            principal=principal_of(request), name=obj.name, role=obj.role, permissions=obj.permissions or None,
            expires_at=obj.expires_at,
        )
        obj.pk, obj.tenant_id = client.pk, client.tenant_id
        request._api_key_secret = secret

    def response_add(self, request, obj, post_url_continue=None):
        return show_secret_once(
            request, title=f"API key {obj.name}", secret=request._api_key_secret,
            explanation="Copy the new key now; it is not shown again (only its hash is stored).",
            back_url="../",
        )

    @admin.action(description="Revoke the selected API keys", permissions=["change"])
    def revoke(self, request, queryset):
        for client in queryset:
            services.api_key_revoke(principal=principal_of(request), api_client_id=client.pk)
        self.message_user(request, f"Revoked {len(queryset)} key(s).")


def add_contract_errors(form: forms.Form, violation: ContractViolation) -> None:
    """Each issue next to the form field its JSON path starts with, the rest of the path in the text."""
    for issue in violation.issues:
        parts = issue.path.lstrip("/").split("/", 1)
        field = parts[0] if parts[0] in form.fields else None
        where = parts[1] if field and len(parts) > 1 else issue.path
        form.add_error(field, f"{where}: {issue.message}" if where else issue.message)


class BrandKitForm(forms.ModelForm):
    name = forms.CharField(max_length=200)
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
    view_permission = Permission.THEMES_READ
    edit_permission = Permission.THEMES_EDIT
    can_delete = True
    list_display = ["name", "is_default", "version", "updated_at", "updated_by"]
    search_fields = ["name"]

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
