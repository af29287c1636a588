"""Reads of publishing's tables (RLS scopes every query to the tenant)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from publishing.models import (
    PreviewToken,
    PublishJob,
    PublishRequest,
    PublishSchedule,
    ThemePublication,
    ThemeRollout,
)

if TYPE_CHECKING:
    from publishing.models import WebhookDelivery, WebhookSubscription
from themeconfig.platform.errors import not_found
from themeconfig.platform.ids import is_valid_id
from themeconfig.platform.read_replica import reading_alias


def preview_token_list(*, version_id: str) -> QuerySet[PreviewToken]:
    return PreviewToken.objects.filter(theme_version_id=version_id)


def publish_job_get(job_id: str) -> PublishJob:
    job = PublishJob.objects.filter(pk=job_id).first() if is_valid_id(job_id, "pbj") else None
    if job is None:
        raise not_found("publish job")
    return job


def publication_list(*, theme_id: str) -> QuerySet[ThemePublication]:
    return ThemePublication.objects.filter(theme_id=theme_id)


_RESOLUTION_FIELDS = ("host", "theme_id", "publication_id", "theme_version_id", "bundle_url", "bundle_sha256",
                      "published_at", "rollout")


def publication_labels(publication_ids: Iterable[str]) -> dict[str, str]:
    """Each publication as staff name it, by the version it put live ("version 2"), by id; those not
    found are left out."""
    return {pk: f"version {ordinal}" for pk, ordinal in ThemePublication.objects.filter(
        pk__in=list(publication_ids)).values_list("pk", "theme_version__ordinal")}


def resolve_host(host: str) -> dict[str, Any] | None:
    """The public read: through theme_config.resolve_host(), which answers for this one host only."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(_RESOLUTION_FIELDS)} FROM theme_config.resolve_host(%s)", [host])
        row = cursor.fetchone()
    return None if row is None else dict(zip(_RESOLUTION_FIELDS, row, strict=True))


def resolve_host_at_generation(host: str) -> tuple[int, dict[str, Any] | None]:
    """resolve_host() and the resolve generation it is at least as new as, in one statement (the resolve
    cache's stamp: publishing/sql/0014_resolve_generation.sql). On the read replica inside a
    lag-tolerant read (themeconfig.platform.read_replica)."""
    from django.db import connections

    with connections[reading_alias()].cursor() as cursor:
        cursor.execute(f"SELECT generation, {', '.join(_RESOLUTION_FIELDS)} "
                       "FROM theme_config.resolve_host_at_generation(%s)", [host])
        generation, *row = cursor.fetchone()
    return generation, None if row[0] is None else dict(zip(_RESOLUTION_FIELDS, row, strict=True))


def webhook_subscription_list() -> QuerySet[WebhookSubscription]:
    from publishing.models import WebhookSubscription

    return WebhookSubscription.objects.all()


def webhook_subscription_get(subscription_id: str) -> WebhookSubscription:
    from publishing.models import WebhookSubscription

    subscription = (WebhookSubscription.objects.filter(pk=subscription_id).first()
                    if is_valid_id(subscription_id, "whk") else None)
    if subscription is None:
        raise not_found("webhook subscription")
    return subscription


def webhook_delivery_list(*, subscription_id: str) -> QuerySet[WebhookDelivery]:
    from publishing.models import WebhookDelivery

    return WebhookDelivery.objects.filter(subscription_id=subscription_id)


def publication_version_id(publication_id: str) -> str | None:
    """The version a publication published, or None for an unknown publication."""
    return ThemePublication.objects.filter(pk=publication_id).values_list("theme_version_id", flat=True).first()


def schedule_list(*, theme_id: str) -> QuerySet[PublishSchedule]:
    """The theme's schedules, soonest first, each with its revert (a publish's) at hand."""
    return PublishSchedule.objects.filter(theme_id=theme_id).select_related("revert", "theme_version")


def schedule_get(schedule_id: str) -> PublishSchedule:
    schedule = (PublishSchedule.objects.select_related("revert", "theme_version").filter(pk=schedule_id).first()
                if is_valid_id(schedule_id, "sch") else None)
    if schedule is None:
        raise not_found("schedule")
    return schedule


def schedule_creators(*, publication_ids: Iterable[str]) -> dict[str, str]:
    """Publication id → the creator of the schedule that made it, for those a schedule made."""
    ids = list(publication_ids)
    if not ids:
        return {}
    return dict(PublishSchedule.objects.filter(publication_id__in=ids).values_list("publication_id", "created_by"))


def publish_request_list(*, status: str | None = None, theme_id: str | None = None) -> QuerySet[PublishRequest]:
    """The tenant's publish requests, newest first (RLS keeps them to the current tenant)."""
    requests = PublishRequest.objects.select_related("theme", "theme_version").order_by("-created_at", "-id")
    if status:
        requests = requests.filter(status=status)
    if theme_id:
        requests = requests.filter(theme_id=theme_id)
    return requests


def publish_request_get(request_id: str) -> PublishRequest:
    request = (publish_request_list().filter(pk=request_id).first() if is_valid_id(request_id, "pbr") else None)
    if request is None:
        raise not_found("publish request")
    return request


def rollout_list(*, theme_id: str) -> QuerySet[ThemeRollout]:
    return ThemeRollout.objects.filter(theme_id=theme_id)


def rollout_get(rollout_id: str) -> ThemeRollout:
    rollout = ThemeRollout.objects.filter(pk=rollout_id).first() if is_valid_id(rollout_id, "rol") else None
    if rollout is None:
        raise not_found("rollout")
    return rollout


def open_rollout(*, theme_id: str) -> ThemeRollout | None:
    """The theme's open (running or paused) rollout, if any."""
    return ThemeRollout.objects.filter(theme_id=theme_id, status__in=("running", "paused")).first()
