"""The outbox relay in-process, against the real database and a real HTTP endpoint: order per
partition, SKIP LOCKED, handlers applied once, backoff and dead letters, signed webhooks
acknowledged once, private targets refused, the coalesced refresh of the seed's views, retention."""
from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta

import pytest
from celery import current_app
from celery.schedules import crontab
from celery.schedules import schedule as celery_schedule
from django.db import connections
from django.utils import timezone

from publishing.models import ConsumedEvent, OutboxEvent, WebhookDelivery
from publishing.outbox import enqueue as outbox
from publishing.outbox import events, relay
from publishing.outbox.enqueue import outbox_enqueue
from publishing.resolve import read_models
from publishing.retention import purge_expired
from publishing.services import publish
from publishing.services import webhooks as webhook_services
from publishing.services.outbox_events import outbox_event_retry
from tests.eventually import eventually
from tests.webhook_receiver import verify, webhook_receiver
from themeconfig import services
from themeconfig.platform.errors import DomainError
from themeconfig.platform.principal import Principal
from themeconfig.platform.service_db import service_context
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.usefixtures("committed_db")
REFRESH = "publishing.refresh_read_models_task"


@pytest.fixture(autouse=True)
def no_broker(monkeypatch, settings):
    """The tests run the relay and the refresh themselves; nothing goes to Redis."""
    monkeypatch.setattr(outbox, "wake_relay", lambda: None)
    monkeypatch.setattr(outbox, "wake_relay_in", lambda seconds: None)
    monkeypatch.setattr(publish, "enqueue_publish_job", lambda **kwargs: None)
    monkeypatch.setattr(read_models, "schedule_refresh", lambda: None)
    settings.WEBHOOK_ALLOWED_PRIVATE_TARGETS = ["127.0.0.1"]
    settings.OUTBOX_MAX_ATTEMPTS = 3


@pytest.fixture
def tenant(tenant_factory):
    return tenant_factory()


def enqueue(tenant_id, partition_key="thm_A", event_type="test.happened.v1", **data) -> str:
    with tenant_context(tenant_id):
        return outbox_enqueue(tenant_id=tenant_id, event_type=event_type, subject=partition_key,
                              partition_key=partition_key, data=data)


def rows(**filters):
    with service_context() as alias:
        return list(OutboxEvent.objects.using(alias).filter(**filters).order_by("id"))


def make_due():
    """Skips the backoff wait: every pending event is due now."""
    with service_context() as alias:
        OutboxEvent.objects.using(alias).filter(published_at__isnull=True).update(next_attempt_at=timezone.now())


def service_sql(sql, params=()):
    with service_context() as alias, connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def test_relay__publishes_due_events_in_order_and_records_consumption(tenant, monkeypatch):
    seen = []
    monkeypatch.setitem(events.HANDLERS, "test.happened.v1",
                        [lambda *, envelope, **kw: seen.append(envelope["data"]["n"])])
    ids = [enqueue(tenant.id, n=n) for n in range(3)]
    ids.append(enqueue(tenant.id, partition_key="thm_B", n=99))
    result = relay.relay_outbox()
    assert result.published == 4 and result.retried == 0
    assert seen[:3] == [0, 1, 2] or [n for n in seen if n != 99] == [0, 1, 2]
    assert all(row.published_at is not None for row in rows())
    with service_context() as alias:
        assert set(ConsumedEvent.objects.using(alias).values_list("event_id", flat=True)) == set(ids)
    # A redelivered event (published_at lost, say) is skipped by the handlers: seen once.
    with service_context() as alias:
        OutboxEvent.objects.using(alias).filter(event_id=ids[0]).update(published_at=None)
    relay.relay_outbox()
    assert seen.count(0) == 1


