"""Error codes of publishing, and the constraint rules of its tables; codes are never renamed or reused."""
from enum import StrEnum

from themeconfig.platform.errors import CoreErrorCode, already_exists, invalid, register_constraints, taken


class PublishingErrorCode(StrEnum):
    PUBLISH_CONFLICT = "MELMASTOON.THEME.PUBLISH_CONFLICT"
    VERSION_CHANGED = "MELMASTOON.PUBLISH.VERSION_CHANGED"
    BUNDLE_MISSING = "MELMASTOON.PUBLISH.BUNDLE_MISSING"
    WORKER_LOST = "MELMASTOON.PUBLISH.WORKER_LOST"
    BUILD_FAILED = "MELMASTOON.PUBLISH.BUILD_FAILED"
    EVENT_DUPLICATE = "MELMASTOON.EVENT.DUPLICATE"
    STORAGE_FULL = "MELMASTOON.PUBLISH.STORAGE_FULL"
    STORAGE_UNAVAILABLE = "MELMASTOON.PUBLISH.STORAGE_UNAVAILABLE"
    RESOLVE_INVALID_HOST = "MELMASTOON.RESOLVE.INVALID_HOST"
    EXPORT_SCHEMA_MISMATCH = "MELMASTOON.EXPORT.SCHEMA_MISMATCH"
    EXPORT_CHECKSUM_MISMATCH = "MELMASTOON.EXPORT.CHECKSUM_MISMATCH"
    EXPORT_INVALID_ARCHIVE = "MELMASTOON.EXPORT.INVALID_ARCHIVE"
    EXPORT_TENANT_EXISTS = "MELMASTOON.EXPORT.TENANT_EXISTS"
    EXPORT_FAILED = "MELMASTOON.EXPORT.FAILED"
    EXPORT_WORKER_LOST = "MELMASTOON.EXPORT.WORKER_LOST"
    EXPORT_NOT_READY = "MELMASTOON.EXPORT.NOT_READY"
    ERASURE_CONFIRMATION = "MELMASTOON.ERASURE.CONFIRMATION_MISMATCH"
    ERASURE_NOT_PENDING = "MELMASTOON.ERASURE.NOT_PENDING"
    SCHEDULE_CONFLICT = "MELMASTOON.SCHEDULE.CONFLICT"
    SCHEDULE_STARTED = "MELMASTOON.SCHEDULE.ALREADY_STARTED"
    SCHEDULE_VERSION_CHANGED = "MELMASTOON.SCHEDULE.VERSION_CHANGED"
    SCHEDULE_NOTHING_TO_REVERT = "MELMASTOON.SCHEDULE.NOTHING_TO_REVERT"
    SCHEDULE_PUBLISH_NOT_DONE = "MELMASTOON.SCHEDULE.PUBLISH_NOT_DONE"
    SCHEDULE_NOT_PENDING_APPROVAL = "MELMASTOON.SCHEDULE.NOT_PENDING_APPROVAL"
    SCHEDULE_CREATOR_NOT_ALLOWED = "MELMASTOON.SCHEDULE.CREATOR_NOT_ALLOWED"
    # Four-eyes approval (issue 21).
    REQUEST_SELF_APPROVAL = "MELMASTOON.PUBLISH_REQUEST.SELF_APPROVAL"
    REQUEST_NOT_PENDING = "MELMASTOON.PUBLISH_REQUEST.NOT_PENDING"
    REQUEST_VOIDED_BY_EDIT = "MELMASTOON.PUBLISH_REQUEST.VOIDED_BY_EDIT"
    REQUEST_NOT_REQUESTER = "MELMASTOON.PUBLISH_REQUEST.NOT_REQUESTER"
    REQUEST_NOTE_REQUIRED = "MELMASTOON.PUBLISH_REQUEST.NOTE_REQUIRED"
    EMERGENCY_OPERATORS_ONLY = "MELMASTOON.PUBLISH.EMERGENCY_OPERATORS_ONLY"
    ROLLOUT_RUNNING = "MELMASTOON.ROLLOUT.RUNNING"
    ROLLOUT_CLOSED = "MELMASTOON.ROLLOUT.CLOSED"
    ROLLOUT_NARROWING = "MELMASTOON.ROLLOUT.NARROWING"
    ROLLOUT_NOTHING_LIVE = "MELMASTOON.ROLLOUT.NOTHING_LIVE"


