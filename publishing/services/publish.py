"""Use cases of publishing: ask for a publish, rollback or re-publish (a job), and run a job.

Asking answers at once with a queued job; a worker runs it: build the bundle (deterministic),
upload it (content-addressed, immutable), then the flip of seed 000 §3.3 in one transaction that
also marks the job succeeded and writes `theme.published.v1` / `theme.rolled_back.v1` to the
outbox. A crash anywhere before that commit leaves the old publication active and the job open
for a retry; a crash after it leaves a succeeded job. Concurrent flips end in PUBLISH_CONFLICT.

With the tenant's four-eyes setting on, asking answers with a publish request instead of a job
(four_eyes.py); its approval (publish_requests.py) asks for the job through `publish_job_for_request`,
which runs the same checks again. An operator's `theme_emergency_rollback` (services/emergency.py) goes around approval.
"""
from __future__ import annotations

import logging
import socket
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from publishing.errors import PublishingErrorCode
from publishing.models import (
    PublishJob,
    PublishJobKind,
    PublishJobStatus,
    PublishRequest,
    PublishSchedule,
    ScheduleStatus,
    ThemePublication,
)
from publishing.outbox.enqueue import outbox_enqueue
from publishing.resolve import cache as resolve_cache
from publishing.services.four_eyes import four_eyes_on, publish_request_open
from publishing.services.rollout_guard import close_promoted_rollout, refuse_if_rollout_open
from themeconfig.errors import ThemeErrorCode
from themeconfig.models import ArchivedReason, Theme, ThemeVersion, ThemeVersionStatus
from themeconfig.platform.errors import CoreErrorCode, DomainError, FieldError, not_found
from themeconfig.platform.failpoints import failpoint
from themeconfig.platform.ids import is_valid_id, new_id
from themeconfig.platform.jobs.dispatch import job_enqueue
from themeconfig.platform.jobs.kinds import JobKind
from themeconfig.platform.jobs.runner import (
    JobFinishedElsewhere,
    JobSteps,
    job_advance,
    job_claimed,
    job_fail,
    job_succeed,
)
from themeconfig.platform.permissions import Permission
from themeconfig.platform.principal import Principal, use_case
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.services.audit import audit_record
from themeconfig.services.occ import check_expected_version, version_conflict
from themeconfig.services.themes import require_active_theme
from themeconfig.services.versions import immutable, version_problems

logger = logging.getLogger(__name__)
FINISHED = (PublishJobStatus.SUCCEEDED, PublishJobStatus.FAILED)
# Runs a job gets before it is failed with WORKER_LOST: the first, plus the task's retries for
# transient faults (publishing/tasks.py MAX_ATTEMPTS), plus redeliveries after a lost worker.
MAX_RUNS = 6
PUBLISH_JOBS = JobKind(model=PublishJob, task_name="publishing.run_publish_job_task", finished=FINISHED,
                       entity_type="publish_job", max_runs=MAX_RUNS, worker_lost=PublishingErrorCode.WORKER_LOST,
                       audit=audit_record)


def live_theme(theme_id: str) -> Theme:
    theme = Theme.objects.filter(pk=theme_id, deleted_at__isnull=True).first() if is_valid_id(theme_id, "thm") else None
    if theme is None:
        raise not_found("theme")
    return theme


def check_theme_version(theme: Theme, expected: int | None) -> int:
    require_active_theme(theme.status)
    checked = check_expected_version(expected)
    if theme.version != checked:
        raise version_conflict("theme", checked, theme.version)
    return checked


def new_publish_job(*, principal: Principal, theme: Theme, version: ThemeVersion, kind: str, expected: int,
                    target: ThemePublication | None = None, approved: PublishRequest | None = None,
                    emergency: bool = False) -> PublishJob:
    trace: dict[str, Any] = {"requested_at": timezone.now().isoformat()}
    if approved is not None:
        trace.update(publish_request_id=approved.pk, request_requested_by=approved.created_by)
    if emergency:
        trace["emergency"] = True
    job = PublishJob.objects.create(
        id=new_id("pbj"), tenant_id=principal.bound_tenant_id, theme_id=theme.pk, theme_version_id=version.pk, kind=kind,
        expected_theme_version=expected, expected_version_version=version.version, target_publication=target,
        requested_by=principal.actor, principal=principal.as_payload(), trace=trace,
    )
    audit_record(principal=principal, action=f"publish_job.{kind}_requested", entity_type="publish_job",
                 entity_id=job.pk, new={"theme_id": theme.pk, "version_id": version.pk, "kind": kind,
                                        "expected_theme_version": expected,
                                        **({"publish_request_id": approved.pk} if approved is not None else {}),
                                        **({"emergency": True, "four_eyes_bypassed": True} if emergency else {})})
    transaction.on_commit(lambda: enqueue_publish_job(job_id=job.pk, tenant_id=job.tenant_id))
    return job