def test_relay__a_failing_event_holds_back_its_partition_only(tenant, monkeypatch):
    def handler(*, envelope, **kw):
        if envelope["data"].get("boom"):
            raise RuntimeError("handler down")

    monkeypatch.setitem(events.HANDLERS, "test.happened.v1", [handler])
    first = enqueue(tenant.id, boom=True)
    second = enqueue(tenant.id)
    other = enqueue(tenant.id, partition_key="thm_B")
    result = relay.relay_outbox()
    assert result.retried == 1 and result.published == 1
    by_id = {row.event_id: row for row in rows()}
    assert by_id[first].attempt_count == 1 and "handler down" in by_id[first].last_error
    assert by_id[first].next_attempt_at > timezone.now() + timedelta(seconds=1)  # backing off
    assert by_id[second].published_at is None  # waits behind the first of its partition
    assert by_id[other].published_at is not None
    # Backoff grows, then the event is dead-lettered and stops holding back its partition.
    make_due()
    relay.relay_outbox()
    first_row = next(r for r in rows() if r.event_id == first)
    assert first_row.attempt_count == 2 and first_row.dead_lettered_at is None
    make_due()
    result = relay.relay_outbox()
    assert result.dead_lettered == 1
    by_id = {row.event_id: row for row in rows()}
    assert by_id[first].dead_lettered_at is not None and by_id[first].attempt_count == 3
    make_due()
    relay.relay_outbox()
    assert next(r for r in rows() if r.event_id == second).published_at is not None
    # An operator retries the dead letter once the handler is fixed.
    monkeypatch.setitem(events.HANDLERS, "test.happened.v1", [lambda **kw: None])
    assert relay.dead_letters()[0]["event_id"] == first
    assert outbox_event_retry(principal=Principal.operator("t"), event_ids=[first]) == [first]
    relay.relay_outbox()
    assert next(r for r in rows() if r.event_id == first).published_at is not None
    assert relay.outbox_stats() == {"pending": 0, "backing_off": 0, "dead_lettered": 0, "oldest_pending_seconds": None}


def test_relay__a_retry__schedules_a_wake_up_when_it_falls_due(tenant, monkeypatch, settings):
    def handler(*, envelope, **kw):
        raise RuntimeError("handler down")

    monkeypatch.setitem(events.HANDLERS, "test.happened.v1", [handler])
    wake_ups = []
    monkeypatch.setattr(outbox, "wake_relay_in", lambda seconds: wake_ups.append(time.time() + seconds))
    settings.OUTBOX_RETRY_BASE_SECONDS = 4
    for n in range(5):
        enqueue(tenant.id, partition_key=f"thm_{n}")
    assert relay.relay_outbox().retried == 5
    assert 1 <= len(wake_ups) <= 5
    for row in rows():  # every retry has a wake-up at its next_attempt_at (never before, at most a slice after)
        due = row.next_attempt_at.timestamp()
        assert any(due <= wake <= due + relay.WAKE_SLICE_SECONDS + 0.05 for wake in wake_ups), (due, wake_ups)
        assert 4 * 0.8 - 0.5 <= due - time.time() <= 4 * 1.2


@pytest.mark.parametrize("tick, base_seconds, woken", [
    (15, 4, True),  # due before beat's next tick: a countdown wake-up
    (15, 40, False),  # due after it: the tick drains it, no countdown held by a worker
    (15, 3600, False),  # past the broker's visibility timeout: never a countdown
    (timedelta(minutes=2), 40, True),
    (celery_schedule(timedelta(seconds=15)), 40, False),
    (crontab(), 120, False),  # no fixed interval: FALLBACK_TICK_SECONDS
])
def test_relay__a_retry__wake_up_only_when_due_before_beats_tick(tenant, monkeypatch, settings, tick, base_seconds,
                                                                  woken):
    monkeypatch.setitem(events.HANDLERS, "test.happened.v1", [lambda **kw: 1 / 0])
    wake_ups = []
    # Absolute times, not "seconds from now" measured later: a loaded machine may stall between the
    # relay's computation and the test's.
    monkeypatch.setattr(outbox, "wake_relay_in", lambda seconds: wake_ups.append(time.time() + seconds))
    settings.CELERY_BEAT_SCHEDULE = {**settings.CELERY_BEAT_SCHEDULE,
                                     "relay-outbox": {"task": "publishing.relay_outbox_task", "schedule": tick}}
    settings.OUTBOX_RETRY_BASE_SECONDS = base_seconds
    settings.OUTBOX_RETRY_MAX_SECONDS = 3600
    enqueue(tenant.id)
    before = time.time()
    assert relay.relay_outbox().retried == 1
    after = time.time()
    due = rows()[0].next_attempt_at.timestamp()
    # The backoff itself is unchanged: due = (a moment during the relay) + base ± 20 %.
    assert base_seconds * 0.8 - 0.05 <= due - before and due - after <= base_seconds * 1.2 + 0.05
    assert len(wake_ups) == (1 if woken else 0), wake_ups
    assert all(wake <= due + relay.WAKE_SLICE_SECONDS + 0.05 for wake in wake_ups), (due, wake_ups)


