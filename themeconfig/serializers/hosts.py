"""Representations of a tenant's hosts and their DNS challenge: the token once, on creation or renewal."""
from __future__ import annotations

from rest_framework import serializers

from themeconfig.models import TenantHost


class HostSerializer(serializers.ModelSerializer):
    challenge_record_name = serializers.CharField(source="challenge_name", read_only=True,
                                                  help_text="Where the TXT record holding the token goes.")
    challenge_record_type = serializers.SerializerMethodField()

    class Meta:
        model = TenantHost
        fields = ["host", "property_id", "created_at", "verification_status", "verified_at", "verified_by",
                  "challenge_record_name", "challenge_record_type", "verification_attempts",
                  "verification_checked_at", "verification_next_check_at", "verification_last_error"]
        read_only_fields = fields

    def get_challenge_record_type(self, obj) -> str:
        return "TXT"


class HostCreatedSerializer(HostSerializer):
    challenge_token = serializers.CharField(
        source="verification_token", read_only=True, allow_null=True,
        help_text="The TXT record's value. Shown in this reply only (null for a verified or already added host); "
                  "only its sha256 is kept.")

    class Meta(HostSerializer.Meta):
        fields = [*HostSerializer.Meta.fields, "challenge_token"]
        read_only_fields = fields


class HostCreateSerializer(serializers.Serializer):
    host = serializers.CharField(max_length=300)
    property_id = serializers.CharField(max_length=26, required=False, allow_null=True)
