"""Brand kits (seed 001 BrandKit, adapted): their colours, fonts, logos and style preferences, and
the design-token set a new theme starts from.

colors: [{name, value (CSS colour), role?}]  1..64 items; names unique; each role at most once.
        roles: primary, secondary, accent, background, surface, text, neutral.
fonts:  [{name, family, role?, url?}]  ≤ 16; roles: body, heading, display, mono; url https only.
logos:  [{name, url (https), format, variant?}]  ≤ 16; formats svg/png/webp/jpg; variants
        light, dark, mark.
style_preferences: {key: short text}  ≤ 20 keys (tone, industry, …), free-form hints for AI drafts.
"""
from __future__ import annotations

from typing import Any

from coloraide import Color

from .issues import INVALID, IssueCollector, child_path
from .issues import ISSUE_CODES as SHAPE_CODES
from .navigation import check_url
from .tokens import TOKEN_NAME_RE, check_color, check_font_name, parse_color, validate_design_tokens

ISSUE_CODES: tuple[str, ...] = tuple(
    sorted(
        {
            *SHAPE_CODES,
            "disallowed_scheme",
            "duplicate_name",
            "duplicate_role",
            "invalid_color",
            "invalid_font_family",
            "invalid_url",
            "unsafe_url",
        }
    )
)

COLOR_ROLES = ("primary", "secondary", "accent", "background", "surface", "text", "neutral")
FONT_ROLES = ("body", "heading", "display", "mono")
LOGO_FORMATS = ("svg", "png", "webp", "jpg")
LOGO_VARIANTS = ("light", "dark", "mark")
MAX_COLORS = 64
MAX_FONTS = 16
MAX_LOGOS = 16
MAX_PREFERENCES = 20
WCAG_AA = 4.5


def validate_brand_kit(
    *, colors: Any, fonts: Any, logos: Any = None, style_preferences: Any = None
) -> tuple[list, list, list | None, dict | None]:
    """The four JSONB columns of a brand kit; issue paths start /colors, /fonts, /logos, /style_preferences."""
    issues = IssueCollector(ISSUE_CODES)
    out_colors = _items(
        colors, "/colors", issues, max_items=MAX_COLORS, min_items=1, roles=COLOR_ROLES,
        check=lambda item, path: _color(item, path, issues),
    )
    out_fonts = _items(
        fonts, "/fonts", issues, max_items=MAX_FONTS, min_items=0, roles=FONT_ROLES,
        check=lambda item, path: _font(item, path, issues),
    )
    out_logos = None
    if logos is not None:
        out_logos = _items(
            logos, "/logos", issues, max_items=MAX_LOGOS, min_items=0, roles=None,
            check=lambda item, path: _logo(item, path, issues),
        )
    out_preferences = None
    if style_preferences is not None:
        out_preferences = _preferences(style_preferences, issues)
    issues.raise_if_any()
    return out_colors, out_fonts, out_logos, out_preferences


def _items(value, path, issues, *, max_items, min_items, roles, check) -> list | Any:
    items = issues.array(value, path, max_items=max_items)
    if items is INVALID:
        return INVALID
    if len(items) < min_items:
        issues.add(path, "empty", f"At least {min_items} item(s) are required.")
    names: set[str] = set()
    used_roles: set[str] = set()
    out = []
    for index, item in enumerate(items):
        item_path = child_path(path, index)
        # Names are compared even when another member of the item is wrong.
        name = item.get("name") if isinstance(item, dict) else None
        if isinstance(name, str) and name.strip():
            if name.strip() in names:
                issues.add(child_path(item_path, "name"), "duplicate_name", f"'{name.strip()}' is used twice.")
            names.add(name.strip())
        checked = check(item, item_path)
        if checked is INVALID:
            continue
        role = checked.get("role")
        if roles is not None and role is not None:
            if role in used_roles:
                issues.add(child_path(item_path, "role"), "duplicate_role", f"Only one item may have role '{role}'.")
            used_roles.add(role)
        out.append(checked)
    return out


def _name(obj, path, issues) -> str | Any:
    return issues.text(obj.get("name"), child_path(path, "name"), max_length=60)


def _color(item, path, issues) -> dict | Any:
    obj = issues.object(item, path, what="a colour {name, value, role?}")
    if obj is INVALID or not issues.keys(obj, path, required=("name", "value"), optional=("role",)):
        return INVALID
    out = {"name": _name(obj, path, issues), "value": check_color(obj["value"], child_path(path, "value"), issues)}
    if "role" in obj:
        out["role"] = issues.choice(obj["role"], child_path(path, "role"), COLOR_ROLES)
    return INVALID if INVALID in out.values() else out