def test_handler_that_raises__is_retried__its_effect_applied_once(tenant, monkeypatch):
    calls = []

    def handler(*, alias, **kw):
        # The effect: a real write on the service connection, in the relay's savepoint.
        with connections[alias].cursor() as cursor:
            cursor.execute("INSERT INTO theme_config.read_model_refresh_state (id, refresh_count) VALUES (1, 1) "
                           "ON CONFLICT (id) DO UPDATE SET refresh_count = "
                           "theme_config.read_model_refresh_state.refresh_count + 1")
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("downstream hiccup after the write")

    monkeypatch.setitem(events.HANDLERS, "test.happened.v1", [handler])
    event_id = enqueue(tenant.id)
    assert relay.relay_outbox().retried == 1
    assert service_sql("SELECT refresh_count FROM theme_config.read_model_refresh_state") in ([], [(0,)])
    make_due()
    assert relay.relay_outbox().published == 1
    make_due()
    relay.relay_outbox()
    assert len(calls) == 2
    assert service_sql("SELECT refresh_count FROM theme_config.read_model_refresh_state") == [(1,)]
    assert service_sql("SELECT count(*) FROM theme_config.consumed_events WHERE event_id = %s", [event_id]) == [(1,)]


def test_two_relays_at_once__skip_locked__each_event_delivered_once(tenant, monkeypatch):
    monkeypatch.setitem(events.HANDLERS, "test.happened.v1", [])
    admin = Principal.operator("t", tenant_id=tenant.id)
    with webhook_receiver(delay_seconds=0.3) as receiver:
        webhook_services.webhook_subscription_create(principal=admin, url=receiver.url)
        for n in range(6):
            enqueue(tenant.id, partition_key=f"thm_{n}", n=n)
        results = []
        threads = [threading.Thread(target=lambda: results.append(relay.relay_outbox(batch_size=3, max_batches=1)))
                   for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(r.published for r in results) == [3, 3]  # disjoint batches, both at work
    assert len(receiver.requests) == 6
    assert len({json.loads(r.body)["id"] for r in receiver.requests}) == 6


def test_relay__a_hanging_receiver__no_row_lock_held__other_partitions_delivered_meanwhile(tenant_factory, monkeypatch,
                                                                                         settings):
    monkeypatch.setitem(events.HANDLERS, "test.happened.v1", [])
    settings.WEBHOOK_READ_TIMEOUT_SECONDS = 30  # the receiver hangs until the test lets it go
    stuck, other = tenant_factory(), tenant_factory()
    hold = threading.Event()
    with webhook_receiver(hold=hold) as hanging, webhook_receiver() as good:
        webhook_services.webhook_subscription_create(principal=Principal.operator("t", tenant_id=stuck.id),
                                                     url=hanging.url)
        webhook_services.webhook_subscription_create(principal=Principal.operator("t", tenant_id=other.id),
                                                     url=good.url)
        stuck_event = enqueue(stuck.id, partition_key="thm_stuck")  # the oldest event: claimed first
        expected = {f"thm_{p}": [enqueue(other.id, partition_key=f"thm_{p}", n=n) for n in range(10)]
                    for p in range(10)}
        results = []
        relay_thread = threading.Thread(target=lambda: results.append(relay.relay_outbox()))
        relay_thread.start()
        try:
            eventually(lambda: service_sql(
                "SELECT count(*) FROM theme_config.outbox WHERE tenant_id = %s AND published_at IS NOT NULL",
                [other.id]) == [(100,)], timeout=15)
            # All 100 went out while the stuck endpoint still holds its request open.
            assert not hold.is_set() and len(hanging.requests) == 1 and len(good.requests) == 100
            assert service_sql("SELECT published_at IS NULL, locked_until > now() FROM theme_config.outbox "
                               "WHERE event_id = %s", [stuck_event]) == [(True, True)]  # leased, not locked
            assert service_sql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                               "AND state LIKE 'idle in transaction%%' AND pid <> pg_backend_pid()") == [(0,)]
            assert service_sql("SELECT event_id FROM theme_config.outbox WHERE event_id = %s FOR UPDATE NOWAIT",
                               [stuck_event]) == [(stuck_event,)]
        finally:
            hold.set()
            relay_thread.join(timeout=30)
    assert results[0].published == 101
    received = [json.loads(r.body) for r in good.requests]
    for partition, ids in expected.items():  # in order per partition, each once
        assert [e["id"] for e in received if e["subject"] == partition] == ids
    assert {r.event_id: r.locked_by for r in rows()} == {r.event_id: None for r in rows()}


