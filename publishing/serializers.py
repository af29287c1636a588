"""Representations of publishing's resources (shape only)."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from publishing.models import (
    PreviewToken,
    PublishJob,
    PublishRequest,
    PublishSchedule,
    RolloutStatus,
    ThemePublication,
)


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


class PublishJobSerializer(serializers.ModelSerializer):
    class Meta:
        model = PublishJob
        fields = ["id", "theme_id", "theme_version_id", "kind", "status", "expected_theme_version",
                  "target_publication_id", "publication_id", "bundle_sha256", "error_code", "error_message", "trace",
                  "attempts", "requested_by", "created_at", "started_at", "finished_at", "updated_at"]
        read_only_fields = fields


class PublicationSerializer(serializers.ModelSerializer):
    class Meta:
        model = ThemePublication
        fields = ["id", "theme_id", "theme_version_id", "is_active", "bundle_url", "bundle_sha256",
                  "cdn_invalidation_id", "reason", "published_at", "published_by", "superseded_at", "superseded_by_id"]
        read_only_fields = fields


class PublishRequestSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, help_text="The theme's version you saw (or send If-Match).")
    note = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=2000,
                                 help_text="With four-eyes on: a note for the approvers.")


@extend_schema_serializer(component_name="PublishApprovalRequest")
class PublishApprovalRequestSerializer(serializers.ModelSerializer):
    """A publish, rollback or re-publish waiting for (or given) a second member's approval."""

    requested_by = serializers.CharField(source="created_by", read_only=True)
    state = serializers.CharField(source="state_label", read_only=True)

    class Meta:
        model = PublishRequest
        fields = ["id", "theme_id", "theme_version_id", "action", "target_publication_id", "live_publication_id",
                  "run_at", "status", "decision", "state", "request_note", "decision_note", "requested_by",
                  "decided_by", "decided_at", "void_reason", "voided_at", "publish_job_id", "version", "created_at",
                  "updated_at"]
        read_only_fields = fields


class PublishDecisionSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, help_text="The request's version you saw (or send If-Match).")
    note = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=2000,
                                 help_text="Why: optional to approve, required to reject.")


class RollbackRequestSerializer(PublishRequestSerializer):
    publication_id = serializers.CharField(required=False, allow_null=True, max_length=26)


class ResolutionSerializer(serializers.Serializer):
    host = serializers.CharField()
    theme_id = serializers.CharField()
    publication_id = serializers.CharField(allow_null=True, help_text=(
        "The active publication; null in a rollout's candidate answer (not published yet)."))
    theme_version_id = serializers.CharField()
    bundle_url = serializers.CharField()
    bundle_sha256 = serializers.CharField()
    published_at = serializers.DateTimeField()
    rollout_id = serializers.CharField(required=False, help_text=(
        "Only in a rollout's candidate answer: the rollout (`rol_…`) whose slice this visitor is in."))


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    class Meta:
        from publishing.models import WebhookSubscription

        model = WebhookSubscription
        fields = ["id", "url", "event_types", "is_active", "description", "version", "created_at", "created_by",
                  "updated_at", "updated_by"]
        read_only_fields = fields


class WebhookSubscriptionCreatedSerializer(WebhookSubscriptionSerializer):
    """The one response that carries the signing secret (`whsec_…`; verify signatures with it)."""

    secret = serializers.CharField(read_only=True)

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookSubscriptionCreateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=2000)
    event_types = serializers.ListField(child=serializers.CharField(max_length=100), required=False, max_length=20)
    description = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=200)


class WebhookSubscriptionUpdateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=2000, required=False)
    event_types = serializers.ListField(child=serializers.CharField(max_length=100), required=False, max_length=20)
    is_active = serializers.BooleanField(required=False)
    description = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=200)
    version = serializers.IntegerField(required=False, min_value=1, help_text="The version you edited (or If-Match).")


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        from publishing.models import WebhookDelivery

        model = WebhookDelivery
        fields = ["id", "event_id", "subscription_id", "attempt_count", "last_status", "last_error", "delivered_at",
                  "created_at", "updated_at"]
        read_only_fields = fields


