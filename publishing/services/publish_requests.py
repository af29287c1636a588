"""Use cases of four-eyes publish requests: approve (which asks for the publish job), reject, withdraw.

A request is opened by the publish, rollback and re-publish use cases themselves when the tenant has
four-eyes on (publishing/services/publish.py, four_eyes.py). Each decision locks the request's row,
so of two approvers deciding at once one wins and the other is told it was decided already; the one
who asked (or a key they made) never decides their own. An edit of the version voids its pending
publish requests in the edit's transaction (the trigger of publishing/sql/0023_publish_requests.sql).
"""
from __future__ import annotations

from django.db import connection
from django.utils import timezone

from publishing.errors import PublishingErrorCode
from publishing.models import (
    PublishJob,
    PublishRequest,
    PublishRequestAction,
    PublishRequestDecision,
    PublishRequestStatus,
    PublishSchedule,
    ScheduleStatus,
    ThemeRollout,
)
from publishing.services.four_eyes import MAX_NOTE, mail_requester, person_of, request_event
from publishing.services.publish import publish_job_for_request
from publishing.services.rollouts import rollout_promote
from publishing.services.schedules import publish_schedule_arm, publish_schedule_cancel
from themeconfig.models import Theme, ThemeVersion
from themeconfig.platform.errors import DomainError, FieldError, not_found
from themeconfig.platform.ids import is_valid_id
from themeconfig.platform.locks import tenant_lock
from themeconfig.platform.permissions import Permission
from themeconfig.platform.principal import Principal, use_case
from themeconfig.services.audit import audit_record
from themeconfig.services.occ import check_version


def _locked(request_id: str, expected_version: int | None) -> PublishRequest:
    request = (PublishRequest.objects.select_for_update().filter(pk=request_id).first()
               if is_valid_id(request_id, "pbr") else None)
    if request is None:  # another tenant's request is not there at all (RLS)
        raise not_found("publish request")
    if request.status == PublishRequestStatus.VOIDED:
        raise voided(request)
    if request.status != PublishRequestStatus.PENDING:
        raise DomainError(PublishingErrorCode.REQUEST_NOT_PENDING,
                          f"This request was {request.decision or request.status} already; nothing was changed.",
                          http_status=409, extra={"status": request.status, "decision": request.decision})
    check_version(current=request.version, expected_version=expected_version, what="publish request")
    return request


def voided(request: PublishRequest) -> DomainError:
    if request.void_reason == "schedule_cancelled":  # publish_schedule_cancel voided it
        return DomainError(PublishingErrorCode.REQUEST_NOT_PENDING,
                           "Its schedule was cancelled, so this request was voided: there is nothing left to decide.",
                           http_status=409, extra={"status": request.status, "void_reason": request.void_reason})
    return DomainError(PublishingErrorCode.REQUEST_VOIDED_BY_EDIT,
                       "The version was edited after this request was made, so it was voided: ask again for what "
                       "the version is now.", http_status=409)


def _not_own(principal: Principal, request: PublishRequest) -> None:
    if person_of(principal.actor) == person_of(request.created_by) or principal.actor == request.created_by:
        raise DomainError(PublishingErrorCode.REQUEST_SELF_APPROVAL,
                          "You asked for this yourself: another member who may publish has to decide it.",
                          http_status=403)


def _note(note: str | None, *, required: bool) -> str | None:
    text = (note or "").strip()
    if required and not text:
        raise DomainError(PublishingErrorCode.REQUEST_NOTE_REQUIRED, "Say why you reject it: the note is required.",
                          http_status=422, errors=[FieldError("/note", "required", "A note is required.")])
    if len(text) > MAX_NOTE:
        raise DomainError(PublishingErrorCode.REQUEST_NOTE_REQUIRED, f"The note is at most {MAX_NOTE} characters.",
                          http_status=422, errors=[FieldError("/note", "too_long", f"At most {MAX_NOTE} characters.")])
    return text or None


def _decide(principal: Principal, request: PublishRequest, decision: str, note: str | None, **extra: object) -> PublishRequest:
    now = timezone.now()
    PublishRequest.objects.filter(pk=request.pk).update(
        status=PublishRequestStatus.DECIDED, decision=decision, decided_by=principal.actor, decided_at=now,
        decision_note=note, version=request.version + 1, updated_at=now, updated_by=principal.actor, **extra)
    decided = PublishRequest.objects.get(pk=request.pk)
    audit_record(principal=principal, action=f"publish_request.{decision}", entity_type="publish_request",
                 entity_id=request.pk, old={"status": request.status},
                 new={"status": decided.status, "decision": decision, "requested_by": request.created_by,
                      "publish_job_id": decided.publish_job_id, "note": note})
    request_event(decided, f"theme.publish_{decision}.v1")
    mail_requester(decided)
    return decided


def publish_request_approve(*, principal: Principal, request_id: str, expected_version: int | None,
                            note: str | None = None) -> PublishRequest:
    """Approves another member's request and asks for its publish job (as the approver)."""
    with use_case(principal, Permission.THEMES_PUBLISH):
        _lock_before_the_request(request_id)
        request = _locked(request_id, expected_version)
        _not_own(principal, request)
        text = _note(note, required=False)
        if request.action in PUTS_ITS_VERSION_LIVE and ThemeVersion.objects.filter(
                pk=request.theme_version_id).values_list("version", flat=True).first() != request.expected_version_version:
            raise voided(request)  # the trigger voids it with the edit; this is the last word
        job = _carry_out(principal, request)
        return _decide(principal, request, PublishRequestDecision.APPROVED, text,
                       publish_job_id=job.pk if job is not None else None)


