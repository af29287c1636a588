"""Reads of the core app, one module per aggregate. Tenant data is read inside a tenant context
(RLS does the scoping)."""
from themeconfig.selectors.api_keys import api_client_by_secret_hash
from themeconfig.selectors.layout_presets import layout_preset_list, layout_presets_for_validation
from themeconfig.selectors.tenancy import (
    current_tenant,
    membership_for,
    memberships_of_user,
    property_list,
)

__all__ = [
    "api_client_by_secret_hash", "current_tenant", "layout_preset_list", "layout_presets_for_validation",
    "membership_for", "memberships_of_user", "property_list",
]
