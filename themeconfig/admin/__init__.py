"""Admin for tenant staff (/admin/): rows of the session's tenant (RLS), permissions from the one role table.

Every change goes through a use case with `request.principal`. One module per aggregate, as in
`services/`: `tenancy` (the tenant, properties, hosts), `memberships` (members, invitations),
`api_keys`, `brand_kits`; `base` holds what they share (and what the operators' site shares too).
Importing this package registers them on Django's admin site (`TenantAdminSite`).
"""
from django.contrib import admin
from django.contrib.auth.models import Group, User

from themeconfig.admin import (  # noqa: F401  (registers the ModelAdmins and the workspace pages)
    api_keys,
    audit_history,
    brand_kits,
    content,
    locales,
    memberships,
    routing_flags,
    structure,
    tenancy,
    themes,
    version_compare,
    versions,
)
from themeconfig.admin.base import GuardedModelAdmin, TenantScopedAdmin, principal_of, show_secret_once
from themeconfig.admin.brand_kits import add_contract_errors

# Accounts are global, not tenant data: tenant staff never list or edit them, and a superuser who
# also works in a tenant must not see every account from inside it. django.contrib.auth registers
# them on this site; people join by invitation, and operators manage accounts (manage.py).
for _model in (User, Group):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)

__all__ = ["GuardedModelAdmin", "TenantScopedAdmin", "add_contract_errors", "principal_of", "show_secret_once"]
