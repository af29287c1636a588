"""Metrics in-process: the scrape-time gauges against real rows (an event not relayed, views not
refreshed, a host_resolution row behind its theme), job outcomes counted at commit, and the
exporter's refusals (no token, another path, a public address without a token)."""
from __future__ import annotations

import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections, transaction
from prometheus_client import REGISTRY

from publishing.outbox import enqueue as outbox
from publishing.outbox import relay
from publishing.resolve import read_models
from publishing.services import publish
from tests.factories.publishing import publish_new_version
from themeconfig import services
from themeconfig.platform import metrics
from themeconfig.platform.principal import Principal

HOST = "metrics-gauges.example.com"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def gauges() -> dict[tuple[str, tuple], float]:
    registry = metrics.exposition_registry([])
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for family in registry.collect() for s in family.samples}


@pytest.fixture
def no_broker(monkeypatch):
    monkeypatch.setattr(outbox, "wake_relay", lambda: None)
    monkeypatch.setattr(outbox, "wake_relay_in", lambda seconds: None)
    monkeypatch.setattr(publish, "enqueue_publish_job", lambda **kwargs: None)
    monkeypatch.setattr(read_models, "schedule_refresh", lambda: None)


@pytest.mark.usefixtures("committed_db", "no_broker")
def test_scrape_gauges__event_not_relayed_views_stale_row_behind__each_lag_shown_then_zero(tenant_factory):
    tenant = tenant_factory()
    admin = Principal.for_user(tenant_id=tenant.id, user_id=1, role="admin")
    theme = services.theme_create(principal=admin, name="Gauged")
    services.host_add(principal=Principal.operator("t", tenant_id=tenant.id), host=HOST)
    succeeded = sample("theme_config_jobs_finished_total", kind="publish", outcome="succeeded", code="")
    flips = sample("theme_config_job_step_duration_seconds_count", kind="publish", step="flip")
    first = publish_new_version(admin, tenant, theme, "one")
    # Counted at the flip's commit, with each step's time.
    assert sample("theme_config_jobs_finished_total", kind="publish", outcome="succeeded", code="") == succeeded + 1
    assert sample("theme_config_job_step_duration_seconds_count", kind="publish", step="flip") == flips + 1
    publish_new_version(admin, tenant, theme, "two")

    found = gauges()
    assert found[("theme_config_outbox_events", (("state", "pending"),))] == 2  # neither relayed
    assert found[("theme_config_outbox_events", (("state", "dead_lettered"),))] == 0
    assert found[("theme_config_outbox_oldest_pending_age_seconds", ())] > 0
    views_lag = found[("theme_config_read_model_lag_seconds", (("read_model", "views"),))]
    assert views_lag >= found[("theme_config_outbox_oldest_pending_age_seconds", ())] > 0  # never refreshed since
    assert found[("theme_config_read_model_lag_seconds", (("read_model", "host_resolution"),))] == 0
    assert found[("theme_config_celery_queue_length", (("queue", "theme-config"),))] >= 0
    failing = [labels for (name, labels), value in found.items() if name == "theme_config_scrape_query_success" and value != 1]
    assert not failing

    # A row left behind its theme's active publication (as the superuser: arranging a broken trigger).
    with transaction.atomic(using="migrator"), connections["migrator"].cursor() as cursor:
        cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [tenant.id])
        cursor.execute("UPDATE theme_config.host_resolution SET publication_id = %s WHERE host = %s",
                       [first.publication_id, HOST])
        assert cursor.rowcount == 1
    assert gauges()[("theme_config_read_model_lag_seconds", (("read_model", "host_resolution"),))] > 0

    relay.relay_outbox(max_batches=10, time_budget_seconds=30)
    assert read_models.run_refresh() == "refreshed"
    found = gauges()
    assert found[("theme_config_outbox_events", (("state", "pending"),))] == 0
    assert found[("theme_config_outbox_oldest_pending_age_seconds", ())] == 0
    assert found[("theme_config_read_model_lag_seconds", (("read_model", "views"),))] == 0
    assert found[("theme_config_read_model_views_refresh_duration_seconds", ())] > 0


