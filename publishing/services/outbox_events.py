"""Use cases of outbox events an operator acts on: retrying dead letters (operators only).

The operators' admin action and `manage.py relay_outbox --retry` both call `outbox_event_retry`, so
both lock, retry and audit the same way.
"""
from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from publishing.models import OutboxEvent
from themeconfig.platform.errors import CoreErrorCode, DomainError
from themeconfig.platform.principal import Principal
from themeconfig.platform.service_db import service_context
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.services.audit import audit_record


def outbox_event_retry(*, principal: Principal, event_ids: Iterable[str] | None) -> list[str]:
    """Gives dead letters (the ones named, or all if `event_ids` is None) a fresh set of attempts,
    due now, with one audit row per event in its tenant; returns the ids retried, in id order.

    Events that are not dead letters (unknown, delivered, or still being retried) are left alone.
    The dead letters are locked first (`FOR UPDATE`, in id order), so two callers racing for one
    dead letter retry and audit it once: the second finds it no longer dead once the first commits.
    The audit rows go through the tenant's own connection (the app role may not touch the outbox),
    committed just before the retry itself; the relay, woken by beat, then delivers the events.
    """
    if principal is None or not principal.is_operator:
        raise DomainError(CoreErrorCode.PERMISSION_DENIED, "Only operators retry dead letters.", http_status=403)
    with service_context() as alias:
        found = OutboxEvent.objects.using(alias).filter(published_at__isnull=True, dead_lettered_at__isnull=False)
        if event_ids is not None:
            found = found.filter(event_id__in=list(event_ids))
        dead = list(found.select_for_update().order_by("id"))
        if not dead:
            return []
        OutboxEvent.objects.using(alias).filter(pk__in=[event.pk for event in dead]).update(
            dead_lettered_at=None, attempt_count=0, next_attempt_at=timezone.now())
        for event in dead:
            with tenant_context(event.tenant_id):
                audit_record(
                    principal=principal.in_tenant(event.tenant_id), action="outbox_event.retried",
                    entity_type="outbox_event", entity_id=event.event_id,
                    old={"dead_lettered_at": event.dead_lettered_at, "attempt_count": event.attempt_count},
                    new={"dead_lettered_at": None, "attempt_count": 0},
                )
        return [event.event_id for event in dead]
