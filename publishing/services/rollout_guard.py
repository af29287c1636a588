"""What publish requests and every publish flip check about a theme's rollouts (issue 22), apart from
the rollout use cases so that publish.py and rollouts.py both use it without an import cycle."""
from __future__ import annotations

from django.db import connection

from publishing.errors import PublishingErrorCode
from publishing.models import OPEN_ROLLOUT, PublishJob, RolloutStatus, ThemeRollout
from themeconfig.platform.errors import DomainError


def refuse_if_rollout_open(theme_id: str) -> None:
    """Publish, rollback, re-publish and a new rollout: a theme with an open rollout changes only through it."""
    open_id = ThemeRollout.objects.filter(theme_id=theme_id, status__in=OPEN_ROLLOUT).values_list(
        "pk", flat=True).first()
    if open_id is not None:
        raise rollout_running(open_id)


def close_promoted_rollout(*, job: PublishJob, actor: str) -> str | None:
    """Inside a publish flip: refuses it while a rollout of the theme is open that this job does not
    promote (ROLLOUT_RUNNING), or when the rollout it promotes was aborted (ROLLOUT_CLOSED); closes the
    rollout it promotes, as promoted. Returns that rollout's id, if any. Locks the rollout rows, as
    abort does, so an abort and a promote's flip never both commit."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, status, promote_job_id FROM theme_config.theme_rollouts WHERE theme_id = %s "
                       "AND (status IN ('running', 'paused') OR promote_job_id = %s) ORDER BY id FOR UPDATE",
                       [job.theme_id, job.pk])
        promoted = None
        for rollout_id, status, promote_job_id in cursor.fetchall():
            if status in OPEN_ROLLOUT and promote_job_id == job.pk:
                promoted = rollout_id
            elif status in OPEN_ROLLOUT:
                raise rollout_running(rollout_id)
            elif status == RolloutStatus.ABORTED:
                raise DomainError(PublishingErrorCode.ROLLOUT_CLOSED,
                                  "The rollout this publish promoted was aborted meanwhile.", http_status=409)
        if promoted is not None:
            cursor.execute("UPDATE theme_config.theme_rollouts SET status = 'promoted', closed_at = now(), "
                           "closed_by = %s, updated_at = now(), updated_by = %s, version = version + 1 "
                           "WHERE id = %s", [actor, actor, promoted])
    return promoted


def rollout_running(rollout_id: str) -> DomainError:
    return DomainError(PublishingErrorCode.ROLLOUT_RUNNING,
                       f"The theme has an open rollout ({rollout_id}): promote or abort it first.", http_status=409,
                       extra={"rollout_id": rollout_id})


def rollout_closed(rollout: ThemeRollout) -> DomainError:
    return DomainError(PublishingErrorCode.ROLLOUT_CLOSED, f"The rollout is {rollout.status}: it changes no more.",
                       http_status=409)
