"""Brand kit contracts, and the token set a theme starts from."""
from __future__ import annotations

from coloraide import Color
from hypothesis import given, settings
from hypothesis import strategies as st

from themeconfig.validators import tokens_from_brand_kit, validate_brand_kit, validate_design_tokens

from .expect import assert_issues


def valid_kit() -> dict:
    return {
        "colors": [
            {"name": "Harbour Blue", "value": "#0B3D91", "role": "primary"},
            {"name": "Sand", "value": "#f4e9d8", "role": "background"},
            {"name": "Coral", "value": "oklch(0.7 0.15 30)", "role": "accent"},
            {"name": "Slate", "value": "rgb(40 44 52)"},
        ],
        "fonts": [
            {"name": "Body", "family": "Inter", "role": "body", "url": "https://fonts.example/inter.css"},
            {"name": "Titles", "family": "Playfair Display", "role": "heading"},
        ],
        "logos": [{"name": "Main", "url": "https://cdn.example/logo.svg", "format": "svg", "variant": "dark"}],
        "style_preferences": {"tone": "calm, coastal", "industry": "boutique hotels"},
    }


def test_brand_kit__valid__normalised_values_returned():
    colors, fonts, logos, preferences = validate_brand_kit(**valid_kit())
    assert [c["name"] for c in colors] == ["Harbour Blue", "Sand", "Coral", "Slate"]
    assert fonts[1] == {"name": "Titles", "family": "Playfair Display", "role": "heading"}
    assert logos[0]["variant"] == "dark" and preferences["tone"] == "calm, coastal"


def test_brand_kit__every_problem__reported_with_its_path():
    kit = valid_kit()
    kit["colors"][1]["value"] = "not-a-colour"
    kit["colors"][2]["role"] = "primary"
    kit["colors"][3]["name"] = "Sand"
    kit["fonts"][0]["family"] = "sans-serif"
    kit["fonts"][1]["url"] = "javascript:alert(1)"
    kit["logos"][0]["url"] = "http://cdn.example/logo.svg"
    kit["logos"][0]["format"] = "gif"
    kit["style_preferences"]["Tone!"] = "x"
    assert_issues(
        [
            ("/colors/1/value", "invalid_color"),
            ("/colors/2/role", "duplicate_role"),
            ("/colors/3/name", "duplicate_name"),
            ("/fonts/0/family", "invalid_font_family"),
            ("/fonts/1/url", "unsafe_url"),
            ("/logos/0/url", "disallowed_scheme"),
            ("/logos/0/format", "invalid_choice"),
            ("/style_preferences/Tone!", "unknown_key"),
        ],
        validate_brand_kit, **kit,
    )


def test_brand_kit__no_colours__empty():
    assert_issues([("/colors", "empty")], validate_brand_kit, colors=[], fonts=[])


def test_brand_kit__unknown_member__unknown_key():
    assert_issues([("/colors/0/hex", "unknown_key")], validate_brand_kit,
                  colors=[{"name": "A", "value": "#fff", "hex": "#fff"}], fonts=[])


def test_tokens_from_brand_kit__roles_become_semantic_tokens():
    colors, fonts, _, _ = validate_brand_kit(**valid_kit())
    tokens = tokens_from_brand_kit(colors=colors, fonts=fonts)
    assert tokens["color"]["primary"] == "#0B3D91" and tokens["color"]["background"] == "#f4e9d8"
    assert tokens["color"]["on_primary"] == "#ffffff"  # dark blue: white text reads better
    assert tokens["color"]["text"] == "#000000"  # light sand: black text
    assert tokens["color"]["brand_slate"] == "rgb(40 44 52)"
    assert tokens["typography"]["families"]["heading"]["stack"] == ["Playfair Display"]
    assert validate_design_tokens(tokens) == tokens


@settings(deadline=None)  # examples: the Hypothesis profile (tests/conftest.py)
@given(st.lists(st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255)), min_size=1, max_size=6))
def test_tokens_from_brand_kit__any_valid_kit__valid_tokens_with_readable_text(rgbs):
    colors, fonts, _, _ = validate_brand_kit(
        colors=[{"name": f"C{i}", "value": "#{:02x}{:02x}{:02x}".format(*rgb)} for i, rgb in enumerate(rgbs)], fonts=[]
    )
    tokens = tokens_from_brand_kit(colors=colors, fonts=fonts, direction="rtl")
    assert validate_design_tokens(tokens) == tokens
    primary = Color(tokens["color"]["primary"])
    # Black or white always reaches at least 4.58:1 against any opaque colour.
    assert primary.contrast(Color(tokens["color"]["on_primary"]), method="wcag21") >= 4.5