def test_relay__lease_expired__another_relay_takes_the_event_again(tenant, monkeypatch):
    monkeypatch.setitem(events.HANDLERS, "test.happened.v1", [])
    with webhook_receiver() as receiver:
        webhook_services.webhook_subscription_create(principal=Principal.operator("t", tenant_id=tenant.id),
                                                     url=receiver.url)
        event_id = enqueue(tenant.id)
        # A relay claims the event and is killed before it delivers: its lease is all that is left.
        dead = relay._claim(10, 60, "relay-killed")
        assert [e.event_id for e in dead] == [event_id]
        assert relay.relay_outbox().claimed == 0 and receiver.requests == []  # leased: not taken twice
        service_sql("UPDATE theme_config.outbox SET locked_until = now() - interval '1 second'")  # the lease runs out
        assert relay.relay_outbox().published == 1
        # The killed relay's outcome, were it to come back, no longer counts.
        late = relay.RelayResult()
        relay._record(dead[0], "relay-killed", late)
        assert late.lease_lost == 1 and late.published == 0
    assert [json.loads(r.body)["id"] for r in receiver.requests] == [event_id]
    row = rows()[0]
    assert row.published_at is not None and row.locked_until is None and row.locked_by is None


def test_relay__a_delivery_longer_than_the_lease__lease_renewed__no_second_relay_takes_it(tenant, monkeypatch,
                                                                                         settings):
    monkeypatch.setitem(events.HANDLERS, "test.happened.v1", [])
    settings.OUTBOX_LEASE_SECONDS = 1
    settings.WEBHOOK_READ_TIMEOUT_SECONDS = 30
    hold = threading.Event()
    with webhook_receiver(hold=hold) as receiver:
        webhook_services.webhook_subscription_create(principal=Principal.operator("t", tenant_id=tenant.id),
                                                     url=receiver.url)
        enqueue(tenant.id)
        results = []
        first = threading.Thread(target=lambda: results.append(relay.relay_outbox()))
        first.start()
        try:
            eventually(lambda: receiver.requests, timeout=10)
            started = time.monotonic()
            # Past three lease lengths, a second relay still finds the event taken.
            eventually(lambda: time.monotonic() - started > 3 * settings.OUTBOX_LEASE_SECONDS, timeout=10)
            assert relay.relay_outbox().claimed == 0
        finally:
            hold.set()
            first.join(timeout=30)
    assert results[0].published == 1 and len(receiver.requests) == 1


def test_relay__a_late_failed_duplicate_delivery__success_kept__not_sent_again(tenant, monkeypatch):
    monkeypatch.setitem(events.HANDLERS, "test.happened.v1", [])
    with webhook_receiver() as receiver:
        subscription, _ = webhook_services.webhook_subscription_create(
            principal=Principal.operator("t", tenant_id=tenant.id), url=receiver.url)
        event_id = enqueue(tenant.id)
        # Relay A claims the event and stalls; its lease runs out and relay B delivers it.
        stalled = relay._claim(10, 60, "relay-stalled")
        service_sql("UPDATE theme_config.outbox SET locked_until = now() - interval '1 second'")
        assert relay.relay_outbox().webhooks_delivered == 1
        # A's own POST of the same event then fails (a timeout, say), and is recorded after B's success.
        relay._finish_delivery(stalled[0], subscription.pk, (False, None, "ReadTimeout"), relay.RelayResult())
        with service_context() as alias:
            delivery = WebhookDelivery.objects.using(alias).get(event_id=event_id)
        assert delivery.delivered_at is not None and delivery.attempt_count == 2
        # So the event stays published and the endpoint is not called again, whatever runs next.
        service_sql("UPDATE theme_config.outbox SET published_at = NULL, next_attempt_at = now()")
        assert relay.relay_outbox().published == 1
    assert [json.loads(r.body)["id"] for r in receiver.requests] == [event_id]


