"""Tenant brand kits (seed 001 BrandKit; DDL in ../sql/0004_brand_kits.sql): colours, fonts, logos
and style preferences that feed design tokens and AI palette drafts. Soft-deleted, OCC-versioned."""
from django.db import models

from themeconfig.platform.ids import PrefixedIdField

from .base import TenantModel


class BrandKit(TenantModel):
    id = PrefixedIdField(prefix="bkt", primary_key=True)
    name = models.TextField()
    colors = models.JSONField()
    fonts = models.JSONField()
    logos = models.JSONField(null=True, blank=True)
    style_preferences = models.JSONField(null=True, blank=True)
    # At most one live default per tenant (brand_kits_default_uq).
    is_default = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        db_table = 'theme_config"."brand_kits'
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
