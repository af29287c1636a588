"""Asking for AI drafts over the API: 202 and a job, the job run by a worker (called here in-process;
tests/e2e/test_ai_generation_worker.py runs a real one), invalid output recorded on the job and never
a draft, per-tenant limits, permissions, and what approval then does."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from ai_workspace.models import ContentDraft, GenerationJob, PaletteSuggestion, TranslationDraft
from ai_workspace.providers import ProviderResult
from ai_workspace.providers.http import ChatCompletionsClient, HttpProvider
from ai_workspace.providers.oklch_palette import CONTRAST_PAIRS, contrast
from ai_workspace.services import generation
from tests.factories.tenancy import ApiClientFactory
from tests.unit.ai_workspace.test_http_provider import ProtocolServer, Reply, completion
from tests.unit.themeconfig.validators import samples
from themeconfig import services as theme_services
from themeconfig.models import ContentBlock, LocalePack, ThemeVersion
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.django_db
COLORS = [{"name": "Harbour", "value": "#1f4e79", "role": "primary"}, {"name": "Sand", "value": "#f4e9d8"}]
FONTS = [{"name": "Body", "family": "Inter", "role": "body"}]
FACTS = {"name": "Hotel Miramar", "city": "Lisbon", "country": "Portugal",
         "description": "A townhouse above the river.", "booking_url": "/book"}


@pytest.fixture(autouse=True)
def no_worker(monkeypatch):
    """Jobs are run by calling the worker's function; nothing is sent to a broker."""
    sent = []
    monkeypatch.setattr(generation, "enqueue_generation_job", lambda **kwargs: sent.append(kwargs))
    return sent


@pytest.fixture
def keyed(keyed_tenant_factory):
    return keyed_tenant_factory(role="member")


def auth(tenant, role):
    with tenant_context(tenant.id):
        return {"HTTP_AUTHORIZATION": f"Bearer {ApiClientFactory(role=role).secret}"}


@pytest.fixture
def owner(keyed):
    return Principal.operator("test", tenant_id=keyed.id)


@pytest.fixture
def theme(owner):
    theme_services.brand_kit_create(principal=owner, name="House", colors=COLORS, fonts=FONTS, is_default=True)
    return theme_services.theme_create(principal=owner, name="Lake", default_locale="en",
                                       enabled_locales=["en", "fr", "ar", "pl"], fallback_chain=["en"])


@pytest.fixture
def version(owner, theme):
    version = theme_services.version_create(principal=owner, theme_id=theme.pk)
    theme_services.locale_pack_put(principal=owner, version_id=version.pk, locale="en",
                                   entries=samples.valid_default_entries())
    return version


