"""Publish jobs run in-process (the worker's code path without the worker): the flip, its
conflicts, re-runs after a lost worker, and what a failed flip leaves behind (nothing)."""
from __future__ import annotations

import pytest

from publishing.models import OutboxEvent, PublishJob, ThemePublication
from publishing.services import publish
from themeconfig import services
from themeconfig.models import Theme, ThemeVersion
from themeconfig.platform.errors import DomainError
from themeconfig.platform.principal import Principal
from themeconfig.platform.service_db import service_context
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.usefixtures("committed_db", "no_publish_broker")


@pytest.fixture
def world(tenant_factory):
    tenant = tenant_factory()
    admin = Principal.for_user(tenant_id=tenant.id, user_id=1, role="admin")
    theme = services.theme_create(principal=admin, name="Lake")
    return tenant, admin, theme


def draft(admin, theme, text="hello"):
    version = services.version_create(principal=admin, theme_id=theme.pk)
    services.locale_pack_put(principal=admin, version_id=version.pk, locale="en", entries={"a.b": text})
    return version


def outbox_count(tenant_id):
    with service_context() as alias:
        return OutboxEvent.objects.using(alias).filter(tenant_id=tenant_id).count()


def test_publish__job_succeeds_and_the_flip_is_complete(world):
    tenant, admin, theme = world
    version = draft(admin, theme)
    job = publish.version_publish(principal=admin, version_id=version.pk, expected_theme_version=1)
    assert job.status == "queued"
    done = publish.publish_job_run(job_id=job.pk, tenant_id=tenant.id, worker="test")
    assert done.status == "succeeded" and done.trace["worker"] == "test" and done.attempts == 1
    with tenant_context(tenant.id):
        assert Theme.objects.get(pk=theme.pk).active_publication_id == done.publication_id
        assert ThemeVersion.objects.get(pk=version.pk).status == "published"
    assert outbox_count(tenant.id) == 1
    # A redelivered task for a finished job changes nothing.
    again = publish.publish_job_run(job_id=job.pk, tenant_id=tenant.id)
    assert again.status == "succeeded" and again.attempts == 1 and outbox_count(tenant.id) == 1


def test_same_expected_version__second_flip_conflicts__leaves_no_event(world):
    tenant, admin, theme = world
    a, b = draft(admin, theme, "a"), draft(admin, theme, "b")
    job_a = publish.version_publish(principal=admin, version_id=a.pk, expected_theme_version=1)
    job_b = publish.version_publish(principal=admin, version_id=b.pk, expected_theme_version=1)
    assert publish.publish_job_run(job_id=job_a.pk, tenant_id=tenant.id).status == "succeeded"
    lost = publish.publish_job_run(job_id=job_b.pk, tenant_id=tenant.id)
    assert lost.status == "failed" and lost.error_code == "MELMASTOON.THEME.PUBLISH_CONFLICT"
    assert outbox_count(tenant.id) == 1
    with tenant_context(tenant.id):
        assert ThemePublication.objects.filter(is_active=True).count() == 1
        assert ThemeVersion.objects.get(pk=b.pk).status == "draft"


def test_version_edited_after_the_request__job_fails_version_changed(world):
    tenant, admin, theme = world
    version = draft(admin, theme)
    job = publish.version_publish(principal=admin, version_id=version.pk, expected_theme_version=1)
    with tenant_context(tenant.id):
        current = ThemeVersion.objects.get(pk=version.pk).version
    services.version_update(principal=admin, version_id=version.pk, expected_version=current, release_notes="late")
    failed = publish.publish_job_run(job_id=job.pk, tenant_id=tenant.id)
    assert failed.status == "failed" and failed.error_code == "MELMASTOON.PUBLISH.VERSION_CHANGED"


def test_worker_lost_mid_job__a_rerun_finishes_it_once(world):
    tenant, admin, theme = world
    version = draft(admin, theme)
    job = publish.version_publish(principal=admin, version_id=version.pk, expected_theme_version=1)
    with tenant_context(tenant.id):  # as a SIGKILLed worker leaves it: mid-flip, nothing committed
        PublishJob.objects.filter(pk=job.pk).update(status="flipping", attempts=1)
    done = publish.publish_job_run(job_id=job.pk, tenant_id=tenant.id)
    assert done.status == "succeeded" and done.attempts == 2 and outbox_count(tenant.id) == 1


def test_publish__member_refused__not_previewable_refused(world):
    tenant, admin, theme = world
    member = Principal.for_user(tenant_id=tenant.id, user_id=2, role="member")
    version = services.version_create(principal=admin, theme_id=theme.pk)
    with pytest.raises(DomainError) as denied:
        publish.version_publish(principal=member, version_id=version.pk, expected_theme_version=1)
    assert denied.value.http_status == 403
    with pytest.raises(DomainError) as invalid:
        publish.version_publish(principal=admin, version_id=version.pk, expected_theme_version=1)
    assert invalid.value.code == "MELMASTOON.THEME.NOT_PREVIEW_READY"
    with pytest.raises(DomainError) as stale:
        publish.version_publish(principal=admin, version_id=version.pk, expected_theme_version=7)
    assert stale.value.code == "MELMASTOON.THEME.VERSION_CONFLICT"


