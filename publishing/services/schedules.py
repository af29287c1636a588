"""Use cases of publish schedules: schedule a version's publish at a time T (optionally with a revert
at T2 that restores the publication active just before T), cancel or move one before it starts, arm
one an approval step was holding, and the beat scan that starts due schedules as publish jobs.

A schedule starts exactly once: the scan takes each due row with `FOR UPDATE SKIP LOCKED` in its
tenant's transaction, re-checks it is still `scheduled`, and in that same transaction makes the
publish (or rollback) job and marks the schedule `running`. Two scans never take one row; a scan
killed before its commit leaves the row `scheduled` for the next. The job machinery (publishing/
services/publish.py) then runs the job; its flip marks the schedule `succeeded` in the flip's own
transaction, and the scan settles schedules whose job failed. A publication made by a schedule has
`published_by` NULL (seed 000: system-initiated); the audit row names the schedule and its creator.

A publish schedule whose version was edited after scheduling (back to draft), or published or
archived meanwhile, fails with SCHEDULE_VERSION_CHANGED as soon as a scan sees it (before T when the
edit is earlier), with `theme.schedule_failed.v1` in the outbox and an e-mail to its creator.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from publishing.errors import PublishingErrorCode
from publishing.models import (
    PublishJob,
    PublishJobKind,
    PublishJobStatus,
    PublishRequest,
    PublishRequestAction,
    PublishRequestStatus,
    PublishSchedule,
    ScheduleKind,
    ScheduleStatus,
    ThemePublication,
)
from publishing.outbox.enqueue import outbox_enqueue
from publishing.services import publish
from publishing.services.four_eyes import four_eyes_on, publish_request_open
from themeconfig.errors import ThemeErrorCode
from themeconfig.models import ApiClient, Membership, Theme, ThemeVersion, ThemeVersionStatus
from themeconfig.platform.errors import DomainError, FieldError, not_found, validation_error
from themeconfig.platform.failpoints import failpoint
from themeconfig.platform.ids import is_valid_id
from themeconfig.platform.locks import tenant_lock
from themeconfig.platform.permissions import (
    Permission,
    role_permissions,
    scoped_permissions,
    scopes_of_document,
)
from themeconfig.platform.principal import ActorKind, Principal, use_case
from themeconfig.platform.service_db import service_context
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.selectors.tenancy import tenant_time_zone
from themeconfig.services.audit import audit_record
from themeconfig.services.occ import check_version
from themeconfig.services.themes import require_active_theme
from themeconfig.services.versions import version_problems

logger = logging.getLogger(__name__)

# The operator principal a due schedule's job runs as (`operator:scheduler` in the audit log).
SCHEDULER = "scheduler"
# Two schedules of one theme closer than this conflict: each starts within a scan of its time.
MIN_GAP = timedelta(minutes=2)
MAX_AHEAD = timedelta(days=366)
# Schedules that may still be cancelled or moved (they have not started).
OPEN = (ScheduleStatus.PENDING_APPROVAL, ScheduleStatus.SCHEDULED)
ACTIVE = (*OPEN, ScheduleStatus.RUNNING)
JOB_FINISHED = (PublishJobStatus.SUCCEEDED, PublishJobStatus.FAILED)


def scheduler_principal(tenant_id: str) -> Principal:
    return Principal.operator(SCHEDULER, tenant_id=tenant_id)


def local_time(value: datetime, zone: str) -> str:
    """`2026-12-24 18:00 (Europe/Paris)`: how people read a schedule's time."""
    return f"{timezone.localtime(value, ZoneInfo(zone)):%Y-%m-%d %H:%M} ({zone})"


def _view(schedule: PublishSchedule) -> dict[str, Any]:
    return {"kind": schedule.kind, "status": schedule.status, "run_at": schedule.run_at.isoformat(),
            "version_id": schedule.theme_version_id, "reverts_id": schedule.reverts_id}


