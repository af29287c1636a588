"""Four-eyes approval's shared parts: whether a tenant has it on, opening a request instead of a job,
who may approve, and the e-mails each step sends.

Called from the publish use cases (publishing/services/publish.py), inside their transaction; the
decisions themselves are publishing/services/publish_requests.py. E-mails are composed in the use
case's transaction (the reads need its tenant) and sent after its commit (`transaction.on_commit`):
a notification lost with a failing mail server is harmless (the request waits in the admin's
"Waiting for approval" list and the outbox event is delivered to webhooks all the same), and the
network call never runs while the request's row is locked.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction

from publishing.models import (
    PublishRequest,
    PublishRequestAction,
    PublishSchedule,
    ThemePublication,
    ThemeRollout,
)
from publishing.outbox.enqueue import outbox_enqueue
from themeconfig.models import ApiClient, Membership, Tenant, Theme, ThemeVersion
from themeconfig.platform.ids import new_id
from themeconfig.platform.permissions import ROLE_PERMISSIONS, Permission
from themeconfig.platform.principal import Principal
from themeconfig.services.audit import audit_record

logger = logging.getLogger(__name__)
SETTING = "four_eyes_publish"
MAX_NOTE = 2000
ACTION_WORDS: dict[str, str] = {PublishRequestAction.PUBLISH: "publish", PublishRequestAction.ROLLBACK: "rollback",
                                 PublishRequestAction.RE_PUBLISH: "re-publish",
                                 PublishRequestAction.SCHEDULE: "scheduled publish",
                                 PublishRequestAction.PROMOTE: "rollout promote"}


def four_eyes_on() -> bool:
    """The current tenant's setting (off unless `settings.four_eyes_publish` is true)."""
    tenant_settings = Tenant.objects.values_list("settings", flat=True).first() or {}
    return tenant_settings.get(SETTING) is True


def person_of(actor: str | None) -> str | None:
    """The person behind an actor: a user is themselves, an API key is the member who made it; so a
    member cannot approve their own request through their own key."""
    if actor and actor.startswith("api_key:"):
        return ApiClient.objects.filter(pk=actor.removeprefix("api_key:")).values_list("created_by", flat=True).first()
    return actor


def request_payload(request: PublishRequest) -> dict[str, Any]:
    """What the outbox events carry: ids and the outcome, nothing secret (notes stay in the API)."""
    return {"publish_request_id": request.pk, "theme_id": request.theme_id, "version_id": request.theme_version_id,
            "action": request.action, "target_publication_id": request.target_publication_id,
            "requested_by": request.created_by, "status": request.status, "decision": request.decision,
            "decided_by": request.decided_by, "publish_job_id": request.publish_job_id}


def request_event(request: PublishRequest, event_type: str) -> None:
    outbox_enqueue(tenant_id=request.tenant_id, event_type=event_type, subject=request.theme_id,
                   partition_key=request.theme_id, data=request_payload(request))


def publish_request_open(*, principal: Principal, theme: Theme, version: ThemeVersion, action: str,
                         target: ThemePublication | None = None, note: str | None = None,
                         schedule: PublishSchedule | None = None, rollout: ThemeRollout | None = None,
                         ) -> PublishRequest:
    """The request that stands for a publish, rollback, re-publish, scheduled publish (`schedule`, the
    schedule waiting unarmed) or rollout promote while four-eyes is on (the caller has checked
    everything the job would need); audited, announced and mailed to approvers."""
    live_id = ThemePublication.objects.filter(theme_id=theme.pk, is_active=True).values_list("pk", flat=True).first()
    request = PublishRequest.objects.create(
        id=new_id("pbr"), tenant_id=principal.bound_tenant_id, theme_id=theme.pk, theme_version_id=version.pk,
        target_publication=target, live_publication_id=live_id, action=action, schedule=schedule,
        run_at=schedule.run_at if schedule is not None else None, rollout=rollout,
        expected_version_version=version.version, request_note=(note or "").strip()[:MAX_NOTE] or None,
        created_by=principal.actor, updated_by=principal.actor)
    audit_record(principal=principal, action="publish_request.opened", entity_type="publish_request",
                 entity_id=request.pk, new={"theme_id": theme.pk, "version_id": version.pk, "action": action,
                                            "target_publication_id": target.pk if target else None,
                                            "schedule_id": schedule.pk if schedule else None,
                                            "rollout_id": rollout.pk if rollout else None})
    request_event(request, "theme.publish_requested.v1")
    mail_approvers(request, theme=theme, version=version, requester=principal)
    return request