class RolloutSerializer(serializers.Serializer):
    id = serializers.CharField()
    theme_id = serializers.CharField()
    candidate_version_id = serializers.CharField()
    candidate_bundle_url = serializers.CharField()
    candidate_bundle_sha256 = serializers.CharField()
    status = serializers.ChoiceField(choices=RolloutStatus.choices)
    percentage = serializers.SerializerMethodField(help_text="Share of visitor keys in the slice (0 to 100).")
    hosts = serializers.ListField(child=serializers.CharField(), help_text="Hosts whose every visitor is in the slice.")
    user_keys = serializers.ListField(child=serializers.CharField(), help_text="Visitor keys always in the slice.")
    promote_job_id = serializers.CharField(allow_null=True)
    reason = serializers.CharField()
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    created_by = serializers.CharField()
    updated_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    closed_by = serializers.CharField(allow_null=True)

    def get_percentage(self, rollout) -> float:
        return rollout.basis_points / 100


class RolloutDetailSerializer(RolloutSerializer):
    last_hour = serializers.SerializerMethodField(help_text=(
        "Resolves of the theme's hosts in the last hour and how many answered the candidate (counted in Redis, "
        "sent by each process every 10 s or so)."))

    def get_last_hour(self, rollout) -> dict:
        resolves, candidate = self.context["last_hour"]
        return {"resolves": resolves, "candidate": candidate,
                "candidate_share": round(candidate / resolves * 100, 2) if resolves else None}


class RolloutStartSerializer(serializers.Serializer):
    version_id = serializers.CharField(help_text="The draft or preview-ready version to roll out.")
    percentage = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, default=0)
    hosts = serializers.ListField(child=serializers.CharField(), required=False, default=list, max_length=100)
    user_keys = serializers.ListField(child=serializers.CharField(max_length=200), required=False, default=list,
                                      max_length=1000)
    reason = serializers.CharField(max_length=500)
    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text="The theme's version you saw (or If-Match with its ETag).")


class RolloutWidenSerializer(serializers.Serializer):
    percentage = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False)
    hosts = serializers.ListField(child=serializers.CharField(), required=False, max_length=100,
                                  help_text="Added to the named hosts.")
    user_keys = serializers.ListField(child=serializers.CharField(max_length=200), required=False, max_length=1000,
                                      help_text="Added to the named user keys.")
    reason = serializers.CharField(max_length=500)
    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text="The rollout's version you saw (or If-Match with its ETag).")


class RolloutChangeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)
    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text="The rollout's version you saw (or If-Match); abort needs none.")


class ScheduleSerializer(serializers.ModelSerializer):
    """A publish schedule; times in UTC, with `run_at_local` in the tenant's `time_zone` (context)."""

    revert_id = serializers.SerializerMethodField(help_text="A publish's revert schedule, if it has one.")
    version_ordinal = serializers.IntegerField(source="theme_version.ordinal", read_only=True)
    run_at_local = serializers.SerializerMethodField(help_text="run_at in the tenant's time zone (ISO 8601).")
    time_zone = serializers.SerializerMethodField(help_text="The tenant's time zone (settings.time_zone, default UTC).")

    class Meta:
        model = PublishSchedule
        fields = ["id", "theme_id", "theme_version_id", "version_ordinal", "kind", "reverts_id", "revert_id", "run_at",
                  "run_at_local", "time_zone", "status", "expected_version_version", "previous_publication_id",
                  "publish_job_id", "publication_id", "error_code", "error_message", "started_at", "finished_at",
                  "cancelled_at", "cancelled_by", "version", "created_at", "created_by", "updated_at", "updated_by"]
        read_only_fields = fields

    def get_revert_id(self, obj) -> str | None:
        revert = getattr(obj, "revert", None) if obj.kind == "publish" else None
        return revert.pk if revert is not None else None

    def get_time_zone(self, obj) -> str:
        return self.context.get("time_zone", "UTC")

    def get_run_at_local(self, obj) -> str:
        from zoneinfo import ZoneInfo

        from django.utils import timezone

        return timezone.localtime(obj.run_at, ZoneInfo(self.get_time_zone(obj))).isoformat()


class ScheduleCreateSerializer(serializers.Serializer):
    version_id = serializers.CharField(max_length=26, help_text="The preview-ready version to publish.")
    run_at = serializers.DateTimeField(help_text="When to publish (ISO 8601; without an offset, in the tenant's time zone).")
    revert_at = serializers.DateTimeField(required=False, allow_null=True,
                                          help_text="When to restore the publication live just before run_at (optional).")


class ScheduleMoveSerializer(serializers.Serializer):
    run_at = serializers.DateTimeField(help_text="The new time (ISO 8601; without an offset, in the tenant's time zone).")
    version = serializers.IntegerField(required=False, min_value=1, help_text="The schedule's version you saw (or If-Match).")


class ScheduleCancelSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1, help_text="The schedule's version you saw (or If-Match).")
