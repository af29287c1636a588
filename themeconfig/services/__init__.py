"""Use cases of the core app (the only code that writes), one module per aggregate.

Each takes the caller's `Principal`, checks the permission it needs, and runs in one transaction
bound to the principal's tenant. Requests already run in one (see TenantMiddleware), so use cases
nest as a savepoint there; called from a command or task they are the transaction.
"""
from themeconfig.services.api_keys import api_key_create, api_key_mark_used, api_key_revoke, api_key_rotate
from themeconfig.services.audit_ip_coarsening import audit_ips_coarsen
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
from themeconfig.services.themes import theme_create, theme_delete, theme_restore, theme_update
from themeconfig.services.version_children import (
    booking_flow_put,
    content_block_create,
    content_block_delete,
    content_block_move,
    content_block_update,
    content_blocks_reorder,
    email_theme_put,
    locale_pack_delete,
    locale_pack_patch,
    locale_pack_put,
    navigation_put,
)
from themeconfig.services.versions import (
    version_archive,
    version_create,
    version_mark_preview_ready,
    version_problems,
    version_readiness,
    version_update,
)

__all__ = [
    "booking_flow_put", "content_block_create", "content_block_delete", "content_block_move",
    "content_block_update", "content_blocks_reorder", "email_theme_put", "locale_pack_delete",
    "locale_pack_patch", "locale_pack_put", "navigation_put", "theme_create", "theme_delete", "theme_restore",
    "theme_update", "version_archive", "version_create", "version_mark_preview_ready", "version_problems",
    "version_readiness", "version_update",
    "api_key_create", "api_key_mark_used", "api_key_revoke", "api_key_rotate", "audit_ips_coarsen",
    "brand_kit_create", "brand_kit_delete", "brand_kit_update",
    "host_add", "host_update", "invitation_accept", "invitation_accept_as_new_user", "invitation_lookup",
    "invitation_revoke", "membership_change_role", "membership_grant", "membership_invite", "membership_remove",
    "normalize_host", "property_create", "property_ensure", "property_rename", "staff_user_ensure",
    "tenant_create", "tenant_ensure", "tenant_update",
]
