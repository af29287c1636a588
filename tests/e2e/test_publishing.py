"""Publishing end to end with a real Celery worker and Redis: publish, conflicts, parallel publishes
of different themes, rollback, re-publish."""
from __future__ import annotations

import hashlib
import json
import threading
import time

import pytest
from django.db import connections
from django.test import Client

from publishing.models import OutboxEvent, PublishJob, ThemePublication
from tests.celery_worker import celery_worker
from themeconfig import services
from themeconfig.models import Theme, ThemeVersion
from themeconfig.platform.principal import Principal
from themeconfig.platform.service_db import service_context
from themeconfig.platform.tenant_context import tenant_context

pytestmark = [pytest.mark.usefixtures("committed_db"), pytest.mark.slow]


def previewable_version(owner: Principal, theme_id: str, *, title: str = "Find your room") -> ThemeVersion:
    version = services.version_create(principal=owner, theme_id=theme_id)
    services.content_block_create(principal=owner, version_id=version.pk, surface="home", kind="rich_text",
                                  body={"en": {"format": "markdown", "value": title}}, meta={"kind": "rich_text"})
    services.locale_pack_put(principal=owner, version_id=version.pk, locale="en", entries={"search.title": title})
    return version


def wait_for(client, job_url, auth, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(job_url, **auth).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job did not finish: {job}")


def post_at_once(requests: list[tuple[str, str, dict]]) -> list:
    """POSTs each (path, body, headers) from its own thread, all released by one barrier."""
    barrier = threading.Barrier(len(requests))
    responses: list = [None] * len(requests)

    def send(index, path, body, headers):
        try:
            client = Client()
            barrier.wait(timeout=30)
            responses[index] = client.post(path, body, content_type="application/json", **headers)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(i, *request)) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def peak_overlap(jobs: list[PublishJob]) -> int:
    """The most jobs that were running at one instant, from their [started_at, finished_at] intervals."""
    edges = sorted([(job.started_at, 1) for job in jobs] + [(job.finished_at, -1) for job in jobs],
                   key=lambda edge: (edge[0], edge[1]))  # an end before a start at the same instant
    running = peak = 0
    for _, step in edges:
        running += step
        peak = max(peak, running)
    return peak


@pytest.fixture
def tenant(keyed_tenant_factory):
    keyed = keyed_tenant_factory(role="admin")
    owner = Principal.operator("test", tenant_id=keyed.id)
    theme = services.theme_create(principal=owner, name="Lake")
    return keyed, owner, theme


