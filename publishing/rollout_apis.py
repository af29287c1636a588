"""HTTP doors of staged rollouts (issue 22): a theme's rollouts and starting one, one rollout with its
last hour's candidate share, and widen, pause, resume, promote (202 + a publish job) and abort."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema

from publishing import selectors
from publishing.apis import JOB_OR_REQUEST, job_or_request_reply
from publishing.resolve import rollout_stats
from publishing.serializers import (
    RolloutChangeSerializer,
    RolloutDetailSerializer,
    RolloutSerializer,
    RolloutStartSerializer,
    RolloutWidenSerializer,
)
from publishing.services import rollouts
from themeconfig.apis.base import WorkspaceApi, WorkspaceListApi
from themeconfig.platform.api.idempotency import idempotent
from themeconfig.platform.permissions import Permission
from themeconfig.selectors import themes as theme_selectors


def _detail(view, rollout, status: int = 200):
    data = RolloutDetailSerializer(rollout, context={"last_hour": rollout_stats.last_hour(rollout.pk)}).data
    return view.reply(data, status=status, version=rollout.version, location=f"/api/v1/rollouts/{rollout.pk}/")


class ThemeRolloutListApi(WorkspaceListApi):
    """The theme's rollouts, newest first. POST starts one (201): the version's bundle is built and
    stored, then the candidate goes to the slice at once. Refused with `MELMASTOON.ROLLOUT.RUNNING`
    (409) while the theme has an open rollout, `MELMASTOON.ROLLOUT.NOTHING_LIVE` (409) when nothing is
    published yet. Needs the theme's version (If-Match or `version`) and a reason."""

    required_permission = {"GET": Permission.THEMES_READ, "POST": Permission.THEMES_PUBLISH}
    serializer_class = RolloutSerializer
    ordering = ("-created_at",)
    ordering_fields = ["created_at"]

    @extend_schema(operation_id="themes_rollouts_list", responses=RolloutSerializer(many=True))
    def get(self, request, theme_id):
        theme = theme_selectors.theme_get(theme_id)
        return self.paginated(selectors.rollout_list(theme_id=theme.pk), RolloutSerializer)

    @extend_schema(request=RolloutStartSerializer, responses={201: RolloutDetailSerializer})
    @idempotent
    def post(self, request, theme_id):
        data = self.body(RolloutStartSerializer)
        expected = self.expected(data)
        data.pop("version", None)
        rollout = rollouts.rollout_start(principal=self.principal, theme_id=theme_id, expected_theme_version=expected,
                                         **data)
        return _detail(self, rollout, status=201)


class RolloutApi(WorkspaceApi):
    """One rollout (ETag: its version), with the last hour's resolves and candidate answers."""

    required_permission = Permission.THEMES_READ

    @extend_schema(responses=RolloutDetailSerializer)
    def get(self, request, rollout_id):
        return _detail(self, selectors.rollout_get(rollout_id))


class RolloutWidenApi(WorkspaceApi):
    """Widens the slice (a higher percentage, more hosts or user keys); narrowing is refused with
    `MELMASTOON.ROLLOUT.NARROWING` (422): nobody in the slice leaves it."""

    required_permission = Permission.THEMES_PUBLISH

    @extend_schema(request=RolloutWidenSerializer, responses=RolloutDetailSerializer)
    @idempotent
    def post(self, request, rollout_id):
        data = self.body(RolloutWidenSerializer)
        expected = self.expected(data)
        data.pop("version", None)
        rollout = rollouts.rollout_widen(principal=self.principal, rollout_id=rollout_id, expected_version=expected,
                                         **data)
        return _detail(self, rollout)


class RolloutPauseApi(WorkspaceApi):
    """Nobody gets the candidate while paused; the rollout stays open (publish stays refused)."""

    required_permission = Permission.THEMES_PUBLISH
    use_case = staticmethod(rollouts.rollout_pause)

    @extend_schema(request=RolloutChangeSerializer, responses=RolloutDetailSerializer)
    @idempotent
    def post(self, request, rollout_id):
        data = self.body(RolloutChangeSerializer)
        rollout = self.use_case(principal=self.principal, rollout_id=rollout_id, expected_version=self.expected(data),
                                reason=data["reason"])
        return _detail(self, rollout)


class RolloutResumeApi(RolloutPauseApi):
    """The same slice as before the pause gets the candidate again."""

    use_case = staticmethod(rollouts.rollout_resume)


class RolloutPromoteApi(WorkspaceApi):
    """Publishes the candidate version: 202 with a publish job (poll `publish-jobs/{id}/`). Its flip
    makes the candidate the active publication for everyone and closes the rollout as promoted. With
    the tenant's four-eyes on: 202 with a publish request (action `promote`) another member approves
    first; the reason goes to the approvers."""

    required_permission = Permission.THEMES_PUBLISH

    @extend_schema(request=RolloutChangeSerializer, responses={202: JOB_OR_REQUEST})
    @idempotent
    def post(self, request, rollout_id):
        data = self.body(RolloutChangeSerializer)
        job = rollouts.rollout_promote(principal=self.principal, rollout_id=rollout_id,
                                       expected_version=self.expected(data), reason=data["reason"])
        return job_or_request_reply(self, job)


class RolloutAbortApi(WorkspaceApi):
    """Closes the rollout at once, whatever its version: from the commit on no visitor gets the
    candidate (nothing is rebuilt); a promote job still under way then fails."""

    required_permission = Permission.THEMES_PUBLISH

    @extend_schema(request=RolloutChangeSerializer, responses=RolloutDetailSerializer)
    @idempotent
    def post(self, request, rollout_id):
        data = self.body(RolloutChangeSerializer)
        return _detail(self, rollouts.rollout_abort(principal=self.principal, rollout_id=rollout_id,
                                                    reason=data["reason"]))
