"""What the design editors share: the media, the form-field separator, value helpers, and the widget base."""
from __future__ import annotations

import json
import math
from collections.abc import Mapping

from django import forms

from themeconfig.validators.tokens import format_number

SEPARATOR = "__"
DESIGN_MEDIA = forms.Media(css={"all": ["themeconfig/admin/design.css"]}, js=["themeconfig/admin/design.js"])
# The groups the editors of this package and the colour editor draw; any other stays read-only JSON.
EDITED_TOKEN_GROUPS = ("color", "typography", "spacing", "radius")


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


def css_declarations(css: Mapping[str, str]) -> str:
    """`--a: 1px; --b: 2px` for a style attribute (names and values were checked by the callers)."""
    return "; ".join(f"{name}: {value}" for name, value in css.items())


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
