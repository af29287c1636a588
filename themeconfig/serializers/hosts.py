"""Representations of a tenant's hosts and their DNS challenge: the token once, on creation or renewal."""
from __future__ import annotations

from rest_framework import serializers

from themeconfig.models import HostVerificationMethod, HostVerificationStatus


class HostSerializer(serializers.Serializer):
    """A served host or a pending claim (HostListing, TenantHost or TenantHostClaim). Who verified a
    host is not shown to the tenant, only how (`verification_method`)."""

    host = serializers.CharField(read_only=True)
    property_id = serializers.CharField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    verification_status = serializers.ChoiceField(choices=HostVerificationStatus.choices, read_only=True)
    verified_at = serializers.DateTimeField(read_only=True, allow_null=True, default=None)
    verification_method = serializers.ChoiceField(
        choices=HostVerificationMethod.choices, read_only=True, allow_null=True, default=None,
        help_text="dns (its TXT record) or operator (verified by hand); null while pending or for a host "
                  "added before verification existed.")
    challenge_record_name = serializers.CharField(source="challenge_name", read_only=True,
                                                  help_text="Where the TXT record holding the token goes.")
    challenge_record_type = serializers.SerializerMethodField()
    verification_attempts = serializers.IntegerField(read_only=True, default=0)
    verification_checked_at = serializers.DateTimeField(read_only=True, allow_null=True, default=None)
    verification_next_check_at = serializers.DateTimeField(read_only=True, allow_null=True, default=None)
    verification_last_error = serializers.CharField(read_only=True, allow_null=True, default=None)

    def get_challenge_record_type(self, obj) -> str:
        return "TXT"


class HostCreatedSerializer(HostSerializer):
    challenge_token = serializers.CharField(
        source="verification_token", read_only=True, allow_null=True,
        help_text="The TXT record's value. Shown in this reply only (null for a verified or already added host); "
                  "only its sha256 is kept.")



class HostCreateSerializer(serializers.Serializer):
    host = serializers.CharField(max_length=300)
    property_id = serializers.CharField(max_length=26, required=False, allow_null=True)
