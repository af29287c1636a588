"""The content block form (`BlockForm`): a block's visibility, its text and its kind's meta for one
locale, built from the kind's schema (`schema.form_schema`), read back into the whole body and meta
documents for the use case, and a use-case refusal put beside the field its JSON path names.
"""
from __future__ import annotations

import json
import re

from django import forms

from themeconfig.admin.content.schema import FORMAT_LABELS, Group, Rows, Value, form_schema, schema_default
from themeconfig.admin.locales import locale_label
from themeconfig.models import ContentBlock, Visibility
from themeconfig.platform.errors import DomainError
from themeconfig.services.versions import direction_of
from themeconfig.validators.content import BODY_FORMATS

MAX_ROWS = 60  # the longest list a kind allows is 50 items
OMIT = object()  # "leave the member out": the validator fills its default or says it is required


def _label(spec: Value, locale_text: str) -> str:
    label = f"{spec.label} in {locale_text}" if spec.localised else spec.label
    return f"{label} (required)" if spec.required else label


def _form_field(spec: Value, locale_text: str, *, has_default: bool, text_attrs: dict) -> forms.Field:
    common = {"required": False, "label": _label(spec, locale_text), "help_text": spec.help}
    text_attrs = text_attrs if spec.localised else {}
    if spec.type == "long_text":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField", **text_attrs}),
                               **common)
    if spec.type == "url":
        return forms.CharField(widget=forms.URLInput(attrs={"class": "vTextField"}), **common)
    if spec.type == "integer":
        return forms.IntegerField(widget=forms.NumberInput(attrs={"step": "1"}), **common)
    if spec.type == "number":
        return forms.FloatField(widget=forms.NumberInput(attrs={"step": "any"}), **common)
    if spec.type == "boolean":
        return forms.BooleanField(**common)
    if spec.type == "date":
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if spec.type == "choice":
        blank = [] if has_default else [("", "—")]
        return forms.ChoiceField(choices=blank + [(c, c.replace("_", " ")) for c in spec.choices], **common)
    if spec.type == "choices":
        return forms.MultipleChoiceField(choices=[(c, c.replace("_", " ")) for c in spec.choices],
                                         widget=forms.CheckboxSelectMultiple, **common)
    return forms.CharField(widget=forms.TextInput(attrs={"class": "vTextField", **text_attrs}), **common)


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


