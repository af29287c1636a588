"""The version's content page (tab "Content"): its content blocks per surface, each a card in ordinal
order with its kind, visibility and its text in the locale whose tab is open.

Editors get a form per block built from the kind's meta schema (`validators.content.KIND_FIELDS`):
one input per field, the localised ones for the open locale only (the other locales' texts are kept
as they are), and a JSON textarea marked "advanced" only for fields this form does not know. They
add a block (surface, then kind), delete one (after a confirmation) and reorder a surface by drag and
drop (content-blocks.js posts the surface's new order with the version the page was loaded at) or
with Move up / Move down, which work without a script. Every change is a POST through a
version_children use case; a refusal shows beside the field its JSON path names, the input kept, and
a stale save says who changed the block or version, and when. Viewers, published and archived
versions and the versions of a deleted theme get the same page without forms or buttons.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.utils.http import urlencode

from themeconfig import services
from themeconfig.admin import workspace
from themeconfig.admin.base import can, domain_error_text, principal_of
from themeconfig.admin.locales import locale_label, theme_locales
from themeconfig.admin.themes import EDITABLE_VERSIONS, actor_label, status_badge, when_label
from themeconfig.errors import ThemeErrorCode
from themeconfig.models import ContentBlock, ContentSurface, ThemeVersion, Visibility
from themeconfig.platform.errors import DomainError
from themeconfig.platform.permissions import Permission
from themeconfig.selectors.themes import content_block_list
from themeconfig.services.versions import direction_of
from themeconfig.validators.content import (
    AMENITY_CODES,
    BODY_FORMATS,
    KIND_FIELDS,
    LINK_FIELDS,
    MEDIA_REF_FIELDS,
    POLICY_TYPES,
)

SLUG = "content"
MEDIA = forms.Media(css={"all": ["themeconfig/admin/content-blocks.css"]}, js=["themeconfig/admin/content-blocks.js"])
KIND_LABELS = {"hero": "Hero", "rich_text": "Rich text", "image_gallery": "Image gallery", "amenities": "Amenities",
               "room_highlights": "Room highlights", "testimonials": "Testimonials", "faq": "FAQ",
               "cta_banner": "Call-to-action banner", "map": "Map", "policy": "Policy"}
FORMAT_LABELS = {"markdown": "Markdown", "html": "HTML", "structured": "Structured (advanced: JSON)"}
MAX_ROWS = 60  # the longest list a kind allows is 50 items


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


# --- the form's view of each kind's meta schema -------------------------------------------------------

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


# --- the block form -----------------------------------------------------------------------------------

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


# --- the page -----------------------------------------------------------------------------------------

def can_edit(request, version: ThemeVersion) -> bool:
    return (can(request, Permission.THEMES_EDIT) and version.status in EDITABLE_VERSIONS
            and version.theme.deleted_at is None)


@dataclass
class View:
    """Which surface and locale the page shows, and the one-off states (add, confirm delete)."""
    surface: str
    locale: str
    add_kind: str | None = None
    confirm_delete: str | None = None

    @classmethod
    def of(cls, request, version: ThemeVersion, params) -> View:
        locales = theme_locales(version.theme)
        surface = params.get("surface")
        if surface not in ContentSurface.values:
            used = list(content_block_list(version_id=version.pk).order_by("surface").values_list("surface", flat=True))
            surface = next((s for s in ContentSurface.values if s in used), ContentSurface.HOME)
        locale = params.get("locale")
        add = params.get("add")
        return cls(surface=surface, locale=locale if locale in locales else locales[0],
                   add_kind=add if add in KIND_FIELDS else None, confirm_delete=params.get("delete") or None)

    def query(self, **changes) -> str:
        values = {"surface": self.surface, "locale": self.locale, **changes}
        return "?" + urlencode({k: v for k, v in values.items() if v})


def page_url(model_admin, version) -> str:
    return workspace.page_url(model_admin.admin_site.name, "version", SLUG, version.pk)


def conflict_text(what: str, current, *, input_kept: bool) -> str:
    if current is None:
        return f"Someone else changed this {what} after you loaded the page."
    text = (f"{actor_label(current.updated_by)} changed this {what} at {when_label(current.updated_at)} "
            f"(now version {current.version}), after you loaded the page.")
    if input_kept:
        return text + " Your input is kept below. Save again to overwrite their change, or reload to start from it."
    return text + " Nothing was changed: the page now shows their version; try again."


@workspace.workspace_page("version", SLUG, "Content", order=20)
def content_page(model_admin, request, version):
    if request.method == "POST":
        if not can(request, Permission.THEMES_EDIT):
            raise PermissionDenied
        return _post(model_admin, request, version)
    return _render(model_admin, request, version, View.of(request, version, request.GET))


def _block_of(version, block_id: str) -> ContentBlock | None:
    found = content_block_list(version_id=version.pk).filter(pk=block_id).first() if block_id else None
    return found


def _post(model_admin, request, version):
    view = View.of(request, version, request.POST)
    action = request.POST.get("action")
    back = HttpResponseRedirect(page_url(model_admin, version) + view.query())
    if not can_edit(request, version):  # the use cases refuse it too (published, archived, deleted theme)
        messages.error(request, _read_only_reason(request, version))
        return back
    principal = principal_of(request)
    if action == "reorder":
        ids = request.POST.getlist("block_ids")
        try:
            services.content_blocks_reorder(principal=principal, version_id=version.pk, surface=view.surface,
                                            block_ids=ids, expected_version=_int(request.POST.get("expected_version")))
        except DomainError as error:
            _refused_message(request, error, "version", ThemeVersion.objects.filter(pk=version.pk).first())
            return back
        messages.success(request, f"The order of the {ContentSurface(view.surface).label} blocks is saved.")
        return back
    if action == "create":
        kind = request.POST.get("kind", "")
        form = BlockForm(request.POST, kind=kind, locale=view.locale, key="new") if kind in KIND_FIELDS else None
        if form is None:
            messages.error(request, "Choose a kind of block to add.")
            return back
        if form.is_valid():
            try:
                block = services.content_block_create(
                    principal=principal, version_id=version.pk, surface=view.surface, kind=kind,
                    body=form.cleaned_data["body"], meta=form.cleaned_data["meta"],
                    visibility=form.cleaned_data["visibility"])
            except DomainError as error:
                if error.http_status == 403:
                    raise PermissionDenied from error
                form.add_refusal(error)
            else:
                messages.success(request, f"{kind_label(kind)} block added to {ContentSurface(view.surface).label}.")
                return HttpResponseRedirect(page_url(model_admin, version) + view.query() + f"#block-{block.pk}")
        view.add_kind = kind
        return _render(model_admin, request, version, view, new_form=form)

    block = _block_of(version, request.POST.get("block_id", ""))
    if block is None:
        messages.error(request, "That block is not on this version any more.")
        return back
    expected = _int(request.POST.get("expected_version"))
    anchor = f"#block-{block.pk}"
    try:
        if action == "save":
            form = BlockForm(request.POST, kind=block.kind, locale=view.locale, block=block, key=block.pk)
            if not form.is_valid():
                return _render(model_admin, request, version, view, bound={block.pk: form})
            try:
                services.content_block_update(
                    principal=principal, block_id=block.pk, expected_version=form.cleaned_data["expected_version"],
                    body=form.cleaned_data["body"], meta=form.cleaned_data["meta"],
                    visibility=form.cleaned_data["visibility"])
            except DomainError as error:
                if error.http_status in (403, 404):
                    raise
                if error.code == ThemeErrorCode.VERSION_CONFLICT:
                    form.add_error(None, conflict_text("block", block, input_kept=True))
                    form.keep_their_version(error.extra.get("current_version", block.version))
                else:
                    form.add_refusal(error)
                return _render(model_admin, request, version, view, bound={block.pk: form})
            messages.success(request, f"{kind_label(block.kind)} block {block.ordinal + 1} saved.")
        elif action == "delete":
            services.content_block_delete(principal=principal, block_id=block.pk, expected_version=expected)
            messages.success(request, f"{kind_label(block.kind)} block {block.ordinal + 1} deleted.")
            anchor = ""
        elif action == "move":
            step = -1 if request.POST.get("direction") == "up" else 1
            target = block.ordinal + step
            if target < 0 or target >= content_block_list(version_id=version.pk, surface=block.surface).count():
                return HttpResponseRedirect(page_url(model_admin, version) + view.query() + anchor)
            moved = services.content_block_move(principal=principal, block_id=block.pk, expected_version=expected,
                                                ordinal=target)
            messages.success(request, f"{kind_label(block.kind)} block moved to position {moved.ordinal + 1}.")
        else:
            messages.error(request, "Unknown action.")
    except DomainError as error:
        if error.http_status == 403:
            raise PermissionDenied from error
        _refused_message(request, error, "block", ContentBlock.objects.filter(pk=block.pk).first())
    return HttpResponseRedirect(page_url(model_admin, version) + view.query() + anchor)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _refused_message(request, error: DomainError, what: str, current) -> None:
    if error.code == ThemeErrorCode.VERSION_CONFLICT:
        messages.error(request, conflict_text(what, current, input_kept=False))
    else:
        messages.error(request, domain_error_text(error))


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


def _render(model_admin, request, version, view: View, *, bound: dict | None = None, new_form: BlockForm | None = None):
    theme = version.theme
    editable = can_edit(request, version)
    blocks = list(content_block_list(version_id=version.pk).order_by("surface", "ordinal"))
    counts = {s: 0 for s in ContentSurface.values}
    for block in blocks:
        counts[block.surface] = counts.get(block.surface, 0) + 1
    shown = [b for b in blocks if b.surface == view.surface]
    cards = []
    for index, block in enumerate(shown):
        card = {
            "block": block, "kind_label": kind_label(block.kind), "position": index + 1,
            "visibility": block.get_visibility_display(),
            "locales": [code for code in theme_locales(theme) if code in text_locales(block)],
            "first": index == 0, "last": index == len(shown) - 1,
            "confirm_delete": editable and view.confirm_delete == block.pk,
            "delete_url": view.query(delete=block.pk) + f"#block-{block.pk}",
        }
        if editable:
            card["form"] = (bound or {}).get(block.pk) or BlockForm(kind=block.kind, locale=view.locale, block=block,
                                                                    key=block.pk)
        else:
            card["rows"] = describe(block.kind, block, view.locale)
        cards.append(card)
    if editable and view.add_kind and new_form is None:
        new_form = BlockForm(kind=view.add_kind, locale=view.locale, key="new")
    surface_label = ContentSurface(view.surface).label
    context = {
        "media": model_admin.media + MEDIA,
        "editable": editable,
        "read_only_reason": _read_only_reason(request, version),
        "version_status": status_badge(version.status, version.get_status_display()),
        "view": view,
        "surface_label": surface_label,
        "surface_tabs": [{"label": label, "count": counts.get(value, 0), "current": value == view.surface,
                          "url": view.query(surface=value)} for value, label in ContentSurface.choices],
        "locale_tabs": [{"label": locale_label(code), "current": code == view.locale, "url": view.query(locale=code),
                         "default": code == theme.default_locale} for code in theme_locales(theme)],
        "locale_text": locale_label(view.locale),
        "cards": cards,
        "new_form": new_form if editable else None,
        "new_kind_label": kind_label(view.add_kind) if view.add_kind else "",
        "kinds": [(kind, kind_label(kind)) for kind in KIND_FIELDS],
        "surfaces": ContentSurface.choices,
        "cancel_url": view.query(),
    }
    return workspace.render_workspace_page(model_admin, request, version, slug=SLUG,
                                           template="admin/themeconfig/content/page.html", context=context,
                                           title=f"Content: {theme.name}, version {version.ordinal}")


def _read_only_reason(request, version) -> str:
    if version.theme.deleted_at is not None:
        return "The theme is deleted: its versions are read-only."
    if version.status not in EDITABLE_VERSIONS:
        return (f"Version {version.ordinal} is {version.get_status_display().lower()}: it never changes. "
                "Create a new draft from it to edit its content.")
    if not can(request, Permission.THEMES_EDIT):
        return "Your role can read this version's content but not change it."
    return ""
