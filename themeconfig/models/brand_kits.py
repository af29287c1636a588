"""Tenant brand kits (seed 001 BrandKit; DDL in ../sql/0004_brand_kits.sql): colours, fonts, logos
and style preferences that feed design tokens and AI palette drafts. Soft-deleted, OCC-versioned."""
from django.db import models
from django_rls.models import RLSModel

from themeconfig.platform.ids import PrefixedIdField

from .tenancy import tenant_isolation_policy


class BrandKit(RLSModel):
    id = PrefixedIdField(prefix="bkt", primary_key=True)
    tenant_id = models.TextField()
    name = models.TextField()
    colors = models.JSONField()
    fonts = models.JSONField()
    logos = models.JSONField(null=True, blank=True)
    style_preferences = models.JSONField(null=True, blank=True)
    # At most one live default per tenant (brand_kits_default_uq).
    is_default = models.BooleanField(default=False)
    version = models.IntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.TextField()
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = 'theme_config"."brand_kits'
        ordering = ["name"]
        rls_policies = [tenant_isolation_policy()]

    def __str__(self) -> str:
        return self.name
