"""The design editors of a version's page: typography, spacing and radius scales, layout presets, and their read-only twins.

Each editor is a form field whose widget draws what it edits (no raw JSON):

- `TypographyField` (`tokens.typography`): every font family as a comma-separated list of fonts and a
  generic fallback, the type scale (sizes, weights, line heights) as one input per step, and a sample
  (headings, a paragraph, small print) in those fonts and sizes. The sample reads CSS custom properties
  named as in the published bundle (`--font-size-md`, `--font-family-heading`…, see
  `themeconfig.validators.dtcg.to_css_custom_properties`) and set on the editor's element: the server
  sets them for the first drawing, design.js as the inputs change. Only fonts installed on the viewer's
  computer or generic families are used: nothing is fetched.
- `ScaleField` (`tokens.spacing`, `tokens.radius`): one input per step, drawn as a bar that long or a
  box with corners that round.
- `LayoutSelectionsField` (`layout_selections`): per surface, radio buttons whose labels are the
  preset's thumbnail and name (and "Built-in layout" for none), a variant per preset.

Fields only turn the inputs into the token contract's shape (numbers where it wants numbers); the use
case (`services.version_update`) validates them, and its errors come back by JSON path beside the field
(`themes.add_refusal_errors` calls `mark_invalid` so the step in question is outlined too).

Every widget takes `readonly=True` to draw the same thing without inputs (published and archived
versions, viewers); `colors_readonly` and `other_tokens_readonly` complete the read-only page. Values
reach the HTML only through Django's escaping, and CSS (style attributes) only after the token
contract's own parsers accepted them, so a hostile value or name can neither break out of its
attribute nor inject CSS.
"""
from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from django import forms
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from themeconfig.admin.token_editor import format_ratio, ordered_names
from themeconfig.validators.contrast import check_pairs
from themeconfig.validators.layout import LAYOUT_SURFACES
from themeconfig.validators.tokens import (
    FONT_NAME_RE,
    GENERIC_FAMILIES,
    REQUIRED_COLORS,
    REQUIRED_FAMILIES,
    REQUIRED_SPACING,
    TOKEN_NAME_RE,
    format_number,
    parse_color,
    parse_length,
)

SEPARATOR = "__"
DESIGN_MEDIA = forms.Media(css={"all": ["themeconfig/admin/design.css"]}, js=["themeconfig/admin/design.js"])
# The groups the editors of this module and the colour editor draw; any other stays read-only JSON.
EDITED_TOKEN_GROUPS = ("color", "typography", "spacing", "radius")
SURFACE_TITLES = {"home": "Home page", "detail": "Property page", "search": "Search results", "custom": "Custom pages"}
THUMBNAIL_SIZE = (120, 80)


def as_mapping(value) -> dict:
    return dict(value) if isinstance(value, Mapping) else {}


