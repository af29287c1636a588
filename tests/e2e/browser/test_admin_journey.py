"""The whole theme workspace journey in Chromium, as the demo staff (demo/demo) does it, clicking only:
a draft from the published version, a new primary colour (the contrast badge follows), a message added
to every locale (the completeness bars follow), preview-ready, publish (a live Celery worker runs the job;
the page follows it to "succeeded"), a preview link opened in a fresh browser context in English and in
Arabic (right to left), the two versions compared, and a rollback to the first publication.

Screenshots (artifacts/screenshots/journey-*.png): the token editor, the preview page, the compare page.
axe-core runs on every workspace page on the way; the page guard fails the test on any console error.
"""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from publishing.demo import theme as demo_theme
from publishing.models import ThemePublication
from tests.e2e.browser.axe import assert_no_serious_axe_violations
from tests.e2e.browser.screenshots import screenshot
from themeconfig.models import Theme
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.validators.locales import completeness_text

pytestmark = pytest.mark.browser

LOCALES = {"en": "English (en)", "fr": "French (fr)", "ar": "Arabic (ar)"}
NEW_KEY, NEW_TEXT = "booking.search.cta", {"en": "Search", "fr": "Rechercher", "ar": "ابحث"}


def active_version_ordinal(tenant_id: str) -> int:
    with tenant_context(tenant_id):
        theme = Theme.objects.get(deleted_at__isnull=True, property_id__isnull=True)
        return ThemePublication.objects.select_related("theme_version").get(
            pk=theme.active_publication_id).theme_version.ordinal


def open_tab(page, name: str) -> None:
    page.get_by_role("navigation", name="Workspace").get_by_role("link", name=name, exact=True).click()


