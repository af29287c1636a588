"""Representation of audit log rows (read only)."""
from __future__ import annotations

from rest_framework import serializers

from themeconfig.models import AuditLogEntry


class AuditLogEntrySerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True)

    class Meta:
        model = AuditLogEntry
        fields = ["id", "occurred_at", "actor", "action", "entity_type", "entity_id", "old_values", "new_values",
                  "ip", "request_id"]
        read_only_fields = fields