class BlockForm(forms.Form):
    """A content block's fields for one locale: visibility, the text (body) and the kind's meta.

    `cleaned_data["body"]` and `["meta"]` are the whole documents for the use case: the block's
    current ones with this locale's texts and the form's fields put in, everything else kept.
    """

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    visibility = forms.ChoiceField(choices=Visibility.choices, label="Visibility")
    body_format = forms.ChoiceField(choices=[(f, FORMAT_LABELS[f]) for f in BODY_FORMATS], label="Text format")
    body_value = forms.CharField(required=False, strip=False, label="Text",
                                 widget=forms.Textarea(attrs={"rows": 5, "class": "vLargeTextField"}))

    def __init__(self, data=None, *, kind: str, locale: str, block: ContentBlock | None = None, key: str):
        super().__init__(data, auto_id=f"id_{key}_%s")
        self.kind, self.locale, self.block = kind, locale, block
        self.locale_text = locale_label(locale)
        self.text_attrs = {"lang": locale, "dir": direction_of(locale)}  # the inputs that hold this locale's text
        self.current_meta = dict(block.meta) if block and isinstance(block.meta, dict) else {"kind": kind}
        self.current_body = dict(block.body) if block and isinstance(block.body, dict) else {}
        self.schema, self.advanced_names = form_schema(kind)
        self.row_counts: dict[str, int] = {}
        self.entries: list[dict] = []  # the template's layout: fields and fieldsets, in the schema's order

        self.fields["body_format"].label = f"Text format in {self.locale_text}"
        self.fields["body_value"].label = f"Text in {self.locale_text}"
        self.fields["body_value"].widget.attrs.update(self.text_attrs)
        entry = self.current_body.get(locale)
        if isinstance(entry, dict):
            self.fields["body_format"].initial = entry.get("format")
            value = entry.get("value")
            self.fields["body_value"].initial = value if isinstance(value, str) else json.dumps(
                value, indent=2, ensure_ascii=False)
        else:
            others = [e.get("format") for e in self.current_body.values() if isinstance(e, dict)]
            self.fields["body_format"].initial = others[0] if others else "markdown"
            self.fields["body_value"].help_text = (
                f"No {self.locale_text} text yet: the site falls back along the theme's fallback chain.")
        if block is not None:
            self.fields["expected_version"].initial = block.version
            self.fields["visibility"].initial = block.visibility
        else:
            self.fields["visibility"].initial = Visibility.ALL

        for name, spec in self.schema.items():
            self.entries.append(self._add(spec, f"meta__{name}", self.current_meta.get(name),
                                          has_default=schema_default(kind, name) is not None,
                                          default=schema_default(kind, name) if block is None else None))
        if self.advanced_names:
            self.fields["advanced"] = forms.CharField(
                required=False, label="Other settings (advanced: JSON)",
                widget=forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField tc-json-input"}),
                help_text="Fields this form has no input for yet: " + ", ".join(self.advanced_names) + ".",
                initial=json.dumps({n: self.current_meta[n] for n in self.advanced_names if n in self.current_meta},
                                   indent=2, ensure_ascii=False))
            self.entries.append({"name": "advanced"})

    # Building the fields

    def _add(self, spec, name: str, current, *, has_default: bool = False, default=None) -> dict:
        if isinstance(spec, Group):
            children = [self._add(child, f"{name}__{key}", (current or {}).get(key) if isinstance(current, dict) else None)
                        for key, child in spec.fields.items()]
            if not spec.required and isinstance(current, dict) and current:
                self.fields[f"{name}__remove"] = forms.BooleanField(required=False, label=f"Remove the {spec.label.lower()}")
                children.append({"name": f"{name}__remove"})
            return {"legend": spec.label + (" (required)" if spec.required else " (optional)"), "entries": children,
                    "collapsible": not spec.required}
        if isinstance(spec, Rows):
            items = current if isinstance(current, list) else []
            count = len(items) + 1
            if self.is_bound:
                try:
                    count = max(0, min(int(self.data.get(f"{name}__rows", count)), MAX_ROWS))
                except (TypeError, ValueError):
                    pass
            self.row_counts[name] = count
            self.fields[f"{name}__rows"] = forms.IntegerField(widget=forms.HiddenInput, required=False, initial=count)
            rows = []
            for index in range(count):
                item = items[index] if index < len(items) and isinstance(items[index], dict) else None
                prefix = f"{name}__{index}"
                children = [self._add(child, f"{prefix}__{key}", item.get(key) if item else None)
                            for key, child in spec.item.items()]
                if item is not None:
                    self.fields[f"{prefix}__remove"] = forms.BooleanField(
                        required=False, label=f"Remove {spec.item_label.lower()} {index + 1}")
                    children.append({"name": f"{prefix}__remove"})
                legend = f"{spec.item_label} {index + 1}" if item is not None else f"Add {spec.item_label.lower()}"
                rows.append({"legend": legend, "entries": children, "collapsible": item is None and index > 0})
            return {"legend": spec.label + (" (required)" if spec.required else ""), "entries": rows,
                    "hidden": f"{name}__rows"}
        form_field = _form_field(spec, self.locale_text, has_default=has_default, text_attrs=self.text_attrs)
        form_field.initial = self._initial(spec, current if current is not None else default)
        self.fields[name] = form_field
        return {"name": name}

    def _initial(self, spec: Value, current):
        if spec.localised:
            return current.get(self.locale, "") if isinstance(current, dict) else ""
        if spec.type == "codes":
            return ", ".join(str(c) for c in current) if isinstance(current, list) else ""
        if spec.type == "choices":
            return list(current) if isinstance(current, list) else []
        return current

    @property
    def layout(self) -> list[dict]:
        """The entries with their bound fields, for the template (fields.html walks it)."""
        def bind(entry):
            if "name" in entry:
                field = self[entry["name"]]
                return {"field": field, "filled": bool(field.errors) or field.value() not in (None, "", [], False)}
            children = [bind(e) for e in entry["entries"]]
            # A collapsed group opens when it holds anything (a value, the user's input, an error).
            return {"legend": entry["legend"], "entries": children, "collapsible": entry.get("collapsible", False),
                    "filled": any(c["filled"] for c in children),
                    "hidden": self[entry["hidden"]] if entry.get("hidden") else None}
        return [bind(e) for e in self.entries]

    # Reading the input back into documents

    def clean(self):
        cleaned = super().clean()
        body = dict(self.current_body)
        text, fmt = cleaned.get("body_value") or "", cleaned.get("body_format") or "markdown"
        if not text.strip():
            body.pop(self.locale, None)
        elif fmt == "structured":
            try:
                body[self.locale] = {"format": fmt, "value": json.loads(text)}
            except ValueError as error:
                self.add_error("body_value", f"Not valid JSON: {error}.")
        else:
            body[self.locale] = {"format": fmt, "value": text}
        meta = dict(self.current_meta)
        meta["kind"] = self.kind
        for name, spec in self.schema.items():
            value = self._value(spec, f"meta__{name}", self.current_meta.get(name))
            if value is OMIT:
                meta.pop(name, None)
            else:
                meta[name] = value
        if self.advanced_names:
            try:
                extra = json.loads(cleaned.get("advanced") or "{}")
                if not isinstance(extra, dict):
                    raise ValueError("expected an object of field → value")
            except ValueError as error:
                self.add_error("advanced", f"Not valid JSON: {error}.")
            else:
                for name in self.advanced_names:
                    if name in extra:
                        meta[name] = extra[name]
                    else:
                        meta.pop(name, None)
        cleaned["body"], cleaned["meta"] = body, meta
        return cleaned

    def _value(self, spec, name: str, current):
        data = self.cleaned_data
        if isinstance(spec, Group):
            if data.get(f"{name}__remove"):
                return OMIT
            current = current if isinstance(current, dict) else {}
            result = {k: v for k, v in current.items() if k not in spec.fields}  # members the form does not edit
            for key, child in spec.fields.items():
                value = self._value(child, f"{name}__{key}", current.get(key))
                if value is not OMIT:
                    result[key] = value
            return result or OMIT
        if isinstance(spec, Rows):
            items = current if isinstance(current, list) else []
            result = []
            for index in range(self.row_counts.get(name, 0)):
                if data.get(f"{name}__{index}__remove"):
                    continue
                item = items[index] if index < len(items) else None
                value = self._value(Group(spec.item_label, spec.item), f"{name}__{index}", item)
                if value is not OMIT:
                    result.append(value)
            return result if result or items or spec.required else OMIT
        raw = data.get(name)
        if spec.localised:
            texts = dict(current) if isinstance(current, dict) else {}
            if isinstance(raw, str) and raw.strip():
                texts[self.locale] = raw
            else:
                texts.pop(self.locale, None)
            return texts or OMIT
        if spec.type == "boolean":
            return bool(raw)
        if spec.type == "choices":
            return list(raw or [])
        if spec.type == "codes":
            codes = [code for code in re.split(r"[\s,]+", raw or "") if code]
            return codes if codes or current is not None or spec.required else OMIT
        if spec.type in ("integer", "number"):
            return OMIT if raw is None else raw
        return raw if raw not in (None, "") else OMIT

    # A use case's refusal beside the field its JSON path names

    def field_for(self, path: str) -> tuple[str | None, list[str]]:
        """The form field a use-case error's JSON path names, and what of the path is left over."""
        tokens = [_unescape(t) for t in path.strip("/").split("/")] if path.strip("/") else []
        if not tokens:
            return None, []
        head, rest = tokens[0], tokens[1:]
        if head == "visibility":
            return "visibility", rest
        if head == "body":
            if rest[:1] == [self.locale]:
                rest = rest[1:]
                if rest[:1] == ["format"]:
                    return "body_format", rest[1:]
                return "body_value", rest[1:] if rest[:1] == ["value"] else rest
            return "body_value", rest
        if head == "meta" and rest:
            for cut in range(len(rest), 0, -1):
                name = "meta__" + "__".join(rest[:cut])
                left = rest[cut:]
                if name in self.fields and not name.endswith("__rows"):
                    return name, [] if left == [self.locale] else left
                inside = next((n for n in self.fields if n.startswith(name + "__") and not n.endswith("__rows")), None)
                if inside is not None and cut == len(rest):
                    return inside, []
            if rest[0] in self.advanced_names:
                return "advanced", rest
        return None, tokens

    def add_refusal(self, error: DomainError) -> None:
        if not error.errors:
            self.add_error(None, error.message)
        for field_error in error.errors:
            name, rest = self.field_for(field_error.path)
            where = "/".join(rest)
            self.add_error(name, f"{where}: {field_error.message}" if where else field_error.message)

    def keep_their_version(self, current_version) -> None:
        """After a conflict, saving again deliberately overwrites the newer save."""
        data = self.data.copy()
        data["expected_version"] = str(current_version)
        self.data = data

