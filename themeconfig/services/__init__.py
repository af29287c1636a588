"""Use cases of the core app (writes), one module per aggregate; each runs in one transaction
bound to its tenant. Requests already run in one (see TenantMiddleware), so use cases nest as a
savepoint there; called from a command or task they open the tenant context themselves.
"""
from themeconfig.services.api_keys import api_key_create, api_key_revoke
from themeconfig.services.brand_kits import brand_kit_create, brand_kit_delete, brand_kit_update
from themeconfig.services.memberships import membership_set
from themeconfig.services.tenancy import (
    host_add,
    normalize_host,
    property_create,
    staff_user_ensure,
    tenant_create,
)

__all__ = [
    "api_key_create", "api_key_revoke", "brand_kit_create", "brand_kit_delete", "brand_kit_update",
    "host_add", "membership_set", "normalize_host", "property_create", "staff_user_ensure", "tenant_create",
]