def _event(schedule: PublishSchedule, event_type: str, **extra: Any) -> None:
    outbox_enqueue(tenant_id=schedule.tenant_id, event_type=event_type, subject=schedule.theme_id,
                   partition_key=schedule.theme_id, data={
                       "schedule_id": schedule.pk, "theme_id": schedule.theme_id,
                       "version_id": schedule.theme_version_id, "kind": schedule.kind,
                       "run_at": schedule.run_at.isoformat(), "status": schedule.status,
                       "reverts_id": schedule.reverts_id, "created_by": schedule.created_by, **extra})


def _run_at_errors(value: object, path: str, now: datetime) -> list[FieldError]:
    if not isinstance(value, datetime) or timezone.is_naive(value):
        return [FieldError(path, "invalid_type", "A date and time with its UTC offset.")]
    if value <= now:
        return [FieldError(path, "in_past", "The time has passed; pick a time in the future.")]
    if value > now + MAX_AHEAD:
        return [FieldError(path, "too_far", "At most a year ahead.")]
    return []


def _describe(schedule: PublishSchedule, zone: str) -> str:
    version = ThemeVersion.objects.filter(pk=schedule.theme_version_id).values_list("ordinal", flat=True).first()
    what = f"publish of version {version}" if schedule.kind == ScheduleKind.PUBLISH else f"revert of version {version}"
    return f"{what} at {local_time(schedule.run_at, zone)} ({schedule.pk})"


def _windows(theme_id: str, *, ignore: set[str]) -> list[tuple[datetime, datetime, PublishSchedule]]:
    """Each active campaign of the theme as (start, end, its first schedule): a publish from its time
    to its revert's (or its own), a revert whose publish has run from that publish's time to its own."""
    active = list(PublishSchedule.objects.filter(theme_id=theme_id, status__in=ACTIVE).exclude(pk__in=ignore)
                  .select_related("reverts"))
    reverts = {s.reverts_id: s for s in active if s.kind == ScheduleKind.REVERT}
    windows = []
    for schedule in active:
        if schedule.kind == ScheduleKind.PUBLISH:
            revert = reverts.get(schedule.pk)
            windows.append((schedule.run_at, revert.run_at if revert else schedule.run_at, schedule))
        elif schedule.reverts is not None and schedule.reverts_id not in {s.pk for s in active}:
            windows.append((schedule.reverts.run_at, schedule.run_at, schedule))
    return windows


def _refuse_conflicts(*, theme_id: str, version_id: str, start: datetime, end: datetime, ignore: set[str],
                      zone: str) -> None:
    """SCHEDULE_CONFLICT naming the first active schedule of the theme whose campaign overlaps
    [start, end] (closer than MIN_GAP counts), or that publishes the same version."""
    for other_start, other_end, other in sorted(_windows(theme_id, ignore=ignore), key=lambda w: w[0]):
        same_version = other.kind == ScheduleKind.PUBLISH and other.theme_version_id == version_id
        if same_version or (start - MIN_GAP < other_end and other_start - MIN_GAP < end):
            reason = "publishes the same version" if same_version else "overlaps it"
            raise DomainError(
                PublishingErrorCode.SCHEDULE_CONFLICT,
                f"This conflicts with the {_describe(other, zone)}: it {reason}. Cancel or move that one first.",
                http_status=409, extra={"conflicting_schedule_id": other.pk})


