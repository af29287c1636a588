"""Tenant staff's admin of API keys: issued (the secret shown once, in the response body only) and
revoked, never edited."""
from __future__ import annotations

from django.contrib import admin
from django.urls import reverse

from themeconfig import services
from themeconfig.admin.actors import ActorColumns
from themeconfig.admin.base import TenantScopedAdmin, model_breadcrumbs, principal_of, show_secret_once
from themeconfig.models import ApiClient
from themeconfig.platform.permissions import Permission
from themeconfig.selectors.api_keys import api_key_list
from themeconfig.selectors.tenancy import member_usernames


def member_keys_url(user_id: int) -> str:
    """The live keys a member created (directly or through keys they created), each revocable here."""
    return f"{reverse('admin:themeconfig_apiclient_changelist')}?created_by_user={user_id}&live=yes"


class LiveKeyFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "live"

    def lookups(self, request, model_admin):
        return [("yes", "Live"), ("no", "Revoked or expired")]

    def queryset(self, request, queryset):
        live = {"yes": True, "no": False}.get(self.value())
        return queryset if live is None else queryset.filter(pk__in=api_key_list(live=live).values("pk"))


class CreatedByMemberFilter(admin.SimpleListFilter):
    """Keys a user created, directly or through keys they created: a removed member stays choosable
    while chosen (the page a removal or demotion leads to)."""

    title = "created by"
    parameter_name = "created_by_user"

    def _chosen(self) -> int | None:
        value = self.value()
        return int(value) if value and value.isascii() and value.isdigit() and int(value) < 2**31 else None

    def lookups(self, request, model_admin):
        members = [(str(user_id), name) for user_id, name in
                   member_usernames()]
        chosen = self._chosen()
        if chosen is not None and str(chosen) not in dict(members):
            members.append((str(chosen), f"user {chosen} (no longer a member)"))
        return members

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        chosen = self._chosen()
        if chosen is None:
            return queryset.none()
        return queryset.filter(pk__in=api_key_list(created_by_user=chosen).values("pk"))


@admin.register(ApiClient)
class ApiClientAdmin(ActorColumns, TenantScopedAdmin):
    edit_permission = Permission.API_KEYS_MANAGE
    list_display = ["name", "role", "secret_hint", "created_at", "created_by_label", "last_used_at", "expires_at",
                    "revoked_at"]
    actor_fields = ("created_by",)
    list_filter = ["role", LiveKeyFilter, CreatedByMemberFilter]
    search_fields = ["name"]
    fields = ["name", "role", "permissions", "expires_at"]
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)  # issued and revoked, never edited

    @admin.display(description="created by", ordering="created_by")
    def created_by_label(self, obj):
        return self.actor_column(obj, "created_by")

    def save_model(self, request, obj, form, change):
        client, secret = services.api_key_create(
            principal=principal_of(request), name=obj.name, role=obj.role, permissions=obj.permissions or None,
            expires_at=obj.expires_at,
        )
        obj.pk, obj.tenant_id = client.pk, client.tenant_id
        request._api_key_secret = secret

    def response_add(self, request, obj, post_url_continue=None):
        # Django would redirect with a "was added successfully" message; that message (and so
        # anything put in it) travels in the messages cookie. The secret stays in this body.
        return show_secret_once(
            request, title=f"API key {obj.name}", secret=request._api_key_secret,
            explanation="Copy the new key now; it is not shown again (only its hash is stored).",
            back_url=reverse("admin:themeconfig_apiclient_changelist"), admin_site=self.admin_site,
            breadcrumbs=model_breadcrumbs(self.admin_site, self.opts),
        )

    @admin.action(description="Revoke the selected API keys", permissions=["change"])
    def revoke(self, request, queryset):
        for client in queryset:
            services.api_key_revoke(principal=principal_of(request), api_client_id=client.pk)
        self.message_user(request, f"Revoked {len(queryset)} key(s).")
