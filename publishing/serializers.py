"""Representations of publishing's resources (shape only)."""
from __future__ import annotations

from rest_framework import serializers

from publishing.models import PreviewToken


class PreviewTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = PreviewToken
        fields = ["id", "theme_version_id", "expires_at", "revoked_at", "last_accessed_at", "access_count", "note",
                  "created_at", "created_by"]
        read_only_fields = fields


class PreviewTokenCreatedSerializer(PreviewTokenSerializer):
    """The one response that carries the secret (shown once; only its sha256 is stored)."""

    token = serializers.CharField(read_only=True)

    class Meta(PreviewTokenSerializer.Meta):
        fields = [*PreviewTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


class PreviewTokenCreateSerializer(serializers.Serializer):
    expires_in_days = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=30)
    note = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=500)