def publish_schedule_create(*, principal: Principal, version_id: str, run_at: datetime,
                            revert_at: datetime | None = None, armed: bool | None = None,
                            theme_id: str | None = None, note: str | None = None) -> PublishSchedule:
    """Schedules the publish of a preview-ready version at `run_at` and, with `revert_at`, a revert then
    to the publication active just before `run_at`. With the tenant's four-eyes on (or `armed=False`)
    both wait `pending_approval`, behind a publish request of action `schedule` (`note` goes to the
    approvers) whose approval arms them (`publish_schedule_arm`); armed ones are `scheduled` at once and
    announced (`theme.scheduled.v1`). A door that names the theme passes `theme_id`: a version of
    another theme is then refused. Returns the publish schedule (its revert is `.revert`)."""
    now = timezone.now()
    errors = _run_at_errors(run_at, "/run_at", now)
    if revert_at is not None:
        errors += _run_at_errors(revert_at, "/revert_at", now)
        if not errors and revert_at < run_at + MIN_GAP:
            errors.append(FieldError("/revert_at", "too_early", f"The revert comes at least {MIN_GAP} after the publish."))
    if errors:
        raise validation_error(errors)
    with use_case(principal, Permission.THEMES_PUBLISH):
        version = (ThemeVersion.objects.select_related("theme").filter(pk=version_id, theme__deleted_at__isnull=True)
                   .first() if is_valid_id(version_id, "thv") else None)
        if version is None:
            raise not_found("version")
        if theme_id is not None and version.theme_id != theme_id:
            raise validation_error([FieldError("/version_id", "unknown_version", "No such version of this theme.")])
        theme = version.theme
        require_active_theme(theme.status)
        if version.status != ThemeVersionStatus.PREVIEW_READY:
            raise DomainError(ThemeErrorCode.NOT_PREVIEW_READY,
                              f"Only a preview-ready version can be scheduled; version {version.ordinal} is {version.status}.",
                              http_status=422)
        if problems := version_problems(version):
            raise DomainError(ThemeErrorCode.NOT_PREVIEW_READY,
                              f"The version has {len(problems)} problem(s) to fix before it can be published.",
                              http_status=422, errors=problems)
        if revert_at is not None and theme.active_publication_id is None:
            raise DomainError(PublishingErrorCode.SCHEDULE_NOTHING_TO_REVERT,
                              "The theme has nothing live to revert to; schedule the publish without a revert.",
                              http_status=422, errors=[FieldError("/revert_at", "nothing_to_revert",
                                                                  "Nothing is live to come back to.")])
        zone = tenant_time_zone(principal.bound_tenant_id)
        # Every writer of a theme's schedules takes this lock: the conflict check holds under load.
        tenant_lock("publish_schedules", theme.pk)
        _refuse_conflicts(theme_id=theme.pk, version_id=version.pk, start=run_at, end=revert_at or run_at,
                          ignore=set(), zone=zone)
        # Not said by the caller: four-eyes decides (held behind a request). armed=False: the caller's own hold.
        four_eyes = armed is None and four_eyes_on()
        if armed is None:
            armed = not four_eyes
        status = ScheduleStatus.SCHEDULED if armed else ScheduleStatus.PENDING_APPROVAL
        common = {"tenant_id": principal.bound_tenant_id, "theme_id": theme.pk, "theme_version_id": version.pk,
                  "status": status, "created_by": principal.actor, "updated_by": principal.actor}
        schedule = PublishSchedule.objects.create(kind=ScheduleKind.PUBLISH, run_at=run_at,
                                                  expected_version_version=version.version, **common)
        revert = None
        if revert_at is not None:
            revert = PublishSchedule.objects.create(kind=ScheduleKind.REVERT, run_at=revert_at, reverts=schedule,
                                                    **common)
        for created in filter(None, (schedule, revert)):
            audit_record(principal=principal, action="publish_schedule.created", entity_type="publish_schedule",
                         entity_id=created.pk, new=_view(created))
            if armed:
                _event(created, "theme.scheduled.v1")
        if four_eyes:
            publish_request_open(principal=principal, theme=theme, version=version,
                                 action=PublishRequestAction.SCHEDULE, schedule=schedule, note=note)
        return schedule


def _locked(schedule_id: str) -> PublishSchedule:
    schedule = (PublishSchedule.objects.select_for_update().filter(pk=schedule_id).first()
                if is_valid_id(schedule_id, "sch") else None)
    if schedule is None:
        raise not_found("schedule")
    return schedule


def _lock_theme_then(schedule_id: str) -> PublishSchedule:
    """The theme's schedule lock (as create takes it), then the schedule's row."""
    theme_id = (PublishSchedule.objects.filter(pk=schedule_id).values_list("theme_id", flat=True).first()
                if is_valid_id(schedule_id, "sch") else None)
    if theme_id is None:
        raise not_found("schedule")
    tenant_lock("publish_schedules", theme_id)
    return _locked(schedule_id)