def _job_or_request(*, principal: Principal, theme: Theme, version: ThemeVersion, kind: str, expected: int,
                    target: ThemePublication | None = None, approved: PublishRequest | None = None,
                    note: str | None = None) -> PublishJob | PublishRequest:
    """The job, or, when the tenant has four-eyes on and no approved request stands behind this, the
    request a second member must approve first (everything the job needs was checked already)."""
    if approved is None and four_eyes_on():
        return publish_request_open(principal=principal, theme=theme, version=version, action=kind, target=target,
                                    note=note)
    return new_publish_job(principal=principal, theme=theme, version=version, kind=kind, expected=expected,
                           target=target, approved=approved)


def enqueue_publish_job(*, job_id: str, tenant_id: str) -> None:
    """Hands the job to a worker. With the broker down the job is committed and marked, and is sent
    as soon as the broker answers again (themeconfig/platform/jobs/dispatch.py)."""
    job_enqueue(PUBLISH_JOBS, job_id=job_id, tenant_id=tenant_id)


def scheduled_job_create(*, principal: Principal, theme: Theme, version: ThemeVersion, kind: str,
                         target: ThemePublication | None = None) -> PublishJob:
    """The job of a schedule that fell due (publishing/services/schedules.py), in the caller's
    transaction and tenant, expecting the theme as it is now; its flip publishes with `published_by`
    NULL and marks the schedule succeeded."""
    refuse_if_rollout_open(theme.pk)  # a schedule due during a rollout fails with ROLLOUT_RUNNING
    return new_publish_job(principal=principal, theme=theme, version=version, kind=kind, expected=theme.version,
                           target=target)


def version_publish(*, principal: Principal, version_id: str, expected_theme_version: int | None,
                    note: str | None = None) -> PublishJob | PublishRequest:
    """A publish job for a draft or preview-ready version that passes every preview-ready check; with
    four-eyes on, a publish request waiting for another member's approval instead."""
    return _version_publish(principal=principal, version_id=version_id, expected_theme_version=expected_theme_version,
                            note=note)


def _version_publish(*, principal: Principal, version_id: str, expected_theme_version: int | None,
                     note: str | None = None, approved: PublishRequest | None = None) -> PublishJob | PublishRequest:
    with use_case(principal, Permission.THEMES_PUBLISH):
        version = (ThemeVersion.objects.select_related("theme").filter(pk=version_id, theme__deleted_at__isnull=True)
                   .first() if is_valid_id(version_id, "thv") else None)
        if version is None:
            raise not_found("version")
        if version.status not in (ThemeVersionStatus.DRAFT, ThemeVersionStatus.PREVIEW_READY):
            raise immutable(version)
        expected = check_theme_version(version.theme, expected_theme_version)
        refuse_if_rollout_open(version.theme_id)
        if problems := version_problems(version):
            raise DomainError(ThemeErrorCode.NOT_PREVIEW_READY,
                              f"The version has {len(problems)} problem(s) to fix before it can be published.",
                              http_status=422, errors=problems)
        return _job_or_request(principal=principal, theme=version.theme, version=version, kind=PublishJobKind.PUBLISH,
                               expected=expected, approved=approved, note=note)


def theme_rollback(*, principal: Principal, theme_id: str, expected_theme_version: int | None,
                   publication_id: str | None = None, note: str | None = None) -> PublishJob | PublishRequest:
    """A job flipping the theme back to an earlier publication's bundle (default: the one before);
    with four-eyes on, a request waiting for another member's approval instead."""
    return _theme_rollback(principal=principal, theme_id=theme_id, expected_theme_version=expected_theme_version,
                           publication_id=publication_id, note=note)


def _theme_rollback(*, principal: Principal, theme_id: str, expected_theme_version: int | None,
                    publication_id: str | None = None, note: str | None = None,
                    approved: PublishRequest | None = None) -> PublishJob | PublishRequest:
    with use_case(principal, Permission.THEMES_PUBLISH):
        theme = live_theme(theme_id)
        expected = check_theme_version(theme, expected_theme_version)
        refuse_if_rollout_open(theme.pk)
        target = rollback_target(theme, publication_id)
        return _job_or_request(principal=principal, theme=theme, version=target.theme_version,
                               kind=PublishJobKind.ROLLBACK, expected=expected, target=target, approved=approved,
                               note=note)