def test_publish__worker_builds_uploads_flips__event_in_the_outbox(tenant, django_db_setup, settings, tmp_path):
    keyed, owner, theme = tenant
    version = previewable_version(owner, theme.pk)
    client = Client()
    with celery_worker(django_db_setup):
        response = client.post(f"/api/v1/versions/{version.pk}/publish/", json.dumps({"version": 1}),
                               content_type="application/json", **keyed.auth)
        assert response.status_code == 202, response.content
        job = wait_for(client, response["Location"], keyed.auth)
    assert job["status"] == "succeeded", job
    assert {"build_ms", "upload_ms", "worker", "sha256"} <= set(job["trace"])
    with tenant_context(keyed.id):
        theme_row = Theme.objects.get(pk=theme.pk)
        publication = ThemePublication.objects.get(is_active=True)
        version_row = ThemeVersion.objects.get(pk=version.pk)
    assert theme_row.active_publication_id == publication.pk == job["publication_id"] and theme_row.version == 2
    assert version_row.status == "published" and version_row.published_bundle_sha256 == publication.bundle_sha256
    from django.core.files.storage import storages

    from publishing.bundles.storage import bundle_keys

    storage = storages["bundles"] if "bundles" in settings.STORAGES else storages["default"]
    json_key, _ = bundle_keys(keyed.id, theme.pk, publication.bundle_sha256)
    with storage.open(json_key, "rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == publication.bundle_sha256
    with service_context() as alias:
        events = list(OutboxEvent.objects.using(alias).filter(tenant_id=keyed.id).values_list("event_type", "envelope"))
    assert [e[0] for e in events] == ["theme.published.v1"]
    assert events[0][1]["data"]["publication_id"] == publication.pk


def test_twenty_publishes_with_one_expected_version__exactly_one_wins(tenant, django_db_setup):
    keyed, owner, theme = tenant
    versions = [previewable_version(owner, theme.pk, title=f"v{i}") for i in range(20)]
    client = Client()
    # All twenty asked for at once (threads released by one barrier), with the same theme version,
    # and all accepted: no worker runs yet, so none has moved the theme's version under a request.
    responses = post_at_once([(f"/api/v1/versions/{version.pk}/publish/", "{}",
                               {"HTTP_IF_MATCH": '"1"', **keyed.auth}) for version in versions])
    assert [r.status_code for r in responses] == [202] * 20, [r.content for r in responses if r.status_code != 202]
    # Then four worker processes take them together, the winner's flip held open 0.5 s before its
    # commit, so that other flips really run against it (blocked on theme_publications_active_uq,
    # then refused) as well as after it (the theme's version moved on).
    with celery_worker(django_db_setup, pool="prefork", concurrency=4,
                       env={"FAILPOINTS": "publish.in_flip=sleep:0.5"}) as worker:
        jobs = [wait_for(client, response["Location"], keyed.auth) for response in responses]
        log = worker.log()
    outcomes = sorted((job["status"], job["error_code"]) for job in jobs)
    assert outcomes.count(("succeeded", None)) == 1, (outcomes, log)
    assert outcomes.count(("failed", "MELMASTOON.THEME.PUBLISH_CONFLICT")) == 19, (outcomes, log)
    with tenant_context(keyed.id):
        assert ThemePublication.objects.filter(is_active=True).count() == 1
        assert ThemePublication.objects.count() == 1  # the losers' rows rolled back with their flips
        assert Theme.objects.get(pk=theme.pk).version == 2
        rows = list(PublishJob.objects.all())
    assert peak_overlap(rows) >= 2, "the publishes never ran at the same time"
    with service_context() as alias:
        assert OutboxEvent.objects.using(alias).filter(tenant_id=keyed.id).count() == 1  # failed flips left none


def test_publishes_of_different_themes__run_in_parallel__all_succeed(keyed_tenant_factory, django_db_setup):
    """Six tenants' themes at once on a worker with three processes: no PUBLISH_CONFLICT among
    them, and the jobs overlap (each held 1 s after its upload, so six in series would take 6 s)."""
    keyed = [keyed_tenant_factory(role="admin") for _ in range(6)]
    asked = []
    for each in keyed:
        owner = Principal.operator("test", tenant_id=each.id)
        theme = services.theme_create(principal=owner, name="Lake")
        asked.append((each, theme, previewable_version(owner, theme.pk)))
    client = Client()
    with celery_worker(django_db_setup, pool="prefork", concurrency=3,
                       env={"FAILPOINTS": "publish.after_upload=sleep:1"}) as worker:
        responses = post_at_once([(f"/api/v1/versions/{version.pk}/publish/", json.dumps({"version": 1}), each.auth)
                                  for each, _, version in asked])
        assert [r.status_code for r in responses] == [202] * 6
        jobs = [wait_for(client, r["Location"], each.auth) for r, (each, _, _) in zip(responses, asked, strict=True)]
        log = worker.log()
    assert [(job["status"], job["error_code"]) for job in jobs] == [("succeeded", None)] * 6, log
    rows = []
    for each, theme, version in asked:
        with tenant_context(each.id):
            active = ThemePublication.objects.get(is_active=True)
            assert active.theme_version_id == version.pk and Theme.objects.get(pk=theme.pk).version == 2
            rows.append(PublishJob.objects.get())
        with service_context() as alias:
            assert OutboxEvent.objects.using(alias).filter(
                tenant_id=each.id, event_type="theme.published.v1").count() == 1
    peak = peak_overlap(rows)
    span = (max(r.finished_at for r in rows) - min(r.started_at for r in rows)).total_seconds()
    assert 2 <= peak <= 3, f"peak overlap {peak}"
    assert span < 6, f"six 1-second publishes took {span:.1f} s: they ran one after another"


def test_rollback_then_republish(tenant, django_db_setup):
    keyed, owner, theme = tenant
    first, second = previewable_version(owner, theme.pk, title="one"), previewable_version(owner, theme.pk, title="two")
    client = Client()
    with celery_worker(django_db_setup):
        for expected, version in ((1, first), (2, second)):
            response = client.post(f"/api/v1/versions/{version.pk}/publish/", json.dumps({"version": expected}),
                                   content_type="application/json", **keyed.auth)
            assert wait_for(client, response["Location"], keyed.auth)["status"] == "succeeded"
        rolled = client.post(f"/api/v1/themes/{theme.pk}/rollback/", json.dumps({"version": 3}),
                             content_type="application/json", **keyed.auth)
        assert rolled.status_code == 202, rolled.content
        assert wait_for(client, rolled["Location"], keyed.auth)["status"] == "succeeded"
        again = client.post(f"/api/v1/themes/{theme.pk}/republish/", json.dumps({"version": 4}),
                            content_type="application/json", **keyed.auth)
        assert wait_for(client, again["Location"], keyed.auth)["status"] == "succeeded"
    with tenant_context(keyed.id):
        active = ThemePublication.objects.get(is_active=True)
        statuses = dict(ThemeVersion.objects.values_list("pk", "status"))
        reasons = list(ThemePublication.objects.order_by("published_at").values_list("reason", flat=True))
        archived = ThemeVersion.objects.get(pk=second.pk).archived_reason
    assert active.theme_version_id == first.pk and statuses == {first.pk: "published", second.pk: "archived"}
    assert archived == "rolled_back" and reasons == ["publish", "publish", "rollback", "re_publish"]
    history = client.get(f"/api/v1/themes/{theme.pk}/publications/", **keyed.auth).json()["results"]
    assert [p["reason"] for p in history] == ["re_publish", "rollback", "publish", "publish"]
    with tenant_context(keyed.id):
        assert PublishJob.objects.filter(status="succeeded").count() == 4
