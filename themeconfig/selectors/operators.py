"""Operator look-ups across tenants, on the service connection: commands and jobs, never requests."""
from __future__ import annotations

from themeconfig.models import Tenant
from themeconfig.platform.service_db import service_context


def tenant_by_slug(*, slug: str) -> Tenant | None:
    """The live tenant with this slug, whichever it is (BYPASSRLS, through service_context)."""
    with service_context() as alias:
        return Tenant.objects.using(alias).filter(slug=slug, deleted_at__isnull=True).first()
