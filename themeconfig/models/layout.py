"""The platform-global layout preset registry (seed 000 §3.9; DDL in ../sql/0003_layout_presets.sql).

No tenant_id and no RLS; the request role may only read it. Rows arrive through migrations.
"""
from django.contrib.postgres.fields import ArrayField
from django.db import models

from themeconfig.platform.ids import PrefixedIdField


class LayoutSurface(models.TextChoices):
    HOME = "home"
    DETAIL = "detail"
    SEARCH = "search"
    CUSTOM = "custom"


class LayoutPreset(models.Model):
    id = PrefixedIdField(prefix="lpr", primary_key=True)
    key = models.TextField(unique=True)
    surface = models.TextField(choices=LayoutSurface.choices)
    supported_variants = ArrayField(models.TextField())
    supports_rtl = models.BooleanField(default=True)
    min_viewport_px = models.IntegerField(default=360)
    thumbnail_url = models.TextField()
    documentation_url = models.TextField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = 'theme_config"."layout_presets'
        ordering = ["surface", "key"]

    def __str__(self) -> str:
        return self.key
