"""Steps every admin browser test starts with: signing in through the real login form."""
from __future__ import annotations

import re

from playwright.sync_api import expect


def log_in(page, *, username: str, password: str, tenant_slug: str | None = None) -> None:
    """Signs in at /admin/login/ and lands on the admin index, picking `tenant_slug` if the tenant
    picker asks (a user with one tenant is not asked)."""
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/admin/login/" not in url)
    if "/admin/select-tenant/" in page.url:
        choice = page.get_by_role("radio", name=re.compile(re.escape(tenant_slug))) if tenant_slug else page.get_by_role("radio").first
        choice.check()
        page.get_by_role("button", name=re.compile("tenant", re.I)).click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