def test_reaper__reruns_stale_jobs_and_gives_up_after_its_attempts(world, monkeypatch):
    from publishing import tasks

    tenant, admin, theme = world
    version = draft(admin, theme)
    job = publish.version_publish(principal=admin, version_id=version.pk, expected_theme_version=1)
    rerun = []
    monkeypatch.setattr(publish, "enqueue_publish_job", lambda **kwargs: rerun.append(kwargs["job_id"]))
    assert tasks.reap_stale_publish_jobs_task(stale_after_seconds=-1) == 1 and rerun == [job.pk]
    with tenant_context(tenant.id):
        PublishJob.objects.filter(pk=job.pk).update(attempts=tasks.MAX_ATTEMPTS)
    tasks.reap_stale_publish_jobs_task(stale_after_seconds=-1)
    with tenant_context(tenant.id):
        gave_up = PublishJob.objects.get(pk=job.pk)
    assert gave_up.status == "failed" and gave_up.error_code == "MELMASTOON.PUBLISH.WORKER_LOST"


def _publish(admin, tenant, version, expected):
    job = publish.version_publish(principal=admin, version_id=version.pk, expected_theme_version=expected)
    return publish.publish_job_run(job_id=job.pk, tenant_id=tenant.id)


def test_resolve__public_read_model_follows_publish_host_changes_and_delete(world, client):
    tenant, admin, theme = world
    operator = Principal.operator("t", tenant_id=tenant.id)
    services.host_add(principal=operator, host="lake.example.com")
    assert client.get("/api/v1/resolve/?host=lake.example.com").status_code == 404  # nothing published yet
    first = _publish(admin, tenant, draft(admin, theme, "one"), 1)
    response = client.get("/api/v1/resolve/?host=LAKE.example.com.")
    body = response.json()
    assert response.status_code == 200 and body["publication_id"] == first.publication_id
    assert response["ETag"] == f'"{body["bundle_sha256"]}"' and "max-age" in response["Cache-Control"]
    assert client.get("/api/v1/resolve/?host=lake.example.com", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    second = _publish(admin, tenant, draft(admin, theme, "two"), 2)
    moved = client.get("/api/v1/resolve/?host=lake.example.com").json()
    assert moved["publication_id"] == second.publication_id and moved["bundle_sha256"] != body["bundle_sha256"]
    services.host_add(principal=operator, host="www.lake.example.com")  # a host added later resolves at once
    assert client.get("/api/v1/resolve/?host=www.lake.example.com").json()["publication_id"] == second.publication_id
    with tenant_context(tenant.id):
        version = Theme.objects.get(pk=theme.pk).version
    services.theme_delete(principal=Principal.for_user(tenant_id=tenant.id, user_id=9, role="owner"),
                          theme_id=theme.pk, expected_version=version)
    gone = client.get("/api/v1/resolve/?host=lake.example.com")
    assert gone.status_code == 404 and gone["Content-Type"] == "application/problem+json"


def test_resolve__read_model_agrees_with_the_seed_view_after_a_refresh(world, client):
    tenant, admin, theme = world
    services.host_add(principal=Principal.operator("t", tenant_id=tenant.id), host="agree.example.com")
    _publish(admin, tenant, draft(admin, theme), 1)
    with service_context() as alias:
        from django.db import connections

        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT theme_config.refresh_read_models()")
            cursor.execute("SELECT host, theme_id, bundle_url FROM theme_config.host_to_theme_view ORDER BY host")
            view_rows = cursor.fetchall()
            cursor.execute("SELECT host, theme_id, bundle_url FROM theme_config.host_resolution ORDER BY host")
            model_rows = cursor.fetchall()
    assert view_rows == model_rows and len(model_rows) == 1


def test_theme_detail__shows_the_active_publication(world, client, keyed_tenant_factory):
    tenant, admin, theme = world
    done = _publish(admin, tenant, draft(admin, theme), 1)
    from tests.factories.tenancy import ApiClientFactory

    with tenant_context(tenant.id):
        key = ApiClientFactory(role="viewer")
    detail = client.get(f"/api/v1/themes/{theme.pk}/", HTTP_AUTHORIZATION=f"Bearer {key.secret}").json()
    assert detail["active_publication"]["id"] == done.publication_id
    assert len(detail["active_publication"]["bundle_sha256"]) == 64


def test_job_failed_elsewhere_while_running__the_run_stops__nothing_published(world, monkeypatch):
    """The reaper (or a give-up) fails a job a slow run is still working on: that run never flips."""
    tenant, admin, theme = world
    job = publish.version_publish(principal=admin, version_id=draft(admin, theme).pk, expected_theme_version=1)
    from publishing.bundles import storage

    real_upload = storage.upload_bundle

    def upload_then_lose_the_job(*args, **kwargs):
        uploaded = real_upload(*args, **kwargs)
        publish.publish_job_fail(job_id=job.pk, tenant_id=tenant.id, code="MELMASTOON.PUBLISH.WORKER_LOST",
                                 message="reaped")
        return uploaded

    monkeypatch.setattr(storage, "upload_bundle", upload_then_lose_the_job)
    done = publish.publish_job_run(job_id=job.pk, tenant_id=tenant.id)
    assert (done.status, done.error_code) == ("failed", "MELMASTOON.PUBLISH.WORKER_LOST")
    with tenant_context(tenant.id):
        assert not ThemePublication.objects.exists() and Theme.objects.get(pk=theme.pk).version == 1
    assert outbox_count(tenant.id) == 0


def test_job_run_too_often__failed_worker_lost_instead_of_another_run(world):
    tenant, admin, theme = world
    job = publish.version_publish(principal=admin, version_id=draft(admin, theme).pk, expected_theme_version=1)
    with tenant_context(tenant.id):
        PublishJob.objects.filter(pk=job.pk).update(attempts=publish.MAX_RUNS, status="building")
    done = publish.publish_job_run(job_id=job.pk, tenant_id=tenant.id)
    assert (done.status, done.error_code, done.attempts) == ("failed", "MELMASTOON.PUBLISH.WORKER_LOST", publish.MAX_RUNS)