CONSTRAINTS = {
    "theme_publications_pkey": already_exists(),
    "theme_publications_id_check": invalid("/id", "Not a publication id."),
    "theme_publications_reason_check": invalid("/reason", "Reason must be publish, rollback or re_publish."),
    "theme_publications_active_uq": taken(
        PublishingErrorCode.PUBLISH_CONFLICT, "/theme_id", "Another publication of this theme became active first."
    ),
    "preview_tokens_pkey": already_exists(),
    "preview_tokens_id_check": invalid("/id", "Not a preview token id."),
    "preview_tokens_hash_uq": already_exists("/token"),
    "outbox_pkey": already_exists(),
    "outbox_event_id_check": invalid("/event_id", "An event id is a 26-character ULID."),
    "outbox_event_id_key": taken(PublishingErrorCode.EVENT_DUPLICATE, "/event_id", "This event is already in the outbox."),
    "consumed_events_pkey": taken(PublishingErrorCode.EVENT_DUPLICATE, "/event_id", "This event was already consumed."),
    "idempotency_keys_pkey": taken(
        CoreErrorCode.IDEMPOTENCY_KEY_IN_USE, "/Idempotency-Key",
        "A request with this Idempotency-Key is in progress or done; retry to get its stored response.",
    ),
}

CONSTRAINTS.update({
    "publish_jobs_pkey": already_exists(),
    "publish_jobs_id_check": invalid("/id", "Not a publish job id."),
    "publish_jobs_tenant_id_check": invalid("/tenant_id", "Not a tenant id."),
    "publish_jobs_kind_check": invalid("/kind", "Kind must be publish, rollback or re_publish."),
    "publish_jobs_status_check": invalid("/status", "Not a publish job status."),
    "publish_jobs_expected_theme_version_check": invalid("/version", "The theme version is a positive integer."),
    "publish_jobs_bundle_sha256_check": invalid("/bundle_sha256", "Not a sha256."),
    "publish_jobs_trace_check": invalid("/trace", "The trace is a JSON object."),
    "publish_jobs_principal_check": invalid("/principal", "The principal is a JSON object."),
    "publish_jobs_finished_chk": invalid("/status", "A finished job has its finish time, an open one none."),
    "publish_jobs_failed_has_code_chk": invalid("/error_code", "A failed job says why."),
    "host_resolution_pkey": already_exists("/host"),
    "webhook_subscriptions_pkey": already_exists(),
    "webhook_subscriptions_id_check": invalid("/id", "Not a webhook subscription id."),
    "webhook_subscriptions_tenant_id_check": invalid("/tenant_id", "Not a tenant id."),
    "webhook_subscriptions_url_check": invalid("/url", "An http(s) URL of at most 2000 characters."),
    "webhook_subscriptions_description_check": invalid("/description", "At most 200 characters."),
    "webhook_subscriptions_version_check": invalid("/version", "The version is a positive integer."),
    "webhook_deliveries_pkey": already_exists(),
    "webhook_deliveries_event_subscription_uq": already_exists("/event_id"),
    "read_model_refresh_state_pkey": already_exists(),
    "read_model_refresh_state_id_check": invalid("/id", "The refresh state is the one row with id 1."),
    "resolve_generation_pkey": already_exists(),
    "resolve_generation_singleton_check": invalid("/singleton", "The resolve generation is one row."),
    "bundle_purges_pkey": already_exists("/storage_key"),
    "bundle_purges_storage_key_check": invalid("/storage_key", "A purged bundle's key is under bundles/."),
    "bundle_purges_tenant_id_check": invalid("/tenant_id", "Not a tenant id."),
})

CONSTRAINTS.update({
    "tenant_export_jobs_pkey": already_exists(),
    "tenant_export_jobs_id_check": invalid("/id", "Not an export job id."),
    "tenant_export_jobs_tenant_id_check": invalid("/tenant_id", "Not a tenant id."),
    "tenant_export_jobs_status_check": invalid("/status", "Not an export job status."),
    "tenant_export_jobs_storage_key_check": invalid("/storage_key", "An export is stored under exports/."),
    "tenant_export_jobs_size_bytes_check": invalid("/size_bytes", "A size is not negative."),
    "tenant_export_jobs_manifest_check": invalid("/manifest", "The manifest is a JSON object."),
    "tenant_export_jobs_trace_check": invalid("/trace", "The trace is a JSON object."),
    "tenant_export_jobs_principal_check": invalid("/principal", "The principal is a JSON object."),
    "tenant_export_jobs_finished_chk": invalid("/status", "A finished job has its finish time, an open one none."),
    "tenant_export_jobs_failed_has_code_chk": invalid("/error_code", "A failed job says why."),
    "tenant_export_jobs_succeeded_has_key_chk": invalid("/storage_key", "A succeeded export names its archive."),
})

