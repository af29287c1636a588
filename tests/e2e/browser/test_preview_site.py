"""A preview link opened in a fresh browser context, as the person it was sent to would: the sample
booking site at desktop and mobile widths, in English, French and Arabic (right to left), every text
from the version's packs, no raw identifiers; axe-core on it."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser.axe import assert_no_serious_axe_violations
from tests.e2e.browser.screenshots import screenshot
from tests.factories.preview import SEASIDE_PACKS, bilingual_preview, seaside_preview

pytestmark = pytest.mark.browser

# What people must never read on the sample site: step, field, block kind and preset identifiers,
# and the English sample texts a pack replaces.
RAW_IDENTIFIERS = re.compile(r"room_select|guest_details|check_in|check_out|rich_text|hero-split|HERO-SPLIT|"
                             r"Search rooms|Your booking|Book now")


@pytest.fixture
def preview_secret(browser_base_url, tenant_factory):
    return bilingual_preview(tenant_factory()).secret


@pytest.fixture
def seaside_secret(browser_base_url, tenant_factory):
    return seaside_preview(tenant_factory()).secret


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

    page.get_by_role("link", name="العربية", exact=True).click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", name="أهلاً بكم على البحيرة")).to_be_visible()
    # Right to left: the header's first item (the version label) sits at the right edge.
    label = page.get_by_text("Preview · version").bounding_box()
    assert label["x"] + label["width"] > width / 2
    screenshot(page, f"preview-{name}-ar")
    assert_no_serious_axe_violations(page)


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("locale, language", [("en", "English"), ("fr", "Français"), ("ar", "العربية")])
def test_preview_link__each_locale__the_packs_texts_and_human_labels(new_page, seaside_secret, width, locale,
                                                                      language):
    page = new_page(viewport={"width": width, "height": 900}, bypass_csp=True)
    page.goto(f"/preview/{seaside_secret}/")
    page.get_by_role("link", name=language, exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", locale)
    pack = SEASIDE_PACKS[locale]
    expect(page.get_by_role("heading", level=1)).to_have_text(pack["site.search.title"])
    expect(page.get_by_role("heading", name=pack["booking.title"], exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name=pack["email.subject"], exact=True)).to_be_visible()
    expect(page.locator("#booking ol.steps > li").nth(1)).to_contain_text(pack["booking.step.room_select"])
    expect(page.locator("#booking ol.steps > li").nth(0)).to_contain_text(pack["booking.field.check_in"])
    expect(page.get_by_role("link", name=pack["site.nav.book"]).first).to_be_visible()
    seen = page.locator("body").inner_text()
    assert not RAW_IDENTIFIERS.search(seen), RAW_IDENTIFIERS.search(seen)
    screenshot(page, f"preview-seaside-{width}-{locale}")
    assert_no_serious_axe_violations(page)


def test_preview_link__arabic__english_left_overs_isolated_and_read_left_to_right(new_page, seaside_secret):
    page = new_page(viewport={"width": 1366, "height": 900})
    page.goto(f"/preview/{seaside_secret}/?locale=ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    # Untranslated in Arabic: the English pack's sentence, marked English, isolated, left to right.
    intro = page.get_by_text(SEASIDE_PACKS["en"]["site.search.intro"], exact=True)
    expect(intro).to_have_attribute("lang", "en")
    assert intro.evaluate("e => e.tagName === 'BDI' && getComputedStyle(e).direction") == "ltr"
    # Its full stop stays at its end: the sentence's last glyph is the rightmost one on its line.
    box = intro.bounding_box()
    stop = intro.evaluate("""e => { const r = document.createRange(); const t = e.firstChild;
        r.setStart(t, t.length - 1); r.setEnd(t, t.length); const b = r.getBoundingClientRect();
        return {x: b.x, width: b.width}; }""")
    assert stop["x"] + stop["width"] >= box["x"] + box["width"] - 1