def value_text(value) -> str:
    """A stored token value as an input shows it: numbers in their shortest spelling, text as is."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return format_number(value) if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def unescape_pointer(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


# --- scales (type sizes, weights, line heights, spacing, radius) -------------------------------------

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


class DesignWidget(forms.Widget):
    """What the design widgets share: read-only drawing, the steps a refusal names, the media."""

    readonly = False

    def __init__(self, attrs=None, *, readonly: bool = False):
        super().__init__(attrs)
        self.readonly = readonly
        self.invalid: frozenset[str] = frozenset()

    @property
    def media(self):
        return DESIGN_MEDIA

    def mark_invalid(self, where: str) -> None:
        """Outlines the step the use case refused (`where`: its JSON path under the field, e.g. `sizes/md`).
        A new set, not an added member: Django's copies of a widget share its attributes."""
        self.invalid = self.invalid | {"/".join(unescape_pointer(part) for part in where.split("/"))}

    def base_id(self, name, attrs) -> str:
        return (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"


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


def css_declarations(css: Mapping[str, str]) -> str:
    """`--a: 1px; --b: 2px` for a style attribute (names and values were checked by the callers)."""
    return "; ".join(f"{name}: {value}" for name, value in css.items())


# --- typography ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TypographyInput:
    """What the typography editor's inputs hold: per family (name, fonts as text, fallback), the new-family
    row, and the three scales."""

    families: tuple[tuple[str, str, str], ...] = ()
    new_family: tuple[str, str, str] = ("", "", "")
    scales: dict[str, ScaleInput] = field(default_factory=dict)

    @classmethod
    def from_tokens(cls, typography) -> TypographyInput:
        typography = as_mapping(typography)
        families = []
        for name, family in as_mapping(typography.get("families")).items():
            family = as_mapping(family)
            stack = family.get("stack")
            stack_text = ", ".join(value_text(font) for font in stack) if isinstance(stack, (list, tuple)) \
                else value_text(stack)
            families.append((str(name), stack_text, value_text(family.get("fallback"))))
        # The row for a family the version lacks starts as "heading", the one the booking site uses next.
        suggested = "heading" if not any(name == "heading" for name, _, _ in families) else ""
        return cls(families=tuple(families), new_family=(suggested, "", "serif" if suggested else "sans-serif"),
                   scales={key: ScaleInput.from_tokens(typography.get(key), scale.kind)
                           for key, scale in TYPE_SCALES.items()})

    @classmethod
    def from_data(cls, data, name: str) -> TypographyInput | None:
        stack_prefix = f"{name}{SEPARATOR}family{SEPARATOR}"
        fallback_prefix = f"{name}{SEPARATOR}fallback{SEPARATOR}"
        families = tuple(
            (key[len(stack_prefix):], str(data.get(key) or ""), str(data.get(fallback_prefix + key[len(stack_prefix):]) or ""))
            for key in data if key.startswith(stack_prefix)
        )
        new_keys = [f"{name}{SEPARATOR}family_new{SEPARATOR}{part}" for part in ("name", "stack", "fallback")]
        new_family = tuple(str(data.get(key) or "") for key in new_keys)
        scales = {key: ScaleInput.from_data(data, f"{name}{SEPARATOR}{key}") for key in TYPE_SCALES}
        if not families and all(data.get(key) is None for key in new_keys) and all(s is None for s in scales.values()):
            return None
        return cls(families=families, new_family=new_family,
                   scales={key: scale or ScaleInput() for key, scale in scales.items()})


def font_stack(text: str) -> list[str]:
    """"Inter, Helvetica Neue" → ["Inter", "Helvetica Neue"] (font names cannot hold a comma)."""
    return [part.strip() for part in text.split(",") if part.strip()]


def font_family_css(stack: list[str], fallback: str) -> str | None:
    """A CSS font-family of the names the contract accepts, quoted, then the generic fallback."""
    names = [f'"{font}"' for font in stack if FONT_NAME_RE.fullmatch(font) and font.lower() not in GENERIC_FAMILIES]
    if fallback in GENERIC_FAMILIES:
        names.append(fallback)
    return ", ".join(names) or None


def clean_typography(value: TypographyInput) -> tuple[dict, list[ValidationError]]:
    families: dict[str, dict] = {}
    for name, stack_text, fallback in value.families:
        # A family kept with no fonts uses its generic fallback only (the contract allows it).
        families[name] = {"stack": font_stack(stack_text), "fallback": fallback.strip()}
    errors: list[ValidationError] = []
    new_name, new_stack, new_fallback = (part.strip() for part in value.new_family)
    if new_stack:
        if not new_name:
            errors.append(ValidationError("New family: give it a name, e.g. heading.", code="required"))
        elif new_name in families:
            errors.append(ValidationError("%(token)s: there is a family of that name already; change its row.",
                                          code="duplicate", params={"token": new_name[:64]}))
        else:
            families[new_name] = {"stack": font_stack(new_stack), "fallback": new_fallback}
    typography = {"families": families}
    for key, scale in TYPE_SCALES.items():
        typography[key], scale_errors = clean_scale(scale, value.scales.get(key, ScaleInput()))
        errors += scale_errors
    return typography, errors


class TypographyWidget(DesignWidget):
    template_name = "admin/widgets/design_typography.html"

    def format_value(self, value):
        return value if isinstance(value, TypographyInput) else TypographyInput.from_tokens(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        value: TypographyInput = context["widget"]["value"]
        base_id = self.base_id(name, attrs)
        css: dict[str, str] = {}
        families = []
        for index, (family, stack_text, fallback) in enumerate(value.families):
            var = "--font-family-" + family if TOKEN_NAME_RE.fullmatch(family) else None
            shown = font_family_css(font_stack(stack_text), fallback.strip()) if var else None
            if shown:
                css[var] = shown
            families.append({
                "name": family, "stack": stack_text, "fallback": fallback, "var": var or "", "shown": shown or "",
                "stack_input": f"{name}{SEPARATOR}family{SEPARATOR}{family}",
                "fallback_input": f"{name}{SEPARATOR}fallback{SEPARATOR}{family}",
                "stack_id": f"{base_id}{SEPARATOR}family{SEPARATOR}{index}",
                "fallback_id": f"{base_id}{SEPARATOR}fallback{SEPARATOR}{index}",
                "fallbacks": fallback_choices(fallback),
                "required": family in REQUIRED_FAMILIES,
                "invalid": any(p == f"families/{family}" or p.startswith(f"families/{family}/") for p in self.invalid),
            })
        scales = []
        for key, scale in TYPE_SCALES.items():
            rows, scale_css = scale_context(scale, value.scales.get(key, ScaleInput()), prefix=f"{name}{SEPARATOR}{key}",
                                            base_id=f"{base_id}{SEPARATOR}{key}", invalid=self.invalid, where=f"{key}/")
            css.update(scale_css)
            scales.append(rows)
        new_name, new_stack, new_fallback = value.new_family
        context["widget"].update(
            base_id=base_id, readonly=self.readonly, families=families, scales=scales, css=css_declarations(css),
            new_family={"name": new_name, "stack": new_stack, "fallbacks": fallback_choices(new_fallback or "sans-serif"),
                        "name_input": f"{name}{SEPARATOR}family_new{SEPARATOR}name",
                        "stack_input": f"{name}{SEPARATOR}family_new{SEPARATOR}stack",
                        "fallback_input": f"{name}{SEPARATOR}family_new{SEPARATOR}fallback",
                        "id": f"{base_id}{SEPARATOR}family_new"},
        )
        return context

    def value_from_datadict(self, data, files, name):
        return TypographyInput.from_data(data, name)

    def value_omitted_from_data(self, data, files, name):
        return TypographyInput.from_data(data, name) is None

    def id_for_label(self, id_):
        return f"{id_}{SEPARATOR}family{SEPARATOR}0" if id_ else None


def fallback_choices(current: str) -> list[dict]:
    """The generic families, and the current value too when it is none of them (so it is shown, and
    saved back for the contract to refuse, rather than silently replaced)."""
    choices = [{"value": generic, "label": generic, "selected": generic == current} for generic in GENERIC_FAMILIES]
    if current and current not in GENERIC_FAMILIES:
        choices.insert(0, {"value": current, "label": f"{current} (not a generic family)", "selected": True})
    return choices


class TypographyField(forms.Field):
    """`tokens.typography`: {families: {name: {stack, fallback}}, sizes, weights, line_heights}; None when
    the form did not send it."""

    widget = TypographyWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", TypographyWidget(attrs={"id": "tokens-typography"}))
        super().__init__(**kwargs)

    def clean(self, value):
        if value is None:
            return None
        typography, errors = clean_typography(value)
        if errors:
            raise ValidationError(errors)
        return typography

    def has_changed(self, initial, data):
        if data is None:
            return False
        typography, errors = clean_typography(data)
        return bool(errors) or typography != as_mapping(initial)


# --- layout presets -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PresetChoice:
    """A layout preset as the editor shows it."""

    key: str
    surface: str
    variants: tuple[str, ...]
    supports_rtl: bool = True
    is_active: bool = True
    registered: bool = True  # False: a selection names a key the registry does not have

    @property
    def title(self) -> str:
        return preset_title(self.key)

    @classmethod
    def of(cls, preset) -> PresetChoice:
        return cls(str(preset.key), str(preset.surface), tuple(str(v) for v in preset.supported_variants or ()),
                   bool(preset.supports_rtl), bool(preset.is_active))


def preset_title(key: str) -> str:
    """`home.hero-split` → "Hero split"."""
    tail = key.split(".", 1)[-1].replace("-", " ").replace("_", " ").strip()
    return tail[:1].upper() + tail[1:] if tail else key


SAFE_PRESET_KEY = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")


@lru_cache(maxsize=256)
def static_thumbnail_url(key: str) -> str | None:
    """The URL of the preset's wireframe in static/themeconfig/layout-presets/ (the registry's thumbnails),
    or None when this code base has none for the key."""
    if not SAFE_PRESET_KEY.fullmatch(key) or ".." in key:
        return None
    path = f"themeconfig/layout-presets/{key}.svg"
    if not finders.find(path):
        return None
    try:
        return static(path)
    except ValueError:  # a manifest storage that lacks the file
        return None


# A schematic per surface for a preset without a wireframe here: boxes (x, y, width, height, tone).
SCHEMATICS = {
    "home": [(0, 0, 120, 10, 1), (8, 18, 48, 4, 2), (8, 26, 40, 4, 2), (8, 36, 22, 7, 3), (64, 16, 48, 36, 2),
             (8, 58, 32, 16, 1), (44, 58, 32, 16, 1), (80, 58, 32, 16, 1)],
    "detail": [(0, 0, 120, 10, 1), (8, 16, 64, 40, 2), (78, 16, 34, 40, 3), (8, 62, 64, 4, 2), (8, 70, 48, 4, 2)],
    "search": [(0, 0, 120, 10, 1), (8, 16, 104, 8, 3), (8, 30, 56, 12, 1), (8, 46, 56, 12, 1), (8, 62, 56, 12, 1),
               (70, 30, 42, 44, 2)],
    "custom": [(0, 0, 120, 10, 1), (8, 16, 104, 26, 2), (8, 48, 104, 6, 1), (8, 58, 104, 6, 1), (8, 68, 104, 6, 1)],
}
TONES = {1: "#d5dbe3", 2: "#aab6c5", 3: "#3b6fd8"}


def preset_schematic(preset: PresetChoice) -> SafeString:
    """A simple wireframe drawn from the preset's surface, with its key as the tooltip (escaped)."""
    width, height = THUMBNAIL_SIZE
    boxes = format_html_join("", '<rect x="{}" y="{}" width="{}" height="{}" rx="1" fill="{}"/>',
                             ((x, y, w, h, TONES[tone]) for x, y, w, h, tone in SCHEMATICS.get(preset.surface, SCHEMATICS["custom"])))
    return format_html(
        '<svg class="design-thumb" xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" viewBox="0 0 {} {}" '
        'aria-hidden="true" focusable="false"><title>{}</title><rect width="{}" height="{}" fill="#f7f8fa"/>{}'
        '<rect x="0.5" y="0.5" width="{}" height="{}" fill="none" stroke="#8a96a8"/></svg>',
        width, height, width, height, preset.key, width, height, boxes, width - 1, height - 1,
    )


def preset_thumbnail(preset: PresetChoice) -> SafeString:
    """The preset's wireframe; the label's text names it, so the picture itself is decorative (alt="")."""
    url = static_thumbnail_url(preset.key) if preset.registered else None
    if url is None:
        return preset_schematic(preset)
    width, height = THUMBNAIL_SIZE
    return format_html('<img class="design-thumb" src="{}" alt="" width="{}" height="{}">', url, width, height)


@dataclass(frozen=True)
class LayoutInput:
    """The posted choice per surface: {surface: (preset key or "" for the built-in layout, variant or None)}."""

    surfaces: dict[str, tuple[str, str | None]]

    @classmethod
    def from_data(cls, data, name: str) -> LayoutInput | None:
        surfaces = {}
        for surface in LAYOUT_SURFACES:
            preset = data.get(f"{name}{SEPARATOR}{surface}{SEPARATOR}preset")
            if preset is None:
                continue
            variant = data.get(f"{name}{SEPARATOR}{surface}{SEPARATOR}variant{SEPARATOR}{preset}")
            surfaces[surface] = (str(preset), None if variant is None else str(variant))
        return cls(surfaces) if surfaces else None


def selections_from_input(value: LayoutInput, current) -> dict:
    """The layout selections the posted choices make, from the current ones: a surface not posted keeps
    its selection; a preset kept keeps its options (the editor does not edit them); another preset
    starts without options; the built-in layout removes the selection."""
    current = as_mapping(current)
    result = {}
    for surface in LAYOUT_SURFACES:
        if surface not in value.surfaces:
            if surface in current:
                result[surface] = current[surface]
            continue
        preset, variant = value.surfaces[surface]
        if not preset:
            continue
        selection = {"preset": preset}
        if variant:
            selection["variant"] = variant
        was = as_mapping(current.get(surface))
        if was.get("preset") == preset:
            if not variant and "variant" in was:
                selection["variant"] = was["variant"]
            if "options" in was:
                selection["options"] = was["options"]
        result[surface] = selection
    # Keys outside the surfaces are kept for the contract to refuse: never dropped unseen.
    result.update({key: item for key, item in current.items() if key not in LAYOUT_SURFACES})
    return result


class LayoutPresetsWidget(DesignWidget):
    template_name = "admin/widgets/design_layout.html"

    def __init__(self, attrs=None, *, readonly: bool = False, presets: list[PresetChoice] | None = None,
                 direction: str = "ltr"):
        super().__init__(attrs, readonly=readonly)
        self.presets = list(presets or [])
        self.direction = direction
        self.current: dict = {}

    def format_value(self, value):
        if isinstance(value, LayoutInput):
            return value
        selections = as_mapping(value)
        surfaces = {}
        for surface in LAYOUT_SURFACES:
            selection = as_mapping(selections.get(surface))
            preset = selection.get("preset")
            variant = selection.get("variant")
            surfaces[surface] = ("" if preset is None else value_text(preset), None if variant is None else value_text(variant))
        return LayoutInput(surfaces)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        value: LayoutInput = context["widget"]["value"]
        base_id = self.base_id(name, attrs)
        by_key = {preset.key: preset for preset in self.presets}
        surfaces = []
        for surface in LAYOUT_SURFACES:
            chosen, variant = value.surfaces.get(surface, ("", None))
            offered = [p for p in self.presets if p.surface == surface and p.is_active]
            if chosen and chosen not in {p.key for p in offered}:
                # The current (or posted) choice is shown even when it cannot be offered: retired, for
                # another surface, or not in the registry.
                offered.append(by_key.get(chosen) or PresetChoice(chosen, surface, (), registered=False))
            options = []
            radio_name = f"{name}{SEPARATOR}{surface}{SEPARATOR}preset"
            for index, preset in enumerate(offered):
                mine = variant if preset.key == chosen else None
                selected_variant = mine if mine in preset.variants else (preset.variants[0] if preset.variants else None)
                variants = [{"value": v, "label": v, "selected": v == selected_variant} for v in preset.variants]
                if mine and mine not in preset.variants:  # kept as given, for the contract to refuse
                    variants.insert(0, {"value": mine, "label": f"{mine} (not a variant of this preset)",
                                        "selected": True})
                options.append({
                    "key": preset.key, "title": preset.title, "thumbnail": preset_thumbnail(preset),
                    "id": f"{base_id}{SEPARATOR}{surface}{SEPARATOR}{index}",
                    "variant_id": f"{base_id}{SEPARATOR}{surface}{SEPARATOR}{index}{SEPARATOR}variant",
                    "variant_input": f"{name}{SEPARATOR}{surface}{SEPARATOR}variant{SEPARATOR}{preset.key}",
                    "variants": variants,
                    "variant": mine or selected_variant,
                    "checked": preset.key == chosen,
                    "notes": preset_notes(preset, surface, self.direction),
                })
            selection = as_mapping(self.current.get(surface))
            surfaces.append({
                "surface": surface, "title": SURFACE_TITLES.get(surface, surface), "radio_name": radio_name,
                "id": f"layout_selections-{surface}", "builtin_id": f"{base_id}{SEPARATOR}{surface}{SEPARATOR}builtin",
                "builtin_checked": not chosen, "options": options,
                "chosen": next((o for o in options if o["checked"]), None),
                "invalid": any(p == surface or p.startswith(surface + "/") for p in self.invalid),
                "extra_options": json.dumps(selection["options"], indent=2, ensure_ascii=False, sort_keys=True)
                if selection.get("options") else "",
            })
        context["widget"].update(base_id=base_id, readonly=self.readonly, surfaces=surfaces,
                                 builtin_thumbnail=builtin_thumbnail())
        return context

    def value_from_datadict(self, data, files, name):
        return LayoutInput.from_data(data, name)

    def value_omitted_from_data(self, data, files, name):
        return LayoutInput.from_data(data, name) is None

    def id_for_label(self, id_):
        return f"{id_}{SEPARATOR}{LAYOUT_SURFACES[0]}{SEPARATOR}builtin" if id_ else None


def preset_notes(preset: PresetChoice, surface: str, direction: str) -> list[str]:
    notes = []
    if not preset.registered:
        notes.append("not in the preset registry")
    elif not preset.is_active:
        notes.append("retired")
    if preset.registered and preset.surface != surface:
        notes.append(f"for the {preset.surface} surface")
    if direction == "rtl" and not preset.supports_rtl:
        notes.append("left-to-right only")
    return notes


def builtin_thumbnail() -> SafeString:
    width, height = THUMBNAIL_SIZE
    return format_html(
        '<svg class="design-thumb" xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" viewBox="0 0 {} {}" '
        'aria-hidden="true" focusable="false"><rect width="{}" height="{}" fill="#f7f8fa"/>'
        '<rect x="0" y="0" width="{}" height="10" fill="#d5dbe3"/>'
        '<rect x="8" y="18" width="104" height="54" rx="2" fill="none" stroke="#8a96a8" stroke-dasharray="4 3"/>'
        '<rect x="0.5" y="0.5" width="{}" height="{}" fill="none" stroke="#8a96a8"/></svg>',
        width, height, width, height, width, height, width, width - 1, height - 1,
    )


class LayoutSelectionsField(forms.Field):
    """`layout_selections`, one preset (and variant) per surface; None when the form did not send it.
    The form hands it the registry (`set_presets`) and the version's current selections."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", LayoutPresetsWidget(attrs={"id": "layout_selections"}))
        super().__init__(**kwargs)
        self.current: dict = {}

    def set_presets(self, presets: list[PresetChoice], *, current, direction: str) -> None:
        self.current = as_mapping(current)
        self.widget.presets, self.widget.direction, self.widget.current = presets, direction, self.current

    def clean(self, value):
        if value is None:
            return None
        return selections_from_input(value, self.current)

    def has_changed(self, initial, data):
        return data is not None and selections_from_input(data, self.current) != as_mapping(initial)


def preset_choices(presets) -> list[PresetChoice]:
    return [PresetChoice.of(preset) for preset in presets]


# --- read-only drawings ---------------------------------------------------------------------------------

def typography_readonly(typography) -> SafeString:
    return TypographyWidget(attrs={"id": "tokens-typography"}, readonly=True).render("typography", typography)


def scale_readonly(scale: Scale, values) -> SafeString:
    widget = ScaleWidget(scale, attrs={"id": "tokens-" + scale.path.replace("/", "-")}, readonly=True)
    return widget.render(scale.path, values)


def layout_readonly(selections, presets: list[PresetChoice], *, direction: str) -> SafeString:
    widget = LayoutPresetsWidget(attrs={"id": "layout_selections"}, readonly=True, presets=presets, direction=direction)
    widget.current = as_mapping(selections)
    return widget.render("layout", selections)


def colors_readonly(colors) -> SafeString:
    """The colour tokens as the colour editor draws them (swatch, value, contrast pairs), without inputs."""
    colors = {str(k): value_text(v) for k, v in as_mapping(colors).items()}
    rows = []
    for token in ordered_names(colors):
        text = colors.get(token, "").strip()
        valid = bool(text) and len(text) <= 200 and parse_color(text) is not None
        rows.append({"token": token, "value": colors.get(token, ""), "swatch": text if valid else "",
                     "required": token in REQUIRED_COLORS})
    pairs = []
    usable = {k: v for k, v in colors.items() if v.strip() and len(v) <= 200 and parse_color(v.strip()) is not None}
    for result in check_pairs(usable):
        pairs.append({
            "foreground": result.pair.foreground, "background": result.pair.background,
            "minimum": f"{result.pair.minimum:g}", "ratio": format_ratio(result.ratio),
            "status": "unknown" if result.passes is None else ("pass" if result.passes else "fail"),
        })
    return render_to_string("admin/widgets/design_colors_readonly.html", {"rows": rows, "pairs": pairs})


def other_tokens_readonly(tokens) -> SafeString:
    """Every token group no editor draws (shadow, motion, direction, anything unexpected), pretty-printed,
    each with the anchor `tokens-<group>` a problem's link points at; the block itself is `#tokens`."""
    tokens = tokens if isinstance(tokens, Mapping) else {"": tokens}
    parts = format_html_join(
        "", '<div id="tokens-{}" class="tc-json-part"><strong>{}</strong><pre class="tc-json">{}</pre></div>',
        ((key, key, json.dumps(part, indent=2, ensure_ascii=False, sort_keys=True))
         for key, part in tokens.items() if key not in EDITED_TOKEN_GROUPS),
    )
    return format_html('<div id="tokens" class="design-other-tokens">{}</div>', parts or "—")


__all__ = [
    "DESIGN_MEDIA", "EDITED_TOKEN_GROUPS", "LINE_HEIGHTS", "RADIUS", "SIZES", "SPACING", "WEIGHTS",
    "LayoutPresetsWidget", "LayoutSelectionsField", "PresetChoice", "Scale", "ScaleField", "ScaleWidget",
    "TypographyField", "TypographyWidget", "colors_readonly", "layout_readonly", "other_tokens_readonly",
    "preset_choices", "preset_schematic", "preset_thumbnail", "scale_readonly", "typography_readonly",
]
