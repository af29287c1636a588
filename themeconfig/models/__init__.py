"""Models of the core app; each mirrors one table created by the SQL in ../sql/."""
from .tenancy import ApiClient, Membership, Property, Role, Tenant, TenantHost, TenantPlan

__all__ = ["ApiClient", "Membership", "Property", "Role", "Tenant", "TenantHost", "TenantPlan"]
