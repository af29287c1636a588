"""Reads of API keys."""
from __future__ import annotations

from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from themeconfig.models import ApiClient
from themeconfig.platform.principal import ActorKind


def api_client_by_secret_hash(*, secret_hash: str) -> ApiClient | None:
    """The live (not revoked, not expired) API client with this secret hash in the current tenant."""
    return (
        ApiClient.objects.filter(secret_hash=secret_hash, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .select_related("tenant")  # the middleware refuses a closed tenant: same query
        .first()
    )


# The keys a user created, and the keys those keys created (a key rotating itself, a key issuing
# keys), transitively: all of them exist on that user's authority.
_CREATED_ON_AUTHORITY_OF = """
WITH RECURSIVE lineage(id) AS (
    SELECT id FROM theme_config.api_clients WHERE created_by = %s
    UNION
    SELECT c.id FROM theme_config.api_clients c JOIN lineage l ON c.created_by = %s || l.id
)
SELECT id FROM lineage
"""


def api_key_list(*, created_by_user: int | None = None, live: bool | None = None) -> QuerySet[ApiClient]:
    """The current tenant's API keys; `created_by_user`: those that user created, directly or through
    keys they created (a rotation's new key is created by the old one); `live` True: neither revoked
    nor expired, False: revoked or expired."""
    keys = ApiClient.objects.all()
    if created_by_user is not None:
        keys = keys.filter(pk__in=RawSQL(_CREATED_ON_AUTHORITY_OF, [f"{ActorKind.USER}:{created_by_user}",
                                                                    f"{ActorKind.API_KEY}:"]))
    live_q = Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
    if live is True:
        keys = keys.filter(live_q)
    elif live is False:
        keys = keys.exclude(live_q)
    return keys
