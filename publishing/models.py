"""Models of publishing; each mirrors a table or materialized view created by the SQL in sql/.

Publications and preview tokens are tenant data under RLS; outbox, consumed_events and
idempotency_keys are infrastructure tables for the service connection only (seed 000 §3.12);
the two read models are materialized views (seed 000 §6), refreshed by
`theme_config.refresh_read_models()`, so their models are unmanaged and read-only by nature.
No Meta.indexes/constraints: the SQL owns them.
"""
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django_rls.models import RLSModel

from themeconfig.models import Theme, ThemeVersion
from themeconfig.models.base import TenantModel
from themeconfig.models.tenancy import tenant_isolation_policy
from themeconfig.platform.ids import PrefixedIdField
from themeconfig.platform.jobs.models import Job


class PublicationReason(models.TextChoices):
    PUBLISH = "publish"
    ROLLBACK = "rollback"
    RE_PUBLISH = "re_publish"


class ThemePublication(RLSModel):
    """theme_config.theme_publications: at most one active per theme (theme_publications_active_uq)."""

    id = PrefixedIdField(prefix="thp", primary_key=True)
    tenant_id = models.TextField()
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="publications")
    theme_version = models.ForeignKey(ThemeVersion, on_delete=models.RESTRICT, related_name="publications")
    is_active = models.BooleanField(default=False)
    bundle_url = models.TextField()
    bundle_sha256 = models.TextField()
    cdn_invalidation_id = models.TextField(null=True, blank=True)
    reason = models.TextField(choices=PublicationReason.choices)
    published_at = models.DateTimeField(default=timezone.now)
    # NULL when system-initiated (provisioning, refresh).
    published_by = models.TextField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    # NO ACTION in SQL: the database refuses to delete a publication that superseded another.
    superseded_by = models.ForeignKey(
        "self", on_delete=models.DO_NOTHING, null=True, blank=True, related_name="supersedes"
    )

    class Meta:
        db_table = 'theme_config"."theme_publications'
        ordering = ["-published_at"]
        rls_policies = [tenant_isolation_policy()]

    def __str__(self) -> str:
        return f"{self.theme_id} → {self.theme_version_id} ({self.reason})"


class PreviewToken(RLSModel):
    """theme_config.preview_tokens: only the sha256 of the secret is stored (preview_tokens_hash_uq)."""

    id = PrefixedIdField(prefix="pvt", primary_key=True)
    tenant_id = models.TextField()
    theme_version = models.ForeignKey(ThemeVersion, on_delete=models.CASCADE, related_name="preview_tokens")
    token_hash = models.TextField(unique=True, editable=False)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_accessed_at = models.DateTimeField(null=True, blank=True, editable=False)
    access_count = models.IntegerField(default=0, editable=False)
    note = models.TextField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.TextField()

    class Meta:
        db_table = 'theme_config"."preview_tokens'
        ordering = ["-created_at"]
        rls_policies = [tenant_isolation_policy()]

    def __str__(self) -> str:
        return f"preview of {self.theme_version_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class OutboxEvent(models.Model):
    """theme_config.outbox: CloudEvents envelopes written in the use case's transaction, drained later."""

    id = models.BigAutoField(primary_key=True)
    event_id = models.TextField(unique=True)
    tenant_id = models.TextField()
    event_type = models.TextField()
    topic = models.TextField()
    partition_key = models.TextField()
    envelope = models.JSONField()
    attributes = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    attempt_count = models.IntegerField(default=0)
    last_error = models.TextField(null=True, blank=True)
    # Additions (publishing/sql/0009): when the relay may try again, and when it gave up.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    dead_lettered_at = models.DateTimeField(null=True, blank=True)
    # Additions (publishing/sql/0011): the lease of the relay delivering it (no row lock over the network).
    locked_until = models.DateTimeField(null=True, blank=True)
    locked_by = models.TextField(null=True, blank=True)

    class Meta:
        db_table = 'theme_config"."outbox'
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class ConsumedEvent(models.Model):
    """theme_config.consumed_events: the inbox that makes event handlers idempotent."""

    event_id = models.TextField(primary_key=True)
    tenant_id = models.TextField()
    event_type = models.TextField()
    consumed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = 'theme_config"."consumed_events'

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class IdempotencyKey(models.Model):
    """theme_config.idempotency_keys: the stored response of a POST made with an Idempotency-Key.

    In the database the primary key is (tenant_id, caller, endpoint, key) and the table is under
    RLS (publishing/sql/0005, 0012): a key is unique per tenant, caller (the principal's actor) and
    route. Django's state keeps `key` as its primary key because migrations cannot move an existing
    table to a composite one; read and write it by all four columns.
    """

    key = models.TextField(primary_key=True)
    tenant_id = models.TextField()
    caller = models.TextField(default="")
    endpoint = models.TextField()
    request_hash = models.TextField()
    response = models.JSONField(null=True, blank=True)
    status_code = models.IntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        db_table = 'theme_config"."idempotency_keys'

    def __str__(self) -> str:
        return f"{self.endpoint} {self.key}"


