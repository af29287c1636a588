"""A preview link opened in a fresh browser context, as the person it was sent to would: the sample
booking site at desktop and mobile widths, in Arabic right to left; axe-core on it."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.browser.axe import assert_no_serious_axe_violations
from tests.e2e.browser.screenshots import screenshot
from tests.factories.preview import bilingual_preview

pytestmark = pytest.mark.browser


@pytest.fixture
def preview_secret(browser_base_url, tenant_factory):
    return bilingual_preview(tenant_factory()).secret


@pytest.mark.parametrize("width, name", [(1280, "desktop"), (390, "mobile")])
def test_preview_link__fresh_context__sample_site_in_english_and_arabic(new_page, preview_secret, width, name):
    # bypass_csp: the page's CSP forbids every script, axe-core's injected one too (its header is
    # tested in tests/integration/test_preview_site.py).
    page = new_page(viewport={"width": width, "height": 900}, bypass_csp=True)
    page.goto(f"/preview/{preview_secret}/")
    expect(page.get_by_role("heading", name="Welcome by the lake")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    screenshot(page, f"preview-{name}-en")
    assert_no_serious_axe_violations(page)

    page.get_by_role("link", name="ar", exact=True).click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", name="أهلاً بكم على البحيرة")).to_be_visible()
    # Right to left: the header's first item (the version label) sits at the right edge.
    label = page.get_by_text("Preview · version").bounding_box()
    assert label["x"] + label["width"] > width / 2
    screenshot(page, f"preview-{name}-ar")
    assert_no_serious_axe_violations(page)
