"""The layout presets editor (`layout_selections`): per surface, a preset (by its thumbnail and name) and a variant."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from django import forms
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from themeconfig.admin.design.common import SEPARATOR, DesignWidget, as_mapping, value_text
from themeconfig.validators.layout import LAYOUT_SURFACES

SURFACE_TITLES = {"home": "Home page", "detail": "Property page", "search": "Search results", "custom": "Custom pages"}
THUMBNAIL_SIZE = (120, 80)


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
