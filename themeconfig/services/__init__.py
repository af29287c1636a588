"""Use cases of the core app (the only code that writes), one module per aggregate.

Each takes the caller's `Principal`, checks the permission it needs, and runs in one transaction
bound to the principal's tenant. Requests already run in one (see TenantMiddleware), so use cases
nest as a savepoint there; called from a command or task they are the transaction.
"""
from themeconfig.services.api_keys import api_key_create, api_key_mark_used, api_key_revoke
from themeconfig.services.brand_kits import brand_kit_create, brand_kit_delete, brand_kit_update
from themeconfig.services.memberships import (
    invitation_accept,
    invitation_accept_as_new_user,
    invitation_lookup,
    invitation_revoke,
    membership_change_role,
    membership_grant,
    membership_invite,
    membership_remove,
)
from themeconfig.services.tenancy import (
    host_add,
    host_update,
    normalize_host,
    property_create,
    property_ensure,
    property_rename,
    staff_user_ensure,
    tenant_create,
    tenant_ensure,
    tenant_update,
)

__all__ = [
    "api_key_create", "api_key_mark_used", "api_key_revoke",
    "brand_kit_create", "brand_kit_delete", "brand_kit_update",
    "host_add", "host_update", "invitation_accept", "invitation_accept_as_new_user", "invitation_lookup",
    "invitation_revoke", "membership_change_role", "membership_grant", "membership_invite", "membership_remove",
    "normalize_host", "property_create", "property_ensure", "property_rename", "staff_user_ensure",
    "tenant_create", "tenant_ensure", "tenant_update",
]
