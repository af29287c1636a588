"""A tenant host's page in Chromium, as the demo owner: a pending claim has its *Verify now* button,
which asks for the DNS check (the API's verify-now use case) and says so in a message."""
from __future__ import annotations

import re

import pytest
from django.contrib.admin.utils import quote
from playwright.sync_api import expect

from tests.e2e.browser.axe import assert_no_serious_axe_violations
from tests.e2e.browser.screenshots import screenshot
from themeconfig.services.tenancy import host_add

pytestmark = pytest.mark.browser


def test_host_page__pending_claim__verify_now_button_asks_for_the_check(admin_page, demo_staff):
    page = admin_page
    host_add(principal=demo_staff.owner(), host="claim.demo.example.com")
    page.goto(f"/admin/themeconfig/hostlisting/{quote(f'{demo_staff.tenant_id}:claim.demo.example.com')}/change/")
    button = page.get_by_role("button", name="Verify now")
    expect(button).to_be_visible()
    screenshot(page, "admin-host-pending")
    assert_no_serious_axe_violations(page)
    button.click()
    expect(page).to_have_url(re.compile(r"/hostlisting/[^/]+/change/$"))
    expect(page.locator(".messagelist")).to_contain_text("Checking the DNS record of claim.demo.example.com now")
    screenshot(page, "admin-host-verify-now-asked")

    # A served host has nothing to verify.
    page.goto(f"/admin/themeconfig/hostlisting/{quote(f'{demo_staff.tenant_id}:{demo_staff.host}')}/change/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Verify now")).to_have_count(0)
