"""Operator look-ups across tenants, on the service connection: commands and jobs, never requests."""
from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from themeconfig.models import HostVerificationStatus, Tenant, TenantHost
from themeconfig.platform.service_db import service_context


def tenant_by_slug(*, slug: str) -> Tenant | None:
    """The live tenant with this slug, whichever it is (BYPASSRLS, through service_context)."""
    with service_context() as alias:
        return Tenant.objects.using(alias).filter(slug=slug, deleted_at__isnull=True).first()


def hosts_due_for_verification(*, limit: int = 100) -> list[tuple[str, str]]:
    """(host, tenant_id) of pending hosts whose next DNS check is due, oldest due first (every tenant)."""
    with service_context() as alias:
        return list(TenantHost.objects.using(alias).filter(
            Q(verification_next_check_at__isnull=True) | Q(verification_next_check_at__lte=timezone.now()),
            Q(verification_leased_until__isnull=True) | Q(verification_leased_until__lte=timezone.now()),
            verification_status=HostVerificationStatus.PENDING,
        ).order_by("verification_next_check_at").values_list("host", "tenant_id")[:limit])


def hosts_pending_since(*, before) -> list[tuple[str, str]]:
    """(host, tenant_id) of hosts still pending that were added before `before` (every tenant)."""
    with service_context() as alias:
        return list(TenantHost.objects.using(alias).filter(
            verification_status=HostVerificationStatus.PENDING, created_at__lt=before,
        ).values_list("host", "tenant_id"))