# --- e-mail ----------------------------------------------------------------------------------------

def approval_url(request_id: str) -> str:
    return f"{settings.ADMIN_BASE_URL.rstrip('/')}/admin/publishing/publishrequest/{request_id}/change/"


def _subject_of(request: PublishRequest, theme: Theme, version: ThemeVersion) -> str:
    return f"{ACTION_WORDS.get(request.action, request.action)} of {theme.name}, version {version.ordinal}"


def _user_ids(actors: Iterable[str | None]) -> set[int]:
    return {int(a.removeprefix("user:")) for a in actors if a and a.startswith("user:") and a[5:].isdigit()}


def mail_approvers(request: PublishRequest, *, theme: Theme, version: ThemeVersion, requester: Principal) -> None:
    """To every member who may publish, except the one who asked (nor whoever made the asking key)."""
    roles = [role for role, allowed in ROLE_PERMISSIONS.items() if Permission.THEMES_PUBLISH in allowed]
    excluded = _user_ids([requester.actor, person_of(requester.actor)])
    addresses = sorted({m.user.email for m in Membership.objects.select_related("user").filter(role__in=roles)
                        if m.user.email and m.user_id not in excluded})
    if not addresses:
        return
    note = f"\nTheir note: {request.request_note}\n" if request.request_note else ""
    body = (f"A {_subject_of(request, theme, version)} is waiting for your approval (asked by {requester.actor}).\n"
            f"{note}\nSee what would change and approve or reject it: {approval_url(request.pk)}\n")
    subject = f"[theme-config] Waiting for approval: {_subject_of(request, theme, version)}"
    _send_on_commit([(subject, body, [address]) for address in addresses])  # one each: no address shown to another


def mail_requester(request: PublishRequest) -> None:
    """To the member who asked, once the request is approved or rejected."""
    person = person_of(request.created_by)
    user_ids = _user_ids([person])
    if not user_ids:
        return  # an operator or an orphaned key: nobody to write to
    member = Membership.objects.select_related("user").filter(user_id__in=user_ids).first()
    if member is None or not member.user.email:
        return
    theme = Theme.objects.get(pk=request.theme_id)
    version = ThemeVersion.objects.get(pk=request.theme_version_id)
    decision = request.decision or request.status
    note = f"\nTheir note: {request.decision_note}\n" if request.decision_note else ""
    follow = "The publish job has started." if request.decision == "approved" else "Nothing was changed."
    body = (f"Your {_subject_of(request, theme, version)} was {decision} by {request.decided_by}.\n{note}\n"
            f"{follow}\n{approval_url(request.pk)}\n")
    _send_on_commit([(f"[theme-config] {decision.capitalize()}: {_subject_of(request, theme, version)}", body,
                      [member.user.email])])


def _send_on_commit(messages: list[tuple[str, str, list[str]]]) -> None:
    datatuple = tuple((subject, body, settings.DEFAULT_FROM_EMAIL, to) for subject, body, to in messages)

    def send() -> None:
        try:
            send_mass_mail(datatuple, fail_silently=False)
        except Exception:  # noqa: BLE001 - a lost notification is harmless; the request itself is committed
            logger.exception("could not send %d publish-request e-mail(s)", len(datatuple))

    transaction.on_commit(send)
