"""The admin's colour token editor: WCAG contrast (contrast.py) and TokenColorsField / its widget."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django import forms

from themeconfig.admin.token_editor import TokenColorsField
from themeconfig.validators import contrast
from themeconfig.validators.contrast import CONTRAST_PAIRS, check_pairs, contrast_ratio, pairs, to_hex

COLORS = {
    "primary": "#0b5fff",
    "on_primary": "#ffffff",
    "background": "white",
    "surface": "oklch(0.97 0.01 250)",
    "text": "rgb(20 24 31)",
    "accent": "hsl(30 90% 50%)",
}


class TokensForm(forms.Form):
    colors = TokenColorsField()


def posted(colors: dict[str, str], name: str = "colors") -> dict[str, str]:
    return {f"{name}__{token}": value for token, value in colors.items()}


# --- contrast.py -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("foreground", "background", "expected"),
    [
        ("#000000", "#ffffff", 21.0),
        ("black", "white", 21.0),
        ("#fff", "#fff", 1.0),
        ("#777", "white", 4.48),  # the classic "just fails AA" grey
        ("#767676", "#ffffff", 4.54),  # the lightest grey passing AA on white
        ("rgb(0 0 255)", "#fff", 8.59),
        ("hsl(0 100% 50%)", "#ffffff", 4.0),  # pure red
    ],
)
def test_contrast_ratio__known_wcag_values(foreground, background, expected):
    assert contrast_ratio(foreground, background) == pytest.approx(expected, abs=0.005)
    assert contrast_ratio(background, foreground) == pytest.approx(expected, abs=0.005)  # symmetric


def test_contrast_ratio__other_syntaxes_convert_to_srgb_first():
    assert contrast_ratio("oklch(0 0 0)", "oklch(1 0 0)") == pytest.approx(21.0, abs=0.01)
    assert contrast_ratio("color(srgb 0.4667 0.4667 0.4667)", "#fff") == pytest.approx(4.48, abs=0.01)


def test_contrast_ratio__translucent_foreground_is_composited_over_its_background():
    # 50 % black over white is 50 % grey.
    assert contrast_ratio("rgb(0 0 0 / 0.5)", "#fff") == pytest.approx(contrast_ratio("rgb(50% 50% 50%)", "#fff"))
    assert contrast_ratio("rgb(0 0 0 / 0.5)", "#fff") == pytest.approx(3.98, abs=0.005)
    assert contrast_ratio("transparent", "#123456") == pytest.approx(1.0)


def test_contrast_ratio__not_a_colour__raises_value_error():
    with pytest.raises(ValueError):
        contrast_ratio("nope", "#fff")


def test_to_hex__srgb_values_and_gamut_mapped_ones():
    assert to_hex("white") == "#ffffff"
    assert to_hex(" rgb(20 24 31) ") == "#14181f"
    assert re.fullmatch(r"#[0-9a-f]{6}", to_hex("oklch(0.6 0.4 30)"))  # outside sRGB: fitted
    assert to_hex("nope") is None


def test_pairs__flatten_the_one_list_in_order():
    flat = pairs()
    assert len(flat) == sum(len(backgrounds) for _, backgrounds, _ in CONTRAST_PAIRS)
    assert (flat[0].foreground, flat[0].background, flat[0].minimum) == ("primary", "background", 3.0)
    on_primary = next(p for p in flat if p.foreground == "on_primary")
    assert (on_primary.background, on_primary.minimum, on_primary.kind) == ("primary", contrast.TEXT_AA, "text")


def test_check_pairs__only_pairs_with_both_tokens__and_the_verdict():
    results = {(r.pair.foreground, r.pair.background): r for r in check_pairs(COLORS)}
    assert set(results) == {
        ("primary", "background"), ("primary", "surface"), ("accent", "background"), ("accent", "surface"),
        ("on_primary", "primary"), ("text", "background"), ("text", "surface"),
    }
    assert results[("on_primary", "primary")].passes is True
    assert results[("accent", "background")].passes is False  # an orange on white: 2.4:1
    broken = check_pairs({**COLORS, "primary": "nope"})
    assert next(r for r in broken if r.pair.foreground == "on_primary").ratio is None


# --- TokenColorsField ------------------------------------------------------------------------

def test_field__posted_rows__round_trip_to_a_token_map():
    form = TokensForm(data={**posted({**COLORS, "text": "  #111  "}), "other": "x"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["colors"] == {**COLORS, "text": "#111"}  # trimmed, like the contract
    assert list(form.cleaned_data["colors"])[:5] == ["primary", "on_primary", "background", "surface", "text"]


def test_field__errors_name_the_token():
    form = TokensForm(data=posted({**COLORS, "primary": "not-a-colour", "background": " ", "accent": "currentcolor"}))
    assert not form.is_valid()
    messages = form.errors["colors"]
    assert any(m.startswith("primary: 'not-a-colour' is not a CSS colour") for m in messages)
    assert "background: a value is required." in messages
    assert any(m.startswith("accent: 'currentcolor' is not a CSS colour") for m in messages)
    assert len(messages) == 3


def test_field__missing_required_token_and_bad_name__are_reported():
    data = posted({k: v for k, v in COLORS.items() if k != "surface"})
    data["colors__Brand Blue"] = "#00f"
    form = TokensForm(data=data)
    assert not form.is_valid()
    assert "surface: a value is required." in form.errors["colors"]
    assert any(m.startswith("Brand Blue: not a token name") for m in form.errors["colors"])


def test_field__empty_optional_token__is_dropped():
    form = TokensForm(data=posted({**COLORS, "accent": ""}))
    assert form.is_valid(), form.errors
    assert "accent" not in form.cleaned_data["colors"]


def test_field__unchanged_initial__has_not_changed():
    form = TokensForm(data=posted(COLORS), initial={"colors": COLORS})
    assert not form.has_changed()
    form = TokensForm(data=posted({**COLORS, "primary": "#000"}), initial={"colors": COLORS})
    assert form.has_changed()


# --- the rendered widget ---------------------------------------------------------------------

class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict]]:
    parser = Elements()
    parser.feed(html)
    return parser.found


def test_widget__every_input_has_a_label_and_pickers_post_nothing():
    html = str(TokensForm(initial={"colors": COLORS})["colors"])
    found = elements(html)
    inputs = [a for tag, a in found if tag == "input"]
    label_targets = {a["for"] for tag, a in found if tag == "label"}
    assert len(inputs) == 2 * len(COLORS)
    for attrs in inputs:
        assert attrs["id"] in label_targets, attrs
    texts = [a for a in inputs if a["type"] == "text"]
    pickers = [a for a in inputs if a["type"] == "color"]
    assert {a["name"] for a in texts} == {f"colors__{t}" for t in COLORS}
    assert all("name" not in a for a in pickers)
    assert {a["id"]: a["value"] for a in pickers}["id_colors__background__picker"] == "#ffffff"
    assert {a["id"]: a["value"] for a in pickers}["id_colors__surface__picker"] == to_hex(COLORS["surface"])


def test_widget__renders_the_pairs_with_the_server_ratio_and_a_text_badge():
    html = str(TokensForm(initial={"colors": COLORS})["colors"])
    rows = [a for tag, a in elements(html) if tag == "tr" and "data-pair" in a]
    assert [(r["data-foreground"], r["data-background"]) for r in rows] == [
        (r.pair.foreground, r.pair.background) for r in check_pairs(COLORS)
    ]
    on_primary = re.search(r'data-foreground="on_primary" data-background="primary" data-minimum="4.5".*?</tr>', html, re.S)
    assert on_primary
    ratio = f"{contrast_ratio('#ffffff', '#0b5fff'):.2f}"
    assert f"<td class=\"token-editor__ratio\" data-ratio>{ratio}</td>" in on_primary.group(0)
    assert ">PASS</span>" in on_primary.group(0)
    accent = re.search(r'data-foreground="accent" data-background="background".*?</tr>', html, re.S).group(0)
    assert ">FAIL</span>" in accent
    # The script gets the same list, as JSON.
    assert "data-contrast-pairs=" in html and "&quot;on_primary&quot;" in html


def test_widget__invalid_value__renders_dash_and_no_style():
    html = str(TokensForm(data=posted({**COLORS, "primary": "x; background:url(evil)"}))["colors"])
    styles = [a["style"] for _, a in elements(html) if "style" in a]
    assert styles and not any("evil" in style for style in styles)  # never in a style attribute
    row = re.search(r'data-foreground="on_primary" data-background="primary".*?</tr>', html, re.S).group(0)
    assert "data-ratio>—</td>" in row and ">—</span>" in row


def test_widget__media_is_local_static_files():
    media = str(TokensForm().media)
    assert "themeconfig/admin/token-editor.js" in media and "themeconfig/admin/token-editor.css" in media
    assert "//" not in media.replace("://", "")  # no CDN
