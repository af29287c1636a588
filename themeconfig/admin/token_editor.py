"""The colour tokens of a theme version as swatches with a colour picker, and their WCAG contrast.

`TokenColorsField` edits the `color` group of a version's design tokens ({token name: CSS colour})
without raw JSON: one row per token (a swatch, an `<input type=color>` kept in sync with a text
input that takes any colour the token contract accepts, e.g. oklch()), and a table of the
contrast pairs of `themeconfig.validators.contrast.CONTRAST_PAIRS` with the ratio and a PASS/FAIL
badge. The server renders every ratio (so it is right before any JavaScript runs, and for
colour syntaxes the browser script cannot parse); token-editor.js recomputes them as colours change.

    class VersionTokensForm(forms.Form):
        colors = TokenColorsField()
    form = VersionTokensForm(initial={"colors": version.tokens["color"]})
    ... tokens = {**version.tokens, "color": form.cleaned_data["colors"]}

Inputs are named `<field name>__<token name>`; the pickers have no name (they only drive the
text inputs), so what is posted is exactly the token values.
"""
from __future__ import annotations

import json
from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError

from themeconfig.validators.contrast import CONTRAST_PAIRS, check_pairs, srgb_channels, to_hex
from themeconfig.validators.issues import IssueCollector
from themeconfig.validators.tokens import (
    ISSUE_CODES,
    MAX_TOKENS_PER_GROUP,
    REQUIRED_COLORS,
    TOKEN_NAME_RE,
    check_color,
    parse_color,
)

SEPARATOR = "__"
DEFAULT_PICKER = "#000000"


def _as_mapping(value) -> dict[str, str]:
    """The widget's value as {name: colour}: a dict, its JSON text, or nothing."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except ValueError:
            return {}
    if not isinstance(value, Mapping):
        return {}
    return {str(k): ("" if v is None else str(v)) for k, v in value.items()}


def ordered_names(colors: Mapping[str, str]) -> list[str]:
    """The required tokens first (in the contract's order, even when missing), then the others as given."""
    return [*REQUIRED_COLORS, *(name for name in colors if name not in REQUIRED_COLORS)]


def srgb_text(value: str) -> str:
    """'r g b a' (0..1, clipped to sRGB) of a CSS colour, for the widget's script."""
    (r, g, b), alpha = srgb_channels(value)
    return " ".join(f"{c:.6f}" for c in (r, g, b, alpha))


def format_ratio(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio:.2f}"


class TokenColorsWidget(forms.Widget):
    template_name = "admin/widgets/token_colors.html"

    class Media:
        css = {"all": ["themeconfig/admin/token-editor.css"]}
        js = ["themeconfig/admin/token-editor.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        colors = _as_mapping(value)
        base_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        rows = []
        for token in ordered_names(colors):
            text = colors.get(token, "").strip()
            valid = bool(text) and len(text) <= 200 and parse_color(text) is not None
            hex_value = to_hex(text) if valid else None
            rows.append({
                "token": token,
                "value": colors.get(token, ""),
                "input_name": f"{name}{SEPARATOR}{token}",
                "input_id": f"{base_id}{SEPARATOR}{token}",
                "picker_id": f"{base_id}{SEPARATOR}{token}{SEPARATOR}picker",
                "required": token in REQUIRED_COLORS,
                # Only a value coloraide parsed whole goes into a style attribute (no CSS injection).
                "swatch": text if valid else "",
                "picker": hex_value or DEFAULT_PICKER,
                "picker_exact": hex_value is not None,
                # The server's sRGB of exactly this text, so the script can still compute pairs
                # with a value it cannot parse (oklch() …) until that value is edited.
                "srgb": srgb_text(text) if valid else "",
            })
        pair_rows = []
        for result in check_pairs({k: v for k, v in colors.items() if v.strip()}):
            pair = result.pair
            pair_rows.append({
                "foreground": pair.foreground,
                "background": pair.background,
                "minimum": f"{pair.minimum:g}",
                "kind": pair.kind,
                "ratio": format_ratio(result.ratio),
                "status": "unknown" if result.passes is None else ("pass" if result.passes else "fail"),
                "fg_swatch": colors[pair.foreground].strip() if result.ratio is not None else "",
                "bg_swatch": colors[pair.background].strip() if result.ratio is not None else "",
            })
        context["widget"].update(
            base_id=base_id,
            rows=rows,
            pair_rows=pair_rows,
            # The same list the server used, for the script (it checks the pairs whose tokens exist).
            contrast_pairs_json=json.dumps(
                [{"foreground": fg, "backgrounds": list(bgs), "minimum": minimum} for fg, bgs, minimum in CONTRAST_PAIRS]
            ),
        )
        return context

    def id_for_label(self, id_):
        # The field's <label> points at the first token's text input (there is no single input).
        return f"{id_}{SEPARATOR}{REQUIRED_COLORS[0]}" if id_ else None

    def value_from_datadict(self, data, files, name):
        prefix = name + SEPARATOR
        return {key[len(prefix):]: data.get(key, "") for key in data if key.startswith(prefix)}

    def value_omitted_from_data(self, data, files, name):
        prefix = name + SEPARATOR
        return not any(key.startswith(prefix) for key in data)

    def format_value(self, value):
        return _as_mapping(value)


class TokenColorsField(forms.Field):
    """The `color` group of design tokens: {token name: CSS colour}, each checked by the token contract's
    own `check_color`; every error names its token. Cleans to {name: trimmed colour}."""

    widget = TokenColorsWidget

    def to_python(self, value):
        return _as_mapping(value)

    def clean(self, value):
        colors = self.to_python(value)
        if not colors and not self.required:
            return {}  # no rows sent (a form that leaves the colours alone)
        issues = IssueCollector(ISSUE_CODES)
        errors: list[ValidationError] = []
        cleaned: dict[str, str] = {}
        if len(colors) > MAX_TOKENS_PER_GROUP:
            errors.append(ValidationError(
                f"At most {MAX_TOKENS_PER_GROUP} colour tokens are allowed, got {len(colors)}.",
                code="too_many_items",
            ))
        for name in ordered_names(colors):
            text = colors.get(name, "")
            if name in REQUIRED_COLORS and not text.strip():
                errors.append(ValidationError(
                    "%(token)s: a value is required.", code="required", params={"token": name}
                ))
                continue
            if TOKEN_NAME_RE.fullmatch(name) is None:
                errors.append(ValidationError(
                    "%(token)s: not a token name (start with a-z, then a-z, 0-9, '_' or '-', at most 64).",
                    code="invalid_name", params={"token": name[:64]},
                ))
                continue
            if not text.strip():
                continue  # an optional token left empty is dropped
            before = len(issues)
            checked = check_color(text, "/" + name, issues)
            if len(issues) > before:
                errors.extend(
                    ValidationError("%(token)s: %(message)s", code=issue.code,
                                    params={"token": name, "message": issue.message})
                    for issue in issues.issues[before:]
                )
                continue
            cleaned[name] = checked
        if errors:
            raise ValidationError(errors)
        self.run_validators(cleaned)
        return cleaned


__all__ = ["TokenColorsField", "TokenColorsWidget", "format_ratio", "ordered_names"]
