"""The form's view of each kind's meta schema (`validators.content.KIND_FIELDS`): one `Value` per
input, a `Group` per object (an image, a link), `Rows` per list of objects; `form_schema` says which
of a kind's fields get inputs and which stay "advanced" (JSON). Also what the page reads through it:
the kind labels, the locales a block has text in, and a block's fields as text for read-only pages.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from themeconfig.admin.locales import locale_label
from themeconfig.models import ContentBlock
from themeconfig.validators.content import (
    AMENITY_CODES,
    CONTENT_KIND_LABELS,
    KIND_FIELDS,
    LINK_FIELDS,
    MEDIA_REF_FIELDS,
    POLICY_TYPES,
    content_kind_label,
)

KIND_LABELS = CONTENT_KIND_LABELS
FORMAT_LABELS = {"markdown": "Markdown", "html": "HTML", "structured": "Structured (advanced: JSON)"}


kind_label = content_kind_label


@dataclass(frozen=True)
class Value:
    """One input: a meta field, or a member of an object or list item. `localised` ones are
    `{locale: text}` maps of which the form edits one locale."""
    label: str
    type: str = "text"  # text, long_text, url, integer, number, boolean, date, choice, choices, codes
    localised: bool = False
    choices: tuple[str, ...] = ()
    required: bool = False
    help: str = ""


@dataclass(frozen=True)
class Group:
    """An object of inputs (an image, a link), shown as a fieldset."""
    label: str
    fields: dict = field(default_factory=dict)
    required: bool = False


@dataclass(frozen=True)
class Rows:
    """A list of objects (gallery images, FAQ items): a fieldset per item, plus an empty one to add."""
    label: str
    item: dict = field(default_factory=dict)
    item_label: str = "Item"
    required: bool = False


def _media_ref() -> dict:
    fields = {"url": Value("Image URL (https)", "url"), "alt": Value("Alt text", localised=True),
              "width": Value("Width (px)", "integer"), "height": Value("Height (px)", "integer")}
    return {name: _required(spec, MEDIA_REF_FIELDS[name].required) for name, spec in fields.items()}


def _link() -> dict:
    fields = {"label": Value("Label", localised=True),
              "target": Value("Link target", help="An http(s) URL or a path on the site, like /rooms.")}
    return {name: _required(spec, LINK_FIELDS[name].required) for name, spec in fields.items()}


def _required(spec, required: bool):
    return type(spec)(**{**spec.__dict__, "required": required})


def _choice(label: str, *choices: str) -> Value:
    return Value(label, "choice", choices=choices)


META_FORM: dict[str, dict] = {
    "hero": {
        "image": Group("Image", _media_ref()),
        "cta": Group("Call to action", _link()),
        "alignment": _choice("Alignment", "start", "center", "end"),
        "height": _choice("Height", "small", "medium", "large", "full"),
        "overlay_opacity": Value("Overlay opacity", "number", help="From 0 (none) to 1 (opaque)."),
    },
    "rich_text": {"max_width": _choice("Width", "narrow", "normal", "wide")},
    "image_gallery": {
        "images": Rows("Images", _media_ref(), item_label="Image"),
        "layout": _choice("Layout", "grid", "carousel", "masonry"),
        "columns": Value("Columns", "integer", help="1 to 6."),
    },
    "amenities": {
        "amenities": Value("Amenities", "choices", choices=AMENITY_CODES),
        "columns": Value("Columns", "integer", help="1 to 6."),
        "show_icons": Value("Show icons", "boolean"),
    },
    "room_highlights": {
        "room_type_codes": Value("Room type codes", "codes", help="Separate the codes with commas, e.g. DLX, STE-SEA."),
        "show_prices": Value("Show prices", "boolean"),
    },
    "testimonials": {
        "items": Rows("Testimonials", {
            "author": Value("Author", required=True), "rating": Value("Rating (1 to 5)", "integer", required=True),
            "quote": Value("Quote", "long_text", localised=True, required=True),
            "stay_date": Value("Stay date", "date"),
        }, item_label="Testimonial"),
        "autoplay": Value("Autoplay", "boolean"),
    },
    "faq": {
        "items": Rows("Questions", {
            "question": Value("Question", localised=True, required=True),
            "answer": Value("Answer", "long_text", localised=True, required=True),
        }, item_label="Question"),
        "expand_first": Value("Expand the first question", "boolean"),
    },
    "cta_banner": {
        "label": Value("Label", localised=True),
        "target": Value("Link target", help="An http(s) URL or a path on the site, like /offers."),
        "style": _choice("Style", "primary", "secondary", "outline"),
        "background_image": Group("Background image", _media_ref()),
    },
    "map": {
        "latitude": Value("Latitude", "number", help="-90 to 90."),
        "longitude": Value("Longitude", "number", help="-180 to 180."),
        "zoom": Value("Zoom", "integer", help="1 to 20."),
        "show_directions_link": Value("Show a directions link", "boolean"),
    },
    "policy": {
        "policy_type": Value("Policy", "choice", choices=POLICY_TYPES),
        "effective_date": Value("Effective date", "date"),
        "show_last_updated": Value("Show the last-updated date", "boolean"),
    },
}


def form_schema(kind: str) -> tuple[dict, list[str]]:
    """The kind's fields as inputs (in the validator's order, required as it says) and the names of
    those the form cannot represent (edited as JSON, "advanced")."""
    known = META_FORM.get(kind, {})
    fields, advanced = {}, []
    for name, contract in KIND_FIELDS.get(kind, {}).items():
        if name in known:
            fields[name] = _required(known[name], contract.required)
        else:
            advanced.append(name)
    return fields, advanced


def schema_default(kind: str, name: str):
    """The default the validator fills in for a field, or None (its sentinel is not a JSON value)."""
    default = getattr(KIND_FIELDS.get(kind, {}).get(name), "default", None)
    return default if isinstance(default, (str, int, float, bool, list)) else None


def text_locales(block: ContentBlock) -> set[str]:
    """The locales the block has any text in: its body, and every localised meta field."""
    found = set(block.body) if isinstance(block.body, dict) else set()
    schema, _ = form_schema(block.kind)

    def walk(spec, current):
        if isinstance(spec, Group) and isinstance(current, dict):
            for key, child in spec.fields.items():
                walk(child, current.get(key))
        elif isinstance(spec, Rows) and isinstance(current, list):
            for item in current:
                walk(Group(spec.item_label, spec.item), item)
        elif isinstance(spec, Value) and spec.localised and isinstance(current, dict):
            found.update(current)

    meta = block.meta if isinstance(block.meta, dict) else {}
    for name, spec in schema.items():
        walk(spec, meta.get(name))
    return found


def describe(kind: str, block: ContentBlock, locale: str) -> list[dict]:
    """The block's fields as label → text in `locale` (what read-only pages show)."""
    rows = []
    entry = block.body.get(locale) if isinstance(block.body, dict) else None
    text_label = f"Text in {locale_label(locale)}"
    if isinstance(entry, dict):
        value = entry.get("value")
        rows.append({"label": text_label, "value": value if isinstance(value, str) else json.dumps(
            value, indent=2, ensure_ascii=False), "format": FORMAT_LABELS.get(entry.get("format"), ""), "long": True})
    else:
        rows.append({"label": text_label, "value": None, "localised": True})
    meta = block.meta if isinstance(block.meta, dict) else {}
    schema, advanced = form_schema(kind)

    def walk(spec, label_prefix, current):
        if isinstance(spec, Group):
            if not isinstance(current, dict) or not current:
                return  # an optional object the block does not have
            for key, child in spec.fields.items():
                walk(child, f"{label_prefix}{spec.label}: ", current.get(key))
        elif isinstance(spec, Rows):
            for index, item in enumerate(current if isinstance(current, list) else []):
                walk(Group(f"{spec.item_label} {index + 1}", spec.item), label_prefix, item)
        else:
            if spec.localised:
                shown = current.get(locale) if isinstance(current, dict) else None
                label = f"{spec.label} in {locale_label(locale)}"
            elif isinstance(current, bool):
                shown, label = ("yes" if current else "no"), spec.label
            elif isinstance(current, list):
                shown, label = ", ".join(str(c) for c in current), spec.label
            else:
                shown, label = (None if current is None else str(current)), spec.label
            rows.append({"label": label_prefix + label, "value": shown, "long": spec.type == "long_text",
                         "localised": spec.localised})

    for name, spec in schema.items():
        walk(spec, "", meta.get(name))
    for name in advanced:
        if name in meta:
            rows.append({"label": name, "value": json.dumps(meta[name], ensure_ascii=False)})
    return rows

