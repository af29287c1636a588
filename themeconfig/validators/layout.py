"""Validator for a theme version's layout selections (theme_versions.layout_selections) against the presets.

Shape: `{"<surface>": {"preset": "<preset key>", "variant": "<variant>", "options": {…}}}` with
surface in home, detail, search, custom (each at most once; a surface without a selection
uses the site's built-in layout).
  * preset: a key of the layout_presets registry (`unknown_preset`) that is active
    (`inactive_preset`), registered for that surface (`preset_surface_mismatch`) and, for a
    right-to-left theme, supports rtl (`rtl_not_supported`);
  * variant: one of the preset's supported variants (`unsupported_variant`); when left out it
    defaults to the preset's first supported variant;
  * options: optional object (default {}) of at most 32 settings, names `^[a-z][a-z0-9_]{0,63}$`,
    values strings (≤ 200 chars, trimmed), numbers or booleans. What each option means is the
    preset's business, so only the shape is checked here.

The registry is passed in (`presets`), so this stays a pure function: callers load
layout_presets once and hand over `{key: PresetInfo}`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .issues import INVALID, IssueCollector, child_path, json_type
from .issues import ISSUE_CODES as SHAPE_CODES

ISSUE_CODES: tuple[str, ...] = tuple(
    sorted(
        {
            *SHAPE_CODES,
            "inactive_preset",
            "invalid_name",
            "preset_surface_mismatch",
            "rtl_not_supported",
            "unknown_preset",
            "unsupported_variant",
        }
    )
)

LAYOUT_SURFACES = ("home", "detail", "search", "custom")
DIRECTIONS = ("ltr", "rtl")
OPTION_NAME_RE = re.compile(r"[a-z][a-z0-9_]{0,63}")
MAX_OPTIONS = 32
OPTION_TEXT_MAX_LENGTH = 200


@dataclass(frozen=True)
class PresetInfo:
    """What the validator needs to know about one layout_presets row."""

    key: str
    surface: str
    supported_variants: tuple[str, ...]
    supports_rtl: bool
    is_active: bool


def validate_layout_selections(
    value: Any, *, presets: Mapping[str, PresetInfo], direction: str = "ltr"
) -> dict:
    """Check layout selections for a theme written in `direction`; return them with defaults filled."""
    if direction not in DIRECTIONS:
        raise ValueError(
            f"direction must be 'ltr' or 'rtl', got {direction!r}"
        )  # a caller bug, not user input
    issues = IssueCollector(ISSUE_CODES)
    selections = issues.object(value, "", what="an object of surface → selection")
    if selections is INVALID:
        issues.raise_if_any()
    issues.keys(selections, "", optional=LAYOUT_SURFACES)
    normalized: dict[str, dict] = {}
    for surface in LAYOUT_SURFACES:
        if surface in selections:
            normalized[surface] = _selection(
                selections[surface], child_path("", surface), surface, presets, direction, issues
            )
    issues.raise_if_any()
    return normalized


def _selection(
    value: Any,
    path: str,
    surface: str,
    presets: Mapping[str, PresetInfo],
    direction: str,
    issues: IssueCollector,
) -> dict | Any:
    obj = issues.object(value, path, what="an object {preset, variant?, options?}")
    if obj is INVALID:
        return INVALID
    issues.keys(obj, path, required=("preset",), optional=("variant", "options"))
    preset = (
        _preset(obj["preset"], child_path(path, "preset"), surface, presets, direction, issues)
        if "preset" in obj
        else INVALID
    )
    variant = INVALID
    if preset is not INVALID:
        variant = _variant(obj.get("variant"), child_path(path, "variant"), preset, issues)
    elif "variant" in obj and not isinstance(obj["variant"], str):
        issues.add(
            child_path(path, "variant"),
            "invalid_type",
            f"Expected a variant name, got {json_type(obj['variant'])}.",
        )
    options = _options(obj["options"], child_path(path, "options"), issues) if "options" in obj else {}
    return {"preset": obj.get("preset"), "variant": variant, "options": options}


def _preset(
    value: Any,
    path: str,
    surface: str,
    presets: Mapping[str, PresetInfo],
    direction: str,
    issues: IssueCollector,
) -> PresetInfo | Any:
    if not isinstance(value, str):
        issues.add(path, "invalid_type", f"Expected a preset key, got {json_type(value)}.")
        return INVALID
    preset = presets.get(value)
    if preset is None:
        issues.add(path, "unknown_preset", f"There is no layout preset '{value}'.")
        return INVALID
    if not preset.is_active:
        issues.add(path, "inactive_preset", f"Layout preset '{value}' is retired and cannot be selected.")
        return INVALID
    if preset.surface != surface:
        issues.add(
            path,
            "preset_surface_mismatch",
            f"Layout preset '{value}' is for the {preset.surface} surface, not {surface}.",
        )
        return INVALID
    if direction == "rtl" and not preset.supports_rtl:
        issues.add(
            path, "rtl_not_supported", f"Layout preset '{value}' does not support right-to-left themes."
        )
        return INVALID
    return preset


def _variant(value: Any, path: str, preset: PresetInfo, issues: IssueCollector) -> str | Any:
    if value is None:
        if preset.supported_variants:
            return preset.supported_variants[0]
        issues.add(path, "required", f"Layout preset '{preset.key}' lists no variants; name one.")
        return INVALID
    if not isinstance(value, str):
        issues.add(path, "invalid_type", f"Expected a variant name, got {json_type(value)}.")
        return INVALID
    if value not in preset.supported_variants:
        issues.add(
            path,
            "unsupported_variant",
            f"'{value}' is not a variant of '{preset.key}'; "
            f"use one of: {', '.join(preset.supported_variants)}.",
        )
        return INVALID
    return value


def _options(value: Any, path: str, issues: IssueCollector) -> dict | Any:
    obj = issues.object(value, path, what="an object of option → string, number or boolean")
    if obj is INVALID:
        return INVALID
    if len(obj) > MAX_OPTIONS:
        issues.add(path, "too_many_items", f"At most {MAX_OPTIONS} options are allowed, got {len(obj)}.")
        return INVALID
    result: dict[str, Any] = {}
    for name, option in obj.items():
        option_path = child_path(path, name)
        if not isinstance(name, str) or OPTION_NAME_RE.fullmatch(name) is None:
            issues.add(
                option_path,
                "invalid_name",
                f"'{name}' is not an option name (a-z, 0-9, '_', starting with a-z).",
            )
        elif isinstance(option, str):
            result[name] = issues.text(
                option, option_path, max_length=OPTION_TEXT_MAX_LENGTH, allow_empty=True
            )
        elif isinstance(option, bool) or (isinstance(option, (int, float)) and math.isfinite(option)):
            result[name] = option
        else:
            issues.add(
                option_path,
                "invalid_type",
                f"Option values are strings, numbers or booleans, got {json_type(option)}.",
            )
    return result


__all__ = ["ISSUE_CODES", "LAYOUT_SURFACES", "PresetInfo", "validate_layout_selections"]
