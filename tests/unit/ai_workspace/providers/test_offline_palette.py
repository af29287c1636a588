"""Offline palette drafts: valid token sets whose text and UI pairs meet WCAG AA, for any brand kit, light
or dark as the brand kit is unless the mood asks for dark."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from coloraide import Color
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ai_workspace.providers import PaletteRequest, ProviderInputError
from ai_workspace.providers.offline import OfflineProvider
from tests.unit.themeconfig.validators.samples import valid_tokens
from tests.unit.themeconfig.validators.strategies import css_colors, font_names
from themeconfig.validators import tokens_from_brand_kit, validate_brand_kit, validate_design_tokens

# How many examples: the Hypothesis profile (tests/conftest.py; HYPOTHESIS_PROFILE=deep for more).
HYPOTHESIS = settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
# The moods that ask for a dark palette (issue 20); every other mood keeps the brand kit's lightness family.
DARK_MOODS = ("dark", "night", "moody")
LIGHT_MOODS = ("calm", "vibrant", "luxurious", "playful", "natural")
MOODS = LIGHT_MOODS + DARK_MOODS
# Relative luminance at which black and white text have the same contrast: lighter is a light colour.
MID_GREY_LUMINANCE = (1.05 * 0.05) ** 0.5 - 0.05

# What the palette promises (WCAG 2.x): text pairs 4.5:1 (SC 1.4.3), UI components 3:1 (SC 1.4.11).
TEXT_PAIRS = [
    ("text", "background"),
    ("text", "surface"),
    ("text_muted", "background"),
    ("text_muted", "surface"),
    ("link", "background"),
    ("link", "surface"),
    ("on_primary", "primary"),
    ("on_secondary", "secondary"),
    ("on_accent", "accent"),
]
UI_PAIRS = [(ui, bg) for ui in ("primary", "secondary", "accent", "border") for bg in ("background", "surface")]


def ratio(colors: dict, foreground: str, background: str) -> float:
    return Color(colors[foreground]).contrast(Color(colors[background]), method="wcag21")


def kit(**overrides) -> dict:
    return {
        "brand_colors": [
            {"name": "Harbour Blue", "value": "#0B3D91", "role": "primary"},
            {"name": "Sand", "value": "#f4e9d8", "role": "background"},
            {"name": "Slate", "value": "rgb(40 44 52)"},
        ],
        "brand_fonts": [{"name": "Body", "family": "Inter", "role": "body"}],
        "mood": "calm",
        **overrides,
    }


@st.composite
def brand_kits(draw) -> dict:
    """Validated brand kits: 1..6 colours in any CSS spelling, some with roles, and fonts."""
    values = draw(st.lists(css_colors, min_size=1, max_size=6))
    roles = draw(st.permutations(["primary", "secondary", "accent", "background", "surface", "text", "neutral"]))
    role_count = draw(st.integers(0, len(values)))
    colors = [
        {"name": f"Colour {index}", "value": value, **({"role": roles[index]} if index < role_count else {})}
        for index, value in enumerate(values)
    ]
    fonts = [{"name": "Body", "family": draw(font_names), "role": "body"}] if draw(st.booleans()) else []
    colors, fonts, _, _ = validate_brand_kit(colors=colors, fonts=fonts)
    return {"brand_colors": colors, "brand_fonts": fonts}


@pytest.mark.slow
@HYPOTHESIS
@given(brand_kits(), st.sampled_from(MOODS), st.sampled_from(["ltr", "rtl"]))
def test_palette__any_brand_kit_and_mood__valid_token_set_meeting_wcag_aa(brand_kit, mood, direction):
    result = OfflineProvider().palette(PaletteRequest(**brand_kit, mood=mood, direction=direction))
    tokens = result.output

    assert validate_design_tokens(tokens) == tokens
    colors = tokens["color"]
    for foreground, background in TEXT_PAIRS:
        assert ratio(colors, foreground, background) >= 4.5, (foreground, background, colors)
    for foreground, background in UI_PAIRS:
        assert ratio(colors, foreground, background) >= 3.0, (foreground, background, colors)
    assert tokens["direction"] == direction
    json.dumps(result.provenance())  # the provenance is storable as JSON


@pytest.mark.slow
@HYPOTHESIS
@given(brand_kits(), st.sampled_from(MOODS))
def test_palette__same_request_twice__same_tokens_and_seed(brand_kit, mood):
    first = OfflineProvider().palette(PaletteRequest(**brand_kit, mood=mood))
    second = OfflineProvider().palette(PaletteRequest(**brand_kit, mood=mood))
    assert first.output == second.output
    assert first.parameters["seed"] == second.parameters["seed"]


def test_palette__different_moods__different_palettes():
    palettes = {mood: json.dumps(OfflineProvider().palette(PaletteRequest(**kit(mood=mood))).output["color"]) for mood in MOODS}
    assert len(set(palettes.values())) == len(MOODS)


def is_light(value: str) -> bool:
    return Color(value).luminance() > MID_GREY_LUMINANCE


@st.composite
def light_brand_kits(draw) -> dict:
    """Brand kits of the light family: a light background or surface colour, or dark text and no page colour,
    or no colour saying either way (the booking site is light by default)."""
    kit = draw(brand_kits())
    colors = [{key: value for key, value in colour.items()
               if not (key == "role" and value in ("background", "surface", "text"))} for colour in kit["brand_colors"]]
    says = draw(st.sampled_from(["background", "surface", "text", "nothing"]))
    if says != "nothing":
        lightness = draw(st.floats(0.0, 0.4) if says == "text" else st.floats(0.8, 1.0))
        chroma, hue = draw(st.floats(0.0, 0.1)), draw(st.floats(0.0, 359.0))
        colors.append({"name": "Page", "value": f"oklch({lightness:.3f} {chroma:.3f} {hue:.1f})", "role": says})
    colors, fonts, _, _ = validate_brand_kit(colors=colors, fonts=kit["brand_fonts"])
    return {"brand_colors": colors, "brand_fonts": fonts}


@pytest.mark.slow
@HYPOTHESIS
@given(light_brand_kits(), st.sampled_from(LIGHT_MOODS))
def test_palette__light_brand_kit_and_a_mood_not_asking_for_dark__light_background_and_surface(brand_kit, mood):
    result = OfflineProvider().palette(PaletteRequest(**brand_kit, mood=mood))
    colors = result.output["color"]
    assert is_light(colors["background"]) and is_light(colors["surface"]), colors
    assert not is_light(colors["text"]) and result.parameters["scheme"] == "light"


@pytest.mark.slow
@HYPOTHESIS
@given(brand_kits(), st.sampled_from(DARK_MOODS))
def test_palette__any_brand_kit_and_a_mood_asking_for_dark__dark_background_and_surface(brand_kit, mood):
    result = OfflineProvider().palette(PaletteRequest(**brand_kit, mood=mood))
    colors = result.output["color"]
    assert not is_light(colors["background"]) and not is_light(colors["surface"]), colors
    assert is_light(colors["text"]) and result.parameters["scheme"] == "dark"


SAND_AND_SEA = kit()["brand_colors"]  # Harbour Blue primary on a Sand background
NIGHT_HARBOUR = [{"name": "Harbour Blue", "value": "#0B3D91", "role": "primary"},
                 {"name": "Deep Sea", "value": "#0d1b2a", "role": "background"}]
PALE_INK = [{"name": "Harbour Blue", "value": "#0B3D91", "role": "primary"},
            {"name": "Foam", "value": "#f5f7fa", "role": "text"}]


@pytest.mark.parametrize(
    ("brand_colors", "mood", "scheme"),
    [(SAND_AND_SEA, mood, "light") for mood in LIGHT_MOODS]
    + [(SAND_AND_SEA, mood, "dark") for mood in DARK_MOODS]
    + [(NIGHT_HARBOUR, "calm", "dark"), (NIGHT_HARBOUR, "luxurious", "dark"), (NIGHT_HARBOUR, "night", "dark"),
       (PALE_INK, "vibrant", "dark"),
       ([{"name": "Sea", "value": "#0B3D91", "role": "primary"}], "luxurious", "light"),
       ([{"name": "Sea", "value": "#0B3D91"}, {"name": "Clear", "value": "transparent", "role": "background"}],
        "playful", "light")],
)
def test_palette__brand_kit_family_and_mood__light_or_dark_page(brand_colors, mood, scheme):
    result = OfflineProvider().palette(PaletteRequest(**kit(brand_colors=brand_colors, mood=mood)))
    colors = result.output["color"]
    assert is_light(colors["background"]) == is_light(colors["surface"]) == (scheme == "light"), colors
    assert is_light(colors["text"]) == (scheme == "dark")
    assert result.parameters["scheme"] == scheme


def test_palette__brand_primary__keeps_its_hue():
    colors = OfflineProvider().palette(PaletteRequest(**kit(mood="vibrant"))).output["color"]
    brand_hue = Color("#0B3D91").convert("oklch")["hue"]
    assert abs(Color(colors["primary"]).convert("oklch")["hue"] - brand_hue) < 8


def test_palette__kit_secondary__used_instead_of_a_harmony():
    colors = kit()["brand_colors"] + [{"name": "Leaf", "value": "oklch(0.55 0.12 140)", "role": "secondary"}]
    palette = OfflineProvider().palette(PaletteRequest(**kit(brand_colors=colors, mood="natural"))).output["color"]
    assert abs(Color(palette["secondary"]).convert("oklch")["hue"] - 140) < 8


def test_palette__unreadable_brand_colours__moved_to_aa():
    # Pale yellow primary on a pale background: the draft must darken it, not keep it.
    colors = [{"name": "Lemon", "value": "#fff68f", "role": "primary"}, {"name": "Ivory", "value": "#fffff0", "role": "background"}]
    palette = OfflineProvider().palette(PaletteRequest(brand_colors=colors, mood="playful")).output["color"]
    assert ratio(palette, "primary", "background") >= 3.0 and ratio(palette, "on_primary", "primary") >= 4.5


def test_palette__current_tokens__non_colour_tokens_and_brand_swatches_kept():
    current = validate_design_tokens(valid_tokens())
    current["color"]["brand_sea"] = "#0b5fff"
    tokens = OfflineProvider().palette(PaletteRequest(**kit(current_tokens=current))).output
    assert {key: tokens[key] for key in tokens if key != "color"} == {key: current[key] for key in current if key != "color"}
    assert tokens["color"]["brand_sea"] == "#0b5fff"


def test_palette__no_current_tokens__starts_from_the_brand_kit_tokens():
    request = kit()
    starting = tokens_from_brand_kit(colors=request["brand_colors"], fonts=request["brand_fonts"])
    tokens = OfflineProvider().palette(PaletteRequest(**request)).output
    assert tokens["typography"] == starting["typography"] and tokens["color"]["brand_slate"] == "rgb(40 44 52)"


def test_palette__provenance__labelled_offline_with_no_token_counts():
    result = OfflineProvider().palette(PaletteRequest(**kit()))
    provenance = result.provenance()
    assert provenance["provider"] == "offline" and provenance["model"] == "offline-oklch-harmony-1"
    assert provenance["input_tokens"] is None and provenance["output_tokens"] is None
    assert provenance["parameters"]["mood"] == "calm" and provenance["timings_ms"]["total"] >= 0
    checked = {(p["foreground"], p["background"]) for p in provenance["parameters"]["contrast"]}
    assert checked == set(TEXT_PAIRS) | set(UI_PAIRS)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"mood": "gloomy"}, "/mood"),
        ({"direction": "up"}, "/direction"),
        ({"brand_colors": []}, "/brand_colors"),
        ({"brand_colors": [{"name": "Fog", "value": "not-a-colour"}]}, "/brand_colors/0/value"),
        ({"brand_fonts": [{"name": "Body", "family": "sans-serif"}]}, "/brand_fonts/0/family"),
    ],
)
def test_palette__bad_request__provider_input_error_names_the_field(overrides, field):
    with pytest.raises(ProviderInputError) as raised:
        OfflineProvider().palette(PaletteRequest(**kit(**overrides)))
    assert raised.value.field == field


def test_palette__invalid_current_tokens__provider_input_error():
    with pytest.raises(ProviderInputError) as raised:
        OfflineProvider().palette(PaletteRequest(**kit(current_tokens={"color": {}})))
    assert raised.value.field == "/current_tokens"


def test_palette_request__from_brand_kit_row__same_draft_as_from_its_lists():
    row = SimpleNamespace(colors=kit()["brand_colors"], fonts=kit()["brand_fonts"], style_preferences=None)
    from_row = OfflineProvider().palette(PaletteRequest.from_brand_kit(row, mood="calm"))
    assert from_row.output == OfflineProvider().palette(PaletteRequest(**kit())).output
