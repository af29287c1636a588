"""A publishing worker SIGKILLed at exact points (failpoints), then recovered as production recovers it.

Each test publishes a second version over an active first one, stops a real `celery worker` at a
failpoint (after the upload, or inside the flip's transaction), kills it, and checks what is left:
the first publication still the only active one, its bundle stored, nothing of the flip committed.
Then a fresh worker finishes the job exactly once: one active publication (the new one), its bundle
in storage, one `theme.published.v1` for it.

How production recovers, and so how these tests do:
- a pool child killed (the OOM killer): the task is `acks_late` + `reject_on_worker_lost`, so the
  worker's main process requeues the message at once and another child runs the job again;
- the whole worker killed (node lost, solo pool): its message waits in Redis's `unacked` set until
  the broker's visibility timeout (kombu's default, 1 h) passes. What brings the job back within
  minutes is beat's `reap_stale_publish_jobs_task` (every 60 s, jobs untouched for 5 min), which
  enqueues it again; the tests send that task to the fresh worker as beat would, with a 1-second
  staleness. The old message, redelivered an hour later, must change nothing: the tests restore it
  from `unacked` at once (what kombu's visibility sweep does) and check that it does not.
A transient fault (an OSError raised inside the flip) rolls the flip back and the task's retry
finishes the job.
"""
from __future__ import annotations

import hashlib
import json
import re
import time

import pytest
from django.conf import settings
from django.test import Client

from publishing.bundles.storage import bundle_keys, bundle_storage
from publishing.models import OutboxEvent, PublishJob, ThemePublication
from publishing.services import publish
from publishing.tasks import reap_stale_publish_jobs_task
from tests.celery_worker import celery_worker
from tests.e2e.test_publishing import previewable_version
from tests.eventually import eventually
from themeconfig import services
from themeconfig.models import Theme, ThemeVersion
from themeconfig.platform.principal import Principal
from themeconfig.platform.service_db import service_context
from themeconfig.platform.tenant_context import tenant_context

pytestmark = [pytest.mark.usefixtures("committed_db"), pytest.mark.slow]
STALE_AFTER_SECONDS = 1  # beat's reaper uses 5 min; 0 would mean "the default" to the task


@pytest.fixture
def world(keyed_tenant_factory, monkeypatch):
    """A tenant whose theme has an active first publication (made in-process), and a second
    version asked to be published through the API: the job under test, queued in Redis."""
    keyed = keyed_tenant_factory(role="admin")
    owner = Principal.operator("test", tenant_id=keyed.id)
    theme = services.theme_create(principal=owner, name="Lake")
    first, second = previewable_version(owner, theme.pk, title="one"), previewable_version(owner, theme.pk, title="two")
    with monkeypatch.context() as no_broker:
        no_broker.setattr(publish, "enqueue_publish_job", lambda **kwargs: None)
        arranged = publish.version_publish(principal=owner, version_id=first.pk, expected_theme_version=1)
        assert publish.publish_job_run(job_id=arranged.pk, tenant_id=keyed.id).status == "succeeded"
    response = Client().post(f"/api/v1/versions/{second.pk}/publish/", json.dumps({"version": 2}),
                             content_type="application/json", **keyed.auth)
    assert response.status_code == 202, response.content
    return keyed.id, theme.pk, first.pk, second.pk, response.json()["id"]


def job_row(tenant_id: str, job_id: str) -> PublishJob:
    with tenant_context(tenant_id):
        return PublishJob.objects.get(pk=job_id)


def finished(tenant_id: str, job_id: str) -> PublishJob | None:
    job = job_row(tenant_id, job_id)
    return job if job.status in ("succeeded", "failed") else None


def bundle_stored(tenant_id: str, theme_id: str, sha256: str) -> bool:
    storage = bundle_storage()
    json_key, css_key = bundle_keys(tenant_id, theme_id, sha256)
    if not (storage.exists(json_key) and storage.exists(css_key)):
        return False
    with storage.open(json_key, "rb") as stored:
        return hashlib.sha256(stored.read()).hexdigest() == sha256


def published_events(tenant_id: str) -> list[dict]:
    with service_context() as alias:
        return list(OutboxEvent.objects.using(alias).filter(tenant_id=tenant_id, event_type="theme.published.v1")
                    .order_by("created_at").values_list("envelope", flat=True))


def assert_state(tenant_id: str, theme_id: str, *, active_version_id: str, publications: int, events: int) -> None:
    """Exactly one active publication, of that version, with its bundle stored; the counts as given."""
    with tenant_context(tenant_id):
        active = list(ThemePublication.objects.filter(theme_id=theme_id, is_active=True))
        assert ThemePublication.objects.filter(theme_id=theme_id).count() == publications
        theme = Theme.objects.get(pk=theme_id)
    assert len(active) == 1, active
    assert active[0].theme_version_id == active_version_id and theme.active_publication_id == active[0].pk
    assert bundle_stored(tenant_id, theme_id, active[0].bundle_sha256)
    assert len(published_events(tenant_id)) == events


