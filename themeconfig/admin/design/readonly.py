"""The read-only drawings of a version's design: the editors without inputs, the colours, and the other token groups."""
from __future__ import annotations

import json
from collections.abc import Mapping

from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from themeconfig.admin.design.common import EDITED_TOKEN_GROUPS, as_mapping, value_text
from themeconfig.admin.design.layout import LayoutPresetsWidget, PresetChoice
from themeconfig.admin.design.scales import Scale, ScaleWidget
from themeconfig.admin.design.typography import TypographyWidget
from themeconfig.admin.token_editor import format_ratio, ordered_names
from themeconfig.validators.contrast import check_pairs
from themeconfig.validators.tokens import REQUIRED_COLORS, parse_color


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
