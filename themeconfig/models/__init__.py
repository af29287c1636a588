"""Models of the core app; each mirrors one table created by the SQL in ../sql/."""
from .brand_kits import BrandKit
from .layout import LayoutPreset, LayoutSurface
from .tenancy import ApiClient, Membership, Property, Role, Tenant, TenantHost, TenantPlan
from .themes import (
    ArchivedReason,
    BookingFlowConfig,
    ContentBlock,
    ContentSurface,
    EmailTheme,
    LocalePack,
    NavigationConfig,
    NavigationSurface,
    Theme,
    ThemeScope,
    ThemeStatus,
    ThemeVersion,
    ThemeVersionStatus,
    Visibility,
)

__all__ = [
    "ApiClient",
    "ArchivedReason",
    "BookingFlowConfig",
    "BrandKit",
    "ContentBlock",
    "ContentSurface",
    "EmailTheme",
    "LayoutPreset",
    "LayoutSurface",
    "LocalePack",
    "Membership",
    "NavigationConfig",
    "NavigationSurface",
    "Property",
    "Role",
    "Tenant",
    "TenantHost",
    "TenantPlan",
    "Theme",
    "ThemeScope",
    "ThemeStatus",
    "ThemeVersion",
    "ThemeVersionStatus",
    "Visibility",
]
