"""Error codes of publishing, and the constraint rules of its tables; codes are never renamed or reused."""
from enum import StrEnum

from themeconfig.platform.errors import CoreErrorCode, already_exists, invalid, register_constraints, taken


class PublishingErrorCode(StrEnum):
    PUBLISH_CONFLICT = "MELMASTOON.THEME.PUBLISH_CONFLICT"
    EVENT_DUPLICATE = "MELMASTOON.EVENT.DUPLICATE"


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

register_constraints(CONSTRAINTS)
