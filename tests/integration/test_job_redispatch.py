"""Jobs asked for while the broker is down (issue 17 item 5): accepted, marked, and sent by
`jobs_redispatch` (beat, every few seconds) once the broker answers, for every job kind at once;
never sent twice, and a job sent normally is left alone. A private redis-server plays the broker."""
from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client

from ai_workspace.models import GenerationJob
from publishing.models import PublishJob
from tests.e2e.test_publishing import previewable_version
from tests.redis_server import broker_at, queued_tasks, redis_server
from themeconfig import services
from themeconfig.platform.jobs.dispatch import jobs_redispatch
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

pytestmark = [pytest.mark.usefixtures("committed_db"), pytest.mark.slow]
QUEUE = settings.CELERY_TASK_DEFAULT_QUEUE
COLORS = [{"name": "Harbour", "value": "#1f4e79", "role": "primary"}]
FONTS = [{"name": "Body", "family": "Inter", "role": "body"}]


def post(keyed, path: str, body: dict):
    return Client().post(path, json.dumps(body), content_type="application/json", **keyed.auth)


def tenant_with_theme(keyed_tenant_factory):
    keyed = keyed_tenant_factory(role="admin")
    owner = Principal.operator("test", tenant_id=keyed.id)
    services.brand_kit_create(principal=owner, name="House", colors=COLORS, fonts=FONTS, is_default=True)
    theme = services.theme_create(principal=owner, name="Lake")
    return keyed, theme.pk, previewable_version(owner, theme.pk)


def trace(model, tenant_id: str, job_id: str) -> dict:
    with tenant_context(tenant_id):
        return model.objects.get(pk=job_id).trace


def test_jobs_asked_while_the_broker_is_down__every_kind_sent_once_when_it_answers(keyed_tenant_factory):
    (ours, theme_id, version), (bystander, _, other_version) = (tenant_with_theme(keyed_tenant_factory)
                                                                  for _ in range(2))
    with redis_server() as broker, broker_at(broker.url()):
        sent_normally = post(bystander, f"/api/v1/versions/{other_version.pk}/publish/", {"version": 1}).json()["id"]

        broker.kill()
        publish = post(ours, f"/api/v1/versions/{version.pk}/publish/", {"version": 1})
        palette = post(ours, f"/api/v1/themes/{theme_id}/palette-suggestions/", {"mood": "calm"})
        assert (publish.status_code, palette.status_code) == (202, 202), (publish.content, palette.content)
        publish_id, palette_id = publish.json()["id"], palette.json()["id"]
        assert publish.json()["status"] == palette.json()["status"] == "queued"
        assert "enqueue_failed_at" in trace(PublishJob, ours.id, publish_id)
        assert "enqueue_failed_at" in trace(GenerationJob, ours.id, palette_id)
        assert "enqueue_failed_at" not in trace(PublishJob, bystander.id, sent_normally)

        broker.start()
        assert jobs_redispatch() == 2
        tasks = queued_tasks(broker, QUEUE)
        assert [name for name, _ in tasks] == ["publishing.run_publish_job_task", "publishing.run_publish_job_task",
                                               "ai_workspace.run_generation_job_task"]
        assert sent_normally in tasks[0][1] and publish_id in tasks[1][1] and palette_id in tasks[2][1]
        assert ours.id in tasks[1][1] and ours.id in tasks[2][1]
        for model, job_id in ((PublishJob, publish_id), (GenerationJob, palette_id)):
            marks = trace(model, ours.id, job_id)
            assert "enqueue_failed_at" not in marks and "redispatched_at" in marks

        # Nothing is sent twice, and a job sent normally is never sent again.
        assert jobs_redispatch() == 0
        assert len(queued_tasks(broker, QUEUE)) == 3


def test_redispatch__broker_still_down__jobs_stay_marked_for_the_next_run(keyed_tenant_factory):
    ours, _, version = tenant_with_theme(keyed_tenant_factory)
    with redis_server() as broker, broker_at(broker.url()):
        broker.kill()
        job_id = post(ours, f"/api/v1/versions/{version.pk}/publish/", {"version": 1}).json()["id"]
        failed_at = trace(PublishJob, ours.id, job_id)["enqueue_failed_at"]
        assert jobs_redispatch() == 0
        assert trace(PublishJob, ours.id, job_id)["enqueue_failed_at"] == failed_at  # as it was, for the next run
        broker.start()
        assert jobs_redispatch() == 1
