"""The scale editors (type sizes, weights, line heights, spacing, radius): one input per step, drawn as what it sets."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError

from themeconfig.admin.design.common import SEPARATOR, DesignWidget, as_mapping, css_declarations, value_text
from themeconfig.validators.tokens import REQUIRED_SPACING, TOKEN_NAME_RE, format_number, parse_length


@dataclass(frozen=True)
class Scale:
    """One token map edited as a table of steps."""

    path: str  # under /tokens: "typography/sizes", "spacing"
    title: str  # the table's caption: "Type sizes"
    noun: str  # labels say "Type size md"
    css_prefix: str  # the bundle's custom property: "--font-size-" + name
    kind: str  # "length" (text: 16px, 1rem), "weight" (100..900), "number" (unitless)
    preview: str  # how a step is drawn: "size", "weight", "line", "bar", "box"
    hint: str
    required: tuple[str, ...] = ()


SIZES = Scale("typography/sizes", "Type sizes", "Type size", "--font-size-", "length", "size",
              "px, rem or em; 8 to 160 px")
WEIGHTS = Scale("typography/weights", "Font weights", "Font weight", "--font-weight-", "weight", "weight",
                "100 to 900, in steps of 100")
LINE_HEIGHTS = Scale("typography/line_heights", "Line heights", "Line height", "--line-height-", "number", "line",
                     "a multiple of the font size, 0.5 to 4")
SPACING = Scale("spacing", "Spacing scale", "Spacing step", "--spacing-", "length", "bar",
                "px, rem or em; 0 to 512 px; none < xxs < xs < sm < md < lg < xl < xxl < xxxl", REQUIRED_SPACING)
RADIUS = Scale("radius", "Corner radius scale", "Corner radius", "--radius-", "length", "box",
               "px, rem or em; 0 to 9999 px (9999px: a pill)")
TYPE_SCALES = {"sizes": SIZES, "weights": WEIGHTS, "line_heights": LINE_HEIGHTS}


@dataclass(frozen=True)
class ScaleInput:
    """What a scale's inputs hold: (name, text) per step in the order shown, and the "add a step" row."""

    rows: tuple[tuple[str, str], ...] = ()
    new_name: str = ""
    new_value: str = ""

    @classmethod
    def from_tokens(cls, values, kind: str = "length") -> ScaleInput:
        """The saved steps, smallest first (the database keeps no order); ones that do not parse last."""
        rows = [(str(name), value_text(v)) for name, v in as_mapping(values).items()]
        return cls(rows=tuple(sorted(rows, key=lambda row: step_size(kind, row[1]))))

    @classmethod
    def from_data(cls, data, prefix: str) -> ScaleInput | None:
        """The posted rows `<prefix>__<name>` and `<prefix>_new__name|value`; None when none was posted."""
        start = prefix + SEPARATOR
        rows = tuple((key[len(start):], str(data.get(key) or "")) for key in data if key.startswith(start))
        new_name, new_value = data.get(f"{prefix}_new{SEPARATOR}name"), data.get(f"{prefix}_new{SEPARATOR}value")
        if not rows and new_name is None and new_value is None:
            return None
        return cls(rows=rows, new_name=str(new_name or ""), new_value=str(new_value or ""))


def step_size(kind: str, text: str) -> float:
    """A step's size for ordering a scale: px for lengths, the number otherwise; infinity when unreadable."""
    if kind == "length":
        length = parse_length(text.strip()) if len(text) <= 40 else None
        return length.px if length is not None else math.inf
    number = parse_number(text)
    return math.inf if number is None else number


def css_value(kind: str, text: str) -> str | None:
    """The text as this kind's CSS value, or None: only what the token contract's parsers accept gets into CSS."""
    text = text.strip()
    if kind == "length":
        length = parse_length(text) if len(text) <= 40 else None
        return str(length) if length is not None else None
    number = parse_number(text)
    if number is None or number <= 0:
        return None
    if kind == "weight":
        return str(int(number)) if float(number).is_integer() and 1 <= number <= 1000 else None
    return format_number(number)


def parse_number(text: str) -> int | float | None:
    if len(text) > 40 or not re.fullmatch(r"[+-]?(?:\d+(?:\.\d+)?|\.\d+)", text.strip()):
        return None
    value = float(text)
    return int(value) if value.is_integer() else value


def token_var(scale: Scale, name: str) -> str | None:
    """The custom property of a step, for names the contract allows (nothing else gets into CSS)."""
    return scale.css_prefix + name if TOKEN_NAME_RE.fullmatch(name) else None


