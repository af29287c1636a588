"""Prometheus metrics: the named series every app records into, the request middleware, and the
exporter that merges every process's series with the gauges computed at scrape time.

How the processes share them (prometheus_client's multiprocess mode): each gunicorn worker and each
Celery prefork child writes its series to mmap'd files under PROMETHEUS_MULTIPROC_DIR (one directory
per service, emptied when the service starts: gunicorn.conf.py, config/celery.py). Nothing is
served from the app's own port: `manage.py serve_metrics` (a process of its own, on METRICS_PORT,
behind METRICS_TOKEN) merges the files of the directories in METRICS_SCRAPE_DIRS and, at each
scrape, runs the registered scrape-time gauges (one cheap query each, under a statement timeout).

Other modules import the series below by name and call them (`JOBS_FINISHED.labels(...).inc()`):
every series is declared here once, so a name never clashes and the README's table has one source.
A series' labels take values from small closed sets only (routes, scopes, kinds, error codes).
"""
from __future__ import annotations

import glob
import hmac
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponseBase
from django.urls import Resolver404, resolve
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

logger = logging.getLogger(__name__)

# --- the series processes record ------------------------------------------------------------------

REQUEST_SECONDS = Histogram(
    "theme_config_http_request_duration_seconds",
    "Time from the first middleware to the response, per route (the URL pattern) and method.",
    ["route", "method"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
RESPONSES = Counter(
    "theme_config_http_responses_total",
    "Responses per route (the URL pattern), method and status code.",
    ["route", "method", "status"],
)
THROTTLED = Counter(
    "theme_config_throttled_requests_total",
    "Requests refused by a rate limit (429), per THROTTLE_RATES scope.",
    ["scope"],
)
RESOLVE_CACHE_LOOKUPS = Counter(
    "theme_config_resolve_cache_lookups_total",
    "Public host resolutions by where the answer came from: local (the process's copy), redis, "
    "database (a miss: the read model answered and filled the cache) or bypass (cache off or not listening).",
    ["result"],
)
JOBS_FINISHED = Counter(
    "theme_config_jobs_finished_total",
    "Jobs that ended, per kind (publish, ai_generation, tenant_export), outcome (succeeded, failed) "
    "and error code (empty when succeeded).",
    ["kind", "outcome", "code"],
)
JOB_STEP_SECONDS = Histogram(
    "theme_config_job_step_duration_seconds",
    "Duration of each step of the jobs that succeeded (build, upload, flip, ...), per kind and step.",
    ["kind", "step"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0),
)
# For read-replica routing: a read that was meant for READONLY_DATABASE_URL and went to the primary
# (the replica lagged past its bound, was unreachable, or the caller must read its own writes).
DB_REPLICA_FALLBACKS = Counter(
    "theme_config_db_replica_fallbacks_total",
    "Reads sent to the primary instead of the read replica, per reason.",
    ["reason"],
)


def job_kind_label(entity_type: str) -> str:
    """`publish_job` -> `publish`: the `kind` label of a job kind (JobKind.entity_type)."""
    return entity_type.removesuffix("_job") or "unknown"


def job_finished(*, entity_type: str, outcome: str, code: str = "", step_ms: dict[str, float] | None = None) -> None:
    """Counts a finished job and observes its steps' durations (`<step>_ms` as JobSteps.timings keeps them)."""
    kind = job_kind_label(entity_type)
    JOBS_FINISHED.labels(kind=kind, outcome=outcome, code=code).inc()
    for name, ms in (step_ms or {}).items():
        JOB_STEP_SECONDS.labels(kind=kind, step=name.removesuffix("_ms")).observe(ms / 1000)


# --- requests ---------------------------------------------------------------------------------------

UNMATCHED = "<unmatched>"


def _route(request: HttpRequest, status: int) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None and status != 404:
        # Answered by a middleware before the URL was resolved (a 429 of a public path): resolve it here.
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
    return f"/{match.route}" if match is not None else UNMATCHED


class RequestMetricsMiddleware:
    """First in MIDDLEWARE, so the time covers every other middleware: one histogram observation and
    one counter increment per request, labelled by the URL pattern (never the raw path)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        if not settings.METRICS_ENABLED:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        began = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - began
        route = _route(request, response.status_code)
        method = request.method if request.method in _METHODS else "other"
        REQUEST_SECONDS.labels(route, method).observe(elapsed)
        RESPONSES.labels(route, method, str(response.status_code)).inc()
        return response


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


# --- the multiprocess directory ---------------------------------------------------------------------

def multiprocess_dir() -> Path | None:
    value = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
    return Path(value) if value else None


def multiprocess_dir_reset() -> None:
    """At a service's start, before any process records: empties (or creates) PROMETHEUS_MULTIPROC_DIR,
    so series of the processes of an earlier run (whose pids may come back) are not added in."""
    directory = multiprocess_dir()
    if directory is None:
        return
    directory.mkdir(parents=True, exist_ok=True)
    for entry in directory.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink(missing_ok=True)


def multiprocess_process_dead(pid: int) -> None:
    """A gunicorn worker ended: its live gauges go (its counters stay, as Prometheus expects)."""
    if multiprocess_dir() is not None:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]


# --- scrape time ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScrapeGauge:
    """A gauge family computed when scraped: `read()` gives (labels, value) pairs; it runs one query
    (or one Redis round trip), bounded by METRICS_QUERY_TIMEOUT_MS."""

    name: str
    documentation: str
    read: Callable[[], Iterable[tuple[dict[str, str], float]]]
    labels: tuple[str, ...] = ()


_scrape_gauges: dict[str, ScrapeGauge] = {}


def scrape_gauge_register(gauge: ScrapeGauge) -> None:
    """Registered from an app's AppConfig.ready(); computed by serve_metrics at every scrape."""
    _scrape_gauges[gauge.name] = gauge


def scrape_gauges() -> list[ScrapeGauge]:
    return list(_scrape_gauges.values())


def query_timeout_ms() -> int:
    return int(settings.METRICS_QUERY_TIMEOUT_MS)


class ScrapeCollector:
    """Computes every registered ScrapeGauge; one that fails (a timeout, the database or Redis away)
    is left out of that scrape and reported in theme_config_scrape_query_success, never an error."""

    def __init__(self, gauges: Callable[[], list[ScrapeGauge]] = scrape_gauges) -> None:
        self._gauges = gauges

    def collect(self) -> Iterator[Metric]:
        success = GaugeMetricFamily("theme_config_scrape_query_success",
                                    "1 if the scrape-time gauge's query answered in time, else 0.", labels=["gauge"])
        seconds = GaugeMetricFamily("theme_config_scrape_query_duration_seconds",
                                    "Time the scrape-time gauge's query took.", labels=["gauge"])
        for gauge in self._gauges():
            began = time.perf_counter()
            try:
                values = list(gauge.read())
            except Exception:  # noqa: BLE001 - one gauge's failure must not cost the whole scrape
                logger.warning("metrics: scrape-time gauge %s failed", gauge.name, exc_info=True)
                success.add_metric([gauge.name], 0)
                continue
            finally:
                seconds.add_metric([gauge.name], time.perf_counter() - began)
            family = GaugeMetricFamily(gauge.name, gauge.documentation, labels=list(gauge.labels))
            for labels, value in values:
                family.add_metric([labels[name] for name in gauge.labels], value)
            success.add_metric([gauge.name], 1)
            yield family
        yield success
        yield seconds


class DirectoriesCollector:
    """The series of every process that wrote under these multiprocess directories, merged
    (counters and histograms summed across processes and directories)."""

    def __init__(self, directories: Iterable[str]) -> None:
        self._directories = [d for d in directories if d]

    def collect(self) -> Iterator[Metric]:
        files = [f for d in self._directories for f in glob.glob(os.path.join(d, "*.db"))]
        return iter(MultiProcessCollector.merge(files, accumulate=True))  # type: ignore[no-untyped-call]


def exposition_registry(directories: Iterable[str], *, with_scrape_gauges: bool = True) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DirectoriesCollector(directories))
    if with_scrape_gauges:
        registry.register(ScrapeCollector())
    return registry


def token_matches(header: str, token: str) -> bool:
    """`Authorization: Bearer <METRICS_TOKEN>`, compared in constant time."""
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and bool(token) and hmac.compare_digest(given.strip().encode(), token.encode())


def metrics_wsgi_app(registry: CollectorRegistry, *, token: str) -> Callable[..., Iterable[bytes]]:
    """GET /metrics with the bearer token (when one is set) gives the text exposition; anything else 404/401."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/metrics" or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found\n"]
        if token and not token_matches(environ.get("HTTP_AUTHORIZATION", ""), token):
            start_response("401 Unauthorized", [("Content-Type", "text/plain"), ("WWW-Authenticate", "Bearer")])
            return [b"unauthorized\n"]
        body = generate_latest(registry)
        start_response("200 OK", [("Content-Type", "text/plain; version=0.0.4; charset=utf-8"),
                                  ("Content-Length", str(len(body)))])
        return [body] if environ["REQUEST_METHOD"] == "GET" else [b""]

    return app


# --- Celery queues ----------------------------------------------------------------------------------

# kombu's Redis transport keeps a queue's messages of priority p > 0 under "<queue>\x06\x16<p>".
_PRIORITY_SEPARATOR = "\x06\x16"
_PRIORITY_STEPS = (3, 6, 9)


def celery_queue_names() -> list[str]:
    """The queues workers consume: the default one, every queue CELERY_TASK_ROUTES or CELERY_TASK_QUEUES
    names (a queue added there is measured with no change here)."""
    names = {settings.CELERY_TASK_DEFAULT_QUEUE}
    routes = getattr(settings, "CELERY_TASK_ROUTES", None) or {}
    for route in (routes.values() if isinstance(routes, dict) else []):
        if isinstance(route, dict) and route.get("queue"):
            names.add(str(route["queue"]))
    for queue in getattr(settings, "CELERY_TASK_QUEUES", None) or ():
        names.add(str(getattr(queue, "name", queue)))
    return sorted(names)


def celery_queue_lengths() -> list[tuple[dict[str, str], float]]:
    """Messages waiting in each queue (not yet taken by a worker): one pipelined round trip to the broker."""
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=query_timeout_ms() / 1000,
                                  socket_connect_timeout=query_timeout_ms() / 1000)
    try:
        names = celery_queue_names()
        pipe = client.pipeline(transaction=False)
        for name in names:
            for key in (name, *(f"{name}{_PRIORITY_SEPARATOR}{p}" for p in _PRIORITY_STEPS)):
                pipe.llen(key)
        lengths = pipe.execute()
    finally:
        client.close()
    per_queue = 1 + len(_PRIORITY_STEPS)
    return [({"queue": name}, float(sum(lengths[i * per_queue:(i + 1) * per_queue]))) for i, name in enumerate(names)]


CELERY_QUEUE_LENGTH = ScrapeGauge(
    name="theme_config_celery_queue_length",
    documentation="Messages waiting in each Celery queue on the broker (not yet taken by a worker).",
    read=celery_queue_lengths, labels=("queue",))
