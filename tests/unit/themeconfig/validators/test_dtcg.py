"""Design tokens exported as W3C DTCG JSON and as CSS custom properties."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings

from themeconfig.validators import ContractViolation, to_css_custom_properties, to_dtcg
from themeconfig.validators.dtcg import EXTENSION_KEY
from themeconfig.validators.tokens import parse_length

from .samples import valid_tokens
from .strategies import token_sets

# How many examples: the Hypothesis profile (tests/conftest.py; HYPOTHESIS_PROFILE=deep for more).
HYPOTHESIS = settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

# Where each token category lands in the DTCG document, and the $type its tokens carry.
GROUP_TYPES = {
    ("color",): "color",
    ("typography", "families"): "fontFamily",
    ("typography", "sizes"): "dimension",
    ("typography", "weights"): "fontWeight",
    ("typography", "line_heights"): "number",
    ("spacing",): "dimension",
    ("radius",): "dimension",
    ("shadow",): "shadow",
    ("motion", "durations"): "duration",
    ("motion", "easings"): "cubicBezier",
}
DTCG_COLOR_SPACES = {
    "srgb",
    "srgb-linear",
    "hsl",
    "hwb",
    "lab",
    "lch",
    "oklab",
    "oklch",
    "display-p3",
    "a98-rgb",
    "prophoto-rgb",
    "rec2020",
    "xyz-d65",
    "xyz-d50",
}


def _group(document: dict, keys: tuple[str, ...]) -> dict:
    for key in keys:
        document = document[key]
    return document


def _assert_dimension(value: dict) -> None:
    assert set(value) == {"value", "unit"}
    assert value["unit"] in ("px", "rem")
    assert isinstance(value["value"], (int, float)) and not isinstance(value["value"], bool)


def _assert_color(value: dict) -> None:
    assert set(value) == {"colorSpace", "components", "alpha", "hex"}
    assert value["colorSpace"] in DTCG_COLOR_SPACES
    assert len(value["components"]) == 3
    assert all(c == "none" or isinstance(c, (int, float)) for c in value["components"])
    assert 0 <= value["alpha"] <= 1
    assert re.fullmatch(r"#[0-9a-f]{6}", value["hex"])


def _assert_well_formed(tokens: dict, document: dict) -> None:
    assert document["$extensions"][EXTENSION_KEY]["direction"] == tokens["direction"]
    for keys, token_type in GROUP_TYPES.items():
        source = _group(tokens, keys)
        group = _group(document, keys)
        assert set(group) == set(source)  # every token exported, nothing invented
        for name, token in group.items():
            assert not name.startswith("$")
            assert token["$type"] == token_type
            value = token["$value"]
            if token_type == "color":
                _assert_color(value)
            elif token_type == "dimension":
                _assert_dimension(value)
                length = parse_length(source[name].strip())
                assert value["value"] == pytest.approx(length.value)
            elif token_type == "fontFamily":
                assert value[-1] == source[name]["fallback"]
            elif token_type == "fontWeight":
                assert value in range(100, 1000, 100)
            elif token_type == "duration":
                assert value == {"value": source[name], "unit": "ms"}
            elif token_type == "cubicBezier":
                assert len(value) == 4 and 0 <= value[0] <= 1 and 0 <= value[2] <= 1
            elif token_type == "shadow":
                _assert_color(value["color"])
                for key in ("offsetX", "offsetY", "blur", "spread"):
                    _assert_dimension(value[key])
                assert isinstance(value["inset"], bool)


def test_to_dtcg__sample_tokens__every_token_has_the_right_type():
    tokens = valid_tokens()

    document = to_dtcg(tokens)

    _assert_well_formed(tokens, document)
    assert document["color"]["accent"] == {
        "$type": "color",
        "$value": {"colorSpace": "hsl", "components": [30, 90, 50], "alpha": 1, "hex": "#f2800d"},
    }
    assert document["spacing"]["md"] == {"$type": "dimension", "$value": {"value": 1, "unit": "rem"}}
    assert document["motion"]["durations"]["fast"] == {
        "$type": "duration",
        "$value": {"value": 120, "unit": "ms"},
    }
    assert document["typography"]["families"]["body"]["$value"] == ["Inter", "Helvetica Neue", "sans-serif"]


def test_to_dtcg__em_length__exported_as_rem_with_extension():
    document = to_dtcg(valid_tokens())

    assert document["typography"]["sizes"]["lg"] == {
        "$type": "dimension",
        "$value": {"value": 1.25, "unit": "rem"},
        "$extensions": {EXTENSION_KEY: {"unit": "em"}},
    }


def test_to_dtcg__keyword_easings__exported_as_curves():
    document = to_dtcg(valid_tokens())
    easings = document["motion"]["easings"]

    assert easings["exit"] == {"$type": "cubicBezier", "$value": [0.42, 0, 1, 1]}
    assert easings["instant"]["$value"] == [1, 0, 1, 0]
    assert easings["instant"]["$extensions"] == {EXTENSION_KEY: {"css": "step-end"}}


def test_to_dtcg__translucent_shadow_color__keeps_alpha():
    shadow = to_dtcg(valid_tokens())["shadow"]["card"]

    assert shadow["$type"] == "shadow"
    assert shadow["$value"]["color"]["alpha"] == pytest.approx(0.12)
    assert shadow["$value"]["offsetY"] == {"value": 2, "unit": "px"}
    assert shadow["$value"]["inset"] is False


def test_to_dtcg__achromatic_hue__is_none():
    tokens = valid_tokens()
    tokens["color"]["muted"] = "oklch(0.6 0 none)"

    assert to_dtcg(tokens)["color"]["muted"]["$value"]["components"] == [0.6, 0, "none"]


def test_to_dtcg__invalid_tokens__raises_contract_violation():
    with pytest.raises(ContractViolation) as raised:
        to_dtcg(valid_tokens(direction="sideways"))

    assert [(i.path, i.code) for i in raised.value.issues] == [("/direction", "invalid_choice")]


def test_css_custom_properties__sample_tokens__sorted_root_block():
    css = to_css_custom_properties(valid_tokens())

    assert css.startswith(":root{") and css.endswith(";}")
    declarations = css[len(":root{") : -1].rstrip(";").split(";")
    names = [declaration.split(":", 1)[0] for declaration in declarations]
    assert names == sorted(names)
    assert "--color-primary:#0b5fff" in declarations
    assert '--font-family-body:"Inter", "Helvetica Neue", sans-serif' in declarations
    assert "--shadow-inner:inset 0px -1px 0px 0px #00000033" in declarations
    assert "--duration-fast:120ms" in declarations
    assert "--spacing-none:0px" in declarations
    assert "--direction:ltr" in declarations


def test_css_custom_properties__same_tokens_in_other_key_order__identical_output():
    tokens = valid_tokens()
    reordered = dict(reversed(list(tokens.items())))
    reordered["color"] = dict(reversed(list(tokens["color"].items())))

    assert to_css_custom_properties(reordered) == to_css_custom_properties(tokens)


@HYPOTHESIS
@given(token_sets)
def test_to_dtcg__generated_valid_sets__well_formed_with_right_types(tokens):
    _assert_well_formed(tokens, to_dtcg(tokens))
    css = to_css_custom_properties(tokens)
    assert css.count("--color-") == len(tokens["color"])
    assert css == to_css_custom_properties(tokens)  # deterministic
