"""A draft's Content and Locales pages in Chromium, as the demo owner: a block dragged to a new place
(HTML5 drag and drop, content-blocks.js) and moved back with the keyboard, a key added to the default
locale and the French completeness bar following it; axe-core on both pages."""
from __future__ import annotations

import re
from decimal import ROUND_DOWN, Decimal

import pytest
from playwright.sync_api import expect

from publishing.demo import theme as demo_theme
from tests.e2e.browser.axe import assert_no_serious_axe_violations
from tests.e2e.browser.screenshots import screenshot
from themeconfig import services
from themeconfig.models import ContentBlock, ThemeVersion
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.validators.locales import completeness_text

pytestmark = pytest.mark.browser

VERSIONS = "/admin/themeconfig/themeversion/"
WELCOME_FR = demo_theme.CONTENT_BLOCKS[0]["body"]["fr"]["value"]


@pytest.fixture
def demo_draft(demo_staff) -> ThemeVersion:
    """A draft copied from the demo theme's published version (its welcome and amenities blocks on
    home, its locale packs), with a call-to-action banner between those two."""
    owner = demo_staff.owner()
    draft = demo_staff.draft_from_published()
    services.content_block_create(
        principal=owner, version_id=draft.pk, surface="home", kind="cta_banner", ordinal=1,
        body={"en": {"format": "markdown", "value": "Our offers"}},
        meta={"kind": "cta_banner", "label": {"en": "See offers", "fr": "Voir les offres"}, "target": "/offers"})
    return draft


def home_kinds(tenant_id: str, draft) -> list[str]:
    with tenant_context(tenant_id):
        return list(ContentBlock.objects.filter(theme_version_id=draft.pk, surface="home")
                    .order_by("ordinal").values_list("kind", flat=True))


def test_content_page__drag_a_block_then_move_it_back_with_the_keyboard(admin_page, demo_staff, demo_draft):
    page = admin_page
    page.goto(f"{VERSIONS}{demo_draft.pk}/content/")
    expect(page.get_by_role("heading", name="Home: 3 blocks, text in English (en)")).to_be_visible()
    assert home_kinds(demo_staff.tenant_id, demo_draft) == ["rich_text", "cta_banner", "amenities"]
    screenshot(page, "admin-content-blocks")
    assert_no_serious_axe_violations(page)

    cards = page.locator("ol.tc-blocks > li")
    banner_id = cards.nth(1).get_attribute("data-block-id")
    welcome_id = cards.nth(0).get_attribute("data-block-id")
    handle = page.locator(f"#block-{banner_id} [data-drag-handle]")
    expect(handle).to_be_visible()  # the script shows the handles
    # Dropped on the top part of the first card: the banner goes before it.
    page.drag_and_drop(f"#block-{banner_id} [data-drag-handle]", f"#block-{welcome_id}",
                       target_position={"x": 60, "y": 6})
    expect(page.get_by_text("The order of the Home blocks is saved.")).to_be_visible()
    expect(cards.nth(0)).to_have_attribute("data-block-id", banner_id)
    assert home_kinds(demo_staff.tenant_id, demo_draft) == ["cta_banner", "rich_text", "amenities"]

    # Without a mouse: Move down on the (now first) banner, from the keyboard.
    move_down = page.get_by_role("button", name="Move down Call-to-action banner block 1")
    move_down.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile("block moved to position 2"))).to_be_visible()
    expect(cards.nth(0)).to_have_attribute("data-block-id", welcome_id)
    assert home_kinds(demo_staff.tenant_id, demo_draft) == ["rich_text", "cta_banner", "amenities"]

    # The French tab shows and edits the French texts.
    page.get_by_role("link", name="French (fr)").click()
    expect(page.get_by_label("Label in French (fr) (required)")).to_have_value("Voir les offres")
    expect(page.locator(f"#block-{welcome_id} textarea[lang=fr]")).to_have_value(WELCOME_FR)
    screenshot(page, "admin-content-blocks-fr")
    assert_no_serious_axe_violations(page)


def test_locales_page__key_added_to_the_default__french_bar_drops_then_back_to_100(admin_page, demo_draft):
    keys = len(demo_theme.MESSAGES["en"])  # all translated in French; one more English key makes keys + 1
    pct = Decimal(100 * keys) / (keys + 1)
    page = admin_page
    page.goto(f"{VERSIONS}{demo_draft.pk}/locales/")
    french = page.locator("#summary-fr")
    expect(french.locator("[data-completeness]")).to_have_text("100%")
    expect(french.locator("meter")).to_have_attribute("value", "100.00")
    screenshot(page, "admin-locales")
    assert_no_serious_axe_violations(page)

    page.get_by_label("New key").fill("booking.search.cta")
    page.get_by_label("Its message in English (en)").fill("Search")
    page.get_by_role("button", name="Save English (en) messages").click()
    expect(page.get_by_text("The English (en) pack is saved.")).to_be_visible()
    # The demo's English keys and one more: all but one translated, shown rounded (e.g. 12 of 13: 92.3%).
    expect(french.locator("[data-completeness]")).to_have_text(f"{completeness_text(pct)}%")
    expect(french.locator("meter")).to_have_attribute("value", f"{pct.quantize(Decimal('0.01'), rounding=ROUND_DOWN)}")
    expect(french.locator("[data-missing]")).to_contain_text("booking.search.cta")

    page.get_by_role("link", name="French (fr)").last.click()
    expect(page.get_by_role("heading", name="French (fr) messages")).to_be_visible()
    page.get_by_label("booking.search.cta").fill("Rechercher")
    page.get_by_role("button", name="Save French (fr) messages").click()
    expect(french.locator("[data-completeness]")).to_have_text("100%")
    expect(french.locator("[data-missing]")).to_have_text("none")
    screenshot(page, "admin-locales-french")
    assert_no_serious_axe_violations(page)