def in_transaction_backend(admin_sql, database: str) -> int | None:
    """The PostgreSQL backend of a worker's open, written-to transaction (the flip at its failpoint)."""
    row = admin_sql.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = %s AND usename = %s "
        "AND state = 'idle in transaction' AND backend_xid IS NOT NULL",
        [database, settings.DATABASES["default"]["USER"]]).fetchone()
    return row[0] if row else None


def backend_gone(admin_sql, pid: int) -> bool:
    return admin_sql.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone() is None


def reap_as_beat_would(tenant_id: str, job_id: str) -> None:
    """beat's reaper, sent to the fresh worker once the killed job is stale."""
    updated = job_row(tenant_id, job_id).updated_at.timestamp()
    time.sleep(max(0.0, updated + STALE_AFTER_SECONDS + 0.2 - time.time()))
    assert reap_stale_publish_jobs_task.apply_async(
        kwargs={"stale_after_seconds": STALE_AFTER_SECONDS}).get(timeout=30) == 1


def redeliver_orphaned_messages(killed_at: float, job_id: str) -> list[str]:
    """Puts every message delivered before the kill and never acknowledged back on its queue, as
    kombu's visibility-timeout sweep would an hour later; returns the task ids of this job's."""
    import redis

    from config.celery import app

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    task_ids = []
    with app.connection_for_write() as connection:
        qos = connection.default_channel.qos
        for tag in client.zrange(qos.unacked_index_key, 0, killed_at, byscore=True):
            payload = client.hget(qos.unacked_key, tag)
            if payload is None:
                continue
            headers = json.loads(payload)[0]["headers"]
            if headers["task"] == "publishing.run_publish_job_task" and job_id in headers.get("kwargsrepr", ""):
                task_ids.append(headers["id"])
            qos.restore_by_tag(tag.decode())
    return task_ids


def recover_and_check(admin_sql, tenant_id, theme_id, second_id, job_id, *, killed_at: float) -> None:
    """A fresh worker, no failpoint: the reaper re-runs the job once; the old message changes nothing."""
    from celery.result import AsyncResult

    with celery_worker(admin_sql.info.dbname, name="fresh") as fresh:
        reap_as_beat_would(tenant_id, job_id)
        job = eventually(lambda: finished(tenant_id, job_id), what="the re-run", detail=fresh.log, timeout=20)
        assert (job.status, job.error_code, job.attempts) == ("succeeded", None, 2), fresh.log()
        assert_state(tenant_id, theme_id, active_version_id=second_id, publications=2, events=2)
        event = published_events(tenant_id)[-1]["data"]
        assert event["publication_id"] == job.publication_id and event["version_id"] == second_id
        orphans = redeliver_orphaned_messages(killed_at, job_id)
        assert len(orphans) == 1
        assert AsyncResult(orphans[0]).get(timeout=30) == "succeeded"
    assert job_row(tenant_id, job_id).attempts == 2
    assert_state(tenant_id, theme_id, active_version_id=second_id, publications=2, events=2)
    with tenant_context(tenant_id):
        statuses = dict(ThemeVersion.objects.values_list("pk", "status"))
    assert statuses[second_id] == "published" and list(statuses.values()).count("published") == 1


def test_worker_killed_after_the_upload__reaper_reruns_it__one_active_publication(world, admin_sql):
    tenant_id, theme_id, first_id, second_id, job_id = world
    database = admin_sql.info.dbname
    with celery_worker(database, env={"FAILPOINTS": "publish.after_upload=sleep:30"}) as worker:
        job = eventually(lambda: (j := job_row(tenant_id, job_id)).status == "uploading" and j.bundle_sha256
                         and bundle_stored(tenant_id, theme_id, j.bundle_sha256) and j, what="the upload", timeout=20,
                         detail=worker.log)
        time.sleep(0.2)  # the failpoint follows the upload at once
        worker.kill()
        killed_at = time.time()
    # Killed between the upload and the flip: the new bundle is stored but not active; nothing else moved.
    assert job_row(tenant_id, job_id).status == "uploading"
    assert bundle_stored(tenant_id, theme_id, job.bundle_sha256)
    assert_state(tenant_id, theme_id, active_version_id=first_id, publications=1, events=1)
    recover_and_check(admin_sql, tenant_id, theme_id, second_id, job_id, killed_at=killed_at)


