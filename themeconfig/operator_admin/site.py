"""The operators' admin site (/platform/): superusers only, every tenant's rows, on the service connection.

Reads run on the BYPASSRLS service connection, which only `service_context()` opens; a request
may open it only inside `operator_request(user)`, and this site's `admin_view` is the one caller:
it checks the superuser first, then opens both around the view and renders the page inside them
(the template reads rows too). Writes never use that connection: each goes through the use case
that already exists, as the principal `operator:<username>` bound to the row's tenant, so it runs
in that tenant's context under RLS and writes its audit row like any other change.

The site's views are tenant-free: a superuser who also works in a tenant (a session tenant) gets
no tenant context here, which `service_context()` would refuse anyway.
"""
from __future__ import annotations

import functools
from dataclasses import replace

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.template.response import SimpleTemplateResponse
from django.urls import URLResolver

from themeconfig.admin.base import GuardedModelAdmin
from themeconfig.platform.client_address import client_address
from themeconfig.platform.endpoints import tenant_free
from themeconfig.platform.principal import Principal
from themeconfig.platform.service_db import operator_request, service_context


class OperatorAuthenticationForm(AdminAuthenticationForm):
    """Django's admin login, for superusers only: tenant staff are told so and signed in nowhere."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "not_operator": "This site is for operators (superusers). Tenant staff sign in at /admin/.",
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.is_superuser:
            raise forms.ValidationError(self.error_messages["not_operator"], code="not_operator")


def operator_principal(request) -> Principal:
    """Who an operator's change is by: `operator:<username>`, with the request id and client address
    for the audit row; bound to a tenant per change (`.in_tenant(tenant_id)`)."""
    return replace(
        Principal.operator(request.user.get_username()),
        request_id=getattr(request, "request_id", None), ip=client_address(request) or None,
    )


class OperatorAdminSite(admin.AdminSite):
    site_header = "theme-config operators"
    site_title = "theme-config operators"
    index_title = "Platform: every tenant"
    site_url = None  # no guest site of its own
    login_form = OperatorAuthenticationForm

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def operator_view(request, *args, **kwargs):
            if not self.has_permission(request):
                return inner(request, *args, **kwargs)  # Django's redirect to the login page; nothing read
            with operator_request(request.user), service_context(atomic=False) as alias:
                request.service_alias = alias
                request.operator = operator_principal(request)
                response = inner(request, *args, **kwargs)
                if isinstance(response, SimpleTemplateResponse):
                    response.render()  # lazily evaluated querysets must run while the connection is open
                return response

        return functools.update_wrapper(operator_view, inner)

    def each_context(self, request):
        return {**super().each_context(request), "is_operator_site": True}

    def get_urls(self):
        urls = super().get_urls()
        _mark_tenant_free(urls)
        return urls


def _mark_tenant_free(patterns) -> None:
    """Every route of the site, the model admins' included, skips the tenant middleware."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _mark_tenant_free(pattern.url_patterns)
        else:
            pattern.callback = tenant_free(_passthrough(pattern.callback))


def _passthrough(view):
    # A new function to mark (Django's login view is a bound method, which takes no attributes).
    @functools.wraps(view)
    def tenant_free_view(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    return tenant_free_view


operator_site = OperatorAdminSite(name="platform")


class OperatorModelAdmin(GuardedModelAdmin):
    """A table of every tenant, read on the service connection; read-only unless a subclass turns
    on `can_add` / `can_change` / `can_delete` and wires each to its use case."""

    can_add = False
    can_change = False
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).using(request.service_alias)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Choices and their validation on the connection that sees every tenant (Django's
        # multi-database admin recipe); the request connection would see none of them.
        return super().formfield_for_foreignkey(db_field, request, using=request.service_alias, **kwargs)

    def has_module_permission(self, request):
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)

    def has_add_permission(self, request):
        return self.can_add and self.admin_site.has_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.can_change and self.admin_site.has_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.can_delete and self.admin_site.has_permission(request)
