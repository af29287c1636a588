"""The Compare tab in Chromium: an Arabic message changed in a draft reads right to left in its own
cells (its ICU placeholders where Arabic puts them), and the release notes' change is shown."""
from __future__ import annotations

import pytest
from django.contrib.admin.utils import quote
from playwright.sync_api import expect

from tests.e2e.browser.axe import assert_no_serious_axe_violations
from tests.e2e.browser.screenshots import screenshot
from themeconfig import services
from themeconfig.models import LocalePack, ThemeVersion
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.browser

VERSIONS = "/admin/themeconfig/themeversion/"


def test_compare__arabic_message_and_release_notes_changed__rtl_cells_and_the_notes_diff(admin_page, demo_staff):
    page, owner = admin_page, demo_staff.owner()
    draft = demo_staff.draft_from_published()
    with tenant_context(demo_staff.tenant_id):
        pack = LocalePack.objects.get(theme_version_id=draft.pk, locale="ar")
    key = next((k for k, v in sorted(pack.entries.items()) if isinstance(v, str) and "{" in v),
               sorted(pack.entries)[0])
    changed = f"{pack.entries[key]} الآن"
    services.locale_pack_patch(principal=owner, version_id=draft.pk, locale="ar", entries={key: changed},
                               expected_version=pack.version)
    with tenant_context(demo_staff.tenant_id):
        current = ThemeVersion.objects.get(pk=draft.pk).version
    services.version_update(principal=owner, version_id=draft.pk, expected_version=current,
                            release_notes="Arabic booking texts reworded.")

    page.goto(f"{VERSIONS}{quote(draft.pk)}/compare/")
    new_cell = page.locator('#compare-locale_packs table[data-locale="ar"] td.tc-new').first
    expect(new_cell).to_have_text(changed)
    expect(new_cell).to_have_attribute("lang", "ar")
    assert new_cell.evaluate("cell => getComputedStyle(cell).direction") == "rtl"
    old_cell = page.locator('#compare-locale_packs table[data-locale="ar"] td.tc-old').first
    assert old_cell.evaluate("cell => getComputedStyle(cell).direction") == "rtl"
    notes = page.locator("#compare-release_notes")
    expect(notes.locator("ins.tc-diff-added").last).to_contain_text("reworded.")
    expect(notes).not_to_contain_text("No differences.")
    new_cell.scroll_into_view_if_needed()
    screenshot(page, "admin-compare-arabic-and-release-notes")
    assert_no_serious_axe_violations(page)
