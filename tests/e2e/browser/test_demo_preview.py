"""The demo tenant's published version (manage.py seed_demo) through a preview link, as a guest would see
it: the seaside hotel's navigation, blocks, booking steps and e-mail, in English and in Arabic right to
left, at laptop and phone widths; axe-core finds nothing serious (colour contrast included)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from publishing import demo_theme
from publishing.models import ThemePublication
from publishing.services.preview_tokens import preview_token_create
from tests.e2e.browser.axe import assert_no_serious_axe_violations
from tests.e2e.browser.screenshots import screenshot
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_preview_secret(browser_base_url, demo_staff) -> str:
    admin = Principal.for_user(tenant_id=demo_staff.tenant_id, user_id=0, role="admin")
    with tenant_context(demo_staff.tenant_id):
        version_id = ThemePublication.objects.get(is_active=True).theme_version_id
    return preview_token_create(principal=admin, version_id=version_id)[1]


@pytest.mark.parametrize("width", [1366, 390])
def test_demo_preview__english_and_arabic__whole_hotel_site(new_page, demo_preview_secret, width):
    # bypass_csp: the page's CSP forbids every script, axe-core's injected one too.
    page = new_page(viewport={"width": width, "height": 900}, bypass_csp=True)
    page.goto(f"/preview/{demo_preview_secret}/")
    en, ar = demo_theme.MESSAGES["en"], demo_theme.MESSAGES["ar"]
    expect(page.get_by_role("heading", name=en["home.search"])).to_be_visible()
    expect(page.get_by_role("heading", name="Welcome to Harbour House")).to_be_visible()
    nav = page.get_by_role("navigation", name="Site")
    for item in demo_theme.NAVIGATION["header"]:
        expect(nav.get_by_text(item["label"]["en"], exact=True)).to_be_visible()
    expect(page.get_by_text("(sample: the version has no")).to_have_count(0)  # real booking flow and e-mail
    screenshot(page, f"demo-preview-{width}-en")
    assert_no_serious_axe_violations(page)

    page.get_by_role("link", name="ar", exact=True).click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", name=ar["home.search"])).to_be_visible()
    expect(page.get_by_role("navigation", name="Site").get_by_text("الغرف والأجنحة")).to_be_visible()
    screenshot(page, f"demo-preview-{width}-ar")
    assert_no_serious_axe_violations(page)
