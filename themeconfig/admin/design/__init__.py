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

The package: `common` (the media, the separator of posted names, value helpers, `DesignWidget`),
`scales` (`Scale`, `ScaleField`), `typography` (`TypographyField`), `layout` (`LayoutSelectionsField`,
`PresetChoice`, the thumbnails) and `readonly` (the read-only drawings). The names other modules use
are re-exported here (`from themeconfig.admin import design`; `design.ScaleField`…).
"""
from themeconfig.admin.design.common import DESIGN_MEDIA, EDITED_TOKEN_GROUPS, as_mapping
from themeconfig.admin.design.layout import (
    LayoutInput,
    LayoutPresetsWidget,
    LayoutSelectionsField,
    PresetChoice,
    preset_choices,
    preset_schematic,
    preset_thumbnail,
    selections_from_input,
    static_thumbnail_url,
)
from themeconfig.admin.design.readonly import (
    colors_readonly,
    layout_readonly,
    other_tokens_readonly,
    scale_readonly,
    typography_readonly,
)
from themeconfig.admin.design.scales import (
    LINE_HEIGHTS,
    RADIUS,
    SIZES,
    SPACING,
    WEIGHTS,
    Scale,
    ScaleField,
    ScaleInput,
    ScaleWidget,
)
from themeconfig.admin.design.typography import TypographyField, TypographyInput, TypographyWidget

__all__ = [
    "DESIGN_MEDIA", "EDITED_TOKEN_GROUPS", "LINE_HEIGHTS", "RADIUS", "SIZES", "SPACING", "WEIGHTS",
    "LayoutInput", "LayoutPresetsWidget", "LayoutSelectionsField", "PresetChoice", "Scale", "ScaleField",
    "ScaleInput", "ScaleWidget", "TypographyField", "TypographyInput", "TypographyWidget", "as_mapping",
    "colors_readonly", "layout_readonly", "other_tokens_readonly", "preset_choices", "preset_schematic",
    "preset_thumbnail", "scale_readonly", "selections_from_input", "static_thumbnail_url", "typography_readonly",
]
