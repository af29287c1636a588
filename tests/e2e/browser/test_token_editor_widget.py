"""The admin's colour token editor widget in Chromium: the real static JS and CSS served by the app
server update the contrast badges live as a colour changes (picker or text), with the same ratio
the server (contrast.py) computes.

No test-only view in the app: the widget's HTML is rendered here (Django templates), put into the
page with set_content, and the app server's static files are added to it."""
from __future__ import annotations

import pytest
from django import forms
from django.templatetags.static import static
from playwright.sync_api import expect

from tests.e2e.browser.axe import assert_no_serious_axe_violations
from tests.e2e.browser.screenshots import screenshot
from themeconfig.admin.token_editor import TokenColorsField
from themeconfig.validators.contrast import contrast_ratio

pytestmark = pytest.mark.browser

COLORS = {
    "primary": "#0b5fff",
    "on_primary": "#ffffff",
    "background": "white",
    "surface": "oklch(0.97 0.01 250)",
    "text": "rgb(20 24 31)",
    "accent": "hsl(30 90% 50%)",
}


class TokensForm(forms.Form):
    colors = TokenColorsField(label="Colours")


def page_html() -> str:
    form = TokensForm(initial={"colors": COLORS})
    field = form["colors"]
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Token editor</title></head>'
        f'<body><main><h1>Colour tokens</h1><form>{field.label_tag()}{field}</form></main></body></html>'
    )


def ratio(foreground: str, background: str) -> str:
    return f"{contrast_ratio(foreground, background):.2f}"


def test_token_editor__changing_primary__flips_the_on_primary_badge_live(page, app_server):
    page.set_content(page_html())
    page.add_style_tag(url=app_server.url + static("themeconfig/admin/token-editor.css"))
    page.add_script_tag(url=app_server.url + static("themeconfig/admin/token-editor.js"))
    page.wait_for_function("() => document.querySelector('[data-token-editor]').tokenEditor !== undefined")

    pair = page.locator('[data-pair][data-foreground="on_primary"][data-background="primary"]')
    badge, shown_ratio = pair.locator("[data-badge]"), pair.locator("[data-ratio]")
    text = page.get_by_label("primary", exact=True)
    picker = page.get_by_label("primary colour picker", exact=True)
    # Rendered by the server, before any change.
    expect(badge).to_have_text("PASS")
    expect(shown_ratio).to_have_text(ratio("#ffffff", "#0b5fff"))

    # Typing a light grey: white text on it fails; the picker follows the text.
    text.fill("#bbb")
    expect(badge).to_have_text("FAIL")
    expect(shown_ratio).to_have_text(ratio("#ffffff", "#bbbbbb"))
    expect(picker).to_have_value("#bbbbbb")
    expect(page.get_by_role("status")).to_contain_text("on_primary on primary: FAIL")

    # The picker: a dark colour passes again, and the text input follows the picker.
    picker.fill("#1a1a6e")
    expect(badge).to_have_text("PASS")
    expect(shown_ratio).to_have_text(ratio("#ffffff", "#1a1a6e"))
    expect(text).to_have_value("#1a1a6e")

    # hsl() and rgb() are parsed by the script, and agree with the server's arithmetic.
    text.fill("hsl(220 100% 62%)")
    expect(badge).to_have_text("FAIL")
    expect(shown_ratio).to_have_text(ratio("#ffffff", "hsl(220 100% 62%)"))
    text.fill("rgb(11, 95, 255)")
    expect(badge).to_have_text("PASS")
    expect(shown_ratio).to_have_text(ratio("#ffffff", "#0b5fff"))

    # A syntax the script cannot parse: "—", never a stale or wrong ratio.
    text.fill("oklch(0.5 0.2 260)")
    expect(badge).to_have_text("—")
    expect(shown_ratio).to_have_text("—")
    # The server-rendered surface pairs (oklch) keep the server's ratio until surface is edited.
    surface_text = page.locator('[data-pair][data-foreground="text"][data-background="surface"] [data-ratio]')
    expect(surface_text).to_have_text(ratio(COLORS["text"], COLORS["surface"]))

    text.fill("#0b5fff")
    expect(badge).to_have_text("PASS")
    # primary against the server-rendered oklch() surface: the server's conversion of that text is used.
    primary_on_surface = page.locator('[data-pair][data-foreground="primary"][data-background="surface"]')
    expect(primary_on_surface.locator("[data-ratio]")).to_have_text(ratio("#0b5fff", COLORS["surface"]))
    # Once surface is edited to another oklch(), the script cannot tell: "—".
    page.get_by_label("surface", exact=True).fill("oklch(0.9 0.02 250)")
    expect(primary_on_surface.locator("[data-ratio]")).to_have_text("—")
    expect(primary_on_surface.locator("[data-badge]")).to_have_text("—")
    page.get_by_label("surface", exact=True).fill(COLORS["surface"])
    expect(primary_on_surface.locator("[data-badge]")).to_have_text("PASS")
    screenshot(page, "token-editor-widget")
    assert_no_serious_axe_violations(page)
