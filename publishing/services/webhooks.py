"""Use cases of webhook subscriptions: a tenant's endpoints for its events (admin role and up).

The signing secret is generated here, stored encrypted, and returned once (on create and on
rotate). The URL is checked when it is set (https, a public address unless allow-listed) and
again at every delivery, since what a name resolves to may change.
"""
from __future__ import annotations

from typing import Any

from django.utils import timezone

from publishing.models import WebhookSubscription
from publishing.outbox.webhooks import WebhookTargetError, check_target, encrypt_secret, new_secret
from themeconfig.platform.errors import FieldError, not_found, validation_error
from themeconfig.platform.ids import is_valid_id
from themeconfig.platform.locks import tenant_lock
from themeconfig.platform.permissions import Permission
from themeconfig.platform.principal import Principal, use_case
from themeconfig.services.audit import audit_record
from themeconfig.services.occ import check_version, update_with_version

# The event types a subscription may ask for (an empty list means all of them).
EVENT_TYPES = ("theme.published.v1", "theme.rolled_back.v1", "theme.publish_requested.v1", "theme.publish_approved.v1",
               "theme.publish_rejected.v1", "theme.scheduled.v1", "theme.schedule_cancelled.v1",
               "theme.schedule_failed.v1")
MAX_SUBSCRIPTIONS_PER_TENANT = 20


def _errors(*, url: Any=None, event_types: Any=None, description: Any=None) -> list[FieldError]:
    errors = []
    if url is not None:
        if not isinstance(url, str) or not url.strip() or len(url) > 2000:
            errors.append(FieldError("/url", "invalid", "A URL of at most 2000 characters."))
        else:
            try:
                check_target(url.strip())
            except WebhookTargetError as exc:
                errors.append(FieldError("/url", "refused", str(exc)))
    if event_types is not None:
        if not isinstance(event_types, list) or not all(isinstance(t, str) for t in event_types):
            errors.append(FieldError("/event_types", "invalid_type", "A list of event types."))
        else:
            errors += [FieldError(f"/event_types/{i}", "unknown", f"Not one of {', '.join(EVENT_TYPES)}.")
                       for i, t in enumerate(event_types) if t not in EVENT_TYPES]
    if description is not None and (not isinstance(description, str) or len(description) > 200):
        errors.append(FieldError("/description", "too_long", "At most 200 characters."))
    return errors


def _view(subscription: WebhookSubscription) -> dict[str, Any]:
    return {"url": subscription.url, "event_types": list(subscription.event_types),
            "is_active": subscription.is_active, "description": subscription.description}


def _get(subscription_id: str) -> WebhookSubscription:
    subscription = (WebhookSubscription.objects.select_for_update().filter(pk=subscription_id).first()
                    if is_valid_id(subscription_id, "whk") else None)
    if subscription is None:
        raise not_found("webhook subscription")
    return subscription


def webhook_subscription_create(*, principal: Principal, url: str, event_types: list[str] | None = None,
                                description: str | None = None) -> tuple[WebhookSubscription, str]:
    """A new subscription; returns it and its signing secret (`whsec_…`, shown this once)."""
    event_types = [] if event_types is None else event_types
    if errors := _errors(url=url, event_types=event_types, description=description):
        raise validation_error(errors)
    with use_case(principal, Permission.TENANT_MANAGE):
        # Creating is the only write that raises the count; under one lock per tenant two creates
        # cannot both see the last free slot (a delete meanwhile only makes the count cautious).
        tenant_lock("webhook_subscriptions", principal.bound_tenant_id)
        if WebhookSubscription.objects.count() >= MAX_SUBSCRIPTIONS_PER_TENANT:
            raise validation_error([FieldError("/url", "limit", f"At most {MAX_SUBSCRIPTIONS_PER_TENANT} "
                                                               "webhook subscriptions per tenant.")])
        secret = new_secret()
        subscription = WebhookSubscription.objects.create(
            tenant_id=principal.bound_tenant_id, url=url.strip(), secret_encrypted=encrypt_secret(secret),
            event_types=sorted(set(event_types)), description=description, created_by=principal.actor,
            updated_by=principal.actor)
        audit_record(principal=principal, action="webhook.created", entity_type="webhook",
                     entity_id=subscription.pk, new=_view(subscription))
    return subscription, secret


def webhook_subscription_update(*, principal: Principal, subscription_id: str, expected_version: int,
                                **changes: Any) -> WebhookSubscription:
    """Changes url, event_types, is_active and/or description (OCC on `version`)."""
    allowed = {"url", "event_types", "is_active", "description"}
    if unknown := set(changes) - allowed:
        raise validation_error([FieldError(f"/{name}", "unknown", "Not a field of a webhook subscription.")
                                for name in sorted(unknown)])
    errors = _errors(url=changes.get("url"), event_types=changes.get("event_types"),
                     description=changes.get("description"))
    if "is_active" in changes and not isinstance(changes["is_active"], bool):
        errors.append(FieldError("/is_active", "invalid_type", "true or false."))
    if errors:
        raise validation_error(errors)
    if "url" in changes:
        changes["url"] = changes["url"].strip()
    if "event_types" in changes:
        changes["event_types"] = sorted(set(changes["event_types"]))
    with use_case(principal, Permission.TENANT_MANAGE):
        before = _get(subscription_id)
        update_with_version(WebhookSubscription, pk=before.pk, expected_version=expected_version, what="webhook subscription",
                            values={**changes, "updated_at": timezone.now(), "updated_by": principal.actor})
        after = WebhookSubscription.objects.get(pk=before.pk)
        audit_record(principal=principal, action="webhook.updated", entity_type="webhook", entity_id=after.pk,
                     old=_view(before), new=_view(after))
        return after


def webhook_subscription_rotate_secret(*, principal: Principal, subscription_id: str) -> tuple[WebhookSubscription, str]:
    """A new signing secret; the old one stops signing at once. Returns the secret (shown this once)."""
    with use_case(principal, Permission.TENANT_MANAGE):
        subscription = _get(subscription_id)
        secret = new_secret()
        WebhookSubscription.objects.filter(pk=subscription.pk).update(
            secret_encrypted=encrypt_secret(secret), version=subscription.version + 1, updated_at=timezone.now(),
            updated_by=principal.actor)
        audit_record(principal=principal, action="webhook.secret_rotated", entity_type="webhook",
                     entity_id=subscription.pk, old={"version": subscription.version},
                     new={"version": subscription.version + 1})
        return WebhookSubscription.objects.get(pk=subscription.pk), secret


def webhook_subscription_delete(*, principal: Principal, subscription_id: str, expected_version: int) -> None:
    """Removes the subscription and its delivery history."""
    with use_case(principal, Permission.TENANT_MANAGE):
        subscription = _get(subscription_id)
        check_version(current=subscription.version, expected_version=expected_version, what="webhook subscription")
        subscription.delete()
        audit_record(principal=principal, action="webhook.deleted", entity_type="webhook", entity_id=subscription_id,
                     old=_view(subscription))