def post(client, url, body, headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def run(keyed, response, provider=None) -> dict:
    """The worker's part, then the job as the caller polls it."""
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    generation.generation_job_run(job_id=job_id, tenant_id=keyed.id, provider=provider)
    return job_id


def poll(client, keyed, job_id) -> dict:
    response = client.get(f"/api/v1/ai-generation-jobs/{job_id}/", **keyed.auth)
    assert response.status_code == 200, response.content
    return response.json()


def version_row(keyed, version_id) -> ThemeVersion:
    with tenant_context(keyed.id):
        return ThemeVersion.objects.get(pk=version_id)


# --- palette --------------------------------------------------------------------------------------

def test_palette__202_job__worker_makes_a_pending_aa_draft__approved_over_http_onto_the_version(
        client, keyed, theme, version, no_worker):
    response = post(client, f"/api/v1/themes/{theme.pk}/palette-suggestions/", {"mood": "calm"}, keyed.auth)
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["status"] == "queued" and job["kind"] == "palette" and job["provider"] == "offline"
    assert response["Location"] == f"/api/v1/ai-generation-jobs/{job['id']}/" and response["Retry-After"] == "1"
    assert job["base"]["versions"] == {version.pk: version_row(keyed, version.pk).version}
    assert no_worker == []  # sent after the commit, which a test transaction never reaches
    run(keyed, response)
    done = poll(client, keyed, job["id"])
    assert done["status"] == "succeeded" and done["attempts"] == 1 and done["finished_at"]
    assert done["draft_url"] == f"/api/v1/ai-drafts/palette/{done['draft_id']}/"
    draft = client.get(done["draft_url"], **keyed.auth).json()
    assert draft["status"] == "pending"
    provenance = draft["ai_provenance"]
    assert provenance["provider"] == "offline" and provenance["model"] and provenance["prompt_template_id"]
    assert provenance["requested_by"].startswith("api_key:") and len(provenance["input_sha256"]) == 64
    assert provenance["base"] == job["base"] and "timings_ms" in provenance
    colors = draft["drafted_tokens"]["color"]
    for foreground, backgrounds, ratio in CONTRAST_PAIRS:
        for background in backgrounds:
            assert contrast(colors[foreground], colors[background]) >= ratio - 1e-6, (foreground, background)
    assert draft["diff"]["tokens"]

    approve = post(client, f"/api/v1/ai-drafts/palette/{done['draft_id']}/approve/", {"note": "Calm it is"},
                   keyed.auth)
    assert approve.status_code == 200, approve.content
    assert approve.json()["status"] == "approved" and approve.json()["applied_to_version_id"] == version.pk
    row = version_row(keyed, version.pk)
    assert row.tokens["color"] == colors and row.ai_provenance["draft_id"] == done["draft_id"]


def test_palette__bad_mood_no_default_kit_unknown_version__422_each_field(client, keyed, owner, theme, version):
    bad = post(client, f"/api/v1/themes/{theme.pk}/palette-suggestions/", {"mood": "grumpy"}, keyed.auth)
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "/mood"
    unknown = post(client, f"/api/v1/themes/{theme.pk}/palette-suggestions/",
                   {"mood": "calm", "brand_kit_id": "bkt_01M8V474CC86KS1Y3P911N", "version_id": "thv_01M8V474CC86KS1Y3P911N"},
                   keyed.auth)
    assert unknown.status_code == 422
    assert {e["path"] for e in unknown.json()["errors"]} == {"/brand_kit_id", "/version_id"}
    with tenant_context(keyed.id):
        from themeconfig.models import BrandKit

        BrandKit.objects.update(is_default=False)
    no_kit = post(client, f"/api/v1/themes/{theme.pk}/palette-suggestions/", {"mood": "calm"}, keyed.auth)
    assert no_kit.status_code == 422 and no_kit.json()["errors"][0]["path"] == "/brand_kit_id"
    with tenant_context(keyed.id):
        assert GenerationJob.objects.count() == 0


def test_palette__http_provider_colours_only__completed_to_a_token_set_with_its_rationale(client, keyed, theme, version):
    server = ProtocolServer()
    server.thread.start()
    try:
        server.script(completion({"color": {"primary": "#0b5fff", "on_primary": "#ffffff", "background": "#ffffff",
                                            "surface": "#f4f6fb", "text": "#14181f"},
                                  "rationale": "Sea blue on white."}))
        provider = HttpProvider(ChatCompletionsClient(server.base_url, "sk-test", "gpt-test", max_retries=0))
        response = post(client, f"/api/v1/themes/{theme.pk}/palette-suggestions/", {"mood": "vibrant"}, keyed.auth)
        done = poll(client, keyed, run(keyed, response, provider=provider))
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
    assert done["status"] == "succeeded", done
    draft = client.get(done["draft_url"], **keyed.auth).json()
    current = version_row(keyed, version.pk).tokens
    assert draft["drafted_tokens"]["color"]["primary"] == "#0b5fff"
    assert draft["drafted_tokens"]["typography"] == current["typography"]  # the rest of the set kept
    assert draft["ai_provenance"]["provider"] == "http" and draft["ai_provenance"]["rationale"] == "Sea blue on white."
    assert draft["ai_provenance"]["input_tokens"] == 120 and draft["ai_provenance"]["output_tokens"] == 45
    sent = server.requests[0]["json"]
    assert "Lake" not in sent["messages"][0]["content"]  # tenant data only in the user message


@pytest.mark.parametrize("color", [{"primary": "javascript:alert(1)"}, {"primary": "#0b5fff"}])
def test_palette__invalid_provider_output__job_failed_with_paths__no_draft(client, keyed, theme, version, color):
    class Bad:
        name = "bad"

        def palette(self, request):
            return ProviderResult(output={"color": color}, provider="bad", model="m", prompt_template_id="p",
                                  prompt_template_version="1")

    response = post(client, f"/api/v1/themes/{theme.pk}/palette-suggestions/", {"mood": "calm"}, keyed.auth)
    done = poll(client, keyed, run(keyed, response, provider=Bad()))
    assert done["status"] == "failed" and done["error_code"] == "MELMASTOON.AI.INVALID_OUTPUT"
    assert done["errors"] and all(e["path"].startswith("/output/color") for e in done["errors"])
    assert done["draft_id"] is None and done["draft_url"] is None
    with tenant_context(keyed.id):
        assert PaletteSuggestion.objects.count() == 0


def test_job__provider_times_out__failed_with_its_code_and_retryable(client, keyed, theme, version):
    server = ProtocolServer()
    server.thread.start()
    try:
        server.script(Reply(delay=1.0, content="{}"))
        provider = HttpProvider(ChatCompletionsClient(server.base_url, "sk", "m", timeout_seconds=0.2, max_retries=1,
                                                      backoff_base_seconds=0.01))
        response = post(client, f"/api/v1/themes/{theme.pk}/palette-suggestions/", {"mood": "calm"}, keyed.auth)
        done = poll(client, keyed, run(keyed, response, provider=provider))
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
    assert done["status"] == "failed" and done["error_code"] == "MELMASTOON.AI.PROVIDER_TIMEOUT"
    assert done["trace"]["retryable"] is True and done["trace"]["provider_attempts"] == 2


def test_job__asked_for_with_http_provider_unconfigured__503_at_once_no_job(client, keyed, theme, version, settings):
    settings.AI_PROVIDER, settings.AI_HTTP_BASE_URL, settings.AI_HTTP_MODEL = "http", "", ""
    response = post(client, f"/api/v1/themes/{theme.pk}/palette-suggestions/", {"mood": "calm"}, keyed.auth)
    assert response.status_code == 503 and response.json()["code"] == "MELMASTOON.AI.PROVIDER_NOT_CONFIGURED"
    with tenant_context(keyed.id):
        assert GenerationJob.objects.count() == 0


# --- translation ----------------------------------------------------------------------------------

@pytest.mark.parametrize("locale", ["fr", "ar", "pl"])
def test_translation__pseudo_localised_with_the_target_plurals__pending__partial_approval(
        client, keyed, version, locale):
    response = post(client, f"/api/v1/versions/{version.pk}/translation-drafts/", {"locale": locale}, keyed.auth)
    done = poll(client, keyed, run(keyed, response))
    assert done["status"] == "succeeded", done
    draft = client.get(done["draft_url"], **keyed.auth).json()
    assert set(draft["drafted_entries"]) == set(samples.valid_default_entries())
    keys = ["common.greeting", "booking.search.title"]
    approve = post(client, f"/api/v1/ai-drafts/translation/{done['draft_id']}/approve/", {"keys": keys}, keyed.auth)
    assert approve.status_code == 200, approve.content
    with tenant_context(keyed.id):
        pack = LocalePack.objects.get(theme_version_id=version.pk, locale=locale)
    assert set(pack.entries) == set(keys) and pack.ai_provenance["draft_id"] == done["draft_id"]


def test_translation__default_locale_disabled_locale_no_source__422(client, keyed, owner, theme, version):
    url = f"/api/v1/versions/{version.pk}/translation-drafts/"
    assert post(client, url, {"locale": "en"}, keyed.auth).json()["errors"][0]["code"] == "default_locale"
    assert post(client, url, {"locale": "de"}, keyed.auth).json()["errors"][0]["path"].startswith("/locale")
    assert post(client, url, {"locale": "fr", "plural_categories": "x"}, keyed.auth).status_code == 422
    empty = theme_services.version_create(principal=owner, theme_id=theme.pk)
    with tenant_context(keyed.id):
        LocalePack.objects.filter(theme_version_id=empty.pk).delete()
    response = post(client, f"/api/v1/versions/{empty.pk}/translation-drafts/", {"locale": "fr"}, keyed.auth)
    assert response.status_code == 422 and response.json()["errors"][0]["code"] == "no_source"


def test_translation__version_changed_while_the_job_waited__draft_made_but_approval_stale(client, keyed, owner, version):
    response = post(client, f"/api/v1/versions/{version.pk}/translation-drafts/", {"locale": "fr"}, keyed.auth)
    theme_services.version_update(principal=owner, version_id=version.pk, expected_version=version_row(keyed, version.pk).version,
                                  release_notes="edited meanwhile")
    done = poll(client, keyed, run(keyed, response))
    assert done["status"] == "succeeded"
    approve = post(client, f"/api/v1/ai-drafts/translation/{done['draft_id']}/approve/", {}, keyed.auth)
    assert approve.status_code == 409 and approve.json()["code"] == "MELMASTOON.AI.STALE_DRAFT"
    with tenant_context(keyed.id):
        assert not LocalePack.objects.filter(theme_version_id=version.pk, locale="fr").exists()


def test_generation__published_version__409_at_request__and_a_job_whose_version_froze_fails(
        client, keyed, owner, version):
    response = post(client, f"/api/v1/versions/{version.pk}/translation-drafts/", {"locale": "fr"}, keyed.auth)
    assert response.status_code == 202
    with tenant_context(keyed.id):  # published meanwhile (the flip is publishing's; only the status matters here)
        ThemeVersion.objects.filter(pk=version.pk).update(
            status="published", published_at=timezone.now(), published_by="user:1",
            published_bundle_url="https://cdn.example/b.json", published_bundle_sha256="0" * 64)
    done = poll(client, keyed, run(keyed, response))
    assert done["status"] == "failed" and done["error_code"] == "MELMASTOON.THEME.VERSION_IMMUTABLE"
    again = post(client, f"/api/v1/versions/{version.pk}/translation-drafts/", {"locale": "fr"}, keyed.auth)
    assert again.status_code == 409 and again.json()["code"] == "MELMASTOON.THEME.VERSION_IMMUTABLE"
    with tenant_context(keyed.id):
        assert TranslationDraft.objects.count() == 0
        assert not LocalePack.objects.filter(theme_version_id=version.pk, locale="fr").exists()


# --- content --------------------------------------------------------------------------------------

def test_content__from_facts__pending_then_approved_as_a_block_with_provenance(client, keyed, version):
    response = post(client, f"/api/v1/versions/{version.pk}/content-drafts/",
                    {"surface": "home", "kind": "rich_text", "facts": FACTS}, keyed.auth)
    done = poll(client, keyed, run(keyed, response))
    assert done["status"] == "succeeded", done
    draft = client.get(done["draft_url"], **keyed.auth).json()
    assert "Lisbon" in draft["drafted_body"]["en"]["value"] and draft["drafted_meta"]["kind"] == "rich_text"
    approve = post(client, f"/api/v1/ai-drafts/content/{done['draft_id']}/approve/", {}, keyed.auth)
    assert approve.status_code == 200, approve.content
    with tenant_context(keyed.id):
        block = ContentBlock.objects.get(theme_version_id=version.pk, surface="home", kind="rich_text")
    assert block.ai_provenance["draft_id"] == done["draft_id"] and block.ai_provenance["provider"] == "offline"


def test_content__facts_a_kind_needs_missing__job_failed_naming_the_fact(client, keyed, version):
    response = post(client, f"/api/v1/versions/{version.pk}/content-drafts/",
                    {"surface": "home", "kind": "image_gallery", "facts": {"name": "Miramar"}}, keyed.auth)
    done = poll(client, keyed, run(keyed, response))
    assert done["status"] == "failed" and done["error_code"] == "MELMASTOON.AI.PROVIDER_INPUT_REJECTED"
    assert done["errors"][0]["path"] == "/property_facts/images"
    with tenant_context(keyed.id):
        assert ContentDraft.objects.count() == 0


def test_content__bad_surface_kind_block_facts__422_each_field(client, keyed, version):
    url = f"/api/v1/versions/{version.pk}/content-drafts/"
    response = post(client, url, {"surface": "roof", "kind": "poem", "facts": {"x": "y" * 20_000}}, keyed.auth)
    assert response.status_code == 422
    assert {e["path"] for e in response.json()["errors"]} == {"/surface", "/kind", "/facts"}
    response = post(client, url, {"surface": "home", "kind": "rich_text",
                                  "content_block_id": "cnb_01M8V474CC86KS1Y3P911N"}, keyed.auth)
    assert response.status_code == 422 and response.json()["errors"][0]["path"] == "/content_block_id"


# --- limits, permissions, jobs -----------------------------------------------------------------------

def test_limits__pending_drafts__429_problem_until_one_is_decided(client, keyed, theme, version, settings):
    settings.AI_MAX_PENDING_DRAFTS = 2
    url = f"/api/v1/themes/{theme.pk}/palette-suggestions/"
    first = post(client, url, {"mood": "calm"}, keyed.auth)
    run(keyed, first)  # a pending draft
    assert post(client, url, {"mood": "vibrant"}, keyed.auth).status_code == 202  # an unfinished job
    refused = post(client, url, {"mood": "luxurious"}, keyed.auth)
    assert refused.status_code == 429 and refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "MELMASTOON.AI.PENDING_LIMIT" and refused.json()["limit"] == 2
    draft_id = poll(client, keyed, first.json()["id"])["draft_id"]
    post(client, f"/api/v1/ai-drafts/palette/{draft_id}/reject/", {"note": "Too grey"}, keyed.auth)
    assert post(client, url, {"mood": "luxurious"}, keyed.auth).status_code == 202


def test_limits__generations_per_day__429_with_retry_after__older_jobs_do_not_count(client, keyed, theme, version,
                                                                                    settings):
    settings.AI_MAX_GENERATIONS_PER_DAY = 2
    url = f"/api/v1/themes/{theme.pk}/palette-suggestions/"
    for mood in ("calm", "vibrant"):
        run(keyed, post(client, url, {"mood": mood}, keyed.auth))
    refused = post(client, url, {"mood": "calm"}, keyed.auth)
    assert refused.status_code == 429 and refused.json()["code"] == "MELMASTOON.AI.DAILY_LIMIT"
    assert 0 < int(refused["Retry-After"]) <= 24 * 3600 + 1
    with tenant_context(keyed.id):
        GenerationJob.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert post(client, url, {"mood": "calm"}, keyed.auth).status_code == 202


def test_limits__count_per_tenant(client, keyed, keyed_tenant_factory, theme, version, settings):
    settings.AI_MAX_GENERATIONS_PER_DAY = 1
    run(keyed, post(client, f"/api/v1/themes/{theme.pk}/palette-suggestions/", {"mood": "calm"}, keyed.auth))
    other = keyed_tenant_factory(role="member")
    boss = Principal.operator("test", tenant_id=other.id)
    theme_services.brand_kit_create(principal=boss, name="K", colors=COLORS, fonts=FONTS, is_default=True)
    other_theme = theme_services.theme_create(principal=boss, name="Other")
    theme_services.version_create(principal=boss, theme_id=other_theme.pk)
    response = post(client, f"/api/v1/themes/{other_theme.pk}/palette-suggestions/", {"mood": "calm"}, other.auth)
    assert response.status_code == 202


@pytest.mark.parametrize("role, generate, review", [("viewer", 403, 403), ("api", 202, 403), ("member", 202, 200)])
def test_permissions__viewer_reads__api_key_generates_not_reviews__member_both(client, keyed, theme, version, role,
                                                                               generate, review):
    headers = auth(keyed.tenant, role)
    url = f"/api/v1/versions/{version.pk}/translation-drafts/"
    response = post(client, url, {"locale": "fr"}, headers)
    assert response.status_code == generate, response.content
    job_id = run(keyed, post(client, url, {"locale": "fr"}, keyed.auth))
    assert client.get(f"/api/v1/ai-generation-jobs/{job_id}/", **headers).status_code == 200
    draft_id = poll(client, keyed, job_id)["draft_id"]
    decided = post(client, f"/api/v1/ai-drafts/translation/{draft_id}/reject/", {"note": "no"}, headers)
    assert decided.status_code == review


def test_jobs__listed_per_theme_with_status_filter__unknown_job_404(client, keyed, theme, version):
    palette = post(client, f"/api/v1/themes/{theme.pk}/palette-suggestions/", {"mood": "calm"}, keyed.auth)
    translation = post(client, f"/api/v1/versions/{version.pk}/translation-drafts/", {"locale": "fr"}, keyed.auth)
    run(keyed, palette)
    listed = client.get(f"/api/v1/themes/{theme.pk}/ai-generation-jobs/", **keyed.auth).json()["results"]
    assert [j["id"] for j in listed] == [translation.json()["id"], palette.json()["id"]]
    queued = client.get(f"/api/v1/themes/{theme.pk}/ai-generation-jobs/?status=queued", **keyed.auth).json()
    assert [j["id"] for j in queued["results"]] == [translation.json()["id"]]
    assert client.get(f"/api/v1/themes/{theme.pk}/ai-generation-jobs/?status=x", **keyed.auth).status_code == 422
    missing = client.get("/api/v1/ai-generation-jobs/aij_01M8V474CC86KS1Y3P911N/", **keyed.auth)
    assert missing.status_code == 404


def test_job__run_twice__one_draft(client, keyed, theme, version):
    response = post(client, f"/api/v1/themes/{theme.pk}/palette-suggestions/", {"mood": "calm"}, keyed.auth)
    run(keyed, response)
    generation.generation_job_run(job_id=response.json()["id"], tenant_id=keyed.id)  # a redelivered task
    with tenant_context(keyed.id):
        assert PaletteSuggestion.objects.count() == 1


def test_job__idempotency_key__one_job(client, keyed, theme, version):
    headers = {**keyed.auth, "HTTP_IDEMPOTENCY_KEY": "gen-1"}
    first = post(client, f"/api/v1/themes/{theme.pk}/palette-suggestions/", {"mood": "calm"}, headers)
    second = post(client, f"/api/v1/themes/{theme.pk}/palette-suggestions/", {"mood": "calm"}, headers)
    assert first.status_code == second.status_code == 202 and first.json()["id"] == second.json()["id"]
    with tenant_context(keyed.id):
        assert GenerationJob.objects.count() == 1