def _require_open(schedule: PublishSchedule, zone: str) -> None:
    if schedule.status not in OPEN:
        raise DomainError(PublishingErrorCode.SCHEDULE_STARTED,
                          f"The {_describe(schedule, zone)} is {schedule.get_status_display().lower()}: "
                          "only a schedule that has not started can be changed.", http_status=409)


def publish_schedule_cancel(*, principal: Principal, schedule_id: str, expected_version: int) -> PublishSchedule:
    """Cancels a schedule that has not started (a publish takes its revert with it)."""
    with use_case(principal, Permission.THEMES_PUBLISH):
        schedule = _lock_theme_then(schedule_id)
        zone = tenant_time_zone(principal.bound_tenant_id)
        _require_open(schedule, zone)
        check_version(current=schedule.version, expected_version=expected_version, what="schedule")
        doomed = [schedule]
        if schedule.kind == ScheduleKind.PUBLISH:
            doomed += list(PublishSchedule.objects.select_for_update().filter(reverts_id=schedule.pk, status__in=OPEN))
        now = timezone.now()
        for each in doomed:
            PublishSchedule.objects.filter(pk=each.pk).update(
                status=ScheduleStatus.CANCELLED, cancelled_at=now, cancelled_by=principal.actor, updated_at=now,
                updated_by=principal.actor, version=F("version") + 1)
            after = PublishSchedule.objects.get(pk=each.pk)
            audit_record(principal=principal, action="publish_schedule.cancelled", entity_type="publish_schedule",
                         entity_id=each.pk, old=_view(each), new=_view(after))
            _event(after, "theme.schedule_cancelled.v1", cancelled_by=principal.actor)
        # A request still waiting to arm it has nothing left to approve.
        for waiting in PublishRequest.objects.filter(schedule_id=schedule.pk, status=PublishRequestStatus.PENDING):
            PublishRequest.objects.filter(pk=waiting.pk).update(
                status=PublishRequestStatus.VOIDED, void_reason="schedule_cancelled", voided_at=now, updated_at=now,
                updated_by=principal.actor, version=F("version") + 1)
            audit_record(principal=principal, action="publish_request.voided", entity_type="publish_request",
                         entity_id=waiting.pk, old={"status": waiting.status},
                         new={"status": "voided", "void_reason": "schedule_cancelled"})
        return PublishSchedule.objects.get(pk=schedule.pk)


def publish_schedule_move(*, principal: Principal, schedule_id: str, expected_version: int,
                          run_at: datetime) -> PublishSchedule:
    """Moves a schedule that has not started to `run_at` (OCC on `version`): a publish stays before its
    revert and a revert after its publish, and the new time must not conflict."""
    now = timezone.now()
    if errors := _run_at_errors(run_at, "/run_at", now):
        raise validation_error(errors)
    with use_case(principal, Permission.THEMES_PUBLISH):
        schedule = _lock_theme_then(schedule_id)
        zone = tenant_time_zone(principal.bound_tenant_id)
        _require_open(schedule, zone)
        check_version(current=schedule.version, expected_version=expected_version, what="schedule")
        start, end, ignore = run_at, run_at, {schedule.pk}
        if schedule.kind == ScheduleKind.PUBLISH:
            revert = PublishSchedule.objects.filter(reverts_id=schedule.pk, status__in=OPEN).first()
            if revert is not None:
                if revert.run_at < run_at + MIN_GAP:
                    raise validation_error([FieldError("/run_at", "after_revert",
                                                       f"The publish must come at least {MIN_GAP} before its revert "
                                                       f"at {local_time(revert.run_at, zone)}; move the revert first.")])
                end = revert.run_at
                ignore.add(revert.pk)
        else:
            parent = PublishSchedule.objects.get(pk=schedule.reverts_id)
            if run_at < parent.run_at + MIN_GAP:
                raise validation_error([FieldError("/run_at", "before_publish",
                                                   f"The revert must come at least {MIN_GAP} after its publish "
                                                   f"at {local_time(parent.run_at, zone)}.")])
            start = parent.run_at
            ignore.add(parent.pk)
        _refuse_conflicts(theme_id=schedule.theme_id, version_id=schedule.theme_version_id, start=start, end=end,
                          ignore=ignore, zone=zone)
        PublishSchedule.objects.filter(pk=schedule.pk).update(run_at=run_at, updated_at=now, updated_by=principal.actor,
                                                              version=F("version") + 1)
        after = PublishSchedule.objects.get(pk=schedule.pk)
        audit_record(principal=principal, action="publish_schedule.moved", entity_type="publish_schedule",
                     entity_id=schedule.pk, old=_view(schedule), new=_view(after))
        if after.status == ScheduleStatus.SCHEDULED:
            _event(after, "theme.scheduled.v1", moved_from=schedule.run_at.isoformat())
        return after