@pytest.mark.usefixtures("committed_db")
def test_scrape_gauges__outbox_locked__cut_off_at_the_timeout__the_others_served(settings):
    settings.METRICS_QUERY_TIMEOUT_MS = 300
    with transaction.atomic(using="migrator"), connections["migrator"].cursor() as cursor:
        cursor.execute("LOCK TABLE theme_config.outbox IN ACCESS EXCLUSIVE MODE")  # as a long migration would
        began = time.monotonic()
        found = gauges()
        elapsed = time.monotonic() - began
    success = {dict(labels)["gauge"]: value for (name, labels), value in found.items()
               if name == "theme_config_scrape_query_success"}
    assert success["theme_config_outbox_events"] == success["theme_config_outbox_oldest_pending_age_seconds"] == 0
    assert success["theme_config_read_model_lag_seconds"] == 0  # its views half reads the outbox too
    assert success["theme_config_read_model_views_refresh_duration_seconds"] == 1
    assert success["theme_config_celery_queue_length"] == 1
    assert not any(name == "theme_config_outbox_events" for name, _ in found)
    assert elapsed < 3 * 0.3 + 2  # three queries cut off at 0.3 s each, not a wait on the lock


def test_scrape_gauge_failing__left_out__success_zero_and_the_others_served():
    def broken():
        raise TimeoutError("statement timeout")

    failing = metrics.ScrapeGauge(name="theme_config_test_broken", documentation="x", read=broken)
    working = metrics.ScrapeGauge(name="theme_config_test_working", documentation="x", read=lambda: [({}, 3.0)])
    collector = metrics.ScrapeCollector(lambda: [failing, working])
    found = {(s.name, tuple(s.labels.items())): s.value for family in collector.collect() for s in family.samples}
    assert found[("theme_config_scrape_query_success", (("gauge", "theme_config_test_broken"),))] == 0
    assert found[("theme_config_scrape_query_success", (("gauge", "theme_config_test_working"),))] == 1
    assert found[("theme_config_test_working", ())] == 3
    assert not any(name == "theme_config_test_broken" for name, _ in found)


@pytest.mark.django_db
def test_job_failed__counted_with_its_code_at_commit(tenant_factory, no_broker, django_capture_on_commit_callbacks):
    from publishing.errors import PublishingErrorCode

    tenant = tenant_factory()
    admin = Principal.for_user(tenant_id=tenant.id, user_id=1, role="admin")
    theme = services.theme_create(principal=admin, name="Failing")
    version = services.version_create(principal=admin, theme_id=theme.pk)
    services.locale_pack_put(principal=admin, version_id=version.pk, locale="en", entries={"a.b": "ready"})
    job = publish.version_publish(principal=admin, version_id=version.pk, expected_theme_version=1)
    labels = {"kind": "publish", "outcome": "failed", "code": str(PublishingErrorCode.WORKER_LOST)}
    before = sample("theme_config_jobs_finished_total", **labels)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publish.publish_job_fail(job_id=job.pk, tenant_id=tenant.id, code=PublishingErrorCode.WORKER_LOST, message="x")
    assert sample("theme_config_jobs_finished_total", **labels) == before  # not before the commit
    for callback in callbacks:
        callback()
    assert sample("theme_config_jobs_finished_total", **labels) == before + 1


def test_exporter__token_path_and_method_refusals():
    registry = metrics.exposition_registry([], with_scrape_gauges=False)
    registry.register(metrics.ScrapeCollector(lambda: [
        metrics.ScrapeGauge(name="theme_config_test_up", documentation="x", read=lambda: [({}, 1.0)])]))
    app = metrics.metrics_wsgi_app(registry, token="s3cret")

    def call(path: str, header: str | None = None, method: str = "GET") -> str:
        seen = []
        environ = {"PATH_INFO": path, "REQUEST_METHOD": method}
        if header is not None:
            environ["HTTP_AUTHORIZATION"] = header
        body = b"".join(app(environ, lambda status, headers: seen.append(status)))
        return f"{seen[0].split()[0]} {body.decode().strip()[:12]}"

    assert call("/metrics") == "401 unauthorized"
    assert call("/metrics", "Bearer wrong") == "401 unauthorized"
    assert call("/metrics", "Basic s3cret") == "401 unauthorized"
    assert call("/other", "Bearer s3cret") == "404 not found"
    assert call("/metrics", "Bearer s3cret", method="POST") == "404 not found"
    assert call("/metrics", "Bearer s3cret") == "200 # HELP theme"


def test_serve_metrics__public_address_without_token__refused(settings):
    settings.METRICS_TOKEN = ""
    with pytest.raises(CommandError, match="without METRICS_TOKEN"):
        call_command("serve_metrics", "--bind", "0.0.0.0", "--port", "0")


def test_multiprocess_dir_reset__earlier_runs_files_gone(tmp_path, monkeypatch):
    directory = tmp_path / "metrics"
    (directory / "nested").mkdir(parents=True)
    (directory / "counter_12345.db").write_bytes(b"x")
    (directory / "nested" / "histogram_1.db").write_bytes(b"x")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    metrics.multiprocess_dir_reset()
    assert directory.is_dir() and not list(directory.iterdir())
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "new"))
    metrics.multiprocess_dir_reset()
    assert (tmp_path / "new").is_dir()

