"""Representations of API keys: never the secret or its hash, except the secret once on creation."""
from __future__ import annotations

from rest_framework import serializers

from themeconfig.models import ApiClient, Role


class ApiKeySerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiClient
        fields = ["id", "name", "role", "permissions", "secret_hint", "created_at", "created_by", "last_used_at",
                  "expires_at", "revoked_at"]
        read_only_fields = fields


class ApiKeyCreatedSerializer(ApiKeySerializer):
    secret = serializers.CharField(read_only=True, help_text="Shown in this reply only; only its sha256 is kept.")

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "secret"]
        read_only_fields = fields


class ApiKeyCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    role = serializers.ChoiceField(choices=Role.choices, default=Role.API)
    permissions = serializers.JSONField(required=False, allow_null=True)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)
