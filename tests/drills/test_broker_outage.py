"""Fault drill: the broker (Redis) goes away and comes back while publishing is in use.

Everything runs against a private `redis-server` (tests/redis_server.py) that the drill SIGKILLs and
starts again on the same port: a real Celery worker (prefork, late acks, as production runs it),
the API in this process, and for the enqueue drill a real `celery beat`. Two tenants each time: the
one whose job is in flight during the outage and a bystander whose data must not move.
"""
from __future__ import annotations

import json
import time

import pytest
from django.test import Client

from publishing.models import OutboxEvent, PublishJob, ThemePublication
from publishing.services.publish import publish_job_run
from tests.celery_worker import celery_beat, celery_worker
from tests.e2e.test_publishing import previewable_version
from tests.eventually import eventually
from tests.redis_server import RedisServer, broker_at, redis_server
from themeconfig import services
from themeconfig.platform.principal import Principal
from themeconfig.platform.service_db import service_context
from themeconfig.platform.tenant_context import tenant_context

pytestmark = [pytest.mark.usefixtures("committed_db"), pytest.mark.slow]
FINISHED = ("succeeded", "failed")


@pytest.fixture
def broker():
    with redis_server() as server, broker_at(server.url()):
        yield server


@pytest.fixture
def tenants(keyed_tenant_factory):
    """(ours, bystander): each with a theme and a previewable draft; the bystander's is published."""
    made = []
    for name in ("Lake", "Hill"):
        keyed = keyed_tenant_factory(role="admin")
        owner = Principal.operator("drill", tenant_id=keyed.id)
        theme = services.theme_create(principal=owner, name=name)
        made.append((keyed, owner, theme.pk, previewable_version(owner, theme.pk, title=name)))
    return made


def publish(keyed, version_id: str, theme_version: int):
    return Client().post(f"/api/v1/versions/{version_id}/publish/", json.dumps({"version": theme_version}),
                         content_type="application/json", **keyed.auth)


def job_row(tenant_id: str, job_id: str) -> PublishJob:
    with tenant_context(tenant_id):
        return PublishJob.objects.get(pk=job_id)


def finished(tenant_id: str, job_id: str) -> PublishJob | None:
    job = job_row(tenant_id, job_id)
    return job if job.status in FINISHED else None


def publications(tenant_id: str) -> list[tuple[str, bool]]:
    with tenant_context(tenant_id):
        return sorted(ThemePublication.objects.values_list("theme_version_id", "is_active"))


def published_events(tenant_id: str) -> int:
    with service_context() as alias:
        return OutboxEvent.objects.using(alias).filter(tenant_id=tenant_id, event_type="theme.published.v1").count()


def redeliver_unacked(server: RedisServer) -> int:
    """Puts every delivered, never acknowledged message back on its queue, as kombu's visibility
    sweep would an hour later (a message whose ack the outage swallowed comes back then)."""
    import redis

    from config.celery import app

    client = redis.Redis.from_url(server.url())
    with app.connection_for_write() as connection:
        qos = connection.default_channel.qos
        tags = [tag.decode() for tag in client.zrange(qos.unacked_index_key, 0, -1)]
        for tag in tags:
            qos.restore_by_tag(tag)
    return len(tags)