def test_relay__lease_taken_over_mid_delivery__no_further_posts__outcome_left_to_the_taker(
        tenant, monkeypatch, settings):
    monkeypatch.setitem(events.HANDLERS, "test.happened.v1", [])
    settings.OUTBOX_LEASE_SECONDS = 1
    settings.WEBHOOK_READ_TIMEOUT_SECONDS = 30
    settings.WEBHOOK_DELIVERY_CONCURRENCY = 1  # the second POST waits for the first
    hold = threading.Event()
    admin = Principal.operator("t", tenant_id=tenant.id)
    with webhook_receiver(hold=hold) as first_endpoint, webhook_receiver(hold=hold) as second_endpoint:
        endpoints = (first_endpoint, second_endpoint)
        for endpoint in endpoints:
            webhook_services.webhook_subscription_create(principal=admin, url=endpoint.url)
        enqueue(tenant.id)
        results = []
        first = threading.Thread(target=lambda: results.append(relay.relay_outbox()))
        first.start()
        try:
            eventually(lambda: any(endpoint.requests for endpoint in endpoints), timeout=10)
            # Another relay takes the event over (as after a lease that ran out during a pause).
            service_sql("UPDATE theme_config.outbox SET locked_by = 'relay-other', "
                        "locked_until = now() + interval '1 minute'")
            # The first relay's next renewal (every third of a lease) finds it lost.
            started = time.monotonic()
            eventually(lambda: time.monotonic() - started > 2 * settings.OUTBOX_LEASE_SECONDS, timeout=10)
        finally:
            hold.set()
            first.join(timeout=30)
    assert not first.is_alive()
    # One POST was under way when the lease was lost; the other had not begun: the other relay's to make.
    assert sorted(len(endpoint.requests) for endpoint in endpoints) == [0, 1]
    assert results[0].lease_lost == 1 and results[0].claimed == 0
    row = rows()[0]
    assert row.locked_by == "relay-other" and row.published_at is None and row.attempt_count == 0


def test_webhook__500_then_200__acknowledged_exactly_once__signed(tenant, monkeypatch):
    admin = Principal.operator("t", tenant_id=tenant.id)
    with webhook_receiver(statuses=[500]) as receiver:
        subscription, secret = webhook_services.webhook_subscription_create(
            principal=admin, url=receiver.url, event_types=["theme.published.v1"])
        assert secret.startswith("whsec_")
        event_id = enqueue(tenant.id, event_type="theme.published.v1", theme_id="thm_A")
        enqueue(tenant.id, event_type="theme.rolled_back.v1", partition_key="thm_B")  # not subscribed
        monkeypatch.setitem(events.HANDLERS, "theme.published.v1", [])
        monkeypatch.setitem(events.HANDLERS, "theme.rolled_back.v1", [])
        first = relay.relay_outbox()
        assert first.webhooks_failed == 1 and first.retried == 1 and first.published == 1
        make_due()
        second = relay.relay_outbox()
        assert second.webhooks_delivered == 1 and second.published == 1
        make_due()
        relay.relay_outbox()
    assert [json.loads(r.body)["id"] for r in receiver.requests] == [event_id, event_id]
    delivered = receiver.requests[-1]
    assert verify(secret, delivered)
    assert not verify("whsec_" + "A" * 44, delivered)
    assert delivered.headers["content-type"].startswith("application/cloudevents+json")
    envelope = json.loads(delivered.body)
    assert envelope["specversion"] == "1.0" and envelope["type"] == "theme.published.v1"
    assert envelope["data"]["tenant_id"] == tenant.id
    with service_context() as alias:
        delivery = WebhookDelivery.objects.using(alias).get(event_id=event_id)
    assert delivery.attempt_count == 2 and delivery.last_status == 200 and delivery.delivered_at is not None
    with tenant_context(tenant.id):  # the tenant reads its own delivery history
        assert WebhookDelivery.objects.filter(subscription_id=subscription.pk).count() == 1


def test_webhook__a_delivered_endpoint_is_not_called_again_when_another_fails(tenant, monkeypatch):
    monkeypatch.setitem(events.HANDLERS, "test.happened.v1", [])
    admin = Principal.operator("t", tenant_id=tenant.id)
    with webhook_receiver() as good, webhook_receiver(then=503) as bad:
        webhook_services.webhook_subscription_create(principal=admin, url=good.url)
        webhook_services.webhook_subscription_create(principal=admin, url=bad.url)
        enqueue(tenant.id)
        for _ in range(3):
            relay.relay_outbox()
            make_due()
    assert len(good.requests) == 1 and len(bad.requests) == 3
    assert rows()[0].dead_lettered_at is not None and "answered 503" in rows()[0].last_error