def rollback_target(theme: Theme, publication_id: str | None) -> ThemePublication:
    earlier = ThemePublication.objects.filter(theme_id=theme.pk, is_active=False).select_related("theme_version")
    if publication_id is not None:
        target = earlier.filter(pk=publication_id).first() if is_valid_id(publication_id, "thp") else None
        if target is None:
            raise DomainError(CoreErrorCode.NOT_FOUND, "No such earlier publication of this theme.",
                              http_status=422, errors=[FieldError("/publication_id", "unknown", "Not an earlier publication.")])
    else:
        target = earlier.exclude(theme_version_id=_active_version_id(theme)).order_by("-published_at").first()
        if target is None:
            raise DomainError(PublishingErrorCode.PUBLISH_CONFLICT, "There is no earlier publication to roll back to.",
                              http_status=409)
    return target


def theme_republish(*, principal: Principal, theme_id: str, expected_theme_version: int | None,
                    note: str | None = None) -> PublishJob | PublishRequest:
    """Rebuilds and re-publishes the active version (reason re_publish); with four-eyes on, a request
    waiting for another member's approval instead."""
    return _theme_republish(principal=principal, theme_id=theme_id, expected_theme_version=expected_theme_version,
                            note=note)


def _theme_republish(*, principal: Principal, theme_id: str, expected_theme_version: int | None,
                     note: str | None = None, approved: PublishRequest | None = None) -> PublishJob | PublishRequest:
    with use_case(principal, Permission.THEMES_PUBLISH):
        theme = live_theme(theme_id)
        expected = check_theme_version(theme, expected_theme_version)
        refuse_if_rollout_open(theme.pk)
        active = ThemePublication.objects.filter(theme_id=theme.pk, is_active=True).select_related("theme_version").first()
        if active is None:
            raise DomainError(PublishingErrorCode.PUBLISH_CONFLICT, "The theme has no active publication to re-publish.",
                              http_status=409)
        return _job_or_request(principal=principal, theme=theme, version=active.theme_version,
                               kind=PublishJobKind.RE_PUBLISH, expected=expected, approved=approved, note=note)


def publish_job_for_request(*, principal: Principal, request: PublishRequest) -> PublishJob:
    """The job an approved request asks for, as the approver, against the theme as it is now: every
    check of the direct use case runs again (a version that stopped passing them is refused)."""
    theme_version = Theme.objects.filter(pk=request.theme_id).values_list("version", flat=True).first()
    if request.action == PublishJobKind.PUBLISH:
        job = _version_publish(principal=principal, version_id=request.theme_version_id,
                               expected_theme_version=theme_version, approved=request)
    elif request.action == PublishJobKind.ROLLBACK:
        job = _theme_rollback(principal=principal, theme_id=request.theme_id, expected_theme_version=theme_version,
                              publication_id=request.target_publication_id, approved=request)
    else:
        job = _theme_republish(principal=principal, theme_id=request.theme_id, expected_theme_version=theme_version,
                               approved=request)
    assert isinstance(job, PublishJob)  # an approved request always makes the job
    return job


def _active_version_id(theme: Theme) -> str | None:
    return ThemePublication.objects.filter(theme_id=theme.pk, is_active=True).values_list(
        "theme_version_id", flat=True).first()


# --- running a job (a worker) ---------------------------------------------------------------------

def publish_job_fail(*, job_id: str, tenant_id: str, code: str, message: str) -> PublishJob:
    return job_fail(PUBLISH_JOBS, job_id=job_id, tenant_id=tenant_id, code=code, message=message)