class PublishedThemeView(models.Model):
    """theme_config.published_theme_view (§6.1): the active bundle of every live theme."""

    theme_id = models.TextField(primary_key=True)
    tenant_id = models.TextField()
    property_id = models.TextField(null=True)
    default_locale = models.TextField()
    enabled_locales = ArrayField(models.TextField())
    publication_id = models.TextField()
    theme_version_id = models.TextField()
    bundle_url = models.TextField()
    bundle_sha256 = models.TextField()
    published_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = 'theme_config"."published_theme_view'

    def __str__(self) -> str:
        return f"{self.theme_id} → {self.bundle_url}"


class HostToThemeView(models.Model):
    """theme_config.host_to_theme_view (§6.2): the active bundle served on every host."""

    host = models.TextField(primary_key=True)
    theme_id = models.TextField()
    tenant_id = models.TextField()
    bundle_url = models.TextField()

    class Meta:
        managed = False
        db_table = 'theme_config"."host_to_theme_view'

    def __str__(self) -> str:
        return f"{self.host} → {self.bundle_url}"


# A job's kind is the reason its publication will carry.
PublishJobKind = PublicationReason


class PublishJobStatus(models.TextChoices):
    QUEUED = "queued"
    BUILDING = "building"
    UPLOADING = "uploading"
    FLIPPING = "flipping"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class PublishJob(Job):
    """theme_config.publish_jobs: one publish, rollback or re-publish, run by a worker, polled by the caller."""

    id = PrefixedIdField(prefix="pbj", primary_key=True)
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="publish_jobs")
    theme_version = models.ForeignKey(ThemeVersion, on_delete=models.CASCADE, related_name="publish_jobs")
    kind = models.TextField(choices=PublishJobKind.choices)
    status = models.TextField(choices=PublishJobStatus.choices, default=PublishJobStatus.QUEUED)
    expected_theme_version = models.IntegerField()
    expected_version_version = models.IntegerField(null=True, blank=True)
    target_publication = models.ForeignKey(
        ThemePublication, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    publication = models.ForeignKey(ThemePublication, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    bundle_sha256 = models.TextField(null=True, blank=True)

    class Meta(Job.Meta):
        db_table = 'theme_config"."publish_jobs'
        rls_policies = [tenant_isolation_policy()]

    def __str__(self) -> str:
        return f"{self.kind} {self.theme_version_id}: {self.status}"


class TenantExportJobStatus(models.TextChoices):
    QUEUED = "queued"
    WRITING = "writing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class TenantExportJob(Job):
    """theme_config.tenant_export_jobs: one archive of the whole tenant (publishing/tenant_archive.py),
    written by a worker to storage under `storage_key`, followed and downloaded by the owner."""

    id = PrefixedIdField(prefix="exj", primary_key=True)
    status = models.TextField(choices=TenantExportJobStatus.choices, default=TenantExportJobStatus.QUEUED)
    storage_key = models.TextField(null=True, blank=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    manifest = models.JSONField(default=dict)

    class Meta(Job.Meta):
        db_table = 'theme_config"."tenant_export_jobs'
        rls_policies = [tenant_isolation_policy()]

    def __str__(self) -> str:
        return f"export {self.pk}: {self.status}"


class HostResolution(RLSModel):
    """theme_config.host_resolution: one row per host with its theme's active bundle, kept by
    triggers in the transaction of each change; read publicly through theme_config.resolve_host()."""

    host = models.TextField(primary_key=True)
    tenant_id = models.TextField()
    theme_id = models.TextField()
    publication_id = models.TextField()
    theme_version_id = models.TextField()
    bundle_url = models.TextField()
    bundle_sha256 = models.TextField()
    published_at = models.DateTimeField()
    synced_at = models.DateTimeField()
    rollout = models.JSONField(null=True)  # the running rollout's slice (sql/0024_rollouts.sql)

    class Meta:
        db_table = 'theme_config"."host_resolution'
        managed = False
        rls_policies = [tenant_isolation_policy()]

    def __str__(self) -> str:
        return f"{self.host} → {self.bundle_sha256[:12]}"


class WebhookSubscription(TenantModel):
    """theme_config.webhook_subscriptions: a tenant's endpoint for its events (signed, Standard Webhooks)."""

    id = PrefixedIdField(prefix="whk", primary_key=True)
    url = models.TextField()
    # Fernet token of the signing secret (publishing/outbox/webhooks.py); the secret itself is shown once.
    secret_encrypted = models.TextField(editable=False)
    event_types = ArrayField(models.TextField(), default=list, blank=True)  # empty: every type
    is_active = models.BooleanField(default=True)
    description = models.TextField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        db_table = 'theme_config"."webhook_subscriptions'
        managed = False
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(RLSModel):
    """theme_config.webhook_deliveries: what one subscription's endpoint answered for one event."""

    id = models.BigAutoField(primary_key=True)
    event_id = models.TextField()
    subscription_id = models.TextField()
    tenant_id = models.TextField()
    attempt_count = models.IntegerField(default=0)
    last_status = models.IntegerField(null=True)
    last_error = models.TextField(null=True)
    delivered_at = models.DateTimeField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = 'theme_config"."webhook_deliveries'
        managed = False
        ordering = ["-id"]
        rls_policies = [tenant_isolation_policy()]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.subscription_id}"


class ScheduleKind(models.TextChoices):
    PUBLISH = "publish"
    REVERT = "revert"


class ScheduleStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", "Waiting for approval"
    SCHEDULED = "scheduled"
    RUNNING = "running"
    SUCCEEDED = "succeeded", "Done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class PublishSchedule(TenantModel):
    """theme_config.publish_schedules: a publish of a version at `run_at`, or the revert (`reverts`
    names its publish) that restores the publication active just before that publish ran.
    Run by the beat scan (publishing/services/schedules.py) through a publish job; cancellable and
    movable (OCC on `version`) while pending_approval or scheduled."""

    id = PrefixedIdField(prefix="sch", primary_key=True)
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="publish_schedules")
    theme_version = models.ForeignKey(ThemeVersion, on_delete=models.CASCADE, related_name="publish_schedules")
    kind = models.TextField(choices=ScheduleKind.choices)
    reverts = models.OneToOneField("self", on_delete=models.CASCADE, null=True, blank=True, related_name="revert")
    run_at = models.DateTimeField()
    status = models.TextField(choices=ScheduleStatus.choices, default=ScheduleStatus.SCHEDULED)
    # The version's OCC `version` when scheduled: an edit after that fails the schedule.
    expected_version_version = models.IntegerField(null=True, blank=True)
    # A publish's: the publication active just before it ran (what its revert restores).
    previous_publication = models.ForeignKey(ThemePublication, on_delete=models.SET_NULL, null=True, blank=True,
                                             related_name="+")
    publish_job = models.ForeignKey(PublishJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    publication = models.ForeignKey(ThemePublication, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    error_code = models.TextField(null=True, blank=True)
    error_message = models.TextField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.TextField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        db_table = 'theme_config"."publish_schedules'
        ordering = ["run_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.theme_version_id} at {self.run_at:%Y-%m-%d %H:%M} ({self.status})"
class PublishRequestAction(models.TextChoices):
    """What an approved request asks for: a publish job of this kind, or arming a schedule
    (`schedule`), or a rollout's promote job (`promote`)."""

    PUBLISH = "publish"
    ROLLBACK = "rollback"
    RE_PUBLISH = "re_publish", "Re-publish"
    SCHEDULE = "schedule", "Scheduled publish"
    PROMOTE = "promote", "Rollout promote"


class PublishRequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    DECIDED = "decided"
    VOIDED = "voided"
    WITHDRAWN = "withdrawn"


class PublishRequestDecision(models.TextChoices):
    APPROVED = "approved"
    REJECTED = "rejected"


class PublishRequest(TenantModel):
    """theme_config.publish_requests: a publish, rollback or re-publish waiting for a second member's
    approval (four-eyes, the tenant setting `four_eyes_publish`); `created_by` is who asked."""

    id = PrefixedIdField(prefix="pbr", primary_key=True)
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="publish_requests")
    theme_version = models.ForeignKey(ThemeVersion, on_delete=models.CASCADE, related_name="publish_requests")
    target_publication = models.ForeignKey(
        ThemePublication, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    live_publication = models.ForeignKey(
        ThemePublication, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    action = models.TextField(choices=PublishRequestAction.choices)
    run_at = models.DateTimeField(null=True, blank=True)  # a `schedule` request's time
    schedule = models.ForeignKey("PublishSchedule", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    rollout = models.ForeignKey("ThemeRollout", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    expected_version_version = models.IntegerField()
    status = models.TextField(choices=PublishRequestStatus.choices, default=PublishRequestStatus.PENDING)
    decision = models.TextField(choices=PublishRequestDecision.choices, null=True, blank=True)
    request_note = models.TextField(null=True, blank=True)
    decision_note = models.TextField(null=True, blank=True)
    decided_by = models.TextField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    publish_job = models.ForeignKey(PublishJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta(TenantModel.Meta):
        db_table = 'theme_config"."publish_requests'
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} of {self.theme_version_id}: {self.state_label}"

    @property
    def requested_by(self) -> str:
        return self.created_by

    @property
    def state_label(self) -> str:
        if self.status == PublishRequestStatus.DECIDED and self.decision:
            return PublishRequestDecision(self.decision).label
        if self.status == PublishRequestStatus.VOIDED:
            return "Voided: the version was edited after the request" if self.void_reason == "version_edited" \
                else f"Voided ({self.void_reason})"
        return PublishRequestStatus(self.status).label


class RolloutStatus(models.TextChoices):
    RUNNING = "running"
    PAUSED = "paused"
    PROMOTED = "promoted"
    ABORTED = "aborted"


OPEN_ROLLOUT = (RolloutStatus.RUNNING, RolloutStatus.PAUSED)


class ThemeRollout(TenantModel):
    """theme_config.theme_rollouts: a candidate bundle of a version served to a slice of the theme's
    guests; at most one open (running or paused) per theme (theme_rollouts_open_uq)."""

    id = PrefixedIdField(prefix="rol", primary_key=True)
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="rollouts")
    candidate_version = models.ForeignKey(ThemeVersion, on_delete=models.RESTRICT, related_name="rollouts")
    candidate_version_version = models.IntegerField()
    candidate_bundle_url = models.TextField()
    candidate_bundle_sha256 = models.TextField()
    candidate_bundle_size = models.BigIntegerField(null=True)
    status = models.TextField(choices=RolloutStatus.choices, default=RolloutStatus.RUNNING)
    basis_points = models.IntegerField(default=0)  # hundredths of a percent of visitor keys
    hosts = ArrayField(models.TextField(), default=list, blank=True)
    user_keys = ArrayField(models.TextField(), default=list, blank=True)
    promote_job = models.ForeignKey(PublishJob, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.TextField()
    closed_at = models.DateTimeField(null=True)
    closed_by = models.TextField(null=True)

    class Meta(TenantModel.Meta):
        db_table = 'theme_config"."theme_rollouts'
        managed = False
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.theme_id}: {self.candidate_version_id} to {self.basis_points / 100:g}% ({self.status})"