def test_webhook__private_targets_refused_unless_allow_listed(tenant, settings, monkeypatch):
    admin = Principal.operator("t", tenant_id=tenant.id)
    settings.WEBHOOK_ALLOWED_PRIVATE_TARGETS = []
    for url in ("http://127.0.0.1:9/x", "https://localhost/x", "https://10.1.2.3/x", "https://[::1]/x",
                "https://169.254.169.254/latest", "ftp://example.com/x", "https://user:pw@example.com/x"):
        with pytest.raises(DomainError) as caught:
            webhook_services.webhook_subscription_create(principal=admin, url=url)
        assert caught.value.http_status == 422 and caught.value.errors[0].path == "/url", url
    # Allowed when made, refused at delivery once the allow-list no longer names it: nothing is sent.
    monkeypatch.setitem(events.HANDLERS, "test.happened.v1", [])
    with webhook_receiver() as receiver:
        settings.WEBHOOK_ALLOWED_PRIVATE_TARGETS = ["127.0.0.0/8"]
        webhook_services.webhook_subscription_create(principal=admin, url=receiver.url)
        settings.WEBHOOK_ALLOWED_PRIVATE_TARGETS = []
        enqueue(tenant.id)
        result = relay.relay_outbox()
    assert receiver.requests == [] and result.retried == 1
    assert "private or reserved address" in rows()[0].last_error


def refresh_sends(monkeypatch) -> list[dict]:
    """The refresh task's messages (sent by name, so read_models never imports the tasks), captured."""
    sent = []
    send_task = current_app.send_task
    monkeypatch.setattr(current_app, "send_task", lambda name, **kw: sent.append(kw) if name == REFRESH
                        else send_task(name, **kw))
    return sent


def test_publish__event_requests_one_coalesced_refresh__views_agree_with_the_read_model(tenant, monkeypatch):
    admin = Principal.for_user(tenant_id=tenant.id, user_id=1, role="admin")
    services.host_add(principal=Principal.operator("t", tenant_id=tenant.id), host="relay.example.com")
    theme = services.theme_create(principal=admin, name="Lake")
    for expected in (1, 2):
        version = services.version_create(principal=admin, theme_id=theme.pk)
        services.locale_pack_put(principal=admin, version_id=version.pk, locale="en", entries={"a.b": f"v{expected}"})
        job = publish.version_publish(principal=admin, version_id=version.pk, expected_theme_version=expected)
        assert publish.publish_job_run(job_id=job.pk, tenant_id=tenant.id).status == "succeeded"
    monkeypatch.undo()  # the real schedule_refresh; the task's message captured
    monkeypatch.setattr(outbox, "wake_relay", lambda: None)
    monkeypatch.setattr(outbox, "wake_relay_in", lambda seconds: None)
    sent = refresh_sends(monkeypatch)
    first_commit = min(datetime.fromisoformat(event.envelope["time"]) for event in rows())
    assert relay.relay_outbox().published == 2
    assert len(sent) == 1  # two events, one refresh scheduled
    # The lag is counted from the first publish's event (written in its transaction), not from the relay.
    assert read_models.refresh_state()["pending_since"] == first_commit
    assert read_models.views_lag()["lag_seconds"] >= (timezone.now() - first_commit).total_seconds() - 0.05
    assert read_models.run_refresh() == "refreshed"
    assert read_models.run_refresh() == "nothing_pending"
    lag, state = read_models.views_lag(), read_models.refresh_state()
    assert lag["lag_seconds"] == 0.0 and state["pending_since"] is None and state["covering_since"] is None
    assert lag["last_lag_seconds"] == pytest.approx((state["finished_at"] - first_commit).total_seconds(), abs=0.05)
    assert read_models.views_lag_text(lag).startswith("seed views: 0.0 s behind, last refresh ")
    assert read_models.views_lag_text(lag).endswith(f"commit -> refreshed {lag['last_lag_seconds']:.2f} s")
    view = service_sql("SELECT host, theme_id, tenant_id, bundle_url FROM theme_config.host_to_theme_view")
    model = service_sql("SELECT host, theme_id, tenant_id, bundle_url FROM theme_config.host_resolution")
    assert view == model and len(model) == 1
    published = service_sql("SELECT theme_id, publication_id, bundle_sha256 FROM theme_config.published_theme_view")
    assert published == service_sql("SELECT theme_id, publication_id, bundle_sha256 FROM theme_config.host_resolution")


