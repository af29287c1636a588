"""Fault drill: a webhook endpoint fails three times; with a real Celery worker and no beat, the
relay's retries come at the configured backoff (base·2^(n-1) s, ±20 % jitter), woken by the
countdown each retry schedules, not by beat's 15 s tick. The other tenant's event goes out at once
and to its own endpoint only."""
from __future__ import annotations

import json

import pytest
from django.db import connections
from django.test import override_settings

from publishing.outbox.enqueue import outbox_enqueue
from publishing.services import webhooks
from tests.celery_worker import celery_worker
from tests.eventually import eventually
from tests.webhook_receiver import webhook_receiver
from themeconfig.platform.principal import Principal
from themeconfig.platform.service_db import service_context
from themeconfig.platform.tenant_context import tenant_context

pytestmark = [pytest.mark.usefixtures("committed_db"), pytest.mark.slow]

BASE_SECONDS = 1.0
JITTER = 0.2  # publishing.outbox.relay.backoff_seconds
# What a wake-up may add to the scheduled delay: its time slice, the worker taking the task, the
# relay's claim and the POST (all on loopback), on a machine shared with other test runs.
LATENESS_SECONDS = 1.0


def test_outbox_backoff__retries_follow_the_configured_delays_without_beat(tenant_factory, django_db_setup):
    failing, other = tenant_factory(), tenant_factory()
    with webhook_receiver(statuses=[500, 503, 500]) as flaky, webhook_receiver() as steady:
        with override_settings(WEBHOOK_ALLOWED_PRIVATE_TARGETS=["127.0.0.1"]):
            webhooks.webhook_subscription_create(principal=Principal.operator("t", tenant_id=failing.id), url=flaky.url)
            webhooks.webhook_subscription_create(principal=Principal.operator("t", tenant_id=other.id), url=steady.url)
        environment = {"WEBHOOK_ALLOWED_PRIVATE_TARGETS": "127.0.0.1", "OUTBOX_RETRY_BASE_SECONDS": str(BASE_SECONDS),
                       "OUTBOX_MAX_ATTEMPTS": "6"}
        with celery_worker(django_db_setup, env=environment):
            for tenant in (failing, other):
                with tenant_context(tenant.id):  # its commit wakes the relay; nothing else does but the retries
                    outbox_enqueue(tenant_id=tenant.id, event_type="theme.rolled_back.v1", subject=f"thm_{tenant.id}",
                                   partition_key=f"thm_{tenant.id}", data={"n": 1})
            eventually(lambda: len(flaky.requests) >= 4, timeout=1 + 2 * 1.2 + 4 * 1.2 + 3 * LATENESS_SECONDS + 10)
            eventually(lambda: len(steady.requests) >= 1, timeout=5)
    arrivals = [r.at for r in flaky.requests]
    gaps = [round(b - a, 3) for a, b in zip(arrivals, arrivals[1:], strict=False)]
    expected = [BASE_SECONDS * 2 ** n for n in range(3)]
    print(f"\nretry gaps measured {gaps} s against {expected} s configured (±{JITTER:.0%} jitter)")
    assert len(flaky.requests) == 4 and len(steady.requests) == 1
    for gap, delay in zip(gaps, expected, strict=True):
        assert delay * (1 - JITTER) - 0.05 <= gap <= delay * (1 + JITTER) + LATENESS_SECONDS, (gaps, expected)
    # Each endpoint saw its own tenant's event only, the same event on every retry.
    assert {json.loads(r.body)["data"]["tenant_id"] for r in flaky.requests} == {failing.id}
    assert len({json.loads(r.body)["id"] for r in flaky.requests}) == 1
    assert [json.loads(r.body)["data"]["tenant_id"] for r in steady.requests] == [other.id]
    with service_context() as alias, connections[alias].cursor() as cursor:
        cursor.execute("SELECT tenant_id, attempt_count, published_at IS NOT NULL, locked_by FROM theme_config.outbox")
        assert sorted(cursor.fetchall()) == sorted([(failing.id, 3, True, None), (other.id, 0, True, None)])
