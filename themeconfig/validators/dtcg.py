"""Export a design token set as W3C Design Tokens (DTCG 2025.10) JSON and as CSS custom properties.

Both functions validate first (`validate_design_tokens`), so they only ever export a token set
that meets the contract, and raise `ContractViolation` otherwise.

DTCG mapping (every token carries its own `$type`, so no reader has to resolve group types):

    color.<name>                  → color        {colorSpace, components, alpha, hex}
    typography.families.<name>    → fontFamily   [stack…, fallback]
    typography.sizes.<name>       → dimension    {value, unit}
    typography.weights.<name>     → fontWeight   400
    typography.line_heights.<n>   → number       1.5
    spacing.<name>, radius.<name> → dimension    {value, unit}
    shadow.<name>                 → shadow       {color, offsetX, offsetY, blur, spread, inset}
    motion.durations.<name>       → duration     {value, unit: "ms"}
    motion.easings.<name>         → cubicBezier  [x1, y1, x2, y2]
    direction                     → root `$extensions["com.melmastoon.theme-config"].direction`

DTCG dimensions only know px and rem. An `em` length is exported as the same number in rem
with the original unit kept in `$extensions["com.melmastoon.theme-config"].unit`; `step-start`
and `step-end` have no Bézier curve, so they are exported as the nearest curves
([0, 1, 0, 1] and [1, 0, 1, 0]) with the exact CSS keyword in `$extensions[...].css`.
Colour components follow DTCG: hsl/hwb percentages are 0..100, a missing hue is "none".
"""

from __future__ import annotations

import math
from typing import Any

from .tokens import ISSUE_CODES as TOKEN_ISSUE_CODES
from .tokens import Easing, format_number, parse_color, parse_easing, parse_length, validate_design_tokens

# Both exports validate first, so they raise exactly the design-token codes.
ISSUE_CODES: tuple[str, ...] = TOKEN_ISSUE_CODES

EXTENSION_KEY = "com.melmastoon.theme-config"
_PERCENT_SPACES = frozenset({"hsl", "hwb"})  # coloraide stores their percentages as 0..1
_STEP_CURVES = {"step-start": [0, 1, 0, 1], "step-end": [1, 0, 1, 0]}


def to_dtcg(tokens: Any) -> dict:
    """The token set as a DTCG document (groups per token category)."""
    tokens = validate_design_tokens(tokens)
    typography = tokens["typography"]
    return {
        "$extensions": {EXTENSION_KEY: {"direction": tokens["direction"]}},
        "color": {name: _token("color", _color(value)) for name, value in tokens["color"].items()},
        "typography": {
            "families": {
                name: _token("fontFamily", [*family["stack"], family["fallback"]])
                for name, family in typography["families"].items()
            },
            "sizes": {name: _dimension_token(value) for name, value in typography["sizes"].items()},
            "weights": {name: _token("fontWeight", value) for name, value in typography["weights"].items()},
            "line_heights": {
                name: _token("number", value) for name, value in typography["line_heights"].items()
            },
        },
        "spacing": {name: _dimension_token(value) for name, value in tokens["spacing"].items()},
        "radius": {name: _dimension_token(value) for name, value in tokens["radius"].items()},
        "shadow": {name: _token("shadow", _shadow(value)) for name, value in tokens["shadow"].items()},
        "motion": {
            "durations": {
                name: _token("duration", {"value": value, "unit": "ms"})
                for name, value in tokens["motion"]["durations"].items()
            },
            "easings": {name: _easing_token(value) for name, value in tokens["motion"]["easings"].items()},
        },
    }


def to_css_custom_properties(tokens: Any) -> str:
    """`:root{--color-primary:#0b5fff;…}`: one declaration per token, sorted by property name."""
    tokens = validate_design_tokens(tokens)
    typography = tokens["typography"]
    declarations: dict[str, str] = {"--direction": tokens["direction"]}
    for name, value in tokens["color"].items():
        declarations[f"--color-{name}"] = value
    for name, family in typography["families"].items():
        # Font names were checked to hold no quotes or backslashes, so plain quoting is safe.
        declarations[f"--font-family-{name}"] = ", ".join(
            [*(f'"{font}"' for font in family["stack"]), family["fallback"]]
        )
    for name, value in typography["sizes"].items():
        declarations[f"--font-size-{name}"] = value
    for name, value in typography["weights"].items():
        declarations[f"--font-weight-{name}"] = str(value)
    for name, value in typography["line_heights"].items():
        declarations[f"--line-height-{name}"] = format_number(value)
    for name, value in tokens["spacing"].items():
        declarations[f"--spacing-{name}"] = value
    for name, value in tokens["radius"].items():
        declarations[f"--radius-{name}"] = value
    for name, shadow in tokens["shadow"].items():
        parts = [shadow["offset_x"], shadow["offset_y"], shadow["blur"], shadow["spread"], shadow["color"]]
        declarations[f"--shadow-{name}"] = ("inset " if shadow["inset"] else "") + " ".join(parts)
    for name, value in tokens["motion"]["durations"].items():
        declarations[f"--duration-{name}"] = f"{format_number(value)}ms"
    for name, value in tokens["motion"]["easings"].items():
        declarations[f"--easing-{name}"] = value
    body = "".join(f"{prop}:{declarations[prop]};" for prop in sorted(declarations))
    return f":root{{{body}}}"


def _token(token_type: str, value: Any, extensions: dict | None = None) -> dict:
    token = {"$type": token_type, "$value": value}
    if extensions:
        token["$extensions"] = {EXTENSION_KEY: extensions}
    return token


def _dimension(text: str) -> tuple[dict, dict | None]:
    length = parse_length(text)
    if length.unit == "em":
        return {"value": length.value, "unit": "rem"}, {"unit": "em"}
    return {"value": length.value, "unit": length.unit}, None


def _dimension_token(text: str) -> dict:
    value, extensions = _dimension(text)
    return _token("dimension", value, extensions)


def _color(text: str) -> dict:
    color = parse_color(text)
    space = color.space()
    components: list[float | str] = []
    for index, coord in enumerate(color.coords()):
        if math.isnan(coord):
            components.append("none")  # an undefined (powerless) channel, e.g. the hue of a grey
        elif space in _PERCENT_SPACES and index > 0:
            components.append(_round(coord * 100))
        else:
            components.append(_round(coord))
    hex_value = color.convert("srgb").fit().to_string(hex=True, alpha=False)
    return {"colorSpace": space, "components": components, "alpha": _round(color.alpha()), "hex": hex_value}


def _round(value: float) -> int | float:
    rounded = round(value, 6)
    return int(rounded) if float(rounded).is_integer() else rounded


def _shadow(shadow: dict) -> dict:
    # DTCG shadow sub-values are plain dimensions; an em offset is exported as rem (see module doc).
    return {
        "color": _color(shadow["color"]),
        "offsetX": _dimension(shadow["offset_x"])[0],
        "offsetY": _dimension(shadow["offset_y"])[0],
        "blur": _dimension(shadow["blur"])[0],
        "spread": _dimension(shadow["spread"])[0],
        "inset": shadow["inset"],
    }


def _easing_token(text: str) -> dict:
    easing: Easing = parse_easing(text)
    if easing.points is None:
        return _token("cubicBezier", list(_STEP_CURVES[easing.keyword]), {"css": easing.keyword})
    return _token("cubicBezier", [_round(point) for point in easing.points])