def test_refresh__at_most_one_in_flight__requests_during_it_make_one_more(settings):
    settings.READ_MODEL_REFRESH_MIN_INTERVAL_SECONDS = 0
    with service_context() as alias:
        read_models.request_refresh(alias=alias)
    # Another worker's refresh is in flight: this one leaves the work to it.
    service_sql("UPDATE theme_config.read_model_refresh_state SET started_at = clock_timestamp(), finished_at = NULL")
    with service_context() as alias:
        read_models.request_refresh(alias=alias)
    assert read_models.run_refresh() == "in_flight"
    # It finishes: the request made during it is pending, and runs once.
    service_sql("UPDATE theme_config.read_model_refresh_state SET finished_at = clock_timestamp()")
    assert read_models.run_refresh() == "refreshed"
    assert read_models.run_refresh() == "nothing_pending"
    assert read_models.refresh_state()["refresh_count"] == 1


def test_refresh__requests_during_one_in_flight__stay_pending_with_their_own_lag(settings, monkeypatch):
    settings.READ_MODEL_REFRESH_MIN_INTERVAL_SECONDS = 0
    older, newer = timezone.now() - timedelta(seconds=20), timezone.now() - timedelta(seconds=3)
    with service_context() as alias:
        read_models.request_refresh(alias=alias, committed_at=newer)
        read_models.request_refresh(alias=alias, committed_at=older)  # relayed out of order: the oldest counts
    assert read_models.views_lag()["lag_seconds"] >= 20
    # A refresh starts and covers both; a third commit arrives while it runs (when the refresh opens
    # its own connection, the second of run_refresh's three, the start has committed).
    original, opened, during = read_models.service_context, [], []

    def service_context_with_a_commit_meanwhile():
        opened.append(1)
        if len(opened) == 2:
            with service_context() as alias:
                read_models.request_refresh(alias=alias, committed_at=timezone.now())
            during.append(service_sql("SELECT covering_since, pending_since FROM theme_config.read_model_refresh_state"))
        return original()

    monkeypatch.setattr(read_models, "service_context", service_context_with_a_commit_meanwhile)
    assert read_models.run_refresh() == "refreshed"
    monkeypatch.setattr(read_models, "service_context", original)
    [(covering, pending)] = during[0]
    assert covering == older and pending is not None
    lag = read_models.views_lag()
    assert 20 <= lag["last_lag_seconds"] < 60
    assert 0 <= lag["lag_seconds"] < 20  # only the commit made during the refresh is still waiting
    assert read_models.run_refresh() == "refreshed"
    assert read_models.views_lag()["lag_seconds"] == 0.0


def test_refresh_that_fails__what_it_covered_is_pending_again__the_next_one_counts_its_lag(settings):
    settings.READ_MODEL_REFRESH_MIN_INTERVAL_SECONDS = 0
    committed = timezone.now() - timedelta(seconds=10)
    with service_context() as alias:
        read_models.request_refresh(alias=alias, committed_at=committed)
    settings.FAILPOINTS = {"views.refresh": "raise"}
    with pytest.raises(OSError):
        read_models.run_refresh()
    state = read_models.refresh_state()
    assert state["pending_since"] == committed and state["covering_since"] is None
    assert state["refresh_count"] == 0 and state["requested_at"] > state["started_at"]  # due again
    assert read_models.views_lag()["lag_seconds"] >= 10
    settings.FAILPOINTS = {}
    assert read_models.run_refresh() == "refreshed"
    assert read_models.views_lag()["lag_seconds"] == 0.0 and read_models.views_lag()["last_lag_seconds"] >= 10


