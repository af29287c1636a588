"""The sample site's drawing of a bundle: the markdown subset escapes everything, locales fall back."""
from __future__ import annotations

from datetime import date

from publishing.sample_site.render import email_colors, markdown_html, render_site, site_context


def test_markdown_html__headings_lists_bold__everything_else_escaped():
    html = markdown_html("# Title\n\nOne **bold** line\nand <b>more</b>\n\n- a [link](javascript:x)\n- b\n\\*not bold\\*")
    assert html == ("<h2>Title</h2>\n<p>One <strong>bold</strong> line and &lt;b&gt;more&lt;/b&gt;</p>\n"
                    "<ul><li>a link</li><li>b</li></ul>\n<p>*not bold*</p>")


TRILINGUAL = {
    "ordinal": 3,
    "locales": {"default": "en", "enabled": ["en", "fr", "ar"], "fallback_chain": ["en"],
                "direction_by_locale": {"en": "ltr", "fr": "ltr", "ar": "rtl"}},
    # As a bundle resolves them: each locale has every key of the default pack.
    "messages": {"en": {"site.nav.book": "Reserve", "site.search.title": "Find a room"},
                 "fr": {"site.nav.book": "Réserver", "site.search.title": "Find a room"},
                 "ar": {"site.nav.book": "احجز", "site.search.title": "Find a room"}},
    "layout": {"home": {"preset": "home.hero-split", "variant": "image-start"}},
    "content": {"home": [{"kind": "rich_text", "body": {"en": {"format": "markdown", "value": "Hi"}}}]},
    "navigation": {"header": [{"key": "rooms", "label": {"en": "Rooms"}, "children": [{"key": "suites"}]}]},
}


def test_site_context__locale_falls_back_through_the_chain_then_to_the_english_defaults():
    fr = site_context(TRILINGUAL, locale="fr")
    assert fr["direction"] == "ltr" and fr["t"]["site_nav_book"] == "Réserver"
    # Not in the French pack: the English pack's, marked as English; in no pack: the default.
    assert fr["t"]["site_search_title"] == '<bdi lang="en" dir="ltr">Find a room</bdi>'
    assert fr["t"]["booking_title"] == '<bdi lang="en" dir="ltr">Your booking</bdi>'
    assert fr["home_blocks"][0]["html"] == "<p>Hi</p>" and fr["home_blocks"][0]["lang"] == "en"
    assert fr["header_nav"][0]["label"] == '<bdi lang="en" dir="ltr">Rooms</bdi>'
    assert fr["header_nav"][0]["children"][0] == {"label": "Suites", "depth": 1, "children": []}
    assert site_context(TRILINGUAL, locale="ar")["direction"] == "rtl"
    assert site_context(TRILINGUAL, locale="xx")["locale"] == "en"
    en = site_context(TRILINGUAL)
    assert en["steps_are_sample"] is True and en["t"]["booking_title"] == "Your booking"  # English page: no marks


def test_site_context__identifiers__human_labels_from_the_messages():
    ar = site_context(TRILINGUAL, locale="ar")
    assert ar["layout"]["home"] == '<bdi lang="en" dir="ltr">Layout: Hero split</bdi>'
    assert [str(step["label"]) for step in ar["steps"]][:2] == [
        '<bdi lang="en" dir="ltr">Dates and guests</bdi>', '<bdi lang="en" dir="ltr">Choose a room</bdi>']
    assert ar["steps"][0]["fields"][0] == '<bdi lang="en" dir="ltr">Check-in</bdi>'
    assert ar["home_blocks"][0]["kind_label"] == '<bdi lang="en" dir="ltr">Text</bdi>'
    assert [language["name"] for language in ar["languages"]] == ["English", "Français", "العربية"]
    assert ar["banner"] == '<bdi lang="en" dir="ltr">Preview · version 3</bdi>'


def test_render_site__arabic_pack_with_plural__formatted_for_arabic_and_escaped():
    document = {**TRILINGUAL, "messages": {
        "en": {"booking.summary": "{nights, plural, one {# night} other {# nights}} <b>", "site.nav.book": "Book"},
        "fr": {"booking.summary": "{nights, plural, one {# night} other {# nights}} <b>", "site.nav.book": "Book"},
        "ar": {"booking.summary": "{nights, plural, zero {0} one {ليلة} two {ليلتان} few {# ليالٍ} many {# ليلة} "
                                  "other {# ليلة}} <b>", "site.nav.book": "احجز"}}}
    page = render_site(document, "", locale="ar")
    assert '<html lang="ar" dir="rtl">' in page
    assert '<p class="sub">3 ليالٍ &lt;b&gt;</p>' in page  # three is "few" in Arabic
    assert "3 nights &lt;b&gt;" in render_site(document, "", locale="en")


def test_email_colors__gaps__filled_from_the_email_theme_then_the_versions_tokens():
    colors = email_colors({"primary": "#123456", "background": "#ffffff", "text": "#111111", "muted": "#555555",
                           "border": "not a colour"})
    assert colors["link"] == colors["button_background"] == "#123456"  # the e-mail theme's own primary
    assert colors["footer_text"] == "#555555"
    assert colors["button_text"] == "var(--color-on_primary)" and colors["border"] == "var(--color-border)"
    assert email_colors({})["primary"] == email_colors({})["button_background"] == "var(--color-primary)"


def test_site_context__today__the_sample_stay_three_weeks_later_in_each_locale():
    fr = site_context(TRILINGUAL, locale="fr", today=date(2031, 2, 20))
    assert fr["dates"] == {"check_in": "13 mars 2031", "check_out": "16 mars 2031"}
    ar = site_context(TRILINGUAL, locale="ar", today=date(2031, 2, 20))
    assert "2031" in ar["dates"]["check_in"] and "13" in ar["dates"]["check_in"]