def publish_schedule_arm(*, principal: Principal, schedule_id: str, expected_version: int) -> PublishSchedule:
    """`pending_approval` → `scheduled` for a publish schedule and its revert: the hook an approval step
    calls once the publish is approved (approval itself is not built here). Refused once the time passed."""
    with use_case(principal, Permission.THEMES_PUBLISH):
        schedule = _lock_theme_then(schedule_id)
        if schedule.status != ScheduleStatus.PENDING_APPROVAL or schedule.kind != ScheduleKind.PUBLISH:
            raise DomainError(PublishingErrorCode.SCHEDULE_NOT_PENDING_APPROVAL,
                              "Only a publish schedule waiting for approval can be armed.", http_status=409)
        check_version(current=schedule.version, expected_version=expected_version, what="schedule")
        now = timezone.now()
        if errors := _run_at_errors(schedule.run_at, "/run_at", now):
            raise validation_error(errors, "The schedule's time has passed; move it before arming it.")
        armed = [schedule, *PublishSchedule.objects.select_for_update().filter(
            reverts_id=schedule.pk, status=ScheduleStatus.PENDING_APPROVAL)]
        for each in armed:
            PublishSchedule.objects.filter(pk=each.pk).update(status=ScheduleStatus.SCHEDULED, updated_at=now,
                                                              updated_by=principal.actor, version=F("version") + 1)
            after = PublishSchedule.objects.get(pk=each.pk)
            audit_record(principal=principal, action="publish_schedule.armed", entity_type="publish_schedule",
                         entity_id=each.pk, old=_view(each), new=_view(after))
            _event(after, "theme.scheduled.v1")
        return PublishSchedule.objects.get(pk=schedule.pk)


# --- the beat scan --------------------------------------------------------------------------------

@dataclass
class ScanResult:
    started: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    succeeded: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)


_STALE_SQL = """
SELECT s.id, s.tenant_id FROM theme_config.publish_schedules s
  JOIN theme_config.theme_versions v ON v.id = s.theme_version_id
 WHERE s.kind = 'publish' AND s.status IN ('pending_approval', 'scheduled')
   AND (v.status <> 'preview_ready' OR v.version IS DISTINCT FROM s.expected_version_version)
 ORDER BY s.run_at LIMIT %s"""
_FINISHED_SQL = """
SELECT s.id, s.tenant_id FROM theme_config.publish_schedules s
  JOIN theme_config.publish_jobs j ON j.id = s.publish_job_id
 WHERE s.status = 'running' AND j.status IN ('succeeded', 'failed')
 ORDER BY s.run_at LIMIT %s"""
_DUE_SQL = """
SELECT s.id, s.tenant_id FROM theme_config.publish_schedules s
 WHERE s.status = 'scheduled' AND s.run_at <= %s ORDER BY s.run_at, s.id LIMIT %s"""