def test_refresh_task__routed_to_the_views_queue__publish_jobs_stay_on_the_default_queue(settings):
    """The messages themselves, in the test Redis: the refresh on its queue, a publish job on the default."""
    import redis

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    views, default = settings.VIEWS_REFRESH_QUEUE, settings.CELERY_TASK_DEFAULT_QUEUE
    assert views != default
    broker.delete(views, default)
    try:
        read_models._schedule_in(0)  # what schedule_refresh and a finishing refresh send
        current_app.send_task("publishing.run_publish_job_task", kwargs={"job_id": "pbj_x", "tenant_id": "t"})
        queued = {queue: [json.loads(m)["headers"]["task"] for m in broker.lrange(queue, 0, -1)]
                  for queue in (views, default)}
    finally:
        broker.delete(views, default)
    assert queued == {views: [REFRESH], default: ["publishing.run_publish_job_task"]}
    # Beat's safety-net entry is the same task, so the same route.
    assert settings.CELERY_BEAT_SCHEDULE["refresh-read-models"]["task"] == REFRESH


def test_refresh__not_more_often_than_the_interval(settings, monkeypatch):
    settings.READ_MODEL_REFRESH_MIN_INTERVAL_SECONDS = 60
    later = []
    monkeypatch.setattr(read_models, "_schedule_in", lambda seconds: later.append(seconds))
    with service_context() as alias:
        read_models.request_refresh(alias=alias)
    assert read_models.run_refresh() == "refreshed"
    with service_context() as alias:
        read_models.request_refresh(alias=alias)
    assert read_models.run_refresh() == "too_soon"
    assert len(later) == 1 and 55 < later[0] <= 60
    assert read_models.refresh_state()["scheduled_for"] is not None


def test_schedule_refresh__one_task_scheduled_for_many_requests(monkeypatch, settings):
    monkeypatch.undo()  # the real schedule_refresh, with the task's message captured
    sent = refresh_sends(monkeypatch)
    settings.READ_MODEL_REFRESH_MIN_INTERVAL_SECONDS = 5
    for _ in range(5):
        with service_context() as alias:
            read_models.request_refresh(alias=alias)
    assert len(sent) == 1
    assert read_models.run_refresh() == "refreshed"  # clears the schedule
    with service_context() as alias:
        read_models.request_refresh(alias=alias)
    assert len(sent) == 2 and 4 <= sent[1]["countdown"] <= 5  # waits out the interval


def test_purge_expired__removes_only_what_is_past_retention(tenant):
    old, recent = enqueue(tenant.id), enqueue(tenant.id, partition_key="thm_B")
    service_sql("UPDATE theme_config.outbox SET published_at = now() - interval '8 days' WHERE event_id = %s", [old])
    service_sql("UPDATE theme_config.outbox SET published_at = now() - interval '6 days' WHERE event_id = %s", [recent])
    service_sql("INSERT INTO theme_config.consumed_events (event_id, tenant_id, event_type, consumed_at) VALUES "
                "('old', %s, 't', now() - interval '91 days'), ('new', %s, 't', now())", [tenant.id, tenant.id])
    service_sql("INSERT INTO theme_config.idempotency_keys (key, tenant_id, endpoint, request_hash, expires_at) VALUES "
                "('k1', %s, 'POST /x', 'h', now() - interval '25 hours'), ('k2', %s, 'POST /x', 'h', now())",
                [tenant.id, tenant.id])
    deleted = purge_expired()
    assert {kind: deleted[kind] for kind in ("outbox", "consumed_events", "idempotency_keys", "preview_tokens")} == {
        "outbox": 1, "consumed_events": 1, "idempotency_keys": 1, "preview_tokens": 0}
    assert [r.event_id for r in rows()] == [recent]
    assert service_sql("SELECT event_id FROM theme_config.consumed_events") == [("new",)]
    assert service_sql("SELECT key FROM theme_config.idempotency_keys") == [("k2",)]


def test_relay_outbox_command__drains_reports_and_refuses_bad_options(tenant, monkeypatch):
    from io import StringIO

    from django.core.management import CommandError, call_command

    monkeypatch.setitem(events.HANDLERS, "test.happened.v1", [])
    enqueue(tenant.id)
    out = StringIO()
    call_command("relay_outbox", stdout=out)
    assert "batch 1: 1 relayed" in out.getvalue() and "outbox: 0 pending (0 backing off), 0 dead-lettered" in out.getvalue()
    for options, message in (({"batch_size": 0}, "--batch-size"), ({"limit": -1}, "--limit"),
                             ({"time_budget": 0}, "--time-budget")):
        with pytest.raises(CommandError, match=message):
            call_command("relay_outbox", **options)
    out = StringIO()
    call_command("purge_expired", stdout=out)
    assert "outbox: 0 deleted" in out.getvalue()
