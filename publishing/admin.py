"""Publishing on the operators' admin site (/platform/): the outbox (pending, dead letters, relayed;
retry dead letters) and publish jobs, both read-only: payloads and job records are the system's,
never hand-edited. Django's admin autodiscovery imports this module; a retry calls the use case
`outbox_event_retry` (as `manage.py relay_outbox --retry EVENT_ID…` does), so its logic stays in one place.
"""
from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html

from publishing import (
    schedule_admin,  # noqa: F401  (the theme's Schedules page)
    tenant_admin,  # noqa: F401  (registers the tenant staff's publishing pages)
    tenant_admin_approval,  # noqa: F401  (the tenant staff's "Waiting for approval" pages)
)
from publishing.models import OutboxEvent, PublishJob
from publishing.outbox import relay
from publishing.services.outbox_events import outbox_event_retry
from themeconfig.operator_admin.site import OperatorModelAdmin, operator_site
from themeconfig.platform.service_db import service_context


def pretty_json(value) -> str:
    return format_html("<pre style=\"white-space:pre-wrap;margin:0\">{}</pre>",
                       json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False))


class OutboxStateFilter(admin.SimpleListFilter):
    """Where an event is in the relay: waiting (or backing off), given up on, or delivered."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("pending", "pending"), ("dead", "dead-lettered"), ("relayed", "relayed")]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.filter(published_at__isnull=True, dead_lettered_at__isnull=True)
        if self.value() == "dead":
            return queryset.filter(published_at__isnull=True, dead_lettered_at__isnull=False)
        if self.value() == "relayed":
            return queryset.filter(published_at__isnull=False)
        return queryset


def outbox_state(event) -> str:
    if event.published_at is not None:
        return "relayed"
    return "dead-lettered" if event.dead_lettered_at is not None else "pending"


class OutboxEventOperatorAdmin(OperatorModelAdmin):
    list_display = ["event_id", "event_type", "tenant_id", "state", "attempt_count", "next_attempt_at",
                    "created_at", "published_at", "dead_lettered_at"]
    list_filter = [OutboxStateFilter]
    search_fields = ["event_id", "tenant_id", "event_type", "partition_key"]
    fields = ["event_id", "event_type", "tenant_id", "topic", "partition_key", "state", "attempt_count",
              "last_error", "created_at", "next_attempt_at", "dead_lettered_at", "published_at",
              "envelope_json", "attributes_json"]
    readonly_fields = fields
    actions = ["retry_dead_letters"]

    @admin.display(description="state")
    def state(self, obj):
        return outbox_state(obj)

    @admin.display(description="envelope")
    def envelope_json(self, obj):
        return pretty_json(obj.envelope)

    @admin.display(description="attributes")
    def attributes_json(self, obj):
        return pretty_json(obj.attributes)

    def has_retry_permission(self, request):
        return self.admin_site.has_permission(request)

    @admin.action(description="Retry the selected dead letters", permissions=["retry"])
    def retry_dead_letters(self, request, queryset):
        """`outbox_event_retry` for the selected dead letters (the others are left alone), by
        `operator:<username>`; the relay (woken by beat every 15 s) then delivers them."""
        with service_context():
            selected = list(queryset.values_list("event_id", flat=True))
        retried = outbox_event_retry(principal=request.operator, event_ids=selected)
        if not retried:
            self.message_user(request, "None of the selected events is a dead letter; nothing to retry.",
                              level="warning")
            return
        count = len(retried)
        self.message_user(request, f"{count} dead letter(s) due again · {relay.outbox_stats_text(relay.outbox_stats())}")


class PublishJobOperatorAdmin(OperatorModelAdmin):
    list_display = ["id", "tenant_id", "kind", "status", "error_code", "attempts", "created_at", "finished_at"]
    list_filter = ["status", "kind", ("error_code", admin.EmptyFieldListFilter)]
    search_fields = ["id", "tenant_id", "error_code"]
    fields = ["id", "tenant_id", "kind", "status", "theme_id", "theme_version_id", "attempts", "error_code",
              "error_message", "bundle_sha256", "publication_id", "requested_by", "created_at", "started_at",
              "finished_at", "updated_at", "trace_json"]
    readonly_fields = fields

    @admin.display(description="trace")
    def trace_json(self, obj):
        return pretty_json(obj.trace)

    @admin.display(description="theme")
    def theme_id(self, obj):
        return obj.theme_id

    @admin.display(description="version")
    def theme_version_id(self, obj):
        return obj.theme_version_id

    @admin.display(description="publication")
    def publication_id(self, obj):
        return obj.publication_id


operator_site.register(OutboxEvent, OutboxEventOperatorAdmin)
operator_site.register(PublishJob, PublishJobOperatorAdmin)