CONSTRAINTS.update({
    "publish_schedules_pkey": already_exists(),
    "publish_schedules_id_check": invalid("/id", "Not a schedule id."),
    "publish_schedules_tenant_id_check": invalid("/tenant_id", "Not a tenant id."),
    "publish_schedules_kind_check": invalid("/kind", "Kind must be publish or revert."),
    "publish_schedules_status_check": invalid("/status", "Not a schedule status."),
    "publish_schedules_version_check": invalid("/version", "The version is a positive integer."),
    "publish_schedules_revert_names_publish_chk": invalid("/reverts_id", "A revert, and only a revert, names its publish."),
    "publish_schedules_failed_has_code_chk": invalid("/error_code", "A failed schedule says why."),
    "publish_schedules_cancelled_chk": invalid("/status", "A cancelled schedule, and only one, has its cancel time."),
    "publish_schedules_finished_chk": invalid("/status", "A finished schedule has its finish time, an open one none."),
    "publish_schedules_reverts_uq": already_exists("/revert_at"),
    "publish_schedules_job_uq": already_exists("/publish_job_id"),
    "publish_requests_pkey": already_exists(),
    "publish_requests_id_check": invalid("/id", "Not a publish request id."),
    "publish_requests_tenant_id_check": invalid("/tenant_id", "Not a tenant id."),
    "publish_requests_action_check": invalid("/action", "Action must be publish, rollback, re_publish, schedule or promote."),
    "publish_requests_status_check": invalid("/status", "Not a publish request status."),
    "publish_requests_decision_check": invalid("/decision", "Decision must be approved or rejected."),
    "publish_requests_request_note_check": invalid("/note", "At most 2000 characters."),
    "publish_requests_decision_note_check": invalid("/note", "At most 2000 characters."),
    "publish_requests_expected_version_version_check": invalid("/version", "The version is a positive integer."),
    "publish_requests_version_check": invalid("/version", "The version is a positive integer."),
    "publish_requests_decided_chk": invalid("/status", "A decided request has its decision, decider and time."),
    "publish_requests_voided_chk": invalid("/status", "A voided request says why and when."),
    "publish_requests_rollback_target_chk": invalid("/publication_id", "A rollback request names its publication."),
    "publish_requests_run_at_chk": invalid("/run_at", "A scheduled publish, and only one, has a time and its schedule."),
    "publish_requests_rollout_chk": invalid("/rollout_id", "A rollout promote, and only one, names its rollout."),
    "publish_requests_four_eyes_chk": taken(
        PublishingErrorCode.REQUEST_SELF_APPROVAL, "/decided_by", "The member who asked cannot decide their own request."),
    "theme_rollouts_pkey": already_exists(),
    "theme_rollouts_id_check": invalid("/id", "Not a rollout id."),
    "theme_rollouts_tenant_id_check": invalid("/tenant_id", "Not a tenant id."),
    "theme_rollouts_candidate_version_version_check": invalid("/candidate_version_version", "A positive integer."),
    "theme_rollouts_candidate_bundle_sha256_check": invalid("/candidate_bundle_sha256", "Not a sha256."),
    "theme_rollouts_candidate_bundle_size_check": invalid("/candidate_bundle_size", "A size is not negative."),
    "theme_rollouts_status_check": invalid("/status", "Not a rollout status."),
    "theme_rollouts_basis_points_check": invalid("/percentage", "A percentage from 0 to 100."),
    "theme_rollouts_hosts_check": invalid("/hosts", "At most 100 hosts."),
    "theme_rollouts_user_keys_check": invalid("/user_keys", "At most 1,000 user keys."),
    "theme_rollouts_reason_check": invalid("/reason", "Say why, in 1 to 500 characters."),
    "theme_rollouts_version_check": invalid("/version", "The version is a positive integer."),
    "theme_rollouts_closed_chk": invalid("/status", "A closed rollout has its closing time, an open one none."),
    "theme_rollouts_open_uq": taken(PublishingErrorCode.ROLLOUT_RUNNING, "/theme_id",
                                    "The theme already has an open rollout."),
})

register_constraints(CONSTRAINTS)
