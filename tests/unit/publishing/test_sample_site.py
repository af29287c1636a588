"""The sample site's drawing of a bundle: the markdown subset escapes everything, locales fall back."""
from __future__ import annotations

from publishing.sample_site import markdown_html, site_context


def test_markdown_html__headings_lists_bold__everything_else_escaped():
    html = markdown_html("# Title\n\nOne **bold** line\nand <b>more</b>\n\n- a [link](javascript:x)\n- b\n\\*not bold\\*")
    assert html == ("<h2>Title</h2>\n<p>One <strong>bold</strong> line and &lt;b&gt;more&lt;/b&gt;</p>\n"
                    "<ul><li>a link</li><li>b</li></ul>\n<p>*not bold*</p>")


def test_site_context__locale_falls_back_through_the_chain_and_sample_texts_fill_the_rest():
    document = {
        "locales": {"default": "en", "enabled": ["en", "fr", "ar"], "fallback_chain": ["en"],
                    "direction_by_locale": {"en": "ltr", "fr": "ltr", "ar": "rtl"}},
        "messages": {"fr": {"nav.book": "Réserver"}},
        "content": {"home": [{"kind": "rich_text", "body": {"en": {"format": "markdown", "value": "Hi"}}}]},
        "navigation": {"header": [{"key": "rooms", "label": {"en": "Rooms"}, "children": [{"key": "suites"}]}]},
    }
    fr = site_context(document, locale="fr")
    assert fr["direction"] == "ltr" and fr["t"]["nav_book"] == "Réserver" and fr["t"]["home_search"] == "Search rooms"
    assert fr["home_blocks"] == ["<p>Hi</p>"]  # no French text: the English one
    assert fr["header_nav"][0]["label"] == "Rooms" and fr["header_nav"][0]["children"][0]["depth"] == 1
    assert site_context(document, locale="ar")["direction"] == "rtl"
    assert site_context(document, locale="xx")["locale"] == "en"
    assert site_context(document)["steps_are_sample"] is True