def publish_schedules_run_due(*, now: datetime | None = None, limit: int = 200) -> ScanResult:
    """One scan over every tenant (beat, `manage.py run_schedules`): fails publish schedules whose
    version changed, settles running ones whose job ended, and starts the due ones (oldest first).
    Found on the service connection; each one handled in its tenant's transaction, where its row is
    taken with FOR UPDATE SKIP LOCKED and checked again (a concurrent scan has it, or had it)."""
    now = now or timezone.now()
    with service_context() as alias, connections[alias].cursor() as cursor:
        cursor.execute(_STALE_SQL, [limit])
        stale = cursor.fetchall()
        cursor.execute(_FINISHED_SQL, [limit])
        finished = cursor.fetchall()
        cursor.execute(_DUE_SQL, [now, limit])
        due = cursor.fetchall()
    result = ScanResult()
    for schedule_id, tenant_id in stale:
        if _fail_if_version_changed(schedule_id=schedule_id, tenant_id=tenant_id):
            result.failed.append(schedule_id)
    for schedule_id, tenant_id in finished:
        outcome = _settle(schedule_id=schedule_id, tenant_id=tenant_id)
        if outcome:
            getattr(result, outcome).append(schedule_id)
    for schedule_id, tenant_id in due:
        outcome = publish_schedule_start(schedule_id=schedule_id, tenant_id=tenant_id, now=now)
        if outcome:
            getattr(result, outcome).append(schedule_id)
    return result


def _take(schedule_id: str, *statuses: str) -> PublishSchedule | None:
    """The schedule's row, locked, if it is in one of `statuses` and no other scan holds it."""
    return PublishSchedule.objects.select_for_update(skip_locked=True).filter(
        pk=schedule_id, status__in=statuses).first()


def publish_schedule_start(*, schedule_id: str, tenant_id: str, now: datetime | None = None) -> str | None:
    """Starts one due schedule: its publish (or rollback) job and `running`, in one transaction; or
    fails it with a code; or leaves it for the next scan ("deferred": the theme has a job under way,
    or a revert's publish has not finished). None when another scan has it or had it."""
    now = now or timezone.now()
    principal = scheduler_principal(tenant_id)
    with use_case(principal, Permission.THEMES_PUBLISH):
        schedule = _take(schedule_id, ScheduleStatus.SCHEDULED)
        if schedule is None or schedule.run_at > now:
            return None
        theme = Theme.objects.get(pk=schedule.theme_id)
        if PublishJob.objects.filter(theme_id=theme.pk).exclude(status__in=JOB_FINISHED).exists():
            return "deferred"  # one flip at a time per theme: this one waits for the next scan
        try:  # a theme deleted, suspended or archived since: the schedule fails with the theme's code
            if theme.deleted_at is not None:
                raise not_found("theme")
            require_active_theme(theme.status)
        except DomainError as error:
            _fail(principal, schedule, error.code, f"The theme cannot be published now: {error.message}")
            return "failed"
        if not _creator_may_publish(schedule.created_by, now):
            _fail(principal, schedule, PublishingErrorCode.SCHEDULE_CREATOR_NOT_ALLOWED,
                  "Whoever scheduled it may no longer publish (their role changed, or the member or key is gone); "
                  "a publisher can schedule it again.")
            return "failed"
        if schedule.kind == ScheduleKind.PUBLISH:
            version = ThemeVersion.objects.get(pk=schedule.theme_version_id)
            if _version_changed(schedule, version):
                _fail(principal, schedule, PublishingErrorCode.SCHEDULE_VERSION_CHANGED, _changed_message(version))
                return "failed"
            previous, target, job_version, kind = theme.active_publication_id, None, version, PublishJobKind.PUBLISH
        else:
            parent = PublishSchedule.objects.get(pk=schedule.reverts_id)
            if parent.status in (ScheduleStatus.FAILED, ScheduleStatus.CANCELLED):
                _fail(principal, schedule, PublishingErrorCode.SCHEDULE_PUBLISH_NOT_DONE,
                      f"Its publish {parent.get_status_display().lower()}: there is nothing to revert.")
                return "failed"
            if parent.status != ScheduleStatus.SUCCEEDED:
                return "deferred"
            if parent.previous_publication_id is None:
                _fail(principal, schedule, PublishingErrorCode.SCHEDULE_NOTHING_TO_REVERT,
                      "Nothing was live before its publish.")
                return "failed"
            if theme.active_publication_id == parent.previous_publication_id:
                _finish(principal, schedule, publication_id=parent.previous_publication_id, now=now)
                return "succeeded"  # already back (a manual rollback): nothing to do
            target = ThemePublication.objects.select_related("theme_version").get(pk=parent.previous_publication_id)
            previous, job_version, kind = theme.active_publication_id, target.theme_version, PublishJobKind.ROLLBACK
        try:
            with transaction.atomic():
                job = publish.scheduled_job_create(principal=principal, theme=theme, version=job_version, kind=kind,
                                                   target=target)
        except DomainError as error:
            _fail(principal, schedule, error.code, error.message)
            return "failed"
        PublishSchedule.objects.filter(pk=schedule.pk).update(
            status=ScheduleStatus.RUNNING, started_at=now, publish_job=job, previous_publication_id=previous,
            updated_at=now, updated_by=principal.actor, version=F("version") + 1)
        failpoint("schedule.in_start")  # the job made and the schedule running, nothing committed
        audit_record(principal=principal, action="publish_schedule.started", entity_type="publish_schedule",
                     entity_id=schedule.pk, old={"status": schedule.status},
                     new={"status": ScheduleStatus.RUNNING, "publish_job_id": job.pk, "created_by": schedule.created_by,
                          "previous_publication_id": previous})
        return "started"


