"""The typography editor (`tokens.typography`): font families, the type scales, and a sample in them."""
from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError

from themeconfig.admin.design.common import SEPARATOR, DesignWidget, as_mapping, css_declarations, value_text
from themeconfig.admin.design.scales import TYPE_SCALES, ScaleInput, clean_scale, scale_context
from themeconfig.validators.tokens import FONT_NAME_RE, GENERIC_FAMILIES, REQUIRED_FAMILIES, TOKEN_NAME_RE


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
