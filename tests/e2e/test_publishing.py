"""Publishing end to end with a real Celery worker and Redis: publish, conflicts, rollback, re-publish."""
from __future__ import annotations

import hashlib
import json
import time

import pytest
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

    from publishing.storage import bundle_keys

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
    # All twenty are asked for (and accepted) before any worker runs, with the same theme version.
    urls = []
    for version in versions:
        response = client.post(f"/api/v1/versions/{version.pk}/publish/", "{}", content_type="application/json",
                               HTTP_IF_MATCH='"1"', **keyed.auth)
        assert response.status_code == 202, response.content
        urls.append(response["Location"])
    with celery_worker(django_db_setup):
        jobs = [wait_for(client, url, keyed.auth) for url in urls]
    outcomes = sorted((job["status"], job["error_code"]) for job in jobs)
    assert outcomes.count(("succeeded", None)) == 1
    assert outcomes.count(("failed", "MELMASTOON.THEME.PUBLISH_CONFLICT")) == 19
    with tenant_context(keyed.id):
        assert ThemePublication.objects.filter(is_active=True).count() == 1
        assert Theme.objects.get(pk=theme.pk).version == 2
    with service_context() as alias:
        assert OutboxEvent.objects.using(alias).filter(tenant_id=keyed.id).count() == 1  # failed flips left none


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
