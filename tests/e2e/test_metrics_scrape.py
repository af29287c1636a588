"""Metrics end to end (issue 23, item 1): a publish through gunicorn (two workers) and a real Celery
worker (prefork), each service writing its series to its own multiprocess directory, then a scrape of
`manage.py serve_metrics` on a port of its own, behind its token, finds every named series with values
that match what was done."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connections
from prometheus_client.parser import text_string_to_metric_families

from tests.celery_worker import celery_worker
from tests.conftest import admin_connect
from tests.e2e.test_publishing import previewable_version
from tests.eventually import eventually
from tests.live_app import ROOT, app_environment, free_port, gunicorn
from themeconfig import services
from themeconfig.platform.ids import new_event_id
from themeconfig.platform.principal import Principal
from themeconfig.platform.service_db import service_context

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("committed_db")]
HOST = "metrics-e2e.example.com"
TOKEN = "scrape-token-for-tests"


def request(port: int, path: str, *, method: str = "GET", body: dict | None = None,
            headers: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            payload = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        payload, status = error.read(), error.code
    try:
        return status, json.loads(payload or b"{}")
    except ValueError:
        return status, {}


def scrape(port: int, token: str | None = TOKEN) -> tuple[int, str]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/metrics",
                                 headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""
    except urllib.error.URLError:  # not listening yet
        return 0, ""


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(found: dict, name: str, **labels: str) -> float:
    """The sample's value; a missing sample fails with the names that were there."""
    key = (name, frozenset(labels.items()))
    assert key in found, f"{name}{labels} not scraped; have {sorted({n for n, _ in found if n.startswith(name[:20])})}"
    return found[key]


def dead_letter(tenant_id: str) -> None:
    with service_context() as alias, connections[alias].cursor() as cursor:
        cursor.execute(
            "INSERT INTO theme_config.outbox (event_id, tenant_id, event_type, topic, partition_key, envelope, "
            "attributes, attempt_count, last_error, dead_lettered_at) "
            "VALUES (%s, %s, 'theme.test.v1', 'theme-config.test', 'p', '{}', '{}', 8, 'gave up', now())",
            [new_event_id(), tenant_id])


