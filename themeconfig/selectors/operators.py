"""Operator look-ups across tenants, on the service connection: commands and jobs, never requests."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from themeconfig.models import Property, Tenant, TenantHostClaim
from themeconfig.platform.service_db import service_context


def tenant_by_slug(*, slug: str) -> Tenant | None:
    """The live tenant with this slug, whichever it is (BYPASSRLS, through service_context)."""
    with service_context() as alias:
        return Tenant.objects.using(alias).filter(slug=slug, deleted_at__isnull=True).first()


def hosts_due_for_verification(*, limit: int = 100) -> list[tuple[str, str]]:
    """(host, tenant_id) of pending claims with a challenge whose next DNS check is due, oldest due
    first (every tenant)."""
    with service_context() as alias:
        return list(TenantHostClaim.objects.using(alias).filter(
            Q(verification_next_check_at__isnull=True) | Q(verification_next_check_at__lte=timezone.now()),
            Q(verification_leased_until__isnull=True) | Q(verification_leased_until__lte=timezone.now()),
            verification_token_hash__isnull=False,
        ).order_by("verification_next_check_at").values_list("host", "tenant_id")[:limit])


def live_properties_of(*, tenant_id: str, alias: str) -> QuerySet[Property]:
    """The tenant's live properties on the service connection `alias` the caller holds open."""
    return Property.objects.using(alias).filter(tenant_id=tenant_id, deleted_at__isnull=True)


def active_user_by_username(username: str) -> AbstractBaseUser | None:
    return get_user_model().objects.filter(username=username, is_active=True).first()