def publish_job_run(*, job_id: str, tenant_id: str, worker: str | None = None) -> PublishJob | None:
    """Runs one job to its end; safe to call again for the same job (a redelivered task)."""
    from publishing.bundles.build import build_bundle, bundle_inputs
    from publishing.bundles.storage import upload_bundle

    worker = worker or socket.gethostname()
    with job_claimed(PUBLISH_JOBS, job_id=job_id, tenant_id=tenant_id, status=PublishJobStatus.BUILDING) as claim:
        pass
    if claim.over:
        return claim.job
    job, principal, steps = claim.job, claim.principal, claim.steps
    assert job is not None  # a claim that is not over holds its job
    try:
        with use_case(principal, Permission.THEMES_PUBLISH):
            # A job asked for before the theme was suspended or archived is refused when it runs.
            require_active_theme(Theme.objects.filter(pk=job.theme_id).values_list("status", flat=True).first())
            steps.start("build")
            if job.kind == PublishJobKind.ROLLBACK:
                target = ThemePublication.objects.get(pk=job.target_publication_id)
                bundle_url, sha256, size = target.bundle_url, target.bundle_sha256, None
            else:
                version = ThemeVersion.objects.get(pk=job.theme_version_id)
                if job.kind == PublishJobKind.PUBLISH and version.version != job.expected_version_version:
                    raise DomainError(PublishingErrorCode.VERSION_CHANGED,
                                      "The version was edited after the publish was asked for; publish again.",
                                      http_status=409)
                bundle = build_bundle(**bundle_inputs(job.theme_version_id))
            steps.finish()
        if job.kind != PublishJobKind.ROLLBACK:
            job_advance(PUBLISH_JOBS, job_id=job_id, tenant_id=tenant_id, status=PublishJobStatus.UPLOADING,
                        bundle_sha256=bundle.sha256)
            steps.start("upload")
            uploaded = upload_bundle(bundle, tenant_id=tenant_id, theme_id=job.theme_id)
            steps.finish()
            bundle_url, sha256, size = uploaded.json_url, bundle.sha256, bundle.size
        failpoint("publish.after_upload")  # the bundle is stored, nothing flipped yet
        job_advance(PUBLISH_JOBS, job_id=job_id, tenant_id=tenant_id, status=PublishJobStatus.FLIPPING)
        steps.start("flip")
        publication = _flip(job=job, principal=principal, bundle_url=bundle_url, sha256=sha256, size=size,
                            steps=steps, trace={**job.trace, "worker": worker, "bundle_size": size, "sha256": sha256})
    except DomainError as error:
        return publish_job_fail(job_id=job_id, tenant_id=tenant_id, code=error.code, message=error.message)
    except JobFinishedElsewhere:
        with tenant_context(tenant_id):
            return PublishJob.objects.get(pk=job_id)
    _invalidate_cdn(tenant_id=tenant_id, publication_id=publication.pk, job_id=job_id)
    with tenant_context(tenant_id):
        return PublishJob.objects.get(pk=job_id)