def _creator_may_publish(created_by: str, now: datetime) -> bool:
    """Whether the schedule's creator may still publish in this tenant (in its transaction): a member's
    role now, a live key's role and scopes now; an operator always. The scheduler publishes on their
    behalf, so a member removed or demoted since does not publish through a schedule made earlier."""
    kind, _, ident = created_by.partition(":")
    if kind == ActorKind.OPERATOR:
        return True
    if kind == ActorKind.USER and ident.isdigit():
        role = Membership.objects.filter(user_id=int(ident)).values_list("role", flat=True).first()
        return Permission.THEMES_PUBLISH in role_permissions(role)
    if kind == ActorKind.API_KEY:
        key = (ApiClient.objects.filter(pk=ident, revoked_at__isnull=True)
               .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now)).first())
        return key is not None and Permission.THEMES_PUBLISH in scoped_permissions(
            key.role, scopes_of_document(key.permissions))
    return False


def _version_changed(schedule: PublishSchedule, version: ThemeVersion) -> bool:
    return version.status != ThemeVersionStatus.PREVIEW_READY or version.version != schedule.expected_version_version


def _changed_message(version: ThemeVersion) -> str:
    if version.status == ThemeVersionStatus.DRAFT:
        return (f"Version {version.ordinal} was edited after it was scheduled (it is a draft again): mark it "
                "preview-ready and schedule it again.")
    return f"Version {version.ordinal} is {version.status} now, no longer the preview-ready version that was scheduled."


def _fail_if_version_changed(*, schedule_id: str, tenant_id: str) -> bool:
    principal = scheduler_principal(tenant_id)
    with use_case(principal, Permission.THEMES_PUBLISH):
        schedule = _take(schedule_id, *OPEN)
        if schedule is None or schedule.kind != ScheduleKind.PUBLISH:
            return False
        version = ThemeVersion.objects.get(pk=schedule.theme_version_id)
        if not _version_changed(schedule, version):
            return False
        _fail(principal, schedule, PublishingErrorCode.SCHEDULE_VERSION_CHANGED, _changed_message(version))
        return True


def _settle(*, schedule_id: str, tenant_id: str) -> str | None:
    """A running schedule whose job ended: failed with the job's code (a flip marks success itself)."""
    principal = scheduler_principal(tenant_id)
    with use_case(principal, Permission.THEMES_PUBLISH):
        schedule = _take(schedule_id, ScheduleStatus.RUNNING)
        job = PublishJob.objects.filter(pk=schedule.publish_job_id).first() if schedule else None
        if schedule is None or job is None or job.status not in JOB_FINISHED:
            return None
        if job.status == PublishJobStatus.FAILED:
            _fail(principal, schedule, job.error_code or PublishingErrorCode.BUILD_FAILED,
                  f"Its publish job {job.pk} failed: {job.error_message or job.error_code}")
            return "failed"
        _finish(principal, schedule, publication_id=job.publication_id, now=timezone.now())
        return "succeeded"


