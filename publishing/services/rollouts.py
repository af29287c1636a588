"""Use cases of staged rollouts (issue 22): a candidate bundle of a theme's version served to a slice
of the theme's guests, widened, paused, resumed, promoted (a normal publish of the candidate version,
which closes the rollout in its flip) or aborted (at once: the slice leaves the read model at commit).

The slice lives in host_resolution (publishing/sql/0024_rollouts.sql: a trigger rewrites the theme's
rows in the transaction of each change) and the resolve cache drops the theme's answers at that
commit, as after a flip; resolve/ then picks the answer per visitor without a query
(publishing/resolve/slices.py). Every change is audited with its reason.

While a theme has an open (running or paused) rollout, publish, rollback and re-publish are refused
with ROLLOUT_RUNNING (409); start, promote and abort bump the theme's version, so a publish job asked
for before them fails its flip with PUBLISH_CONFLICT instead of replacing what guests see.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from publishing.errors import PublishingErrorCode
from publishing.models import (
    OPEN_ROLLOUT,
    PublishJob,
    PublishJobKind,
    PublishRequest,
    PublishRequestAction,
    RolloutStatus,
    ThemeRollout,
)
from publishing.resolve import cache as resolve_cache
from publishing.services.four_eyes import four_eyes_on, publish_request_open
from publishing.services.publish import check_theme_version, live_theme, new_publish_job
from publishing.services.rollout_guard import refuse_if_rollout_open, rollout_closed
from themeconfig.errors import ThemeErrorCode
from themeconfig.models import Theme, ThemeVersion, ThemeVersionStatus
from themeconfig.platform.errors import DomainError, FieldError, not_found, validation_error
from themeconfig.platform.hostnames import host_normalize
from themeconfig.platform.ids import is_valid_id, new_id
from themeconfig.platform.permissions import Permission
from themeconfig.platform.principal import Principal, use_case
from themeconfig.services.audit import audit_record
from themeconfig.services.occ import check_expected_version, version_conflict
from themeconfig.services.versions import immutable, version_problems

USER_KEY_MAX_LENGTH = 200


def rollout_start(*, principal: Principal, theme_id: str, version_id: str, expected_theme_version: int,
                  percentage: Decimal | float | int = 0, hosts: list[str] | None = None,
                  user_keys: list[str] | None = None, reason: str) -> ThemeRollout:
    """Builds the version's bundle (deterministic, content-addressed), stores it, then opens the
    rollout in one transaction. The build and the upload run before that transaction takes any lock
    (the storage call never runs under one); a crash between them leaves an unreferenced object only."""
    from publishing.bundles.build import build_bundle, bundle_inputs
    from publishing.bundles.storage import upload_bundle

    reason = _reason(reason)
    basis_points = _basis_points(percentage)
    user_keys = _user_keys(user_keys or [])
    with use_case(principal, Permission.THEMES_PUBLISH) as bound:
        theme = live_theme(theme_id)
        version = (ThemeVersion.objects.filter(pk=version_id, theme_id=theme.pk).first()
                   if is_valid_id(version_id, "thv") else None)
        if version is None:
            raise DomainError(ThemeErrorCode.VERSION_CONFLICT, "No such version of this theme.", http_status=422,
                              errors=[FieldError("/version_id", "unknown", "Not a version of this theme.")])
        if version.status not in (ThemeVersionStatus.DRAFT, ThemeVersionStatus.PREVIEW_READY):
            raise immutable(version)
        check_theme_version(theme, expected_theme_version)
        refuse_if_rollout_open(theme.pk)
        if problems := version_problems(version):
            raise DomainError(ThemeErrorCode.NOT_PREVIEW_READY,
                              f"The version has {len(problems)} problem(s) to fix before it can be rolled out.",
                              http_status=422, errors=problems)
        if theme.active_publication_id is None:
            raise DomainError(PublishingErrorCode.ROLLOUT_NOTHING_LIVE,
                              "The theme has no active publication: publish it first, then roll out the next one.",
                              http_status=409)
        named_hosts = _served_hosts(theme.pk, hosts or [])
        bundle = build_bundle(**bundle_inputs(version.pk))
        version_version = version.version
    uploaded = upload_bundle(bundle, tenant_id=bound.bound_tenant_id, theme_id=theme.pk)
    with use_case(principal, Permission.THEMES_PUBLISH):
        theme = _lock_theme(theme.pk)
        check_theme_version(theme, expected_theme_version)
        if ThemeVersion.objects.filter(pk=version.pk).values_list("version", flat=True).first() != version_version:
            raise DomainError(PublishingErrorCode.VERSION_CHANGED,
                              "The version was edited while its bundle was built; start the rollout again.",
                              http_status=409)
        refuse_if_rollout_open(theme.pk)
        rollout = ThemeRollout.objects.create(
            id=new_id("rol"), tenant_id=bound.bound_tenant_id, theme_id=theme.pk, candidate_version_id=version.pk,
            candidate_version_version=version_version, candidate_bundle_url=uploaded.json_url,
            candidate_bundle_sha256=bundle.sha256, candidate_bundle_size=bundle.size, basis_points=basis_points,
            hosts=named_hosts, user_keys=user_keys, reason=reason, created_by=bound.actor, updated_by=bound.actor)
        _bump_theme(theme, bound)
        audit_record(principal=bound, action="rollout.started", entity_type="rollout", entity_id=rollout.pk,
                     new={"theme_id": theme.pk, "version_id": version.pk, **_slice_fields(rollout), "reason": reason})
        resolve_cache.invalidate_on_commit(resolve_cache.theme_hosts(theme.pk))
        return rollout


def rollout_widen(*, principal: Principal, rollout_id: str, expected_version: int,
                  percentage: Decimal | float | int | None = None, hosts: list[str] | None = None,
                  user_keys: list[str] | None = None, reason: str) -> ThemeRollout:
    """Widens the slice: a higher percentage and more named hosts or user keys; never narrower, so
    nobody in the slice leaves it (a visitor's hash bucket never changes)."""
    reason = _reason(reason)
    with use_case(principal, Permission.THEMES_PUBLISH) as bound:
        rollout = _open_rollout(rollout_id, expected_version)
        old = _slice_fields(rollout)
        basis_points = rollout.basis_points if percentage is None else _basis_points(percentage)
        named_hosts = sorted({*rollout.hosts, *_served_hosts(rollout.theme_id, hosts or [])})
        keys = sorted({*rollout.user_keys, *_user_keys(user_keys or [])})
        if basis_points < rollout.basis_points:
            raise DomainError(PublishingErrorCode.ROLLOUT_NARROWING,
                              f"A rollout only widens: it is at {rollout.basis_points / 100:g} %; abort it to stop it.",
                              http_status=422, errors=[FieldError("/percentage", "narrowing", "Lower than now.")])
        rollout.basis_points, rollout.hosts, rollout.user_keys = basis_points, named_hosts, keys
        return _save(rollout, bound, action="rollout.widened", old=old, reason=reason)


def rollout_pause(*, principal: Principal, rollout_id: str, expected_version: int, reason: str) -> ThemeRollout:
    """Nobody gets the candidate while paused; the rollout stays open and resume brings the same slice back."""
    return _set_status(principal, rollout_id, expected_version, reason, RolloutStatus.PAUSED, "rollout.paused")


def rollout_resume(*, principal: Principal, rollout_id: str, expected_version: int, reason: str) -> ThemeRollout:
    return _set_status(principal, rollout_id, expected_version, reason, RolloutStatus.RUNNING, "rollout.resumed")


def rollout_abort(*, principal: Principal, rollout_id: str, reason: str) -> ThemeRollout:
    """Closes the rollout at once, whatever its version (no rebuild, no job): from the commit on, no
    visitor gets the candidate. A promote job still under way then fails (ROLLOUT_CLOSED)."""
    reason = _reason(reason)
    with use_case(principal, Permission.THEMES_PUBLISH) as bound:
        rollout = _lock_rollout(rollout_id)
        if rollout.status not in OPEN_ROLLOUT:
            raise rollout_closed(rollout)
        old = _slice_fields(rollout)
        rollout.status, rollout.closed_at, rollout.closed_by = RolloutStatus.ABORTED, timezone.now(), bound.actor
        _bump_theme(_lock_theme(rollout.theme_id), bound)
        return _save(rollout, bound, action="rollout.aborted", old=old, reason=reason)


def rollout_promote(*, principal: Principal, rollout_id: str, expected_version: int, reason: str,
                    approved: PublishRequest | None = None) -> PublishJob | PublishRequest:
    """Publishes the candidate version (a normal publish job: its flip closes the rollout as promoted in
    the same transaction). Until that flip commits the slice keeps the candidate; an abort meanwhile
    wins (the job then fails with ROLLOUT_CLOSED). Asking again replaces the job the rollout waits for.
    With the tenant's four-eyes on, a publish request of action `promote` instead, whose approval
    (`approved`, publish_requests.py) asks for the job."""
    reason = _reason(reason)
    with use_case(principal, Permission.THEMES_PUBLISH) as bound:
        rollout = _open_rollout(rollout_id, expected_version)
        theme = _lock_theme(rollout.theme_id)
        version = ThemeVersion.objects.get(pk=rollout.candidate_version_id)
        if version.status not in (ThemeVersionStatus.DRAFT, ThemeVersionStatus.PREVIEW_READY):
            raise immutable(version)
        if version.version != rollout.candidate_version_version:
            raise DomainError(PublishingErrorCode.VERSION_CHANGED,
                              "The version was edited after the rollout started: what guests saw is not what "
                              "would be published. Abort and start a new rollout.", http_status=409)
        if approved is None and four_eyes_on():
            return publish_request_open(principal=bound, theme=theme, version=version,
                                        action=PublishRequestAction.PROMOTE, rollout=rollout, note=reason)
        _bump_theme(theme, bound)
        job = new_publish_job(principal=bound, theme=theme, version=version, kind=PublishJobKind.PUBLISH,
                              expected=theme.version, approved=approved)
        old = _slice_fields(rollout)
        rollout.promote_job_id = job.pk
        _save(rollout, bound, action="rollout.promote_requested", old=old, reason=reason,
              extra={"promote_job_id": job.pk})
        return job


# --- helpers ---------------------------------------------------------------------------------------

def _set_status(principal: Principal, rollout_id: str, expected_version: int, reason: str, status: str,
                action: str) -> ThemeRollout:
    reason = _reason(reason)
    with use_case(principal, Permission.THEMES_PUBLISH) as bound:
        rollout = _open_rollout(rollout_id, expected_version)
        old = _slice_fields(rollout)
        rollout.status = status
        return _save(rollout, bound, action=action, old=old, reason=reason)


def _save(rollout: ThemeRollout, bound: Principal, *, action: str, old: dict[str, Any], reason: str,
          extra: dict[str, Any] | None = None) -> ThemeRollout:
    rollout.version += 1
    rollout.updated_by = bound.actor
    rollout.save()  # the trigger rewrites the theme's host_resolution rows (the slice) in this transaction
    audit_record(principal=bound, action=action, entity_type="rollout", entity_id=rollout.pk, old=old,
                 new={**_slice_fields(rollout), **(extra or {}), "reason": reason})
    resolve_cache.invalidate_on_commit(resolve_cache.theme_hosts(rollout.theme_id))
    return rollout


def _slice_fields(rollout: ThemeRollout) -> dict[str, Any]:
    return {"status": rollout.status, "percentage": rollout.basis_points / 100, "hosts": list(rollout.hosts),
            "user_keys": len(rollout.user_keys)}


def _lock_theme(theme_id: str) -> Theme:
    theme = Theme.objects.select_for_update().filter(pk=theme_id, deleted_at__isnull=True).first()
    if theme is None:
        raise not_found("theme")
    return theme


def _bump_theme(theme: Theme, bound: Principal) -> None:
    Theme.objects.filter(pk=theme.pk).update(version=theme.version + 1, updated_at=timezone.now(),
                                             updated_by=bound.actor)
    theme.version += 1


def _lock_rollout(rollout_id: str) -> ThemeRollout:
    rollout = (ThemeRollout.objects.select_for_update().filter(pk=rollout_id).first()
               if is_valid_id(rollout_id, "rol") else None)
    if rollout is None:
        raise not_found("rollout")
    return rollout


def _open_rollout(rollout_id: str, expected_version: int) -> ThemeRollout:
    rollout = _lock_rollout(rollout_id)
    if rollout.status not in OPEN_ROLLOUT:
        raise rollout_closed(rollout)
    check_expected_version(expected_version)
    if rollout.version != expected_version:
        raise version_conflict("rollout", expected_version, rollout.version)
    return rollout


def _reason(reason: object) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    if not 1 <= len(text) <= 500:
        raise validation_error([FieldError("/reason", "required", "Say why, in 1 to 500 characters.")])
    return text


def _basis_points(percentage: Decimal | float | int) -> int:
    try:
        value = Decimal(str(percentage))
    except ArithmeticError:
        value = Decimal(-1)
    if not value.is_finite() or not 0 <= value <= 100 or value != value.quantize(Decimal("0.01")):
        raise validation_error([FieldError("/percentage", "invalid", "From 0 to 100, with at most 2 decimals.")])
    return int(value * 100)


def _user_keys(keys: list[str]) -> list[str]:
    cleaned = sorted({key.strip() for key in keys if isinstance(key, str) and key.strip()})
    if any(len(key) > USER_KEY_MAX_LENGTH for key in cleaned) or len(cleaned) > 1000:
        raise validation_error([FieldError("/user_keys", "invalid", "At most 1,000 keys of at most 200 characters.")])
    return cleaned


def _served_hosts(theme_id: str, hosts: list[str]) -> list[str]:
    """The named hosts, normalized; each must be one the theme serves now."""
    if not hosts:
        return []
    served = set(resolve_cache.theme_hosts(theme_id))
    named, errors = [], []
    for index, given in enumerate(hosts):
        host = host_normalize(given)
        if host is None or host not in served:
            errors.append(FieldError(f"/hosts/{index}", "not_served", "Not a host this theme serves."))
        else:
            named.append(host)
    if errors:
        raise validation_error(errors, "Name hosts this theme serves.")
    if len(set(named)) > 100:
        raise validation_error([FieldError("/hosts", "too_many", "At most 100 hosts.")])
    return sorted(set(named))