def _flip(*, job: PublishJob, principal: Principal, bundle_url: str, sha256: str, size: int | None,
          steps: JobSteps, trace: dict[str, Any]) -> ThemePublication:
    """Seed 000 §3.3 in one transaction, with the version's status, the job's success and the event."""
    reason = job.kind  # publish, rollback or re_publish: the publication's reason
    new_id_ = new_id("thp")
    now = timezone.now()
    # A concurrent flip's unique violation (theme_publications_active_uq) is a PUBLISH_CONFLICT
    # through the constraint registry, like the stale theme version below.
    with use_case(principal, Permission.THEMES_PUBLISH), connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, theme_version_id FROM theme_config.theme_publications WHERE theme_id = %s AND is_active",
            [job.theme_id])
        previous = cursor.fetchone()
        # A schedule's publication is system-initiated (seed 000: published_by NULL); the audit row
        # names the schedule and its creator, and the version records the creator as its publisher.
        schedule = PublishSchedule.objects.filter(publish_job_id=job.pk).values_list("pk", "created_by").first()
        published_by = None if schedule else principal.actor
        cursor.execute(
            "UPDATE theme_config.theme_publications SET is_active = false, superseded_at = now(), "
            "superseded_by_id = %s WHERE theme_id = %s AND is_active = true", [new_id_, job.theme_id])
        cursor.execute(
            "INSERT INTO theme_config.theme_publications (id, tenant_id, theme_id, theme_version_id, is_active, "
            "bundle_url, bundle_sha256, reason, published_at, published_by) "
            "VALUES (%s, %s, %s, %s, true, %s, %s, %s, now(), %s)",
            [new_id_, job.tenant_id, job.theme_id, job.theme_version_id, bundle_url, sha256, reason,
             published_by])
        cursor.execute(
            "UPDATE theme_config.themes SET active_publication_id = %s, version = version + 1, updated_at = now(), "
            "updated_by = %s WHERE id = %s AND version = %s AND deleted_at IS NULL AND status = 'active'",
            [new_id_, principal.actor, job.theme_id, job.expected_theme_version])
        if cursor.rowcount != 1:
            require_active_theme(Theme.objects.filter(pk=job.theme_id).values_list("status", flat=True).first())
            raise DomainError(PublishingErrorCode.PUBLISH_CONFLICT,
                              "The theme changed since this publish was asked for (another publish won).",
                              http_status=409)
        # After the theme's row lock: a rollout start or abort committed before it is seen here.
        promoted_rollout = close_promoted_rollout(job=job, actor=principal.actor)
        # The trigger has rewritten the theme's host_resolution rows: their cached answers go at commit.
        resolve_cache.invalidate_on_commit(resolve_cache.theme_hosts(job.theme_id))
        if previous and previous[1] != job.theme_version_id:
            ThemeVersion.objects.filter(pk=previous[1], status=ThemeVersionStatus.PUBLISHED).update(
                status=ThemeVersionStatus.ARCHIVED, archived_at=now, updated_at=now, updated_by=principal.actor,
                archived_reason=ArchivedReason.ROLLED_BACK if reason == "rollback" else ArchivedReason.SUPERSEDED)
        published = {"status": ThemeVersionStatus.PUBLISHED, "published_bundle_url": bundle_url,
                     "published_bundle_sha256": sha256, "published_at": now,
                     "published_by": schedule[1] if schedule else principal.actor,
                     "archived_at": None, "archived_reason": None, "updated_at": now, "updated_by": principal.actor}
        if size is not None:
            published["published_bundle_size"] = size
        ThemeVersion.objects.filter(pk=job.theme_version_id).update(**published)
        event_type = "theme.rolled_back.v1" if reason == "rollback" else "theme.published.v1"
        outbox_enqueue(tenant_id=job.tenant_id, event_type=event_type, subject=job.theme_id,
                       partition_key=job.theme_id, data={
                           "theme_id": job.theme_id, "publication_id": new_id_, "version_id": job.theme_version_id,
                           "previous_publication_id": previous[0] if previous else None, "bundle_url": bundle_url,
                           "bundle_sha256": sha256, "reason": reason, "schedule_id": schedule[0] if schedule else None})
        by_schedule = {"schedule_id": schedule[0], "schedule_created_by": schedule[1]} if schedule else {}
        audit_record(principal=principal, action=f"theme.{'rolled_back' if reason == 'rollback' else 'published'}",
                     entity_type="theme", entity_id=job.theme_id,
                     old={"active_publication_id": previous[0] if previous else None},
                     new={"active_publication_id": new_id_, **by_schedule})
        if promoted_rollout is not None:
            audit_record(principal=principal, action="rollout.promoted", entity_type="rollout",
                         entity_id=promoted_rollout, old={"status": "running"},
                         new={"status": "promoted", "publication_id": new_id_})
        if schedule:
            PublishSchedule.objects.filter(pk=schedule[0], status=ScheduleStatus.RUNNING).update(
                status=ScheduleStatus.SUCCEEDED, publication_id=new_id_, finished_at=now, updated_at=now,
                updated_by=principal.actor, version=F("version") + 1)
        # Last, so the flip step ends at the job's finished_at with all its work in it.
        if not job_succeed(PUBLISH_JOBS, job_id=job.pk, steps=steps, trace=trace, publication_id=new_id_,
                           bundle_sha256=sha256):
            raise JobFinishedElsewhere(job.pk)  # rolls the whole flip back: a failed job never publishes
        failpoint("publish.in_flip")  # every write of the flip done, none committed
    with tenant_context(job.tenant_id):
        return ThemePublication.objects.get(pk=new_id_)


def _invalidate_cdn(*, tenant_id: str, publication_id: str, job_id: str) -> None:
    """After the flip: purge what a CDN may hold; losing this is harmless (the keys are content-addressed).
    The job has finished by then: the purge is timed apart from its steps (`cdn_ms`)."""
    from publishing.bundles.cdn import cdn

    steps = JobSteps()
    try:
        steps.start("cdn")
        invalidation_id = cdn().invalidate([f"/bundles/{tenant_id}/"])
        steps.finish()
    except Exception:  # noqa: BLE001 - the publish stands; the purge is retried by the CDN's own TTL
        logger.exception("CDN invalidation failed for publication %s", publication_id)
        return
    with tenant_context(tenant_id):
        ThemePublication.objects.filter(pk=publication_id).update(cdn_invalidation_id=invalidation_id)
        job = PublishJob.objects.get(pk=job_id)
        PublishJob.objects.filter(pk=job_id).update(trace={**job.trace, **steps.timings, "cdn_invalidation_id": invalidation_id})
