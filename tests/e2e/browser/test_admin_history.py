"""A theme's History tab in Chromium, as the demo owner, after a draft of the demo theme had a colour, its
release notes, its welcome text (English) and its English messages changed and its home blocks reordered:
each change drawn as its editor draws it (swatches, word diffs, a move), events in words, the raw row behind
a click; no squeezed text or sideways scroll at 1366 and 390 px; a screenshot of each and axe-core."""
from __future__ import annotations

import copy
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser.axe import assert_no_serious_axe_violations
from tests.e2e.browser.layout import layout_problems
from tests.e2e.browser.screenshots import screenshot
from themeconfig import services
from themeconfig.models import ContentBlock, LocalePack, Theme, ThemeVersion
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.browser


@pytest.fixture
def edited_theme(demo_staff) -> Theme:
    """The demo theme with a draft whose colour, notes, welcome text, messages and block order changed."""
    owner = demo_staff.owner()
    draft = demo_staff.draft_from_published()
    tokens = copy.deepcopy(draft.tokens)
    tokens["color"]["accent"] = "#c2410c"
    draft = services.version_update(principal=owner, version_id=draft.pk, expected_version=draft.version,
                                    tokens=tokens, release_notes="Warmer accent\r\nfor the summer season")
    with tenant_context(demo_staff.tenant_id):
        welcome = ContentBlock.objects.get(theme_version_id=draft.pk, surface="home", kind="rich_text")
        amenities = ContentBlock.objects.get(theme_version_id=draft.pk, surface="home", kind="amenities")
    body = copy.deepcopy(welcome.body)
    body["en"]["value"] = body["en"]["value"].replace("Welcome", "A warm welcome", 1) + "\r\nBook direct."
    services.content_block_update(principal=owner, block_id=welcome.pk, expected_version=welcome.version, body=body)
    second = services.content_block_create(principal=owner, version_id=draft.pk, surface="home", kind="rich_text",
                                           meta={"kind": "rich_text"},
                                           body={"en": {"format": "markdown", "value": "Late check-out on request."}})
    with tenant_context(demo_staff.tenant_id):
        expected = ThemeVersion.objects.get(pk=draft.pk).version
    services.content_blocks_reorder(principal=owner, version_id=draft.pk, surface="home",
                                    block_ids=[amenities.pk, welcome.pk, second.pk], expected_version=expected)
    with tenant_context(demo_staff.tenant_id):
        pack = LocalePack.objects.get(theme_version_id=draft.pk, locale="en")
    services.locale_pack_patch(principal=owner, version_id=draft.pk, locale="en",
                               entries={"booking.search.title": "Find your room by the sea"},
                               expected_version=pack.version)
    with tenant_context(demo_staff.tenant_id):
        return Theme.objects.get(pk=draft.theme_id)


def test_theme_history__edited_demo_theme__changes_drawn_as_their_editors_draw_them(admin_page, edited_theme):
    page = admin_page
    page.goto(f"/admin/themeconfig/theme/{edited_theme.pk}/history/")
    expect(page.get_by_role("link", name="History")).to_have_attribute("aria-current", "page")
    history = page.locator("#audit-history")
    for name in ("Theme published", "Version edited", "Content block edited", "Content blocks reordered",
                 "Locale pack updated"):
        expect(history.get_by_role("heading", name=name, exact=True).first).to_be_visible()
    edited = history.locator("li.tc-history-entry[data-action='version.updated']").first
    expect(edited.locator("tr[data-token='accent'] .tc-swatch")).to_have_count(2)  # before and after
    expect(edited.locator("ins.tc-diff-added").first).to_be_visible()
    # The welcome text and the amenities swapped: one move explains it (either block's).
    expect(history.locator("li[data-action='content_blocks.reordered'] .tc-history-moves li")).to_have_text(
        re.compile(r"Home · [A-Za-z -]+ #\d: from position (1 to position 2|2 to position 1)$"))
    expect(history.locator("li[data-action='locale_pack.updated'] td[lang='en']").first).to_contain_text(
        "by the sea")

    raw = edited.locator("details.tc-history-raw")
    expect(raw.locator("pre").first).to_be_hidden()
    raw.locator("summary").click()
    expect(raw.locator("pre").first).to_be_visible()
    expect(raw).to_contain_text('"release_notes"')

    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        screenshot(page, f"admin-theme-history-{width}")
        assert layout_problems(page) == [], width
    assert_no_serious_axe_violations(page)