def _finish(principal: Principal, schedule: PublishSchedule, *, publication_id: str | None, now: datetime) -> None:
    PublishSchedule.objects.filter(pk=schedule.pk).update(
        status=ScheduleStatus.SUCCEEDED, publication_id=publication_id, started_at=schedule.started_at or now,
        finished_at=now, updated_at=now, updated_by=principal.actor, version=F("version") + 1)
    audit_record(principal=principal, action="publish_schedule.succeeded", entity_type="publish_schedule",
                 entity_id=schedule.pk, old={"status": schedule.status},
                 new={"status": ScheduleStatus.SUCCEEDED, "publication_id": publication_id})


def _fail(principal: Principal, schedule: PublishSchedule, code: str, message: str) -> None:
    """Fails the schedule (and a publish's open revert, which has nothing left to revert): audited,
    `theme.schedule_failed.v1` in the outbox, and its creator told by e-mail once this commits."""
    now = timezone.now()
    failing = [(schedule, str(code), message)]
    if schedule.kind == ScheduleKind.PUBLISH:
        failing += [(revert, PublishingErrorCode.SCHEDULE_PUBLISH_NOT_DONE, "Its publish failed: there is nothing to revert.")
                    for revert in PublishSchedule.objects.select_for_update().filter(reverts_id=schedule.pk, status__in=OPEN)]
    for each, each_code, each_message in failing:
        PublishSchedule.objects.filter(pk=each.pk).update(
            status=ScheduleStatus.FAILED, error_code=str(each_code), error_message=each_message[:2000], finished_at=now,
            updated_at=now, updated_by=principal.actor, version=F("version") + 1)
        after = PublishSchedule.objects.get(pk=each.pk)
        audit_record(principal=principal, action="publish_schedule.failed", entity_type="publish_schedule",
                     entity_id=each.pk, old={"status": each.status},
                     new={"status": ScheduleStatus.FAILED, "error_code": str(each_code), "created_by": each.created_by})
        _event(after, "theme.schedule_failed.v1", error_code=str(each_code), error_message=each_message)
    transaction.on_commit(lambda: _email_creator(schedule_id=schedule.pk, tenant_id=schedule.tenant_id))


def _email_creator(*, schedule_id: str, tenant_id: str) -> None:
    """After the failure's commit: tells the schedule's creator (a member; an API key has no address).
    Losing this is harmless to the data: the failure is on the schedule, in the audit log and the outbox."""
    with tenant_context(tenant_id):
        schedule = PublishSchedule.objects.select_related("theme", "theme_version").filter(pk=schedule_id).first()
        zone = tenant_time_zone(tenant_id)
    if schedule is None or not schedule.created_by.startswith(f"{ActorKind.USER}:"):
        return
    user = get_user_model().objects.filter(pk=int(schedule.created_by.split(":", 1)[1])).first()
    address = getattr(user, "email", "") if user is not None else ""
    if not address:
        return
    what = "publish" if schedule.kind == ScheduleKind.PUBLISH else "revert"
    subject = f"Scheduled {what} of {schedule.theme.name} failed"
    body = (f"The scheduled {what} of {schedule.theme.name}, version {schedule.theme_version.ordinal}, "
            f"due at {local_time(schedule.run_at, zone)}, failed.\n\n"
            f"Error: {schedule.error_code}\n{schedule.error_message}\n\n"
            f"Schedule {schedule.pk}. Nothing was changed on the live site by this schedule.\n")
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    except Exception:  # noqa: BLE001 - an unreachable mail server must not undo or repeat the failure
        logger.exception("could not e-mail the creator of schedule %s", schedule_id)
