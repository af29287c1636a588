"""Tenant staff's admin of their tenant, its properties and its hosts."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse

from themeconfig import services
from themeconfig.admin.base import (
    TenantScopedAdmin,
    model_breadcrumbs,
    principal_of,
    refusal_shown,
    show_secret_once,
)
from themeconfig.models import HostListing, Property, Tenant
from themeconfig.selectors.tenancy import property_list
from themeconfig.services.host_verification import (
    host_challenge_renew,
    host_verification_request,
    verification_not_queued_reason,
)
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
                'interface pairs warn). "four_eyes_publish": true makes every publish, rollback and re-publish '
                "wait for another member's approval (default false). "
                '"time_zone" is the IANA time zone schedules are shown and entered in (e.g. "Europe/Paris"; '
                "default UTC).")
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


@admin.register(HostListing)
class TenantHostAdmin(TenantScopedAdmin):
    """The tenant's hosts, served and claimed. A host added here is a pending claim until its DNS
    challenge is met (the token shown once, on the page after adding); *Verify now* has a worker check
    it at once, beat checks pending claims with backoff. A claim reserves nothing."""

    list_display = ["host", "property", "verification_status", "verified_at", "verification_checked_at",
                    "verification_last_error", "created_at"]
    list_filter = ["verification_status"]
    search_fields = ["host"]
    fields = ["host", "property"]
    actions = ["verify_now", "new_challenge"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        return [*self.fields, "verification_status", "challenge_record", "verified_at", "verification_method",
                "verification_attempts", "verification_checked_at", "verification_next_check_at",
                "verification_last_error"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["host", "verification_status", "challenge_record", "verified_at", "verification_method",
                "verification_attempts", "verification_checked_at", "verification_next_check_at",
                "verification_last_error"]

    @property
    def media(self):
        return super().media + forms.Media(css={"all": ["themeconfig/admin/workspace.css"]})  # the object-action button

    def get_urls(self):
        verify_now = self.admin_site.admin_view(self.verify_now_view)
        return [path("<path:object_id>/verify-now/", verify_now, name="themeconfig_hostlisting_verify-now"),
                *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        host = self.get_object(request, unquote(object_id))
        if not host.is_verified and self.has_change_permission(request, host):
            extra_context = {**(extra_context or {}), "verify_now_url": reverse(
                f"{self.admin_site.name}:themeconfig_hostlisting_verify-now", args=[quote(host.pk)])}
        return super().change_view(request, object_id, form_url, extra_context)

    def verify_now_view(self, request, object_id):
        """The host page's *Verify now* (POST): the same use case as the API's `hosts/{host}/verify/`."""
        host = self.get_object(request, unquote(object_id))
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request, host):
            raise PermissionDenied
        here = reverse(f"{self.admin_site.name}:themeconfig_hostlisting_change", args=[quote(host.pk)])
        with refusal_shown(request) as refusal:
            found = host_verification_request(principal=principal_of(request), host=host.host)
        if refusal:
            return HttpResponseRedirect(here)
        if found.is_verified:
            messages.success(request, f"{found.host} is verified: it is served.")
        elif (reason := verification_not_queued_reason(found)) is not None:
            messages.warning(request, f"No new check of {found.host}: {reason}.")
        else:
            messages.info(request, f"Checking the DNS record of {found.host} now; reload this page in a few "
                                   "seconds to see the outcome.")
        return HttpResponseRedirect(here)

    @admin.display(description="DNS challenge")
    def challenge_record(self, obj):
        return "—" if obj.is_verified else f"TXT {obj.challenge_name}"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "property":
            kwargs["queryset"] = property_list()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        principal = principal_of(request)
        if change:
            services.host_update(principal=principal, host=obj.host, property_id=obj.property_id)
            return
        added, _created = services.host_add(principal=principal, host=obj.host, property_id=obj.property_id)
        obj.host, obj.tenant_id = added.host, added.tenant_id
        obj.id = f"{added.tenant_id}:{added.host}"
        request._host_challenge = (added.challenge_name, added.verification_token)

    def response_add(self, request, obj, post_url_continue=None):
        name, token = getattr(request, "_host_challenge", (None, None))
        if token is None:  # the tenant already had this host: nothing new to prove
            return super().response_add(request, obj, post_url_continue)
        return self._show_challenge(request, obj.host, name, token)

    def _show_challenge(self, request, host, name, token):
        # In the body only, like an API key's secret (a message would travel in a cookie).
        return show_secret_once(
            request, title=f"Prove you control {host}", secret=token,
            explanation=(f"Add a DNS TXT record named {name} whose value is the token below, then use "
                         "Verify now (or wait: pending hosts are checked regularly). The host is served only "
                         "once verified. The token is not shown again (only its hash is stored); a new "
                         "challenge can be asked for."),
            back_url=reverse("admin:themeconfig_hostlisting_changelist"), admin_site=self.admin_site,
            breadcrumbs=model_breadcrumbs(self.admin_site, self.opts),
        )

    @admin.action(description="Verify the selected hosts now (DNS check)", permissions=["change"])
    def verify_now(self, request, queryset):
        for host in queryset:
            with refusal_shown(request) as refused:
                host_verification_request(principal=principal_of(request), host=host.host)
            if refused:
                return
        self.message_user(request, f"Checking {len(queryset)} host(s); reload this page to see the outcome.")

    @admin.action(description="New DNS challenge for the selected pending host", permissions=["change"])
    def new_challenge(self, request, queryset):
        if len(queryset) != 1:
            self.message_user(request, "Select exactly one pending host.", level=messages.ERROR)
            return None
        with refusal_shown(request) as refused:
            found, token = host_challenge_renew(principal=principal_of(request), host=queryset[0].host)
        if refused:
            return None
        return self._show_challenge(request, found.host, found.challenge_name, token)
