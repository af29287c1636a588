"""The AI workspace pages in Chromium, as the demo owner with a real Celery worker: ask for a palette on
a draft, follow the job on the page without reloading (generation-jobs.js), review the suggestion's
swatches, approve it; ask for a translation on the version's page, beside a content draft; axe-core on
both pages."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ai_workspace.models import PaletteSuggestion, TranslationDraft
from ai_workspace.services import generation
from tests.e2e.browser.axe import assert_no_serious_axe_violations
from tests.e2e.browser.screenshots import screenshot
from themeconfig import services
from themeconfig.models import Theme, ThemeVersion
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.browser
JOB_TIMEOUT_MS = 30_000


@pytest.fixture
def demo_draft(demo_staff):
    """The demo theme and a new draft made from its published version."""
    owner = Principal.operator("test", tenant_id=demo_staff.tenant_id)
    with tenant_context(demo_staff.tenant_id):
        theme = Theme.objects.get(deleted_at__isnull=True, property_id__isnull=True)
        published = ThemeVersion.objects.get(theme_id=theme.pk, status="published")
    draft = services.version_create(principal=owner, theme_id=theme.pk, from_version_id=published.pk)
    return theme, draft


def follow_the_job(page) -> None:
    """The newest job's status text turns to succeeded in place: the page is not reloaded meanwhile."""
    page.evaluate("() => { window.__samePage = true; }")
    expect(page.locator("[data-ai-job-text]").first).to_have_text(re.compile(r"^Succeeded"), timeout=JOB_TIMEOUT_MS)
    assert page.evaluate("() => window.__samePage === true")
    page.get_by_role("link", name="Show the draft").first.click()


def test_ai_palettes_and_drafts__demo_owner__ask_follow_review_approve(admin_page, demo_draft, demo_staff, live_worker):
    page = admin_page
    theme, draft = demo_draft
    page.goto(f"/admin/themeconfig/theme/{theme.pk}/ai-palettes/")
    expect(page.get_by_role("link", name="AI palettes")).to_have_attribute("aria-current", "page")
    page.get_by_label("Mood:").select_option("luxurious")
    expect(page.get_by_label("Brand kit:")).to_have_value(re.compile(r"^bkt_"))
    expect(page.get_by_label("Target version:")).to_have_value(draft.pk)
    page.get_by_role("button", name="Ask for a palette").click()
    expect(page).to_have_url(re.compile(r"\?job=aij_"))
    follow_the_job(page)

    card = page.locator("article.ai-card--pending").first
    expect(card).to_contain_text("Offline provider (computed on this server, no AI model)")
    primary = card.locator("tr", has=page.locator("th code", has_text=re.compile(r"^primary$")))
    expect(primary.locator(".ai-swatch")).to_have_count(2)  # current and drafted, side by side
    expect(card.locator(".ai-ratio").first).to_be_visible()
    screenshot(page, "admin-ai-palettes-suggestion")
    assert_no_serious_axe_violations(page)

    suggestion_id = card.get_attribute("id").removeprefix("draft-")
    card.get_by_label("Note:").fill("Luxurious suits the seaside")
    card.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Draft approved and applied to the version.")).to_be_visible()
    with tenant_context(demo_staff.tenant_id):
        suggestion = PaletteSuggestion.objects.get(pk=suggestion_id)
        applied = ThemeVersion.objects.get(pk=draft.pk)
    assert suggestion.status == "approved" and applied.tokens["color"] == suggestion.drafted_tokens["color"]
    screenshot(page, "admin-ai-palettes-approved")

    # A content draft made through the use cases here (no form steps), so axe sees its card too.
    owner = Principal.operator("test", tenant_id=demo_staff.tenant_id)
    job = generation.content_generation_request(principal=owner, version_id=draft.pk, surface="about", kind="rich_text",
                                                facts={"name": "Demo Seaside Hotel", "city": "Porto"})
    assert generation.generation_job_run(job_id=job.pk, tenant_id=demo_staff.tenant_id).status == "succeeded"
    page.goto(f"/admin/themeconfig/themeversion/{draft.pk}/ai-drafts/")
    expect(page.get_by_text("About Demo Seaside Hotel").first).to_be_visible()
    page.get_by_role("region", name="Ask for a translation").get_by_label("Locale:").select_option("fr")
    page.get_by_role("button", name="Ask for a translation").click()
    expect(page).to_have_url(re.compile(r"\?job=aij_"))
    follow_the_job(page)
    translation = page.locator("article.ai-card--pending").first
    expect(translation).to_contain_text("not a translation")
    expect(translation.get_by_role("checkbox").first).to_be_checked()
    screenshot(page, "admin-ai-drafts-translation")
    assert_no_serious_axe_violations(page)
    with tenant_context(demo_staff.tenant_id):
        assert TranslationDraft.objects.filter(theme_version_id=draft.pk, status="pending").count() == 1


@pytest.fixture
def no_worker_takes_jobs(live_worker):
    """The package's worker (started by an earlier test, or here) takes nothing while the test runs."""
    with live_worker.paused():
        yield


def test_ai_palette__job_ends_after_the_page_is_drawn__suggestion_appears_without_reload(admin_page, demo_draft,
                                                                                      demo_staff, no_worker_takes_jobs):
    """No worker takes the job: it waits, queued, while the page is drawn; the test then runs it itself,
    and the page's script alone must show its end, its suggestion card, and drop the "asked for" message."""
    page = admin_page
    theme, draft = demo_draft
    page.goto(f"/admin/themeconfig/theme/{theme.pk}/ai-palettes/")
    page.get_by_label("Mood:").select_option("calm")
    page.get_by_role("button", name="Ask for a palette").click()
    expect(page).to_have_url(re.compile(r"\?job=aij_"))
    job_id = page.url.rsplit("job=", 1)[1]
    suggestions = page.locator("#palette-suggestions")
    expect(suggestions).to_contain_text("No palette suggestions yet.")
    started = page.locator(".messagelist li.tc-job-started")
    expect(started).to_contain_text("Asked for a draft")
    page.evaluate("() => { window.__samePage = true; }")
    url = page.url

    assert generation.generation_job_run(job_id=job_id, tenant_id=demo_staff.tenant_id).status == "succeeded"
    card = suggestions.locator("article.ai-card--pending")
    expect(card).to_have_count(1, timeout=JOB_TIMEOUT_MS)
    assert page.evaluate("() => window.__samePage === true") and page.url == url  # drawn in place, no reload
    expect(page.locator("[data-ai-job-text]").first).to_have_text(re.compile(r"^Succeeded"))
    expect(card).to_contain_text("Calm palette")
    expect(card.get_by_role("button", name="Approve")).to_be_visible()  # its decision form works as drawn
    expect(started).to_have_count(0)  # "asked for … queued" is no longer true
    expect(page.get_by_role("link", name="Refresh")).to_be_hidden()
    screenshot(page, "admin-ai-palettes-appeared-in-place")
    assert_no_serious_axe_violations(page)

    card.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Draft approved and applied to the version.")).to_be_visible()
