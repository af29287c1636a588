"""Installs TenantAdminSite as Django's admin site (kept apart: app configs load before models)."""
from django.contrib.admin.apps import AdminConfig


class TenantAdminConfig(AdminConfig):
    default_site = "themeconfig.admin_site.TenantAdminSite"
