"""The publishing pages of the theme workspace in Chromium, as the demo owner: Publish, whose progress
the page's own script follows to "succeeded" without a navigation (a live Celery worker runs the job);
the theme's Publications; the version's Preview in its sandboxed frame, in Arabic right to left and
at mobile width; axe-core on each."""
from __future__ import annotations

import re

import pytest
from django.contrib.admin.utils import quote
from playwright.sync_api import expect

from publishing.models import ThemePublication
from tests.conftest import admin_connect
from tests.e2e.browser.axe import assert_no_serious_axe_violations
from tests.e2e.browser.screenshots import screenshot
from themeconfig import services
from themeconfig.models import Theme, ThemeVersion
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.browser

VERSIONS = "/admin/themeconfig/themeversion/"
THEMES = "/admin/themeconfig/theme/"
RUNNING = re.compile(r"^(queued|building|uploading|flipping)$")


@pytest.fixture
def ready_version(demo_staff) -> ThemeVersion:
    """A preview-ready draft of the demo theme, made from its published version."""
    principal = Principal.operator("browser-test").in_tenant(demo_staff.tenant_id)
    with tenant_context(demo_staff.tenant_id):
        theme = Theme.objects.get(deleted_at__isnull=True, property_id__isnull=True)
        live = ThemePublication.objects.get(pk=theme.active_publication_id).theme_version_id
    draft = services.version_create(principal=principal, theme_id=theme.pk, from_version_id=live)
    services.version_update(principal=principal, version_id=draft.pk, expected_version=draft.version,
                            release_notes="Second version")
    with tenant_context(demo_staff.tenant_id):
        current = ThemeVersion.objects.get(pk=draft.pk).version
    services.version_mark_preview_ready(principal=principal, version_id=draft.pk, expected_version=current)
    with tenant_context(demo_staff.tenant_id):
        return ThemeVersion.objects.select_related("theme").get(pk=draft.pk)


def test_publish_page__job_ends__the_under_way_message_goes(admin_page, ready_version, live_worker, django_db_setup):
    """"Publishing …: the job is under way." is true while the job runs, and gone once it has succeeded."""
    page = admin_page
    page.goto(f"{VERSIONS}{quote(ready_version.pk)}/publish/")
    started = page.locator(".messagelist li.tc-job-started")
    with admin_connect(django_db_setup) as conn, conn.transaction():  # the worker waits at the flip meanwhile
        conn.execute("SELECT 1 FROM theme_config.themes WHERE id = %s FOR NO KEY UPDATE", [ready_version.theme_id])
        page.get_by_role("button", name=f"Publish version {ready_version.ordinal}").click()
        page.wait_for_url(re.compile(r"/publish/\?job=pbj_"))
        expect(started).to_have_text(f"Publishing version {ready_version.ordinal}: the job is under way.")
    expect(page.locator("#job-progress [data-job-status]")).to_have_text("succeeded", timeout=20_000)
    expect(started).to_have_count(0)
    expect(page.locator("#job-progress")).to_contain_text("Done: the new publication is active.")
    screenshot(page, "admin-publish-succeeded-no-stale-message")


