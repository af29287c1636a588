"""An operator's emergency rollback (issue 21): it does not wait for four-eyes approval, and a rollout
of the theme that is open (issue 22) is aborted first, in the same transaction, so guests in its slice
do not keep the candidate while everyone else gets the rollback. Apart from publish.py because it uses
both the publish and the rollout use cases (rollouts.py imports publish.py)."""
from __future__ import annotations

from publishing.errors import PublishingErrorCode
from publishing.models import OPEN_ROLLOUT, PublishJob, PublishJobKind, ThemeRollout
from publishing.services.four_eyes import four_eyes_on
from publishing.services.publish import check_theme_version, live_theme, new_publish_job, rollback_target
from publishing.services.rollouts import rollout_abort
from themeconfig.platform.errors import CoreErrorCode, DomainError, FieldError
from themeconfig.platform.permissions import Permission
from themeconfig.platform.principal import Principal, use_case
from themeconfig.services.audit import audit_record


def theme_emergency_rollback(*, principal: Principal, theme_id: str, expected_theme_version: int | None,
                             publication_id: str | None = None, reason: str) -> PublishJob:
    """An operator's rollback that does not wait for four-eyes approval (the live site is broken and
    nobody can approve in time): the job at once, audited as an emergency with the operator's reason;
    an open rollout of the theme is aborted first (audited with the same reason)."""
    if not principal.is_operator:
        raise DomainError(PublishingErrorCode.EMERGENCY_OPERATORS_ONLY,
                          "Only an operator may roll back without approval; ask for a rollback instead.",
                          http_status=403)
    if not reason or not reason.strip():
        raise DomainError(CoreErrorCode.VALIDATION_FAILED, "Say why the rollback cannot wait for approval.",
                          http_status=422, errors=[FieldError("/reason", "required", "A reason is required.")])
    reason = reason.strip()[:2000]
    with use_case(principal, Permission.THEMES_PUBLISH):
        theme = live_theme(theme_id)
        expected = check_theme_version(theme, expected_theme_version)
        aborted = ThemeRollout.objects.filter(theme_id=theme.pk, status__in=OPEN_ROLLOUT).values_list(
            "pk", flat=True).first()
        if aborted is not None:
            rollout_abort(principal=principal, rollout_id=aborted, reason=f"Emergency rollback: {reason}"[:500])
            theme = live_theme(theme_id)
            expected = theme.version  # the abort moved it; the caller's check above is what counts
        target = rollback_target(theme, publication_id)
        job = new_publish_job(principal=principal, theme=theme, version=target.theme_version,
                              kind=PublishJobKind.ROLLBACK, expected=expected, target=target, emergency=True)
        audit_record(principal=principal, action="theme.emergency_rollback_requested", entity_type="theme",
                     entity_id=theme.pk, new={"publish_job_id": job.pk, "target_publication_id": target.pk,
                                              "four_eyes_on": four_eyes_on(), "reason": reason,
                                              "aborted_rollout_id": aborted})
        return job