def test_journey__draft_colour_locale_publish_preview_compare_rollback(admin_page, demo_staff, live_worker, new_page):
    page = admin_page
    assert active_version_ordinal(demo_staff.tenant_id) == 1

    # The theme and its published version, from the admin index.
    page.get_by_role("link", name="Themes").click()
    page.get_by_role("link", name="Demo Seaside").click()
    expect(page.locator("#theme-versions")).to_contain_text("Published")
    assert_no_serious_axe_violations(page)
    page.get_by_role("link", name="Open version 1").click()
    page.get_by_role("button", name="New draft from this version").click()
    expect(page.get_by_text("Draft 2 created from version 1.")).to_be_visible()
    draft_url = page.url
    assert re.search(r"/themeversion/thv_[^/]+/change/$", draft_url)

    # The primary colour: white text on it fails on a light yellow, passes again on a dark plum.
    pair = page.locator('[data-pair][data-foreground="on_primary"][data-background="primary"]')
    badge = pair.locator("[data-badge]")
    expect(badge).to_have_text("PASS")
    primary = page.get_by_label("primary", exact=True)
    primary.fill("#ffe066")
    primary.dispatch_event("input")
    expect(badge).to_have_text("FAIL")
    primary.fill("#5b1f4a")
    primary.dispatch_event("input")
    expect(badge).to_have_text("PASS")
    screenshot(page, "journey-token-editor", full_page=True)
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.get_by_label("primary", exact=True)).to_have_value("#5b1f4a")

    # A new message in English: French and Arabic drop below 100 %, then reach it again.
    open_tab(page, "Locales")
    french, arabic = page.locator("#summary-fr"), page.locator("#summary-ar")
    expect(french.locator("[data-completeness]")).to_have_text("100%")
    assert_no_serious_axe_violations(page)
    page.get_by_label("New key").fill(NEW_KEY)
    page.get_by_label("Its message in English (en)").fill(NEW_TEXT["en"])
    page.get_by_role("button", name="Save English (en) messages").click()
    expect(page.get_by_text("The English (en) pack is saved.")).to_be_visible()
    keys = len(demo_theme.MESSAGES["en"])  # the demo's keys and this one: all but one translated
    expect(french.locator("[data-completeness]")).to_have_text(f"{completeness_text(Decimal(100 * keys) / (keys + 1))}%")
    expect(arabic.locator("[data-missing]")).to_contain_text(NEW_KEY)
    for code in ("fr", "ar"):
        page.get_by_role("link", name=LOCALES[code]).last.click()
        page.get_by_label(NEW_KEY).fill(NEW_TEXT[code])
        page.get_by_role("button", name=f"Save {LOCALES[code]} messages").click()
        expect(page.locator(f"#summary-{code} [data-completeness]")).to_have_text("100%")

    # Preview-ready, from the draft's page.
    page.goto(draft_url)
    page.get_by_role("button", name="Mark preview-ready").click()
    expect(page.get_by_text("Version 2 is preview-ready.")).to_be_visible()

    # Publish: the job runs on the worker; the page follows it without a reload.
    open_tab(page, "Publish")
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Publish version 2").click()
    page.wait_for_url(re.compile(r"/publish/\?job=pbj_"))
    expect(page.locator("#job-progress [data-job-status]")).to_have_text("succeeded", timeout=30_000)
    expect(page.locator("#job-progress")).to_contain_text("Now active: version 2")
    assert active_version_ordinal(demo_staff.tenant_id) == 2

    # A preview link, opened by someone else: a fresh context, never signed in.
    open_tab(page, "Preview")
    page.get_by_label("Label (optional)").fill("For the owners")
    page.get_by_role("button", name="Create preview link").click()
    link = page.locator("#secret").input_value()
    assert re.search(r"/preview/pvw_[A-Za-z0-9_-]+/$", link)
    guest = new_page()
    guest.goto(link)
    expect(guest.locator("html")).to_have_attribute("dir", "ltr")
    expect(guest.get_by_role("heading", name="Welcome to Harbour House")).to_be_visible()
    guest.goto(link + "?locale=ar")
    expect(guest.locator("html")).to_have_attribute("dir", "rtl")
    expect(guest.locator("html")).to_have_attribute("lang", "ar")
    expect(guest.get_by_role("heading", name="مرحبًا بكم في هاربر هاوس")).to_be_visible()
    screenshot(guest, "journey-preview-page-ar", full_page=True)

    # Compare the new version with the first one: the primary colours side by side.
    page.goto(draft_url)
    open_tab(page, "Compare")
    picker = page.get_by_label("Compare with")
    first = picker.locator("option", has_text=re.compile(r"^Version 1 ")).first.get_attribute("value")
    picker.select_option(value=first)
    page.get_by_role("button", name="Compare").click()
    colours = page.locator("#compare-tokens")
    expect(colours).to_contain_text("primary")
    expect(colours).to_contain_text("#5b1f4a")
    expect(colours).to_contain_text("#0b3d91")
    expect(page.locator("#compare-locale_packs")).to_contain_text(NEW_KEY)
    screenshot(page, "journey-compare", full_page=True)
    assert_no_serious_axe_violations(page)

    # Roll back to the first publication, from the theme's Publications.
    page.goto(draft_url)
    page.locator(".tc-version-summary").get_by_role("link", name="Demo Seaside").click()
    open_tab(page, "Publications")
    page.get_by_role("button", name=re.compile(r"^Roll back to this \(version 1,")).click()
    # Nothing changes yet: a confirmation names what goes live and what stops being live.
    expect(page.get_by_role("heading", level=1)).to_have_text("Roll back to version 1?")
    expect(page.locator("#confirm-goes-live")).to_contain_text("Version 1 (published")
    expect(page.locator("#confirm-stops-being-live")).to_contain_text("Version 2 (published")
    assert active_version_ordinal(demo_staff.tenant_id) == 2
    screenshot(page, "journey-rollback-confirmation", full_page=True)
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Yes, roll back to version 1").click()
    expect(page.locator("#job-progress [data-job-status]")).to_have_text("succeeded", timeout=30_000)
    expect(page.locator("tr.tc-publication--active")).to_contain_text("Version 1")
    assert active_version_ordinal(demo_staff.tenant_id) == 1

    # The theme's history tells the story: the draft, the colour, the messages, the publish, the rollback.
    open_tab(page, "History")
    trail = page.locator("#audit-history")
    for action in ("version.created", "version.updated", "locale_pack.updated", "version.preview_ready"):
        expect(trail).to_contain_text(action)
    expect(trail).to_contain_text("demo")
    assert_no_serious_axe_violations(page)