# Requests that would put their own version live: an edit of it voids them (sql/0028).
PUTS_ITS_VERSION_LIVE = (PublishRequestAction.PUBLISH, PublishRequestAction.SCHEDULE, PublishRequestAction.PROMOTE)


def _lock_before_the_request(request_id: str) -> None:
    """Takes, before the request's own row, what a decision on it goes on to lock, where another use
    case takes those first and the request after (locking the request first deadlocked with them):

    - a scheduled publish: the theme's schedule lock, which a cancel of the schedule holds when it
      voids the request (`publish_schedule_cancel`), and which arming or cancelling it takes next;
    - a publish or a promote: (a promote's rollout, as an abort takes it, then) the theme and the
      version FOR KEY SHARE, what the job's insert takes through its foreign keys: an edit of the
      version holds both FOR UPDATE when its trigger voids the request (sql/0028). KEY SHARE, not an
      edit's lock: a rollout start holds the theme and then references the version too.

    Read unlocked first: a request never changes its action, theme, version or rollout."""
    found = (PublishRequest.objects.filter(pk=request_id).values("action", "theme_id", "theme_version_id",
                                                                "rollout_id").first()
             if is_valid_id(request_id, "pbr") else None)
    if found is None:
        return  # _locked answers the 404
    if found["action"] == PublishRequestAction.SCHEDULE:
        tenant_lock("publish_schedules", found["theme_id"])
        return
    if found["action"] not in PUTS_ITS_VERSION_LIVE:
        return  # a rollback or re-publish: no edit voids it, no schedule holds it
    if found["rollout_id"] is not None:
        list(ThemeRollout.objects.select_for_update().filter(pk=found["rollout_id"]))
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:  # the theme, then the version, as `editable_version` locks them
        cursor.execute(f"SELECT 1 FROM {quote(Theme._meta.db_table)} WHERE id = %s FOR KEY SHARE", [found["theme_id"]])
        cursor.execute(f"SELECT 1 FROM {quote(ThemeVersion._meta.db_table)} WHERE id = %s FOR KEY SHARE",
                       [found["theme_version_id"]])


def _carry_out(principal: Principal, request: PublishRequest) -> PublishJob | None:
    """What an approval sets going, as the approver: the publish job, the schedule armed (its job
    comes at its time), or the rollout's promote job."""
    if request.action == PublishRequestAction.SCHEDULE:
        assert request.schedule_id is not None  # publish_requests_run_at_chk
        schedule = PublishSchedule.objects.get(pk=request.schedule_id)
        publish_schedule_arm(principal=principal, schedule_id=schedule.pk, expected_version=schedule.version)
        return None
    if request.action == PublishRequestAction.PROMOTE:
        assert request.rollout_id is not None  # publish_requests_rollout_chk
        rollout = ThemeRollout.objects.get(pk=request.rollout_id)
        job = rollout_promote(principal=principal, rollout_id=rollout.pk, expected_version=rollout.version,
                              reason=request.request_note or "Approved promote", approved=request)
        assert isinstance(job, PublishJob)  # an approved request always makes the job
        return job
    return publish_job_for_request(principal=principal, request=request)


def _drop_held_schedule(principal: Principal, request: PublishRequest) -> None:
    """A rejected or withdrawn scheduled publish: its schedule (and revert), held unarmed, is cancelled."""
    if request.action != PublishRequestAction.SCHEDULE or request.schedule_id is None:
        return
    schedule = PublishSchedule.objects.filter(pk=request.schedule_id, status=ScheduleStatus.PENDING_APPROVAL).first()
    if schedule is not None:
        publish_schedule_cancel(principal=principal, schedule_id=schedule.pk, expected_version=schedule.version)


def publish_request_reject(*, principal: Principal, request_id: str, expected_version: int | None,
                           note: str | None) -> PublishRequest:
    """Rejects another member's request with a note saying why; nothing is published."""
    with use_case(principal, Permission.THEMES_PUBLISH):
        _lock_before_the_request(request_id)
        request = _locked(request_id, expected_version)
        _not_own(principal, request)
        decided = _decide(principal, request, PublishRequestDecision.REJECTED, _note(note, required=True))
        _drop_held_schedule(principal, request)
        return decided


def publish_request_withdraw(*, principal: Principal, request_id: str, expected_version: int | None) -> PublishRequest:
    """The one who asked takes their pending request back."""
    with use_case(principal, Permission.THEMES_PUBLISH):
        _lock_before_the_request(request_id)
        request = _locked(request_id, expected_version)
        if person_of(principal.actor) != person_of(request.created_by):
            raise DomainError(PublishingErrorCode.REQUEST_NOT_REQUESTER,
                              "Only the member who asked can withdraw it; approve or reject it instead.",
                              http_status=403)
        now = timezone.now()
        PublishRequest.objects.filter(pk=request.pk).update(
            status=PublishRequestStatus.WITHDRAWN, version=request.version + 1, updated_at=now,
            updated_by=principal.actor)
        audit_record(principal=principal, action="publish_request.withdrawn", entity_type="publish_request",
                     entity_id=request.pk, old={"status": request.status}, new={"status": "withdrawn"})
        _drop_held_schedule(principal, request)
        return PublishRequest.objects.get(pk=request.pk)
