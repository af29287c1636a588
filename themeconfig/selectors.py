"""Reads of the core app. Tenant data is read inside a tenant context (RLS does the scoping)."""
from __future__ import annotations

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from themeconfig.models import ApiClient, LayoutPreset, Membership, Property, Tenant
from themeconfig.tenant_context import current_tenant_id
from themeconfig.validators import PresetInfo

LAST_USED_RESOLUTION = timedelta(seconds=60)


def api_client_authenticate(*, secret_hash: str) -> ApiClient | None:
    """The live API client with this secret hash in the current tenant; marks it used (≤ 1/min)."""
    now = timezone.now()
    client = (
        ApiClient.objects.filter(secret_hash=secret_hash, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if client is not None and (client.last_used_at is None or client.last_used_at < now - LAST_USED_RESOLUTION):
        # Bounded write amplification: one UPDATE per key per minute at most.
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now
    return client


def membership_for(*, user_id: int, tenant_id: str) -> Membership | None:
    return Membership.objects.filter(user_id=user_id, tenant_id=tenant_id).first()


def memberships_of_user(*, user_id: int) -> list[Membership]:
    """All memberships of a user with their tenants; call inside `user_context`."""
    return list(
        Membership.objects.filter(user_id=user_id, tenant__deleted_at__isnull=True)
        .select_related("tenant")
        .order_by("tenant__name")
    )


def current_tenant() -> Tenant:
    return Tenant.objects.get(pk=current_tenant_id())


def property_list() -> QuerySet[Property]:
    # The explicit tenant filter is defence in depth; RLS already scopes the rows.
    return Property.objects.filter(tenant_id=current_tenant_id(), deleted_at__isnull=True).order_by("id")


def tenant_by_slug(*, slug: str) -> Tenant | None:
    """Operator lookup across tenants: reads through the `service` connection (BYPASSRLS)."""
    return Tenant.objects.using("service").filter(slug=slug, deleted_at__isnull=True).first()


def layout_preset_list(*, surface: str | None = None, include_inactive: bool = False) -> QuerySet[LayoutPreset]:
    """The global preset registry (no tenant data), by surface then key."""
    presets = LayoutPreset.objects.all()
    if not include_inactive:
        presets = presets.filter(is_active=True)
    if surface:
        presets = presets.filter(surface=surface)
    return presets.order_by("surface", "key")


def layout_presets_for_validation() -> dict[str, PresetInfo]:
    """Every preset, active or not, as the layout-selections validator wants them (it says which
    are retired)."""
    return {
        p.key: PresetInfo(p.key, p.surface, tuple(p.supported_variants), p.supports_rtl, p.is_active)
        for p in LayoutPreset.objects.all()
    }