@contextmanager
def serve_metrics(database: str, *args: str, **env: str):
    """`manage.py serve_metrics` on a free port with METRICS_TOKEN (and `env`), once it answers a scrape;
    yields its port and process. Killed afterwards if a test left it running."""
    port = free_port()
    exporter = subprocess.Popen(
        [sys.executable, "manage.py", "serve_metrics", "--port", str(port), *args], cwd=ROOT,
        env={**app_environment(database), "METRICS_TOKEN": TOKEN, **env},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        eventually(lambda: scrape(port)[0] == 200 or exporter.poll() is not None, timeout=30)
        assert exporter.poll() is None, exporter.stdout.read().decode()
        yield port, exporter
    finally:
        if exporter.poll() is None:
            exporter.kill()
            exporter.wait()


def test_publish_through_worker__scrape__every_named_series_with_sane_values(keyed_tenant_factory, django_db_setup,
                                                                               tmp_path):
    keyed = keyed_tenant_factory(role="admin")
    owner = Principal.operator("test", tenant_id=keyed.id)
    theme = services.theme_create(principal=owner, name="Lake")
    services.host_add(principal=owner, host=HOST)
    version = previewable_version(owner, theme.pk)
    dead_letter(keyed.id)
    web_dir, worker_dir = tmp_path / "web", tmp_path / "worker"
    for directory in (web_dir, worker_dir):  # each emptied when its service starts
        directory.mkdir()
        (directory / "counter_999999999.db").write_bytes(b"left by an earlier run")
    env = app_environment(django_db_setup, PROMETHEUS_MULTIPROC_DIR=str(web_dir), RESOLVE_CACHE_SECONDS="30",
                          THROTTLE_PREVIEW_RATE="1/min", FAILPOINTS="")
    auth = {"Authorization": keyed.auth["HTTP_AUTHORIZATION"]}
    with celery_worker(django_db_setup, pool="prefork", concurrency=1,
                       env={"PROMETHEUS_MULTIPROC_DIR": str(worker_dir)}) as worker, \
            gunicorn(env, tmp_path / "web.log", workers=2) as port:
        assert not (web_dir / "counter_999999999.db").exists()
        assert not (worker_dir / "counter_999999999.db").exists()
        status, job = request(port, f"/api/v1/versions/{version.pk}/publish/", method="POST", body={"version": 1},
                              headers=auth)
        assert status == 202, job
        deadline = time.monotonic() + 60
        while job["status"] not in ("succeeded", "failed"):
            assert time.monotonic() < deadline, f"{job['status']}, trace {job.get('trace')}; worker:\n{worker.log()[-3000:]}"
            time.sleep(0.2)
            status, job = request(port, f"/api/v1/publish-jobs/{job['id']}/", headers=auth)
        assert job["status"] == "succeeded", job
        for _ in range(6):  # the first answer of each gunicorn worker from the database, the rest cached
            assert request(port, f"/api/v1/resolve/?host={HOST}")[0] == 200
        statuses = [request(port, "/api/v1/preview/no-such-token/")[0] for _ in range(2)]
        assert statuses[-1] == 429, statuses
        with serve_metrics(django_db_setup, "--dir", str(web_dir), "--dir", str(worker_dir)) as (metrics_port,
                                                                                               exporter):
            assert scrape(metrics_port, token=None)[0] == 401
            assert scrape(metrics_port, token="wrong")[0] == 401
            # The relay (woken at the flip's commit) and the views' refresh catch up within seconds.
            views_lag = ("theme_config_read_model_lag_seconds", frozenset({("read_model", "views")}))
            eventually(lambda: samples(scrape(metrics_port)[1]).get(views_lag) == 0, timeout=40,
                       what="the views' lag back to 0", detail=lambda: scrape(metrics_port)[1][-3000:])
            found = samples(scrape(metrics_port)[1])
            exporter.terminate()
            exporter.wait(timeout=10)

    # Requests per route: the publish's 202, the polls' 200s, the resolves, the preview's 429.
    publish_route = "/api/v1/versions/<str:version_id>/publish/"
    assert [k for k in found if k[0] == "theme_config_http_responses_total"], "no request counted"
    assert value(found, "theme_config_http_responses_total", route=publish_route, method="POST", status="202") == 1
    assert value(found, "theme_config_http_responses_total", route="/api/v1/resolve/", method="GET", status="200") == 6
    assert value(found, "theme_config_http_request_duration_seconds_count", route="/api/v1/resolve/", method="GET") == 6
    resolve_seconds = value(found, "theme_config_http_request_duration_seconds_sum", route="/api/v1/resolve/",
                            method="GET")
    assert 0 < resolve_seconds < 6 * 5
    assert value(found, "theme_config_http_responses_total", route="/api/v1/preview/<str:token>/", method="GET",
                 status="429") == 1
    assert value(found, "theme_config_throttled_requests_total", scope="preview") == 1
    # Resolve cache: 6 lookups over 2 gunicorn workers, at most one miss per worker, the rest hits.
    lookups = {result: found.get(("theme_config_resolve_cache_lookups_total", frozenset({("result", result)})), 0)
               for result in ("local", "redis", "database", "bypass")}
    assert sum(lookups.values()) == 6 and lookups["bypass"] == 0, lookups
    assert 1 <= lookups["database"] <= 2 and lookups["local"] + lookups["redis"] >= 4, lookups
    # The job, counted by the worker's pool process, and its steps' timings.
    assert value(found, "theme_config_jobs_finished_total", kind="publish", outcome="succeeded", code="") == 1
    for step in ("build", "upload", "flip"):
        assert value(found, "theme_config_job_step_duration_seconds_count", kind="publish", step=step) == 1
        assert 0 <= value(found, "theme_config_job_step_duration_seconds_sum", kind="publish", step=step) < 60
    # Scrape-time gauges: the dead letter made above, nothing else stuck, the read models current.
    assert value(found, "theme_config_outbox_events", state="dead_lettered") == 1
    assert value(found, "theme_config_outbox_events", state="pending") == 0
    assert value(found, "theme_config_outbox_oldest_pending_age_seconds") == 0
    assert value(found, "theme_config_read_model_lag_seconds", read_model="host_resolution") == 0
    assert value(found, "theme_config_read_model_lag_seconds", read_model="views") == 0
    assert 0 < value(found, "theme_config_read_model_views_refresh_duration_seconds") < 60
    assert value(found, "theme_config_celery_queue_length", queue="theme-config") >= 0
    for gauge in ("theme_config_outbox_events", "theme_config_outbox_oldest_pending_age_seconds",
                  "theme_config_read_model_lag_seconds", "theme_config_read_model_views_refresh_duration_seconds",
                  "theme_config_celery_queue_length"):
        assert value(found, "theme_config_scrape_query_success", gauge=gauge) == 1
    assert Path(worker_dir).is_dir() and any(Path(worker_dir).glob("*.db"))


def test_serve_metrics__sigterm_during_a_scrape__the_scrape_is_answered_then_the_exporter_exits(django_db_setup,
                                                                                               admin_sql):
    """A stop (SIGTERM, as supervise.sh and docker send it) that lands while a scrape is being answered
    lets that scrape finish, then stops the exporter. Here the scrape waits on a lock held on the
    outbox, so the signal is sure to land inside it."""
    answered: list[tuple[int, str]] = []
    with serve_metrics(django_db_setup, METRICS_QUERY_TIMEOUT_MS="20000") as (port, exporter):
        with admin_sql.transaction():
            admin_sql.execute("LOCK TABLE theme_config.outbox IN ACCESS EXCLUSIVE MODE")
            scraper = threading.Thread(target=lambda: answered.append(scrape(port)))
            scraper.start()
            # (pg_stat_activity is read once per transaction: from another connection.)
            with admin_connect(django_db_setup) as probe:
                eventually(lambda: probe.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock' "
                    "AND query LIKE %s", [django_db_setup, "%theme_config.outbox%"]).fetchone()[0],
                    timeout=20, what="the scrape waiting on the outbox's lock")
            exporter.terminate()
            time.sleep(0.5)  # the signal is handled while the scrape still waits
        scraper.join(timeout=30)
        exporter.wait(timeout=15)
    output = exporter.stdout.read().decode(errors="replace")
    assert answered and answered[0][0] == 200, (answered, output[-3000:])
    outbox_answered = ("theme_config_scrape_query_success", frozenset({("gauge", "theme_config_outbox_events")}))
    assert samples(answered[0][1])[outbox_answered] == 1
    assert exporter.returncode == 0, output[-3000:]
    assert "Traceback" not in output, output[-3000:]


def test_serve_metrics__a_client_that_connects_and_stalls__cut_off__scrapes_and_a_stop_go_on(django_db_setup):
    """One scrape at a time: a connection that never sends its request is dropped after the handler's
    timeout (10 s), so the next scrape is answered and a SIGTERM stops the exporter."""
    with serve_metrics(django_db_setup) as (port, exporter), \
            socket.create_connection(("127.0.0.1", port)) as stalled:
        stalled.sendall(b"GET /metr")  # and nothing more
        began = time.monotonic()
        assert scrape(port)[0] == 200
        assert time.monotonic() - began < 25
        exporter.terminate()
        exporter.wait(timeout=25)
    assert exporter.returncode == 0, exporter.stdout.read().decode()[-3000:]
