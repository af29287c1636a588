"""Reads of brand kits. RLS scopes every query to the tenant."""
from __future__ import annotations

from django.db.models import QuerySet

from themeconfig.models import BrandKit


def brand_kit_list() -> QuerySet[BrandKit]:
    """The tenant's live brand kits, by name."""
    return BrandKit.objects.filter(deleted_at__isnull=True).order_by("name")
