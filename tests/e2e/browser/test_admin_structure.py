"""The version's structure pages in Chromium, as the demo owner on a draft made from the demo theme's published
version: indenting a menu item and saving moves it to level 2; a new e-mail primary colour picked with the
colour picker shows in the sample e-mail after saving; axe-core on each page and a screenshot of each."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser.axe import assert_no_serious_axe_violations
from tests.e2e.browser.screenshots import screenshot
from tests.unit.themeconfig.validators.samples import nav_item
from themeconfig import services
from themeconfig.models import NavigationConfig, ThemeVersion
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_draft(demo_staff) -> ThemeVersion:
    """A draft of the demo theme from its published version, with a two-item header menu."""
    owner = demo_staff.owner()
    draft = demo_staff.draft_from_published()
    with tenant_context(demo_staff.tenant_id):
        header = NavigationConfig.objects.get(theme_version_id=draft.pk, surface="header")
    services.navigation_put(principal=owner, version_id=draft.pk, surface="header", expected_version=header.version,
                            items=[
        nav_item("rooms", 0, label={"en": "Rooms", "fr": "Chambres"}),
        nav_item("suites", 1, label={"en": "Suites"})])
    return draft


def page_url(version, slug: str) -> str:
    return f"/admin/themeconfig/themeversion/{version.pk}/{slug}/"


def test_structure_pages__demo_draft__indent_a_menu_item_and_recolour_the_email(admin_page, demo_draft):
    page = admin_page

    # Navigation: Suites is a top-level item; indented and saved, it sits under Rooms at level 2.
    page.goto(page_url(demo_draft, "navigation"))
    saved = page.locator("#nav-header")
    expect(saved.locator(".tc-nav-node", has_text="Suites")).to_contain_text("level 1")
    page.get_by_role("button", name="Indent Suites").click()
    expect(page.get_by_role("status").first).to_have_text("“Suites” is now at level 2 (not saved yet).")
    expect(page.locator("#id_row-1 legend").first).to_contain_text("level 2")
    page.get_by_role("button", name="Save the header menu").first.click()
    expect(page.locator(".messagelist")).to_contain_text("The header navigation is saved.")
    nested = saved.locator(".tc-nav-tree .tc-nav-tree .tc-nav-node")
    expect(nested).to_have_count(1)
    expect(nested).to_contain_text("level 2")
    expect(nested).to_contain_text("Suites")
    screenshot(page, "admin-structure-navigation")
    assert_no_serious_axe_violations(page)

    # Booking flow: the steps in the contract's fixed order (no move buttons) and its required steps.
    page.goto(page_url(demo_draft, "booking"))
    expect(page.get_by_role("heading", name="Steps")).to_be_visible()
    expect(page.get_by_text("The steps run in the fixed order shown")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Move (up|down)"))).to_have_count(0)
    expect(page.get_by_role("checkbox", name="Extras is part of the flow")).to_be_checked()  # the demo offers extras
    screenshot(page, "admin-structure-booking")
    assert_no_serious_axe_violations(page)

    # E-mail: the demo's e-mail theme, its texts replaced and another primary colour picked.
    page.goto(page_url(demo_draft, "email"))
    page.get_by_label("Primary (headings) colour picker").fill("#aa0000")
    expect(page.get_by_label("Primary (headings)", exact=True)).to_have_value("#aa0000")  # the text follows
    expect(page.locator("[data-unsaved-status]")).to_contain_text("Unsaved changes")
    page.get_by_label("Logo image address").fill("https://cdn.hotel.example/logo.png")
    page.get_by_label("Logo alt text in English (en)").fill("Demo Seaside")
    page.get_by_label("Postal address").fill("1 Harbour Road, Seaside")
    page.get_by_label("Legal text in English (en)").fill("Demo Seaside Ltd")
    page.get_by_label("Unsubscribe link text in English (en)").fill("Unsubscribe")
    page.get_by_role("button", name="Save the e-mail theme").first.click()
    expect(page.locator(".messagelist")).to_contain_text("The e-mail theme is saved")
    sample = page.frame_locator("iframe[data-email-sample]")
    expect(sample.get_by_role("heading", name="Your booking is confirmed")).to_have_css("color", "rgb(170, 0, 0)")
    expect(sample.get_by_text("Demo Seaside Ltd")).to_be_visible()
    expect(page.get_by_label("Primary (headings)", exact=True)).to_have_value("#aa0000")
    expect(page).to_have_url(re.compile(r"/email/\?locale=en#email-sample$"))
    screenshot(page, "admin-structure-email")
    assert_no_serious_axe_violations(page)
