"""Reads of tenancy: the current tenant, its properties, memberships. RLS does the scoping."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import F, QuerySet

from themeconfig.models import HostListing, HostVerificationStatus, Membership, Property, Tenant, TenantHost
from themeconfig.platform.errors import CoreErrorCode, DomainError
from themeconfig.platform.hostnames import host_normalize
from themeconfig.platform.tenant_context import current_tenant_id
from themeconfig.validators.contrast import CONTRAST_POLICIES, DEFAULT_CONTRAST_POLICY
from themeconfig.validators.time_zones import DEFAULT_TIME_ZONE, available_time_zones


def membership_for(*, user_id: int, tenant_id: str) -> Membership | None:
    # With its tenant (the middleware refuses a closed one): same query.
    return Membership.objects.filter(user_id=user_id, tenant_id=tenant_id).select_related("tenant").first()


def memberships_of_user(*, user_id: int) -> list[Membership]:
    """All memberships of a user with their tenants; call inside `user_context`."""
    return list(
        Membership.objects.filter(user_id=user_id, tenant__deleted_at__isnull=True, tenant__erasure_due_at__isnull=True)
        .select_related("tenant")
        .order_by("tenant__name")
    )


def current_tenant() -> Tenant:
    return Tenant.objects.get(pk=current_tenant_id())


def tenant_contrast_policy(tenant_id: str) -> str:
    """The tenant's `settings.contrast_policy` (what failing contrast pairs do to preview-ready), or the default."""
    settings = Tenant.objects.filter(pk=tenant_id).values_list("settings", flat=True).first()
    policy = settings.get("contrast_policy") if isinstance(settings, dict) else None
    return policy if policy in CONTRAST_POLICIES else DEFAULT_CONTRAST_POLICY


def tenant_time_zone(tenant_id: str) -> str:
    """The tenant's `settings.time_zone` (an IANA name; times are stored in UTC and shown in it), or UTC."""
    settings = Tenant.objects.filter(pk=tenant_id).values_list("settings", flat=True).first()
    zone = settings.get("time_zone") if isinstance(settings, dict) else None
    return zone if isinstance(zone, str) and zone in available_time_zones() else DEFAULT_TIME_ZONE


def property_list() -> QuerySet[Property]:
    # The explicit tenant filter is defence in depth; RLS already scopes the rows.
    return Property.objects.filter(tenant_id=current_tenant_id(), deleted_at__isnull=True).order_by("id")



def verified_host_names() -> list[str]:
    """The current tenant's verified hosts (where its pages may load images from, among others)."""
    return list(TenantHost.objects.filter(verification_status=HostVerificationStatus.VERIFIED)
                .order_by("host").values_list("host", flat=True))


def host_list() -> QuerySet[HostListing]:
    """The current tenant's hosts, served and claimed, each with its verification state."""
    return HostListing.objects.filter(tenant_id=current_tenant_id())


def host_get(host: str) -> HostListing:
    """One host of the current tenant (served or its own pending claim), named in any form the
    normaliser accepts; NOT_FOUND for an unknown name, another tenant's host or another tenant's claim."""
    value = host_normalize(host)
    found = host_list().filter(host=value).first() if value else None
    if found is None:
        raise DomainError(CoreErrorCode.NOT_FOUND, "No such host in this tenant.", http_status=404)
    return found


def property_find(property_id: str | None) -> Property | None:
    """The property with this id, deleted or not (a theme keeps naming its property), or None."""
    return Property.objects.filter(pk=property_id).first() if property_id else None


def member_usernames() -> list[tuple[int, str]]:
    """(user id, username) of the current tenant's members, by username."""
    return list(Membership.objects.order_by("user__username").values_list("user_id", "user__username"))


def username_of(user_id: int) -> str | None:
    return get_user_model().objects.filter(pk=user_id).values_list("username", flat=True).first()


def tenant_site_host() -> str | None:
    """The current tenant's first verified host (tenant-wide hosts before property hosts), or None."""
    return (TenantHost.objects.filter(verification_status=HostVerificationStatus.VERIFIED)
            .order_by(F("property_id").asc(nulls_first=True), "host").values_list("host", flat=True).first())