def test_worker_killed_inside_the_flip__postgres_rolls_it_back__reaper_reruns_it(world, admin_sql):
    tenant_id, theme_id, first_id, second_id, job_id = world
    database = admin_sql.info.dbname
    with celery_worker(database, env={"FAILPOINTS": "publish.in_flip=sleep:30"}) as worker:
        eventually(lambda: job_row(tenant_id, job_id).status == "flipping", what="the flip", timeout=20,
                   detail=worker.log)
        backend = eventually(lambda: in_transaction_backend(admin_sql, database), what="the flip's open transaction",
                             detail=worker.log, timeout=20)
        worker.kill()
        killed_at = time.time()
    eventually(lambda: backend_gone(admin_sql, backend), what="PostgreSQL to end the dead worker's backend", timeout=20)
    # Every write of the flip was made and none committed: the connection's death rolled them back.
    job = job_row(tenant_id, job_id)
    assert (job.status, job.publication_id, job.finished_at, job.attempts) == ("flipping", None, None, 1)
    with tenant_context(tenant_id):
        assert Theme.objects.get(pk=theme_id).version == 2
        assert ThemeVersion.objects.get(pk=second_id).status == "draft"
    assert_state(tenant_id, theme_id, active_version_id=first_id, publications=1, events=1)
    recover_and_check(admin_sql, tenant_id, theme_id, second_id, job_id, killed_at=killed_at)


def test_pool_child_killed_inside_the_flip__requeued_at_once__succeeds_once(world, admin_sql):
    tenant_id, theme_id, first_id, second_id, job_id = world
    database = admin_sql.info.dbname
    # The failpoint holds each pass 2 s: the first is killed there, the second (a new child) goes on.
    with celery_worker(database, pool="prefork", concurrency=1,
                       env={"FAILPOINTS": "publish.in_flip=sleep:2"}) as worker:
        backend = eventually(lambda: in_transaction_backend(admin_sql, database), what="the flip's open transaction",
                             detail=worker.log, timeout=20)
        [child] = worker.pool_children()
        worker.kill(child)
        eventually(lambda: backend_gone(admin_sql, backend), what="PostgreSQL to end the dead child's backend",
                   timeout=20)
        job = eventually(lambda: finished(tenant_id, job_id), what="the requeued run", detail=worker.log, timeout=20)
        assert worker.process.poll() is None and worker.pool_children() != [child]
    assert (job.status, job.error_code, job.attempts) == ("succeeded", None, 2), worker.log()
    assert_state(tenant_id, theme_id, active_version_id=second_id, publications=2, events=2)
    assert published_events(tenant_id)[-1]["data"]["publication_id"] == job.publication_id


def test_flip_raises_a_transient_fault__rolled_back_and_retried__succeeds_once(world, admin_sql):
    tenant_id, theme_id, first_id, second_id, job_id = world
    with celery_worker(admin_sql.info.dbname, env={"FAILPOINTS": "publish.in_flip=1*raise:OSError"}) as worker:
        job = eventually(lambda: finished(tenant_id, job_id), what="the retried job", detail=worker.log, timeout=20)
        log = worker.log()
    assert (job.status, job.error_code, job.attempts) == ("succeeded", None, 2), log
    assert log.count("failpoint publish.in_flip: raise:OSError") == 1  # the first pass raised, the retry passed
    assert_state(tenant_id, theme_id, active_version_id=second_id, publications=2, events=2)


def test_job_killing_its_pool_child_every_time__given_up_after_its_attempts(world, admin_sql):
    tenant_id, theme_id, first_id, second_id, job_id = world
    with celery_worker(admin_sql.info.dbname, pool="prefork", concurrency=1,
                       env={"FAILPOINTS": "publish.in_flip=kill"}) as worker:
        try:
            job = eventually(lambda: (j := job_row(tenant_id, job_id)).status in ("succeeded", "failed")
                             or j.attempts > publish.MAX_RUNS, what="the job to be given up", timeout=40,
                             detail=worker.log)
            job = job_row(tenant_id, job_id)
            assert (job.status, job.error_code) == ("failed", "MELMASTOON.PUBLISH.WORKER_LOST"), job.attempts
        finally:  # end the requeue loop, so that no message of this job outlives the test
            publish.publish_job_fail(job_id=job_id, tenant_id=tenant_id, code="MELMASTOON.PUBLISH.WORKER_LOST",
                                     message="ended by the test")
            # The last run sees the job finished (returns 'failed') and is acked.
            eventually(lambda: re.search(r"run_publish_job_task\[[^]]+\] (succeeded in .*'failed')",
                                         worker.log()), what="the last requeued run to end", timeout=10,
                       detail=worker.log)
    assert_state(tenant_id, theme_id, active_version_id=first_id, publications=1, events=1)
