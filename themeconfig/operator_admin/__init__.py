"""The operators' admin site, served at /platform/ (config/urls.py): superusers only, every tenant.

`site` holds the site and what its pages share (the service connection, the operator principal);
`tenancy` the tenants, hosts, memberships and layout presets (registered on import); the outbox and
publish jobs are publishing's, registered by `publishing/admin.py` (admin autodiscovery).
"""
from themeconfig.operator_admin import tenancy  # noqa: F401  (registers the ModelAdmins)
from themeconfig.operator_admin.site import OperatorAdminSite, OperatorModelAdmin, operator_site

__all__ = ["OperatorAdminSite", "OperatorModelAdmin", "operator_site"]