def test_publish_page__click_publish__progress_reaches_succeeded_in_place(admin_page, ready_version, live_worker,
                                                                         django_db_setup):
    page = admin_page
    page.goto(f"{VERSIONS}{quote(ready_version.pk)}/publish/")
    expect(page.get_by_text("all passed")).to_be_visible()
    assert_no_serious_axe_violations(page)
    status = page.locator("#job-progress [data-job-status]")
    # The theme row held meanwhile: the worker waits at the flip, so the page is drawn with the job still
    # running and only its script can show the end (a fast worker cannot finish before the page is drawn).
    with admin_connect(django_db_setup) as conn, conn.transaction():
        conn.execute("SELECT 1 FROM theme_config.themes WHERE id = %s FOR NO KEY UPDATE", [ready_version.theme_id])
        page.get_by_role("button", name=f"Publish version {ready_version.ordinal}").click()
        page.wait_for_url(re.compile(r"/publish/\?job=pbj_"))
        expect(status).to_have_text(RUNNING)
        expect(page.get_by_role("link", name="Refresh")).to_be_visible()
        page.evaluate("() => { window.stillTheSamePage = true; }")
        expect(page.locator("#job-progress")).to_have_attribute("aria-live", "polite")
    url = page.url

    expect(status).to_have_text("succeeded", timeout=20_000)
    assert page.evaluate("() => window.stillTheSamePage === true") and page.url == url  # redrawn in place
    expect(page.locator("#job-progress")).to_contain_text(f"Now active: version {ready_version.ordinal}")
    expect(page.get_by_role("link", name="Refresh")).to_be_hidden()
    # The rest of the page, drawn again once the job ended: the version is published, and is the active one.
    expect(page.locator("#publish-readiness")).to_contain_text("cannot be published again")
    expect(page.locator("#active-publication")).to_contain_text(f"Version {ready_version.ordinal} is live")
    screenshot(page, "admin-publish-succeeded")
    assert_no_serious_axe_violations(page)

    page.get_by_role("link", name="See the theme's publications").click()
    expect(page).to_have_url(re.compile(r"/publications/$"))
    active_row = page.locator("tr.tc-publication--active")
    expect(active_row).to_contain_text(f"Version {ready_version.ordinal}")
    expect(active_row).to_contain_text("Active")
    expect(page.get_by_role("button", name=re.compile(r"^Roll back to this"))).to_have_count(1)
    screenshot(page, "admin-publications")
    assert_no_serious_axe_violations(page)


def test_preview_page__frame_in_arabic_and_at_mobile_width__axe_clean(admin_page, ready_version, new_page):
    page = admin_page
    page.goto(f"{VERSIONS}{quote(ready_version.pk)}/preview/")
    frame = page.frame_locator("iframe.tc-preview-frame")
    expect(frame.locator("html")).to_have_attribute("dir", "ltr")
    expect(frame.get_by_text(f"Preview · version {ready_version.ordinal}")).to_be_visible()
    # The frame is sandboxed (no script runs in it, axe's neither); its page is checked on its own below.
    assert_no_serious_axe_violations(page, options={"iframes": False})

    page.get_by_role("link", name="Arabic (ar), right to left").click()
    expect(frame.locator("html")).to_have_attribute("dir", "rtl")
    page.get_by_role("link", name="Mobile (390 px)").click()
    expect(page.locator("iframe.tc-preview-frame")).to_have_attribute("width", "390")
    expect(frame.locator("html")).to_have_attribute("dir", "rtl")
    # The sample site's own language links stay in the frame (and the frame stays signed in).
    frame.get_by_role("link", name="English", exact=True).click()
    expect(frame.locator("html")).to_have_attribute("dir", "ltr")
    screenshot(page, "admin-preview-mobile")

    page.get_by_label("Label (optional)").fill("Owner review")
    page.get_by_role("button", name="Create preview link").click()
    secret = page.locator("#secret")
    expect(secret).to_have_value(re.compile(r"/preview/pvw_[A-Za-z0-9_-]+/$"))
    expect(page.get_by_role("button", name="Copy")).to_be_visible()
    # One heading, and the breadcrumbs back to the version's Preview tab it came from.
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_have_text(f"Preview link of version {ready_version.ordinal}")
    expect(page.locator(".breadcrumbs").get_by_role("link", name="Preview", exact=True)).to_have_attribute(
        "href", f"{VERSIONS}{quote(ready_version.pk)}/preview/")
    screenshot(page, "admin-preview-link-shown-once")

    # The frame's page on its own, scripts allowed for axe only (its CSP forbids every script).
    frame_page = new_page(bypass_csp=True)
    frame_page.context.add_cookies(page.context.cookies())
    frame_page.goto(f"{VERSIONS}{quote(ready_version.pk)}/preview-site/?locale=ar")
    expect(frame_page.locator("html")).to_have_attribute("dir", "rtl")
    assert_no_serious_axe_violations(frame_page)
