"""The relay on a real Celery worker: a publish's event reaches a tenant's webhook (signed) without
anyone calling the relay, and the coalesced refresh, run by a worker on the views' own queue, brings
the seed's views in line."""
from __future__ import annotations

import json
import threading

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client, override_settings

from publishing.resolve.read_models import views_lag
from publishing.services import webhooks
from tests.celery_worker import celery_worker
from tests.e2e.test_publishing import previewable_version, wait_for
from tests.eventually import eventually
from tests.webhook_receiver import verify, webhook_receiver
from themeconfig import services
from themeconfig.platform.principal import Principal
from themeconfig.platform.service_db import service_context

pytestmark = [pytest.mark.usefixtures("committed_db"), pytest.mark.slow]


def test_publish__worker_relays_the_event_to_the_webhook_and_refreshes_the_views(keyed_tenant_factory,
                                                                                 django_db_setup):
    keyed = keyed_tenant_factory(role="admin")
    owner = Principal.operator("test", tenant_id=keyed.id)
    services.host_add(principal=owner, host="relay-e2e.example.com")
    theme = services.theme_create(principal=owner, name="Lake")
    version = previewable_version(owner, theme.pk)
    client = Client()
    with webhook_receiver(statuses=[500]) as receiver:
        with override_settings(WEBHOOK_ALLOWED_PRIVATE_TARGETS=["127.0.0.1"]):
            _, secret = webhooks.webhook_subscription_create(principal=owner, url=receiver.url)
        environment = {"WEBHOOK_ALLOWED_PRIVATE_TARGETS": "127.0.0.1", "OUTBOX_RETRY_BASE_SECONDS": "0.5",
                       "READ_MODEL_REFRESH_MIN_INTERVAL_SECONDS": "0"}
        # As deployed: one worker on the default queue (publish, relay), one on the views' queue.
        with celery_worker(django_db_setup, env=environment, concurrency=1,
                           queues=(settings.CELERY_TASK_DEFAULT_QUEUE,)) as worker, \
                celery_worker(django_db_setup, name="views-worker", env=environment,
                              queues=(settings.VIEWS_REFRESH_QUEUE,)) as views_worker:
            response = client.post(f"/api/v1/versions/{version.pk}/publish/", json.dumps({"version": 1}),
                                   content_type="application/json", **keyed.auth)
            job = wait_for(client, response["Location"], keyed.auth)
            assert job["status"] == "succeeded", job
            # The commit woke the relay: the endpoint answered 500 and the event backs off. Beat is not
            # running: the wake-up the retry scheduled at its next_attempt_at brings the 200.
            eventually(lambda: len(receiver.requests) >= 2)

            def views_refreshed():
                with service_context() as alias, connections[alias].cursor() as cursor:
                    cursor.execute("SELECT bundle_url FROM theme_config.host_to_theme_view "
                                   "WHERE host = 'relay-e2e.example.com'")
                    return cursor.fetchone()

            assert eventually(views_refreshed)[0].endswith(f"{job['bundle_sha256']}.json")
            eventually(lambda: views_lag()["last_lag_seconds"] is not None)
            ran = "publishing.refresh_read_models_task["  # "Task <name>[<id>] received" (the banner lists names alone)
            assert ran in views_worker.log() and ran not in worker.log()
            assert "publishing.run_publish_job_task[" in worker.log()
            assert "publishing.run_publish_job_task[" not in views_worker.log()
            # commit -> refreshed, measured from the publish's event: above 0, and well inside the wait above
            assert 0 < views_lag()["last_lag_seconds"] < 30 and views_lag()["lag_seconds"] == 0.0
    assert len(receiver.requests) == 2
    first, second = receiver.requests
    assert first.body == second.body and verify(secret, second)
    envelope = json.loads(second.body)
    assert envelope["type"] == "theme.published.v1" and envelope["data"]["publication_id"] == job["publication_id"]
    with service_context() as alias, connections[alias].cursor() as cursor:
        cursor.execute("SELECT published_at IS NOT NULL, attempt_count FROM theme_config.outbox")
        assert cursor.fetchall() == [(True, 1)]
        cursor.execute("SELECT attempt_count, last_status, delivered_at IS NOT NULL FROM theme_config.webhook_deliveries")
        assert cursor.fetchall() == [(2, 200, True)]


def test_relay_worker_killed_mid_delivery__lease_runs_out__another_relay_delivers(tenant_factory, django_db_setup,
                                                                                  monkeypatch):
    from publishing.outbox import events, relay
    from publishing.outbox.enqueue import outbox_enqueue
    from themeconfig.platform.tenant_context import tenant_context

    monkeypatch.setitem(events.HANDLERS, "test.happened.v1", [])
    tenant = tenant_factory()
    hold = threading.Event()

    def outbox_row():
        with service_context() as alias, connections[alias].cursor() as cursor:
            cursor.execute("SELECT published_at IS NOT NULL, locked_by IS NOT NULL, locked_until > now() "
                           "FROM theme_config.outbox")
            return cursor.fetchone()

    with webhook_receiver(hold=hold) as receiver:
        with override_settings(WEBHOOK_ALLOWED_PRIVATE_TARGETS=["127.0.0.1"]):
            webhooks.webhook_subscription_create(principal=Principal.operator("t", tenant_id=tenant.id),
                                                 url=receiver.url)
        environment = {"WEBHOOK_ALLOWED_PRIVATE_TARGETS": "127.0.0.1", "OUTBOX_LEASE_SECONDS": "2",
                       "WEBHOOK_READ_TIMEOUT_SECONDS": "30"}
        with celery_worker(django_db_setup, env=environment) as worker:
            with tenant_context(tenant.id):  # its commit wakes the worker's relay
                event_id = outbox_enqueue(tenant_id=tenant.id, event_type="test.happened.v1", subject="thm_A",
                                          partition_key="thm_A", data={})
            eventually(lambda: len(receiver.requests) == 1)  # the worker's relay is mid-delivery
            assert outbox_row() == (False, True, True)  # leased, and no row lock held meanwhile:
            with service_context() as alias, connections[alias].cursor() as cursor:
                cursor.execute("SELECT id FROM theme_config.outbox FOR UPDATE NOWAIT")
            worker.kill()  # SIGKILL, as the OOM killer would
        hold.set()  # the endpoint answers the dead connection; the next request is not held
        with override_settings(WEBHOOK_ALLOWED_PRIVATE_TARGETS=["127.0.0.1"]):
            assert relay.relay_outbox().claimed == 0  # still the dead relay's lease
            eventually(lambda: outbox_row()[2] is False, timeout=10)  # the lease runs out
            assert relay.relay_outbox().published == 1
    assert [json.loads(r.body)["id"] for r in receiver.requests] == [event_id, event_id]
    assert outbox_row() == (True, False, None)
