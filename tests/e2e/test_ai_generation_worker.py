"""AI generation end to end with a real Celery worker and Redis: ask over the API, the worker calls
the (offline) provider and makes the draft, a reviewer approves it; the reaper re-runs a job whose
message was lost, and gives up on one no run finishes."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ai_workspace.models import GenerationJob
from ai_workspace.services import generation
from ai_workspace.tasks import reap_stale_generation_jobs_task
from tests.celery_worker import celery_worker
from tests.e2e.test_publishing import wait_for
from tests.unit.themeconfig.validators import samples
from themeconfig import services
from themeconfig.models import LocalePack, ThemeVersion
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

pytestmark = [pytest.mark.usefixtures("committed_db"), pytest.mark.slow]
COLORS = [{"name": "Harbour", "value": "#1f4e79", "role": "primary"}]
FONTS = [{"name": "Body", "family": "Inter", "role": "body"}]


@pytest.fixture
def tenant(keyed_tenant_factory):
    keyed = keyed_tenant_factory(role="member")
    owner = Principal.operator("test", tenant_id=keyed.id)
    services.brand_kit_create(principal=owner, name="House", colors=COLORS, fonts=FONTS, is_default=True)
    theme = services.theme_create(principal=owner, name="Lake", enabled_locales=["en", "ar"], fallback_chain=["en"])
    version = services.version_create(principal=owner, theme_id=theme.pk)
    services.locale_pack_put(principal=owner, version_id=version.pk, locale="en", entries=samples.valid_default_entries())
    return keyed, theme, version


def post(client, url, body, keyed):
    return client.post(url, json.dumps(body), content_type="application/json", **keyed.auth)


def test_generate__worker_drafts__reviewer_approves__applied_to_the_draft_version(tenant, django_db_setup):
    keyed, theme, version = tenant
    client = Client()
    with celery_worker(django_db_setup):
        palette = post(client, f"/api/v1/themes/{theme.pk}/palette-suggestions/", {"mood": "luxurious"}, keyed)
        translation = post(client, f"/api/v1/versions/{version.pk}/translation-drafts/", {"locale": "ar"}, keyed)
        assert palette.status_code == translation.status_code == 202
        palette_job = wait_for(client, palette["Location"], keyed.auth)
        translation_job = wait_for(client, translation["Location"], keyed.auth)
    assert palette_job["status"] == translation_job["status"] == "succeeded", (palette_job, translation_job)
    assert palette_job["trace"]["worker"] and palette_job["trace"]["provider_ms"] >= 0
    approved = post(client, f"/api/v1/ai-drafts/palette/{palette_job['draft_id']}/approve/", {}, keyed)
    assert approved.status_code == 200, approved.content
    stale = post(client, f"/api/v1/ai-drafts/translation/{translation_job['draft_id']}/approve/", {}, keyed)
    assert stale.status_code == 409 and stale.json()["code"] == "MELMASTOON.AI.STALE_DRAFT"  # the palette moved it
    with tenant_context(keyed.id):
        row = ThemeVersion.objects.get(pk=version.pk)
        assert row.ai_provenance["draft_id"] == palette_job["draft_id"]
        assert not LocalePack.objects.filter(theme_version_id=version.pk, locale="ar").exists()


def test_reaper__lost_message_re_run__a_job_out_of_runs_failed_worker_lost(tenant, django_db_setup, monkeypatch):
    keyed, theme, version = tenant
    client = Client()
    monkeypatch.setattr(generation, "enqueue_generation_job", lambda **kwargs: None)  # the message is lost
    lost = post(client, f"/api/v1/versions/{version.pk}/translation-drafts/", {"locale": "ar"}, keyed).json()
    spent = post(client, f"/api/v1/themes/{theme.pk}/palette-suggestions/", {"mood": "calm"}, keyed).json()
    monkeypatch.undo()
    with tenant_context(keyed.id):
        GenerationJob.objects.filter(pk=spent["id"]).update(attempts=generation.MAX_RUNS)
        GenerationJob.objects.update(updated_at=timezone.now() - timedelta(minutes=11))
    with celery_worker(django_db_setup):
        assert reap_stale_generation_jobs_task(stale_after_seconds=600) == 2
        lost_job = wait_for(client, f"/api/v1/ai-generation-jobs/{lost['id']}/", keyed.auth)
    spent_job = client.get(f"/api/v1/ai-generation-jobs/{spent['id']}/", **keyed.auth).json()
    assert lost_job["status"] == "succeeded" and lost_job["draft_id"]
    assert spent_job["status"] == "failed" and spent_job["error_code"] == "MELMASTOON.AI.WORKER_LOST"
