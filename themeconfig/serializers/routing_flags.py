"""Shapes of routing flags in the API."""
from __future__ import annotations

from rest_framework import serializers

from themeconfig.models import RoutingFlag, RoutingFlagAudit, RoutingScope


class RoutingFlagSerializer(serializers.ModelSerializer):
    class Meta:
        model = RoutingFlag
        fields = ["id", "flag_key", "scope_type", "scope_id", "route_mode", "enabled", "version", "created_at",
                  "created_by", "updated_at", "updated_by"]
        read_only_fields = fields


class RoutingFlagCreateSerializer(serializers.Serializer):
    flag_key = serializers.RegexField(r"^[a-z][a-z0-9_.-]{0,63}$", help_text="The flag, e.g. `theme.route`.")
    scope_type = serializers.ChoiceField(choices=RoutingScope.choices)
    scope_id = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text=(
        "env: an environment name (default ROUTING_FLAG_ENV); tenant: this tenant (may be left out); "
        "style: a theme id; user: a user key."))
    route_mode = serializers.RegexField(r"^[a-z][a-z0-9_]{0,31}$", help_text="The flag's value for this scope.")
    enabled = serializers.BooleanField(default=True)
    reason = serializers.CharField(max_length=500, help_text="Why (kept in the flag's audit trail).")


class RoutingFlagUpdateSerializer(serializers.Serializer):
    route_mode = serializers.RegexField(r"^[a-z][a-z0-9_]{0,31}$", required=False)
    enabled = serializers.BooleanField(required=False)
    reason = serializers.CharField(max_length=500)
    version = serializers.IntegerField(required=False, min_value=1, help_text="Or If-Match with the ETag.")


class RoutingFlagDeleteSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)
    version = serializers.IntegerField(required=False, min_value=1, help_text="Or If-Match with the ETag.")


class RoutingFlagAuditSerializer(serializers.ModelSerializer):
    class Meta:
        model = RoutingFlagAudit
        fields = ["id", "routing_flag_id", "changed_by", "changed_at", "change_payload"]
        read_only_fields = fields


class RoutingFlagEvaluationSerializer(serializers.Serializer):
    flag_key = serializers.CharField()
    route_mode = serializers.CharField(allow_null=True, help_text="null: no enabled flag for this context.")
    decided_by = RoutingFlagSerializer(allow_null=True)
