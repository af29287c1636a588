"""Core HTTP endpoints: liveness, readiness, the caller's tenant and its properties."""
from __future__ import annotations

import logging
import time

from celery import current_app  # the project's app, which config/ sets up; nothing imports config
from django.conf import settings
from django.db import connections
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from themeconfig import selectors
from themeconfig.models.layout import LayoutSurface
from themeconfig.platform.errors import FieldError, validation_error
from themeconfig.platform.permissions import Permission
from themeconfig.serializers import LayoutPresetSerializer, PropertySerializer, TenantSerializer

logger = logging.getLogger(__name__)


class HealthApi(APIView):
    """Liveness: the process answers. No dependencies are checked."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses=inline_serializer("Health", {"status": serializers.CharField()}))
    def get(self, request):
        return Response({"status": "ok"})


def _check(name: str, probe) -> dict:
    started = time.monotonic()
    try:
        detail = probe()
        ok = True
    except Exception as exc:  # readiness must report, not raise
        detail, ok = f"{type(exc).__name__}: {exc}", False
        logger.warning("readiness check %s failed: %s", name, detail)
    return {"name": name, "ok": ok, "detail": detail, "ms": round((time.monotonic() - started) * 1000, 1)}


def _database_probe() -> str:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT current_user")
        return cursor.fetchone()[0]


def _redis_probe() -> str:
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    client.ping()
    return "pong"


def _worker_probe() -> str:
    replies = current_app.control.ping(timeout=1.0, limit=1)
    if not replies:
        raise RuntimeError("no Celery worker answered a ping within 1 s")
    return f"{len(replies)} worker(s)"


class _ProbeApi(APIView):
    """Runs `probes` (name → callable); 200 when all pass, 503 otherwise.

    Anyone sees status words only (`{"status": "ready", "checks": {"database": "ok", …}}`); what
    failed and why goes to the logs, and to signed-in operators (superusers) as `details`.
    """

    authentication_classes = [SessionAuthentication]
    permission_classes = [AllowAny]
    probes: dict = {}
    passing = "ready"

    @extend_schema(responses={200: dict, 503: dict})
    def get(self, request):
        checks = [_check(name, probe) for name, probe in self.probes.items()]
        ok = all(c["ok"] for c in checks)
        body = {"status": self.passing if ok else "unavailable",
                "checks": {c["name"]: "ok" if c["ok"] else "down" for c in checks}}
        if request.user.is_authenticated and request.user.is_superuser:
            body["details"] = checks
        return Response(body, status=200 if ok else 503)


class ReadyApi(_ProbeApi):
    """Readiness of this web process: PostgreSQL and Redis answer; 503 otherwise.

    A missing Celery worker does not make the web process unready (taking every web process out of
    rotation would not bring a worker back, and publishing answers 202 with a queued job meanwhile):
    its health is `health/worker/`, which monitoring reads.
    """

    probes = {"database": _database_probe, "redis": _redis_probe}


class WorkerHealthApi(_ProbeApi):
    """Background processing: at least one Celery worker answers a ping through the broker within 1 s
    (so Redis is up too); 503 otherwise. For monitoring and alerting, not for load balancers."""

    probes = {"worker": _worker_probe}
    passing = "ok"


class CurrentTenantApi(APIView):
    """The tenant this request is bound to."""

    required_permission = Permission.TENANT_READ

    @extend_schema(responses=TenantSerializer)
    def get(self, request):
        return Response(TenantSerializer(selectors.current_tenant()).data)


class PropertyListApi(generics.ListAPIView):
    """The tenant's properties (hotels), oldest first."""

    serializer_class = PropertySerializer
    required_permission = Permission.TENANT_READ

    def get_queryset(self):
        return selectors.property_list()


class LayoutPresetListApi(generics.ListAPIView):
    """The layout preset registry: active presets, optionally of one surface (`?surface=home`)."""

    serializer_class = LayoutPresetSerializer
    required_permission = Permission.THEMES_READ
    pagination_class = None  # a small, global registry: one page

    @extend_schema(parameters=[OpenApiParameter("surface", enum=LayoutSurface.values, required=False)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        surface = self.request.query_params.get("surface")
        if surface is not None and surface not in LayoutSurface.values:
            raise validation_error(
                [FieldError("/surface", "invalid_choice", f"Surface must be one of {', '.join(LayoutSurface.values)}.")]
            )
        return selectors.layout_preset_list(surface=surface)