def test_redis_killed_under_a_running_late_acked_publish__worker_reconnects__job_finished_once(
        broker, tenants, admin_sql):
    (ours, owner, theme_id, version), (bystander, _, other_theme_id, other_version) = tenants
    response = publish(bystander, other_version.pk, 1)
    assert response.status_code == 202, response.content
    bystander_job = response.json()["id"]
    publish_job_run(job_id=bystander_job, tenant_id=bystander.id)  # its queued message is then a no-op
    # Prefork, as production runs it (the solo pool never met the crash); the first run of a job in
    # a pool process holds 4 s after its upload, long enough to take Redis away under it.
    with celery_worker(admin_sql.info.dbname, name="outage", pool="prefork", concurrency=2,
                       env={"TEST_REDIS_URL": broker.url(), "FAILPOINTS": "publish.after_upload=1*sleep:4"}) as worker:
        response = publish(ours, version.pk, 1)
        assert response.status_code == 202, response.content
        job_id = response.json()["id"]
        eventually(lambda: job_row(ours.id, job_id).status == "uploading", what="our job's upload", detail=worker.log)

        broker.kill()  # the task is running, late-acked: its message sits unacknowledged in Redis
        # Redis stays away until the worker has failed to reconnect at least once (or has died).
        eventually(lambda: "Cannot connect to" in worker.log() or worker.process.poll() is not None,
                   what="the worker's first failed reconnection", detail=worker.log)
        assert worker.process.poll() is None, worker.log()
        broker.start()

        job = eventually(lambda: finished(ours.id, job_id), what="the interrupted job", detail=worker.log)
        assert (job.status, job.error_code, job.attempts) == ("succeeded", None, 1), worker.log()

        # The worker is still the same process and takes new work from the restarted broker.
        assert worker.process.poll() is None and "Unrecoverable error" not in worker.log(), worker.log()
        next_version = previewable_version(owner, theme_id, title="after the outage")
        response = publish(ours, next_version.pk, job.expected_theme_version + 1)
        assert response.status_code == 202, response.content
        next_job = eventually(lambda: finished(ours.id, response.json()["id"]), what="the next job", detail=worker.log)
        assert next_job.status == "succeeded", worker.log()

        # Whatever the outage left unacknowledged comes back (as it would an hour later) and changes nothing.
        redeliver_unacked(broker)
        eventually(lambda: broker_idle(broker), what="the redeliveries to be run", detail=worker.log)
        assert worker.process.poll() is None, worker.log()

    assert job_row(ours.id, job_id).attempts == 1
    assert publications(ours.id) == sorted([(version.pk, False), (next_version.pk, True)])
    assert published_events(ours.id) == 2
    # The bystander tenant: its one publication and event, untouched by the outage.
    assert publications(bystander.id) == [(other_version.pk, True)] and published_events(bystander.id) == 1
    assert job_row(bystander.id, bystander_job).attempts == 1


def broker_idle(server: RedisServer) -> bool:
    """Nothing waiting on the task queue and nothing delivered but unacknowledged."""
    import redis

    from config.celery import app

    client = redis.Redis.from_url(server.url())
    return not client.llen(app.conf.task_default_queue) and not client.zcard("unacked_index")


def test_publish_asked_while_redis_is_down__accepted_and_run_within_seconds_of_its_return(
        broker, tenants, admin_sql):
    (ours, _, theme_id, version), (bystander, _, other_theme_id, _) = tenants
    env = {"TEST_REDIS_URL": broker.url(), "JOB_REDISPATCH_SECONDS": "1"}
    with celery_worker(admin_sql.info.dbname, name="outage", pool="prefork", concurrency=2, env=env) as worker, \
            celery_beat(admin_sql.info.dbname, env=env) as beat_log:
        broker.kill()
        response = publish(ours, version.pk, 1)
        # Accepted all the same: the job is committed, queued, and marked as not yet sent.
        assert response.status_code == 202, response.content
        job_id = response.json()["id"]
        job = job_row(ours.id, job_id)
        assert job.status == "queued" and "enqueue_failed_at" in job.trace

        broker.start()
        back = time.monotonic()
        job = eventually(lambda: finished(ours.id, job_id), what="the job asked for during the outage",
                         detail=worker.log)
        took = time.monotonic() - back
        assert job.status == "succeeded", worker.log()
        # Seconds, not the stale-job reaper's 5 minutes: sent by the redispatch, run once.
        assert took < 20, (took, beat_log.read_text(errors="replace"))
        assert job.attempts == 1 and "enqueue_failed_at" not in job.trace and "redispatched_at" in job.trace
        assert worker.process.poll() is None, worker.log()
    assert publications(ours.id) == [(version.pk, True)] and published_events(ours.id) == 1
    # The bystander tenant asked for nothing and got nothing.
    assert publications(bystander.id) == [] and published_events(bystander.id) == 0
    with tenant_context(bystander.id):
        assert not PublishJob.objects.exists()
