"""API representations of the core app's resources (shape only: no business logic here)."""
from rest_framework import serializers

from themeconfig.models import LayoutPreset, Property, Tenant


class TenantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tenant
        fields = ["id", "slug", "name", "plan", "created_at"]
        read_only_fields = fields


class PropertySerializer(serializers.ModelSerializer):
    class Meta:
        model = Property
        fields = ["id", "tenant_id", "name", "created_at", "updated_at"]
        read_only_fields = fields


class LayoutPresetSerializer(serializers.ModelSerializer):
    class Meta:
        model = LayoutPreset
        fields = [
            "id", "key", "surface", "supported_variants", "supports_rtl", "min_viewport_px", "thumbnail_url",
            "documentation_url", "is_active", "registered_at",
        ]
        read_only_fields = fields
