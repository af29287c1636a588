"""The admin in Chromium as staff use it: the real login form, the index, a list; axe-core on each."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser.admin_session import log_in
from tests.e2e.browser.axe import assert_no_serious_axe_violations
from tests.e2e.browser.screenshots import screenshot

pytestmark = pytest.mark.browser


def test_admin__demo_staff_signs_in_through_the_form__reaches_the_index_and_the_brand_kits(page, demo_staff):
    log_in(page, username=demo_staff.username, password=demo_staff.password, tenant_slug=demo_staff.tenant_slug)
    expect(page.get_by_role("heading", name="Theme configuration")).to_be_visible()

    page.get_by_role("link", name="Brand kits").first.click()

    expect(page).to_have_url(re.compile(r"/admin/themeconfig/brandkit/$"))
    expect(page.get_by_role("link", name="Demo Seaside")).to_be_visible()
    assert screenshot(page, "admin-brand-kits").stat().st_size > 0


def test_admin_login_page__axe__no_serious_or_critical_violations(page):
    page.goto("/admin/login/")
    expect(page.get_by_label("Username")).to_be_visible()
    screenshot(page, "admin-login")
    assert_no_serious_axe_violations(page)


def test_admin_index__axe__no_serious_or_critical_violations(admin_page):
    screenshot(admin_page, "admin-index")
    assert_no_serious_axe_violations(admin_page)
