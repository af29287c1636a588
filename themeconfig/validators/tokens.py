"""Validator for a theme version's design tokens (theme_versions.tokens, seed §4.1).

Shape. Every top-level key is required and no other is allowed (the seed's CHECK requires
the seven keys; the application rejects the rest):

    {
      "color": {"primary": "#0b5fff", "on_primary": "#ffffff", "background": "white",
                "surface": "oklch(0.97 0.01 250)", "text": "rgb(20 24 31)", "accent": "hsl(30 90% 50%)"},
      "typography": {
        "families": {"body": {"stack": ["Inter", "Helvetica Neue"], "fallback": "sans-serif"},
                     "heading": {"stack": ["Playfair Display"], "fallback": "serif"}},
        "sizes": {"sm": "14px", "md": "1rem", "xl": "2.25rem"},
        "weights": {"regular": 400, "bold": 700},
        "line_heights": {"tight": 1.2, "normal": 1.5}
      },
      "spacing": {"xs": "4px", "sm": "8px", "md": "16px", "lg": "24px", "xl": "40px"},
      "radius": {"sm": "4px", "md": "8px", "full": "9999px"},
      "shadow": {"card": {"offset_x": "0px", "offset_y": "2px", "blur": "8px", "spread": "0px",
                          "color": "rgb(0 0 0 / 0.12)", "inset": false}},
      "motion": {"durations": {"fast": 120, "normal": 240},
                 "easings": {"standard": "cubic-bezier(0.2, 0, 0, 1)", "exit": "ease-in"}},
      "direction": "ltr"
    }

Rules:
  * Token names (every key of a name → value map): `^[a-z][a-z0-9_-]{0,63}$`; ≤ 100 per map.
  * color: CSS Color 4 strings parsed by `coloraide` (hex, rgb(), hsl(), hwb(), lab(), lch(),
    oklab(), oklch(), color(<predefined space> …), named colours). Required names: primary,
    on_primary, background, surface, text. `currentcolor` is rejected: a token needs a value.
  * typography.families: name → {stack: [font names, ≤ 10], fallback: generic family}; `body`
    is required. Font names are letters, digits, space, `.`, `_`, `'`, `-` (≤ 64), never a
    generic keyword (those go in `fallback`).
  * typography.sizes: CSS lengths in px, rem or em, 8..160 px (rem and em count as 16 px).
  * typography.weights: 100..900 in steps of 100.  typography.line_heights: unitless 0.5..4.
  * spacing: lengths 0..512 px; names xs, sm, md, lg, xl are required, and the names of the
    canonical scale (none, xxs, xs, sm, md, lg, xl, xxl, xxxl) that are present must strictly
    increase in that order. Other names are free-form.
  * radius: lengths 0..9999 px (9999px is the usual "pill").
  * shadow: name → {offset_x, offset_y (−200..200 px), blur (0..200 px), spread (−100..100 px),
    color, inset (optional, default false)}.
  * motion.durations: milliseconds 0..10000. motion.easings: `cubic-bezier(x1, y1, x2, y2)`
    with x1, x2 in [0, 1], or linear, ease, ease-in, ease-out, ease-in-out, step-start, step-end.
  * direction: "ltr" or "rtl".

Normalisation: strings are trimmed; lengths are rewritten canonically ("16px", "0.5rem"; a bare
"0" becomes "0px"); easings are rewritten as "cubic-bezier(0.2, 0, 0, 1)" or the lower-case
keyword; `inset` is filled in. Colours keep the author's (trimmed) spelling: it is valid CSS and
the author chose it on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from coloraide import Color

from .issues import INVALID, IssueCollector, child_path, json_type
from .issues import ISSUE_CODES as SHAPE_CODES

ISSUE_CODES: tuple[str, ...] = tuple(
    sorted(
        {
            *SHAPE_CODES,
            "invalid_color",
            "invalid_easing",
            "invalid_font_family",
            "invalid_font_weight",
            "invalid_length",
            "invalid_name",
            "not_increasing",
        }
    )
)

TOP_LEVEL_KEYS = ("color", "typography", "spacing", "radius", "shadow", "motion", "direction")
TOKEN_NAME_RE = re.compile(r"[a-z][a-z0-9_-]{0,63}")
MAX_TOKENS_PER_GROUP = 100

REQUIRED_COLORS = ("primary", "on_primary", "background", "surface", "text")
REQUIRED_FAMILIES = ("body",)
REQUIRED_SPACING = ("xs", "sm", "md", "lg", "xl")
SPACING_SCALE = ("none", "xxs", "xs", "sm", "md", "lg", "xl", "xxl", "xxxl")
DIRECTIONS = ("ltr", "rtl")

GENERIC_FAMILIES = (
    "serif",
    "sans-serif",
    "monospace",
    "cursive",
    "fantasy",
    "system-ui",
    "ui-serif",
    "ui-sans-serif",
    "ui-monospace",
    "ui-rounded",
    "math",
    "emoji",
    "fangsong",
)
FONT_NAME_RE = re.compile(r"\w[\w .'-]{0,63}")
MAX_FONT_STACK = 10
FONT_WEIGHTS = tuple(range(100, 1000, 100))
LINE_HEIGHT_RANGE = (0.5, 4.0)
DURATION_RANGE_MS = (0, 10_000)

# Colour spaces CSS Color 4 can spell; coloraide knows more (hsv, jzazbz…) that browsers do not.
CSS_COLOR_SPACES = frozenset(
    {
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
)

LENGTH_UNITS = ("px", "rem", "em")
REM_PX = 16  # rem and em are compared with px at the browser default root size
_NUMBER = r"[+-]?(?:\d+(?:\.\d+)?|\.\d+)"
_LENGTH_RE = re.compile(rf"({_NUMBER})(px|rem|em)?")
_CUBIC_BEZIER_RE = re.compile(
    rf"cubic-bezier\(\s*({_NUMBER})\s*,\s*({_NUMBER})\s*,\s*({_NUMBER})\s*,\s*({_NUMBER})\s*\)", re.IGNORECASE
)
# The CSS keyword easings and the curves they stand for (CSS Easing 1 §2); the step keywords
# have no curve and are carried as keywords.
EASING_KEYWORDS: dict[str, tuple[float, float, float, float] | None] = {
    "linear": (0, 0, 1, 1),
    "ease": (0.25, 0.1, 0.25, 1),
    "ease-in": (0.42, 0, 1, 1),
    "ease-out": (0, 0, 0.58, 1),
    "ease-in-out": (0.42, 0, 0.58, 1),
    "step-start": None,
    "step-end": None,
}


@dataclass(frozen=True)
class Length:
    value: int | float
    unit: str  # px, rem or em

    @property
    def px(self) -> float:
        return self.value if self.unit == "px" else self.value * REM_PX

    def __str__(self) -> str:
        return f"{format_number(self.value)}{self.unit}"


@dataclass(frozen=True)
class Easing:
    keyword: str | None  # set for keyword easings
    points: tuple[float, float, float, float] | None  # None only for step-start / step-end

    def __str__(self) -> str:
        if self.keyword is not None:
            return self.keyword
        return "cubic-bezier({})".format(", ".join(format_number(p) for p in self.points))


def format_number(value: float) -> str:
    """Shortest plain spelling of a number: 16, 0.5, -2.25 (never 16.0 or 1e-05)."""
    if float(value).is_integer():
        return str(int(value))
    text = f"{value:.6f}".rstrip("0")
    return text if text not in ("-0.", "0.") else "0"


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def parse_color(text: str) -> Color | None:
    """A CSS Color 4 colour, or None. Parsed by coloraide, whole string only."""
    match = Color.match(text, fullmatch=True)
    if match is None or match.color.space() not in CSS_COLOR_SPACES:
        return None
    return match.color


def parse_length(text: str) -> Length | None:
    """`16px`, `1.5rem`, `.5em` or a bare `0`, or None."""
    match = _LENGTH_RE.fullmatch(text)
    if match is None:
        return None
    value = _number(match.group(1))
    unit = match.group(2)
    if unit is None:
        if value != 0:
            return None  # only zero may drop its unit in CSS
        unit = "px"
    return Length(value if value != 0 else 0, unit)


def parse_easing(text: str) -> Easing | None:
    """A keyword easing or `cubic-bezier(...)` (x1, x2 not yet range-checked), or None."""
    lowered = text.lower()
    if lowered in EASING_KEYWORDS:
        return Easing(keyword=lowered, points=EASING_KEYWORDS[lowered])
    match = _CUBIC_BEZIER_RE.fullmatch(text)
    if match is None:
        return None
    x1, y1, x2, y2 = (_number(group) for group in match.groups())
    return Easing(keyword=None, points=(x1, y1, x2, y2))


def validate_design_tokens(value: Any) -> dict:
    """Check `theme_versions.tokens`; return the normalised token set or raise ContractViolation."""
    issues = IssueCollector(ISSUE_CODES)
    tokens = issues.object(value, "", what="a design token object")
    if tokens is INVALID:
        issues.raise_if_any()
    issues.keys(tokens, "", required=TOP_LEVEL_KEYS)

    normalized: dict[str, Any] = {}
    if "color" in tokens:
        normalized["color"] = _named_map(
            tokens["color"],
            "/color",
            issues,
            lambda v, p: check_color(v, p, issues),
            required=REQUIRED_COLORS,
        )
    if "typography" in tokens:
        normalized["typography"] = _typography(tokens["typography"], "/typography", issues)
    if "spacing" in tokens:
        spacing = _named_map(
            tokens["spacing"],
            "/spacing",
            issues,
            lambda v, p: _length(v, p, issues, minimum_px=0, maximum_px=512),
            required=REQUIRED_SPACING,
        )
        _check_spacing_order(spacing, issues)
        normalized["spacing"] = spacing
    if "radius" in tokens:
        normalized["radius"] = _named_map(
            tokens["radius"],
            "/radius",
            issues,
            lambda v, p: _length(v, p, issues, minimum_px=0, maximum_px=9999),
        )
    if "shadow" in tokens:
        normalized["shadow"] = _named_map(
            tokens["shadow"], "/shadow", issues, lambda v, p: _shadow(v, p, issues)
        )
    if "motion" in tokens:
        normalized["motion"] = _motion(tokens["motion"], "/motion", issues)
    if "direction" in tokens:
        normalized["direction"] = issues.choice(tokens["direction"], "/direction", DIRECTIONS)

    issues.raise_if_any()
    return {key: _to_json(normalized[key]) for key in TOP_LEVEL_KEYS}


def check_color(value: Any, path: str, issues: IssueCollector) -> str | Any:
    """A CSS colour string (trimmed), checked with coloraide."""
    if not isinstance(value, str):
        issues.add(path, "invalid_type", f"Expected a CSS colour string, got {json_type(value)}.")
        return INVALID
    text = value.strip()
    if len(text) > 200 or parse_color(text) is None:
        issues.add(
            path,
            "invalid_color",
            f"'{text[:60]}' is not a CSS colour; use hex, rgb(), hsl(), hwb(), lab(), lch(), oklab(), "
            "oklch(), color() or a named colour.",
        )
        return INVALID
    return text


def _named_map(
    value: Any,
    path: str,
    issues: IssueCollector,
    check_leaf: Callable[[Any, str], Any],
    *,
    required: tuple[str, ...] = (),
    allow_empty: bool = True,
) -> dict | Any:
    """A token-name → value map. Returns the valid entries even when some are invalid, so
    cross-entry checks (spacing order) can still look at the good ones."""
    obj = issues.object(value, path, what="an object of token name → value")
    if obj is INVALID:
        return INVALID
    if len(obj) > MAX_TOKENS_PER_GROUP:
        issues.add(
            path, "too_many_items", f"At most {MAX_TOKENS_PER_GROUP} tokens are allowed, got {len(obj)}."
        )
        return INVALID
    if not obj and not allow_empty:
        issues.add(path, "empty", "At least one token is required.")
        return INVALID
    for name in required:
        if name not in obj:
            issues.add(child_path(path, name), "required", f"Token '{name}' is required.")
    result: dict[str, Any] = {}
    for name, leaf in obj.items():
        leaf_path = child_path(path, name)
        if not isinstance(name, str) or TOKEN_NAME_RE.fullmatch(name) is None:
            issues.add(
                leaf_path,
                "invalid_name",
                f"'{name}' is not a token name: start with a-z, then a-z, 0-9, '_' or '-' (≤ 64).",
            )
            continue
        checked = check_leaf(leaf, leaf_path)
        if checked is not INVALID:
            result[name] = checked
    return result


def _length(
    value: Any, path: str, issues: IssueCollector, *, minimum_px: float, maximum_px: float
) -> Length | Any:
    if not isinstance(value, str):
        issues.add(path, "invalid_type", f"Expected a CSS length string like '16px', got {json_type(value)}.")
        return INVALID
    length = parse_length(value.strip())
    if length is None:
        issues.add(path, "invalid_length", f"'{value.strip()[:60]}' is not a length in px, rem or em.")
        return INVALID
    if not minimum_px <= length.px <= maximum_px:
        issues.add(
            path,
            "out_of_range",
            f"{length} is outside {format_number(minimum_px)}..{format_number(maximum_px)}px "
            f"(1rem = 1em = {REM_PX}px).",
        )
        return INVALID
    return length


def _typography(value: Any, path: str, issues: IssueCollector) -> dict | Any:
    obj = issues.object(value, path)
    if obj is INVALID:
        return INVALID
    issues.keys(obj, path, required=("families", "sizes", "weights", "line_heights"))
    result: dict[str, Any] = {}
    if "families" in obj:
        result["families"] = _named_map(
            obj["families"],
            child_path(path, "families"),
            issues,
            lambda v, p: _font_family(v, p, issues),
            required=REQUIRED_FAMILIES,
        )
    if "sizes" in obj:
        result["sizes"] = _named_map(
            obj["sizes"],
            child_path(path, "sizes"),
            issues,
            lambda v, p: _length(v, p, issues, minimum_px=8, maximum_px=160),
            allow_empty=False,
        )
    if "weights" in obj:
        result["weights"] = _named_map(
            obj["weights"],
            child_path(path, "weights"),
            issues,
            lambda v, p: _font_weight(v, p, issues),
            allow_empty=False,
        )
    if "line_heights" in obj:
        low, high = LINE_HEIGHT_RANGE
        result["line_heights"] = _named_map(
            obj["line_heights"],
            child_path(path, "line_heights"),
            issues,
            lambda v, p: issues.number(v, p, minimum=low, maximum=high),
            allow_empty=False,
        )
    return result


def _font_family(value: Any, path: str, issues: IssueCollector) -> dict | Any:
    obj = issues.object(value, path, what="an object {stack, fallback}")
    if obj is INVALID:
        return INVALID
    before = len(issues)
    issues.keys(obj, path, required=("stack", "fallback"))
    stack: list[str] = []
    if "stack" in obj:
        stack_path = child_path(path, "stack")
        names = issues.array(
            obj["stack"], stack_path, what="an array of font names", max_items=MAX_FONT_STACK
        )
        if names is not INVALID:
            for index, name in enumerate(names):
                checked = check_font_name(name, child_path(stack_path, index), issues)
                if checked is not INVALID:
                    stack.append(checked)
    fallback = None
    if "fallback" in obj:
        fallback = issues.choice(obj["fallback"], child_path(path, "fallback"), GENERIC_FAMILIES)
    if len(issues) > before:
        return INVALID
    return {"stack": stack, "fallback": fallback}


def check_font_name(value: Any, path: str, issues: IssueCollector) -> str | Any:
    """One family name of a font stack (not a generic keyword)."""
    if not isinstance(value, str):
        issues.add(path, "invalid_type", f"Expected a font family name, got {json_type(value)}.")
        return INVALID
    name = value.strip()
    # Names end up quoted inside CSS; the character set keeps them from breaking out of the quotes.
    if FONT_NAME_RE.fullmatch(name) is None or name.lower() in GENERIC_FAMILIES:
        issues.add(
            path,
            "invalid_font_family",
            f"'{name[:60]}' is not a font family name (letters, digits, space . _ ' -, ≤ 64); "
            "generic families such as sans-serif belong in 'fallback'.",
        )
        return INVALID
    return name


def _font_weight(value: Any, path: str, issues: IssueCollector) -> int | Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        issues.add(path, "invalid_type", f"Expected a font weight number, got {json_type(value)}.")
        return INVALID
    if value not in FONT_WEIGHTS:
        issues.add(path, "invalid_font_weight", f"{value} is not a font weight; use 100, 200, … 900.")
        return INVALID
    return int(value)


def _check_spacing_order(spacing: dict | Any, issues: IssueCollector) -> None:
    if spacing is INVALID:
        return
    previous: tuple[str, Length] | None = None
    for name in SPACING_SCALE:
        length = spacing.get(name)
        if length is None:
            continue
        if previous is not None and length.px <= previous[1].px:
            issues.add(
                child_path("/spacing", name),
                "not_increasing",
                f"spacing.{name} ({length}) must be larger than spacing.{previous[0]} ({previous[1]}); "
                f"the scale {', '.join(SPACING_SCALE)} strictly increases.",
            )
            continue  # compare the next step with the last good one
        previous = (name, length)


def _shadow(value: Any, path: str, issues: IssueCollector) -> dict | Any:
    obj = issues.object(value, path, what="a shadow object {offset_x, offset_y, blur, spread, color, inset?}")
    if obj is INVALID:
        return INVALID
    before = len(issues)
    issues.keys(obj, path, required=("offset_x", "offset_y", "blur", "spread", "color"), optional=("inset",))
    ranges = {"offset_x": (-200, 200), "offset_y": (-200, 200), "blur": (0, 200), "spread": (-100, 100)}
    result: dict[str, Any] = {}
    for key, (low, high) in ranges.items():
        if key in obj:
            result[key] = _length(obj[key], child_path(path, key), issues, minimum_px=low, maximum_px=high)
    if "color" in obj:
        result["color"] = check_color(obj["color"], child_path(path, "color"), issues)
    result["inset"] = issues.boolean(obj["inset"], child_path(path, "inset")) if "inset" in obj else False
    return INVALID if len(issues) > before else result


def _motion(value: Any, path: str, issues: IssueCollector) -> dict | Any:
    obj = issues.object(value, path, what="an object {durations, easings}")
    if obj is INVALID:
        return INVALID
    issues.keys(obj, path, required=("durations", "easings"))
    result: dict[str, Any] = {}
    low, high = DURATION_RANGE_MS
    if "durations" in obj:
        result["durations"] = _named_map(
            obj["durations"],
            child_path(path, "durations"),
            issues,
            lambda v, p: issues.number(v, p, minimum=low, maximum=high),
        )
    if "easings" in obj:
        result["easings"] = _named_map(
            obj["easings"], child_path(path, "easings"), issues, lambda v, p: _easing(v, p, issues)
        )
    return result


def _easing(value: Any, path: str, issues: IssueCollector) -> Easing | Any:
    if not isinstance(value, str):
        issues.add(path, "invalid_type", f"Expected an easing string, got {json_type(value)}.")
        return INVALID
    easing = parse_easing(value.strip())
    if easing is None:
        issues.add(
            path,
            "invalid_easing",
            f"'{value.strip()[:60]}' is not an easing; use cubic-bezier(x1, y1, x2, y2) or one of "
            f"{', '.join(EASING_KEYWORDS)}.",
        )
        return INVALID
    if easing.keyword is None and not (0 <= easing.points[0] <= 1 and 0 <= easing.points[2] <= 1):
        issues.add(path, "out_of_range", "cubic-bezier x1 and x2 must be between 0 and 1.")
        return INVALID
    return easing


def _to_json(value: Any) -> Any:
    """Turn the parsed leaves (Length, Easing) back into their canonical JSON strings."""
    if isinstance(value, (Length, Easing)):
        return str(value)
    if isinstance(value, dict):
        return {key: _to_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_to_json(item) for item in value]
    return value


__all__ = [
    "ISSUE_CODES",
    "Easing",
    "Length",
    "check_color",
    "format_number",
    "parse_color",
    "parse_length",
    "parse_easing",
    "validate_design_tokens",
]
