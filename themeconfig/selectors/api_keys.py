"""Reads of API keys."""
from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from themeconfig.models import ApiClient

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