def _font(item, path, issues) -> dict | Any:
    obj = issues.object(item, path, what="a font {name, family, role?, url?}")
    if obj is INVALID or not issues.keys(obj, path, required=("name", "family"), optional=("role", "url")):
        return INVALID
    out = {"name": _name(obj, path, issues), "family": check_font_name(obj["family"], child_path(path, "family"), issues)}
    if "role" in obj:
        out["role"] = issues.choice(obj["role"], child_path(path, "role"), FONT_ROLES)
    if "url" in obj:
        out["url"] = check_url(obj["url"], child_path(path, "url"), issues, schemes=("https",), allow_relative=False)
    return INVALID if INVALID in out.values() else out


def _logo(item, path, issues) -> dict | Any:
    obj = issues.object(item, path, what="a logo {name, url, format, variant?}")
    if obj is INVALID or not issues.keys(obj, path, required=("name", "url", "format"), optional=("variant",)):
        return INVALID
    out = {
        "name": _name(obj, path, issues),
        "url": check_url(obj["url"], child_path(path, "url"), issues, schemes=("https",), allow_relative=False),
        "format": issues.choice(obj["format"], child_path(path, "format"), LOGO_FORMATS),
    }
    if "variant" in obj:
        out["variant"] = issues.choice(obj["variant"], child_path(path, "variant"), LOGO_VARIANTS)
    return INVALID if INVALID in out.values() else out


def _preferences(value, issues) -> dict | Any:
    obj = issues.object(value, "/style_preferences")
    if obj is INVALID:
        return INVALID
    if len(obj) > MAX_PREFERENCES:
        issues.add("/style_preferences", "too_many_items", f"At most {MAX_PREFERENCES} preferences are allowed.")
        return INVALID
    out = {}
    for key, text in obj.items():
        path = child_path("/style_preferences", key)
        if not isinstance(key, str) or TOKEN_NAME_RE.fullmatch(key) is None:
            issues.add(path, "unknown_key", "Preference names are lower-case words like 'tone' or 'industry'.")
            continue
        checked = issues.text(text, path, max_length=200)
        if checked is not INVALID:
            out[key] = checked
    return out


# --- the starting token set of a theme ------------------------------------------------------------
def _best_text_on(background: Color) -> str:
    """Black or white, whichever reads better on `background` (WCAG 2.1 contrast)."""
    white, black = Color("white"), Color("black")
    return "#ffffff" if background.contrast(white, method="wcag21") >= background.contrast(black, method="wcag21") else "#000000"


def tokens_from_brand_kit(*, colors: list, fonts: list, direction: str = "ltr") -> dict:
    """A complete, valid design-token set from a validated brand kit.

    The kit's roles pick the semantic colours (primary: its role or the first colour); the text
    colours are black or white by WCAG contrast; other named colours are kept under their names.
    Fonts with roles body/heading become the families. Scales take house defaults.
    """
    by_role = {c["role"]: c["value"] for c in colors if c.get("role")}
    primary = by_role.get("primary", colors[0]["value"])
    background = by_role.get("background", "#ffffff")
    palette = {
        "primary": primary,
        "on_primary": _best_text_on(parse_color(primary)),
        "background": background,
        "surface": by_role.get("surface", background),
        "text": by_role.get("text", _best_text_on(parse_color(background))),
    }
    for role in ("secondary", "accent", "neutral"):
        if role in by_role:
            palette[role] = by_role[role]
    for color in colors:
        key = "brand_" + "".join(ch if ch.isalnum() else "_" for ch in color["name"].lower()).strip("_")[:56]
        if TOKEN_NAME_RE.fullmatch(key):
            palette.setdefault(key, color["value"])
    fonts_by_role = {f["role"]: f["family"] for f in fonts if f.get("role")}
    body = fonts_by_role.get("body") or (fonts[0]["family"] if fonts else None)
    families = {"body": {"stack": [body] if body else ["Helvetica Neue", "Arial"], "fallback": "sans-serif"}}
    heading = fonts_by_role.get("heading") or fonts_by_role.get("display")
    if heading:
        families["heading"] = {"stack": [heading], "fallback": "serif"}
    tokens = {
        "color": palette,
        "typography": {
            "families": families,
            "sizes": {"sm": "14px", "md": "16px", "lg": "20px", "xl": "28px"},
            "weights": {"regular": 400, "bold": 700},
            "line_heights": {"tight": 1.2, "normal": 1.5},
        },
        "spacing": {"xs": "4px", "sm": "8px", "md": "16px", "lg": "24px", "xl": "40px"},
        "radius": {"sm": "4px", "md": "8px", "full": "9999px"},
        "shadow": {"card": {"offset_x": "0px", "offset_y": "2px", "blur": "8px", "spread": "0px",
                            "color": "rgb(0 0 0 / 0.12)"}},
        "motion": {"durations": {"fast": 120, "normal": 240}, "easings": {"standard": "cubic-bezier(0.2, 0, 0, 1)"}},
        "direction": direction,
    }
    return validate_design_tokens(tokens)
