"""HTTP doors of publish schedules: a theme's schedules (list, create), one schedule (show, move) and
its cancel. Reading needs themes:read, changing themes:publish. Times are ISO 8601; one without an
offset is read in the tenant's time zone (settings.time_zone, default UTC), and every schedule says
its `run_at` in UTC and `run_at_local` in that zone."""
from __future__ import annotations

from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.utils import timezone
from drf_spectacular.utils import extend_schema

from publishing import selectors
from publishing.serializers import (
    ScheduleCancelSerializer,
    ScheduleCreateSerializer,
    ScheduleMoveSerializer,
    ScheduleSerializer,
)
from publishing.services import schedules as services
from themeconfig.apis.base import IF_MATCH, WorkspaceApi, WorkspaceListApi
from themeconfig.platform.api.idempotency import idempotent
from themeconfig.platform.permissions import Permission
from themeconfig.selectors import themes as theme_selectors
from themeconfig.selectors.tenancy import tenant_time_zone


class _ScheduleDoor:
    """What every schedule door shares: the tenant's time zone for reading and showing times."""

    @property
    def time_zone(self) -> str:
        if not hasattr(self, "_time_zone"):
            self._time_zone = tenant_time_zone(self.principal.bound_tenant_id)  # type: ignore[attr-defined]
        return self._time_zone

    @contextmanager
    def local_times(self):
        """Times without an offset in the body are read in the tenant's time zone."""
        with timezone.override(ZoneInfo(self.time_zone)):
            yield

    def shown(self, schedule):
        return ScheduleSerializer(schedule, context={"time_zone": self.time_zone}).data


class ThemeScheduleListApi(_ScheduleDoor, WorkspaceListApi):
    """The theme's publish schedules, soonest first; POST schedules a preview-ready version's publish at
    `run_at`, optionally with a revert at `revert_at` to the publication live just before `run_at`.
    A schedule that overlaps another of the theme (or publishes the same version) is refused with
    409 `MELMASTOON.SCHEDULE.CONFLICT`, naming it (`conflicting_schedule_id`)."""

    required_permission = {"GET": Permission.THEMES_READ, "POST": Permission.THEMES_PUBLISH}
    serializer_class = ScheduleSerializer
    ordering = ("run_at", "id")
    ordering_fields = ["run_at", "created_at"]

    @extend_schema(operation_id="themes_schedules_list", responses=ScheduleSerializer(many=True))
    def get(self, request, theme_id):
        theme = theme_selectors.theme_get(theme_id)
        page = self.paginate_queryset(self.filter_queryset(selectors.schedule_list(theme_id=theme.pk)))
        return self.get_paginated_response(ScheduleSerializer(page, many=True, context={"time_zone": self.time_zone}).data)

    @extend_schema(request=ScheduleCreateSerializer, responses={201: ScheduleSerializer})
    @idempotent
    def post(self, request, theme_id):
        theme_selectors.theme_get(theme_id)  # another tenant's (or no) theme: 404 before the body is read
        with self.local_times():
            data = self.body(ScheduleCreateSerializer)
        schedule = services.publish_schedule_create(principal=self.principal, theme_id=theme_id,
                                                    version_id=data["version_id"], run_at=data["run_at"],
                                                    revert_at=data.get("revert_at"))
        return self.reply(self.shown(selectors.schedule_get(schedule.pk)), status=201, version=schedule.version,
                          location=f"/api/v1/schedules/{schedule.pk}/")


class ScheduleApi(_ScheduleDoor, WorkspaceApi):
    """One schedule; PATCH `run_at` moves it while it has not started (OCC: If-Match or `version`)."""

    required_permission = {"GET": Permission.THEMES_READ, "PATCH": Permission.THEMES_PUBLISH}

    @extend_schema(responses=ScheduleSerializer)
    def get(self, request, schedule_id):
        schedule = selectors.schedule_get(schedule_id)
        return self.reply(self.shown(schedule), version=schedule.version)

    @extend_schema(request=ScheduleMoveSerializer, responses=ScheduleSerializer, parameters=[IF_MATCH])
    def patch(self, request, schedule_id):
        selectors.schedule_get(schedule_id)  # another tenant's (or no) schedule: 404 before the body is read
        with self.local_times():
            data = self.body(ScheduleMoveSerializer)
        moved = services.publish_schedule_move(principal=self.principal, schedule_id=schedule_id,
                                               expected_version=self.expected(data), run_at=data["run_at"])
        return self.reply(self.shown(selectors.schedule_get(moved.pk)), version=moved.version)


class ScheduleCancelApi(_ScheduleDoor, WorkspaceApi):
    """Cancels a schedule that has not started (a publish's revert with it) (OCC: If-Match or `version`)."""

    required_permission = Permission.THEMES_PUBLISH

    @extend_schema(request=ScheduleCancelSerializer, responses=ScheduleSerializer, parameters=[IF_MATCH])
    @idempotent
    def post(self, request, schedule_id):
        selectors.schedule_get(schedule_id)
        data = self.body(ScheduleCancelSerializer)
        cancelled = services.publish_schedule_cancel(principal=self.principal, schedule_id=schedule_id,
                                                     expected_version=self.expected(data))
        return self.reply(self.shown(selectors.schedule_get(cancelled.pk)), version=cancelled.version)
