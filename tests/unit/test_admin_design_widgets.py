"""The design editors of a version's page (themeconfig/admin/design/): what the widgets draw and post, what
the fields clean it to, where a refusal's JSON path lands, and that hostile names and values stay text."""
from __future__ import annotations

from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django import forms

from tests.unit.themeconfig.validators.samples import valid_tokens
from themeconfig.admin import design
from themeconfig.admin.common import add_refusal_errors
from themeconfig.admin.design import (
    RADIUS,
    SPACING,
    LayoutInput,
    LayoutSelectionsField,
    PresetChoice,
    ScaleField,
    ScaleInput,
    TypographyField,
    selections_from_input,
)
from themeconfig.admin.versions import problem_anchor
from themeconfig.platform.errors import FieldError, validation_error
from themeconfig.validators.tokens import validate_design_tokens

HOSTILE = '"><script>alert(1)</script>'
PRESETS = [
    PresetChoice("home.hero-split", "home", ("media-end", "media-start")),
    PresetChoice("home.editorial", "home", ("two-column", "single-column")),
    PresetChoice("home.classic-carousel", "home", ("dots",), supports_rtl=False, is_active=False),
    PresetChoice("search.grid", "search", ("three-up", "two-up")),
]


class Controls(HTMLParser):
    """The form controls of some HTML, as a browser would post them, and every style attribute."""

    def __init__(self, html: str):
        super().__init__()
        self.data: dict[str, str] = {}
        self.inputs: list[dict] = []
        self.styles: list[str] = []
        self._select: str | None = None
        self._first_option: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.styles.append(attrs["style"])
        if tag == "input":
            self.inputs.append(attrs)
            if attrs.get("type") in ("radio", "checkbox") and "checked" not in attrs:
                return
            if "name" in attrs:
                self.data[attrs["name"]] = attrs.get("value") or ""
        elif tag == "select":
            self._select, self._first_option = attrs.get("name"), None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = attrs.get("value", "")
                self.data.setdefault(self._select, self._first_option)
            if "selected" in attrs:
                self.data[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def normalized() -> dict:
    return validate_design_tokens(valid_tokens())


class DesignForm(forms.Form):
    typography = TypographyField(required=False)
    spacing = ScaleField(SPACING, required=False)
    radius = ScaleField(RADIUS, required=False)
    layout = LayoutSelectionsField(required=False)


# --- scales -------------------------------------------------------------------------------------------------

def test_scale_widget__saved_steps__smallest_first_each_drawn_by_its_custom_property():
    html = design.ScaleWidget(SPACING, attrs={"id": "tokens-spacing"}).render(
        "spacing", {"xl": "40px", "none": "0px", "md": "1rem", "xs": "4px"})
    controls = Controls(html)
    assert [i["name"] for i in controls.inputs if i["name"].startswith("spacing__")] == [
        "spacing__none", "spacing__xs", "spacing__md", "spacing__xl"]
    assert "--spacing-md: 1rem; --spacing-xl: 40px" in controls.styles[0]
    assert "width: var(--spacing-md)" in controls.styles
    assert "spacing_new__name" in controls.data and controls.data["spacing_new__value"] == ""
    assert 'for="tokens-spacing__0"' in html and "(required)" in html  # xs is required


def test_scale_widget__hostile_name_and_value__escaped_and_kept_out_of_css():
    html = design.ScaleWidget(RADIUS).render("radius", ScaleInput(rows=((HOSTILE, "4px"), ("md", "8px;background:url(x)"))))
    assert "<script>" not in html and "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    controls = Controls(html)
    assert controls.data["radius__md"] == "8px;background:url(x)"  # the input is kept as typed…
    assert not any("url(" in style or "script" in style for style in controls.styles)  # …but never reaches CSS
    assert not any(HOSTILE in style for style in controls.styles)


def test_scale_widget__readonly__values_as_text_no_inputs():
    html = design.scale_readonly(SPACING, normalized()["spacing"])
    assert "<input" not in html and "<select" not in html
    assert 'id="tokens-spacing"' in html and ">1rem<" in html and "width: var(--spacing-md)" in html


def test_scale_field__posted_rows__steps_in_the_contracts_shape():
    form = DesignForm(data={"spacing__xs": " 4px ", "spacing__sm": "", "spacing_new__name": "xxl",
                            "spacing_new__value": "64px", "radius__md": "8px"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["spacing"] == {"xs": "4px", "xxl": "64px"}  # an emptied step is left out
    assert form.cleaned_data["radius"] == {"md": "8px"}
    assert form.cleaned_data["typography"] is None and form.cleaned_data["layout"] is None  # not sent: left alone


@pytest.mark.parametrize(("data", "message"), [
    ({"spacing_new__value": "4px"}, "New step: give it a name, e.g. xxl."),
    ({"spacing_new__name": "xxl"}, "xxl: give the new step a value."),
    ({"spacing__md": "8px", "spacing_new__name": "md", "spacing_new__value": "9px"},
     "md: there is a step of that name already; change its row."),
])
def test_scale_field__incomplete_new_step__error_names_it(data, message):
    form = DesignForm(data=data)
    assert not form.is_valid() and form.errors["spacing"] == [message]


def test_scale_field__unchanged__not_changed():
    field = ScaleField(SPACING)
    saved = normalized()["spacing"]
    assert not field.has_changed(saved, ScaleInput.from_tokens(saved))
    assert field.has_changed(saved, ScaleInput(rows=(("xs", "5px"),)))
    assert not field.has_changed(saved, None)


# --- typography -----------------------------------------------------------------------------------------------

def test_typography_widget__saved_tokens_posted_back_unchanged__clean_to_the_same_tokens():
    typography = normalized()["typography"]
    html = design.TypographyWidget().render("typography", typography)
    posted = Controls(html).data
    value = design.TypographyWidget().value_from_datadict(posted, {}, "typography")
    assert TypographyField().clean(value) == typography
    assert not TypographyField().has_changed(typography, value)


def test_typography_widget__sample_styled_by_the_bundles_custom_properties():
    html = design.TypographyWidget(attrs={"id": "tokens-typography"}).render("typography", normalized()["typography"])
    root = Controls(html).styles[0]
    assert '--font-family-body: "Inter", "Helvetica Neue", sans-serif' in root
    assert '--font-family-heading: "Playfair Display", serif' in root
    assert "--font-size-md: 1rem" in root and "--font-weight-bold: 700" in root and "--line-height-tight: 1.2" in root
    assert 'class="design-sample__body"' in html and 'class="design-sample__h1"' in html
    assert "url(" not in html and "@font-face" not in html  # no font is fetched
    # Sizes smallest first, so the scale reads as a scale.
    names = [i["name"] for i in Controls(html).inputs if i["name"].startswith("typography__sizes__")]
    assert names == ["typography__sizes__sm", "typography__sizes__md", "typography__sizes__lg", "typography__sizes__xl"]


def test_typography_widget__hostile_fonts_and_family_names__escaped_and_not_in_css():
    typography = {"families": {HOSTILE: {"stack": ["x"], "fallback": "serif"},
                               "body": {"stack": ['Inter"; } body { color: red', "Arial"], "fallback": HOSTILE}},
                  "sizes": {"md": "16px"}, "weights": {}, "line_heights": {}}
    html = design.TypographyWidget().render("typography", typography)
    assert "<script>" not in html
    controls = Controls(html)
    assert controls.data["typography__family__body"] == 'Inter"; } body { color: red, Arial'  # kept, as text
    assert controls.data["typography__fallback__body"] == HOSTILE  # shown as the current (invalid) choice
    assert '--font-family-body: "Arial"' in controls.styles[0]  # only the name the contract accepts
    assert not any("red" in style or "script" in style for style in controls.styles)


def test_typography_field__new_family_and_numbers__cleaned_for_the_contract():
    data = {"typography__family__body": "Inter, Arial", "typography__fallback__body": "sans-serif",
            "typography__family_new__name": "heading", "typography__family_new__stack": "Georgia",
            "typography__family_new__fallback": "serif", "typography__sizes__md": "16px",
            "typography__weights__bold": "700", "typography__line_heights__normal": "1.5"}
    form = DesignForm(data=data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["typography"] == {
        "families": {"body": {"stack": ["Inter", "Arial"], "fallback": "sans-serif"},
                     "heading": {"stack": ["Georgia"], "fallback": "serif"}},
        "sizes": {"md": "16px"}, "weights": {"bold": 700}, "line_heights": {"normal": 1.5}}


def test_typography_field__weight_not_a_number__error_names_the_step():
    form = DesignForm(data={"typography__family__body": "Inter", "typography__weights__bold": "heavy"})
    assert not form.is_valid() and form.errors["typography"] == ["bold: 'heavy' is not a number."]


def test_typography_widget__readonly__no_inputs_sample_kept():
    html = design.typography_readonly(normalized()["typography"])
    assert "<input" not in html and "<select" not in html
    assert "Playfair Display" in html and 'class="design-sample__body"' in html and "--font-size-md: 1rem" in html


# --- layout presets -------------------------------------------------------------------------------------------

def layout_widget(current, *, readonly=False, direction="ltr"):
    widget = design.LayoutPresetsWidget(attrs={"id": "layout_selections"}, readonly=readonly, presets=PRESETS,
                                        direction=direction)
    widget.current = current
    return widget


def test_layout_widget__presets_of_each_surface_as_radios_labelled_by_thumbnail_and_name():
    current = {"home": {"preset": "home.editorial", "variant": "single-column", "options": {}}}
    html = layout_widget(current).render("layout", current)
    controls = Controls(html)
    home = [i for i in controls.inputs if i.get("name") == "layout__home__preset"]
    assert [i["value"] for i in home] == ["", "home.hero-split", "home.editorial"]  # the retired one is not offered
    assert controls.data["layout__home__preset"] == "home.editorial"
    assert controls.data["layout__home__variant__home.editorial"] == "single-column"
    assert controls.data["layout__search__preset"] == ""  # no selection: the built-in layout
    assert 'src="/static/themeconfig/layout-presets/home.editorial.svg" alt=""' in html  # the registry's wireframe
    assert ">Editorial</span>" in html and 'id="layout_selections-search"' in html
    assert "Variant<span class=\"design-visually-hidden\"> of Editorial</span>" in html


def test_layout_widget__retired_or_unknown_current_choice__shown_checked_with_a_note():
    current = {"home": {"preset": "home.classic-carousel", "variant": "dots"},
               "search": {"preset": "search.gone", "variant": "x"}}
    html = layout_widget(current, direction="rtl").render("layout", current)
    controls = Controls(html)
    assert controls.data["layout__home__preset"] == "home.classic-carousel"
    assert controls.data["layout__search__preset"] == "search.gone"
    assert "(retired)" in html and "(left-to-right only)" in html and "(not in the preset registry)" in html


def test_layout_widget__hostile_key_and_variant__escaped_in_label_svg_and_select():
    hostile = PresetChoice(f"home.{HOSTILE}", "home", (HOSTILE,))
    widget = design.LayoutPresetsWidget(presets=[hostile])
    html = widget.render("layout", {"home": {"preset": hostile.key, "variant": HOSTILE}})
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<title>home.&quot;&gt;&lt;script&gt;" in html  # the drawn schematic's tooltip, escaped
    controls = Controls(html)
    assert controls.data["layout__home__preset"] == hostile.key
    assert controls.data[f"layout__home__variant__{hostile.key}"] == HOSTILE


def test_preset_schematic__no_wireframe_here__svg_from_the_surface_key_escaped():
    svg = design.preset_thumbnail(PresetChoice("custom.<b>new</b>", "custom", ()))
    assert svg.startswith("<svg") and 'aria-hidden="true"' in svg and "<b>" not in svg and "&lt;b&gt;" in svg
    assert design.static_thumbnail_url("../../settings") is None


def test_layout_widget__readonly__the_chosen_preset_and_variant_no_inputs():
    current = {"home": {"preset": "home.hero-split", "variant": "media-start", "options": {"badge": True}}}
    html = design.layout_readonly(current, PRESETS, direction="ltr")
    assert "<input" not in html and "<select" not in html
    assert "Hero split" in html and "Variant: media-start" in html and "Editorial" not in html
    assert "&quot;badge&quot;: true" in html and "Built-in layout" in html  # the other surfaces


def test_selections_from_input__surfaces_posted_or_kept_options_follow_their_preset():
    current = {"home": {"preset": "home.hero-split", "variant": "media-end", "options": {"a": 1}},
               "detail": {"preset": "detail.stacked", "variant": "compact", "options": {"b": 2}},
               "search": {"preset": "search.grid", "variant": "two-up", "options": {}},
               "junk": {"preset": "x"}}
    posted = LayoutInput({"home": ("home.hero-split", "media-start"), "detail": ("detail.gallery-left", None),
                          "search": ("", None)})
    assert selections_from_input(posted, current) == {
        "home": {"preset": "home.hero-split", "variant": "media-start", "options": {"a": 1}},
        "detail": {"preset": "detail.gallery-left"},  # another preset: its default variant, no options
        "junk": {"preset": "x"},  # never dropped unseen: the contract refuses it
    }
    assert selections_from_input(LayoutInput({}), current) == current


def test_layout_field__posted_choice__cleaned_from_the_current_selections():
    form = DesignForm(data={"layout__home__preset": "home.editorial",
                            "layout__home__variant__home.editorial": "two-column",
                            "layout__home__variant__home.hero-split": "media-start"})
    form.fields["layout"].set_presets(PRESETS, current={"custom": {"preset": "custom.faq"}}, direction="ltr")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["layout"] == {"home": {"preset": "home.editorial", "variant": "two-column"},
                                           "custom": {"preset": "custom.faq"}}


# --- read-only colours and the other tokens ---------------------------------------------------------------

def test_colors_readonly__swatches_of_valid_colours_only_and_the_contrast_as_text():
    html = design.colors_readonly({"primary": "#0b5fff", "on_primary": "#ffffff", "background": "white",
                                   "surface": "red;background:url(x)", "text": HOSTILE})
    styles = Controls(html).styles
    assert "background-color: #0b5fff" in styles and not any("url(" in s or "script" in s for s in styles)
    assert "<script>" not in html and "&lt;script&gt;" in html and 'id="tokens-color"' in html
    assert ">PASS<" in html  # on_primary on primary
    assert "<input" not in html


def test_other_tokens_readonly__groups_without_editor__each_anchored_hostile_escaped():
    tokens = {**normalized(), "extra": HOSTILE}
    html = design.other_tokens_readonly(tokens)
    assert 'id="tokens"' in html and 'id="tokens-shadow"' in html and 'id="tokens-motion"' in html
    assert 'id="tokens-direction"' in html and 'id="tokens-extra"' in html
    assert 'id="tokens-color"' not in html and 'id="tokens-typography"' not in html
    assert "<script>" not in html


# --- refusals by JSON path ------------------------------------------------------------------------------------

class VersionDesignForm(DesignForm):
    colors = forms.CharField(required=False)
    release_notes = forms.CharField(required=False)


def test_add_refusal_errors__token_and_layout_paths__beside_their_editor_step_outlined():
    form = VersionDesignForm(data={"typography__sizes__md": "2px", "spacing__sm": "-4px"})
    form.is_valid()
    add_refusal_errors(form, validation_error([
        FieldError("/tokens/typography/sizes/md", "out_of_range", "2px is outside 8..160px."),
        FieldError("/tokens/spacing/sm", "out_of_range", "-4px is outside 0..512px."),
        FieldError("/tokens/radius", "required", "'radius' is required."),
        FieldError("/tokens/color/primary", "invalid_color", "not a colour"),
        FieldError("/layout_selections/home/preset", "unknown_preset", "There is no layout preset 'x'."),
        FieldError("/tokens/shadow/card/blur", "out_of_range", "too blurry"),
        FieldError("/release_notes", "invalid", "too long"),
    ]))
    assert form.errors["typography"] == ["sizes/md: 2px is outside 8..160px."]
    assert form.errors["spacing"] == ["sm: -4px is outside 0..512px."]
    assert form.errors["radius"] == ["'radius' is required."]
    assert form.errors["colors"] == ["primary: not a colour"]
    assert form.errors["layout"] == ["home/preset: There is no layout preset 'x'."]
    assert form.errors["__all__"] == ["tokens/shadow/card/blur: too blurry"]  # no editor: a form error
    assert form.errors["release_notes"] == ["too long"]
    assert form.fields["spacing"].widget.invalid == {"sm"}
    html = form["spacing"].as_widget()
    assert 'aria-invalid="true"' in html and "design-row--invalid" in html
    assert 'class="design-surface design-surface--invalid" id="layout_selections-home"' in form["layout"].as_widget()
    # Widgets are copied per form: another form's editor is not outlined.
    assert DesignForm().fields["spacing"].widget.invalid == frozenset()


def test_problem_anchor__design_paths__the_editor_or_surface_they_name():
    version = SimpleNamespace(tokens={"color": {}, "shadow": {}}, layout_selections={})
    assert problem_anchor("/tokens/typography/sizes/md", version, "/theme/") == "#tokens-typography"
    assert problem_anchor("/tokens/spacing/sm", version, "/theme/") == "#tokens-spacing"
    assert problem_anchor("/tokens/radius", version, "/theme/") == "#tokens-radius"
    assert problem_anchor("/tokens/shadow/card", version, "/theme/") == "#tokens-shadow"
    assert problem_anchor("/tokens/motion", version, "/theme/") == "#tokens"  # missing: the other tokens' block
    assert problem_anchor("/layout_selections/search/preset", version, "/theme/") == "#layout_selections-search"
    assert problem_anchor("/layout_selections/elsewhere", version, "/theme/") == "#layout_selections"
    assert problem_anchor("/theme/default_locale", version, "/theme/") == "/theme/"
