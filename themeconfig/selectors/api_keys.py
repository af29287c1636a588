"""Reads of API keys."""
from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from themeconfig.models import ApiClient


def api_client_by_secret_hash(*, secret_hash: str) -> ApiClient | None:
    """The live (not revoked, not expired) API client with this secret hash in the current tenant."""
    return (
        ApiClient.objects.filter(secret_hash=secret_hash, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .first()
    )