def scale_context(scale: Scale, value: ScaleInput, *, prefix: str, base_id: str, invalid: frozenset[str],
                  where: str = "") -> dict:
    """A scale's rows for the template, and the custom properties they set."""
    rows, css = [], {}
    for index, (name, text) in enumerate(value.rows):
        var = token_var(scale, name)
        shown = css_value(scale.kind, text) if var else None
        if shown is not None:
            css[var] = shown
        rows.append({
            "name": name, "value": text, "input_name": f"{prefix}{SEPARATOR}{name}",
            "input_id": f"{base_id}{SEPARATOR}{index}", "var": var or "", "shown": shown or "",
            "required": name in scale.required, "invalid": f"{where}{name}" in invalid,
        })
    return {
        "scale": scale, "rows": rows, "new_name": value.new_name, "new_value": value.new_value,
        "new_name_input": f"{prefix}_new{SEPARATOR}name", "new_value_input": f"{prefix}_new{SEPARATOR}value",
        "new_id": f"{base_id}_new", "number": scale.kind != "length",
        "step": {"weight": "100", "number": "0.05"}.get(scale.kind, ""),
        "min": {"weight": "100", "number": "0.5"}.get(scale.kind, ""),
        "max": {"weight": "900", "number": "4"}.get(scale.kind, ""),
    }, css


def clean_scale(scale: Scale, value: ScaleInput) -> tuple[dict, list[ValidationError]]:
    """The steps as the contract wants them (lengths as text, weights and line heights as numbers); an
    emptied step is left out (the contract says when it was required)."""
    steps, errors = {}, []

    def convert(name: str, text: str):
        if scale.kind == "length":
            return text
        number = parse_number(text)
        if number is None:
            errors.append(ValidationError("%(token)s: '%(text)s' is not a number.", code="invalid_number",
                                          params={"token": name[:64], "text": text[:60]}))
        return number

    for name, text in value.rows:
        text = text.strip()
        if text:
            steps[name] = convert(name, text)
    new_name, new_value = value.new_name.strip(), value.new_value.strip()
    if new_name or new_value:
        if not new_name:
            errors.append(ValidationError("New step: give it a name, e.g. xxl.", code="required"))
        elif not new_value:
            errors.append(ValidationError("%(token)s: give the new step a value.", code="required",
                                          params={"token": new_name[:64]}))
        elif new_name in steps:
            errors.append(ValidationError("%(token)s: there is a step of that name already; change its row.",
                                          code="duplicate", params={"token": new_name[:64]}))
        else:
            steps[new_name] = convert(new_name, new_value)
    return steps, errors


class ScaleWidget(DesignWidget):
    template_name = "admin/widgets/design_scale.html"

    def __init__(self, scale: Scale, attrs=None, *, readonly: bool = False):
        super().__init__(attrs, readonly=readonly)
        self.scale = scale

    def format_value(self, value):
        return value if isinstance(value, ScaleInput) else ScaleInput.from_tokens(value, self.scale.kind)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        base_id = self.base_id(name, attrs)
        rows, css = scale_context(self.scale, context["widget"]["value"], prefix=name, base_id=base_id,
                                  invalid=self.invalid)
        context["widget"].update(base_id=base_id, readonly=self.readonly, css=css_declarations(css), **rows)
        return context

    def value_from_datadict(self, data, files, name):
        return ScaleInput.from_data(data, name)

    def value_omitted_from_data(self, data, files, name):
        return ScaleInput.from_data(data, name) is None

    def id_for_label(self, id_):
        return f"{id_}{SEPARATOR}0" if id_ else None


class ScaleField(forms.Field):
    """A token map edited step by step (spacing, radius). Cleans to {name: value}, or None when the
    form did not send it (the group is then left as it is)."""

    def __init__(self, scale: Scale, **kwargs):
        self.scale = scale
        kwargs.setdefault("widget", ScaleWidget(scale, attrs={"id": "tokens-" + scale.path.replace("/", "-")}))
        super().__init__(**kwargs)

    def clean(self, value):
        if value is None:
            return None
        steps, errors = clean_scale(self.scale, value)
        if errors:
            raise ValidationError(errors)
        return steps

    def has_changed(self, initial, data):
        if data is None:
            return False
        steps, errors = clean_scale(self.scale, data)
        return bool(errors) or steps != as_mapping(initial)
