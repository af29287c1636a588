"""Validator for a theme's transactional e-mail look: tokens, logo and footer (email_themes).

tokens:
    {"colors": {"primary": "#0b5fff", "background": "#ffffff", "text": "#1a1a1a", "link": "#0b5fff", …},
     "font_family": {"stack": ["Helvetica", "Arial"], "fallback": "sans-serif"},
     "content_width_px": 600, "button_radius_px": 4}
  * colors: primary, background, text are required; link, button_background, button_text, muted,
    border, footer_background, footer_text are optional. Any CSS Color 4 syntax is accepted
    (parsed by coloraide), but mail clients only understand hex, so the normalised value is
    the sRGB hex ("#rrggbb", gamut-mapped); colours must be opaque (`color_not_opaque`), as
    alpha hex is not rendered by many clients.
  * font_family: stack of at most 6 fonts that ship with the major mail clients' platforms
    (EMAIL_SAFE_FONTS, matched case-insensitively: `font_not_email_safe`) and a fallback of
    serif, sans-serif or monospace.
  * content_width_px: integer 480..800 (default 600); button_radius_px: integer 0..32 (default 4).
logo_ref: MediaRef {url (https only), alt: {locale: text ≤ 250}, width?: 1..800, height?: 1..400}.
footer: {address: text ≤ 500, legal_text: {locale: text ≤ 2000},
         links: [{label: {locale: text ≤ 80}, url}] (≤ 10, default []),
         unsubscribe_text: {locale: text ≤ 200}}
  Footer URLs are absolute (an e-mail has no site to be relative to): https, http, mailto, tel.

Localised texts must use enabled locales. Paths are prefixed /tokens, /logo_ref and /footer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .content import check_media_ref
from .issues import INVALID, IssueCollector, child_path, json_type
from .issues import ISSUE_CODES as SHAPE_CODES
from .locales import check_localized_text
from .navigation import URL_ISSUE_CODES, check_url
from .tokens import check_color, parse_color

ISSUE_CODES: tuple[str, ...] = tuple(
    sorted(
        {
            *SHAPE_CODES,
            *URL_ISSUE_CODES,
            "color_not_opaque",
            "font_not_email_safe",
            "invalid_color",
            "invalid_locale",
            "locale_not_enabled",
        }
    )
)

REQUIRED_COLORS = ("primary", "background", "text")
OPTIONAL_COLORS = (
    "link",
    "button_background",
    "button_text",
    "muted",
    "border",
    "footer_background",
    "footer_text",
)
EMAIL_SAFE_FONTS = (
    "Arial",
    "Arial Black",
    "Courier New",
    "Georgia",
    "Helvetica",
    "Helvetica Neue",
    "Lucida Grande",
    "Lucida Sans Unicode",
    "Palatino Linotype",
    "Segoe UI",
    "Tahoma",
    "Times New Roman",
    "Trebuchet MS",
    "Verdana",
)
EMAIL_FALLBACK_FAMILIES = ("serif", "sans-serif", "monospace")
MAX_FONT_STACK = 6
CONTENT_WIDTH_RANGE = (480, 800)
BUTTON_RADIUS_RANGE = (0, 32)
TOKEN_DEFAULTS = {"content_width_px": 600, "button_radius_px": 4}
LOGO_MAX_WIDTH = 800
LOGO_MAX_HEIGHT = 400
MAX_FOOTER_LINKS = 10
_SAFE_FONTS_BY_LOWER = {font.lower(): font for font in EMAIL_SAFE_FONTS}


def validate_email_theme(
    tokens: Any, logo_ref: Any, footer: Any, *, enabled_locales: Iterable[str]
) -> tuple[dict, dict, dict]:
    """Check an e-mail theme; return (tokens, logo_ref, footer) normalised."""
    locales = tuple(enabled_locales)
    issues = IssueCollector(ISSUE_CODES)
    checked_tokens = _tokens(tokens, "/tokens", issues)
    checked_logo = check_media_ref(
        logo_ref,
        "/logo_ref",
        issues,
        enabled_locales=locales,
        max_width=LOGO_MAX_WIDTH,
        max_height=LOGO_MAX_HEIGHT,
    )
    checked_footer = _footer(footer, "/footer", issues, locales)
    issues.raise_if_any()
    return checked_tokens, checked_logo, checked_footer


def _tokens(value: Any, path: str, issues: IssueCollector) -> dict | Any:
    obj = issues.object(value, path, what="an e-mail token object")
    if obj is INVALID:
        return INVALID
    before = len(issues)
    issues.keys(obj, path, required=("colors", "font_family"), optional=tuple(TOKEN_DEFAULTS))
    result: dict[str, Any] = {}
    if "colors" in obj:
        result["colors"] = _colors(obj["colors"], child_path(path, "colors"), issues)
    if "font_family" in obj:
        result["font_family"] = _font_family(obj["font_family"], child_path(path, "font_family"), issues)
    low, high = CONTENT_WIDTH_RANGE
    result["content_width_px"] = (
        issues.integer(
            obj["content_width_px"], child_path(path, "content_width_px"), minimum=low, maximum=high
        )
        if "content_width_px" in obj
        else TOKEN_DEFAULTS["content_width_px"]
    )
    low, high = BUTTON_RADIUS_RANGE
    result["button_radius_px"] = (
        issues.integer(
            obj["button_radius_px"], child_path(path, "button_radius_px"), minimum=low, maximum=high
        )
        if "button_radius_px" in obj
        else TOKEN_DEFAULTS["button_radius_px"]
    )
    return INVALID if len(issues) > before else result


def _colors(value: Any, path: str, issues: IssueCollector) -> dict | Any:
    obj = issues.object(value, path, what="an object of colour name → CSS colour")
    if obj is INVALID:
        return INVALID
    issues.keys(obj, path, required=REQUIRED_COLORS, optional=OPTIONAL_COLORS)
    result: dict[str, str] = {}
    for name in (*REQUIRED_COLORS, *OPTIONAL_COLORS):
        if name not in obj:
            continue
        color_path = child_path(path, name)
        text = check_color(obj[name], color_path, issues)
        if text is INVALID:
            continue
        color = parse_color(text)
        if color.alpha() < 1:
            issues.add(color_path, "color_not_opaque", "E-mail colours must be fully opaque.")
            continue
        result[name] = color.convert("srgb").fit().to_string(hex=True, alpha=False)
    return result


def _font_family(value: Any, path: str, issues: IssueCollector) -> dict | Any:
    obj = issues.object(value, path, what="an object {stack, fallback}")
    if obj is INVALID:
        return INVALID
    issues.keys(obj, path, required=("stack", "fallback"))
    result: dict[str, Any] = {}
    if "stack" in obj:
        stack_path = child_path(path, "stack")
        names = issues.array(
            obj["stack"], stack_path, what="an array of font names", max_items=MAX_FONT_STACK
        )
        if names is not INVALID:
            stack = []
            for index, name in enumerate(names):
                font_path = child_path(stack_path, index)
                if not isinstance(name, str):
                    issues.add(font_path, "invalid_type", f"Expected a font name, got {json_type(name)}.")
                elif name.strip().lower() not in _SAFE_FONTS_BY_LOWER:
                    issues.add(
                        font_path,
                        "font_not_email_safe",
                        f"'{name.strip()[:60]}' is not available in mail clients; "
                        f"use: {', '.join(EMAIL_SAFE_FONTS)}.",
                    )
                else:
                    stack.append(_SAFE_FONTS_BY_LOWER[name.strip().lower()])
            result["stack"] = stack
    if "fallback" in obj:
        result["fallback"] = issues.choice(
            obj["fallback"], child_path(path, "fallback"), EMAIL_FALLBACK_FAMILIES
        )
    return result


def _footer(value: Any, path: str, issues: IssueCollector, locales: tuple[str, ...]) -> dict | Any:
    obj = issues.object(value, path, what="a footer object {address, legal_text, links?, unsubscribe_text}")
    if obj is INVALID:
        return INVALID
    before = len(issues)
    issues.keys(obj, path, required=("address", "legal_text", "unsubscribe_text"), optional=("links",))
    result: dict[str, Any] = {}
    if "address" in obj:
        result["address"] = issues.text(obj["address"], child_path(path, "address"), max_length=500)
    if "legal_text" in obj:
        result["legal_text"] = check_localized_text(
            obj["legal_text"],
            child_path(path, "legal_text"),
            issues,
            enabled_locales=locales,
            max_length=2000,
        )
    result["links"] = (
        _footer_links(obj["links"], child_path(path, "links"), issues, locales) if "links" in obj else []
    )
    if "unsubscribe_text" in obj:
        result["unsubscribe_text"] = check_localized_text(
            obj["unsubscribe_text"],
            child_path(path, "unsubscribe_text"),
            issues,
            enabled_locales=locales,
            max_length=200,
        )
    return INVALID if len(issues) > before else result


def _footer_links(value: Any, path: str, issues: IssueCollector, locales: tuple[str, ...]) -> list | Any:
    items = issues.array(value, path, what="an array of links", max_items=MAX_FOOTER_LINKS)
    if items is INVALID:
        return INVALID
    links = []
    for index, item in enumerate(items):
        link_path = child_path(path, index)
        obj = issues.object(item, link_path, what="a link object {label, url}")
        if obj is INVALID:
            continue
        issues.keys(obj, link_path, required=("label", "url"))
        link: dict[str, Any] = {}
        if "label" in obj:
            link["label"] = check_localized_text(
                obj["label"], child_path(link_path, "label"), issues, enabled_locales=locales, max_length=80
            )
        if "url" in obj:
            link["url"] = check_url(
                obj["url"],
                child_path(link_path, "url"),
                issues,
                schemes=("https", "http", "mailto", "tel"),
                allow_relative=False,
            )
        links.append(link)
    return links


__all__ = ["EMAIL_SAFE_FONTS", "ISSUE_CODES", "validate_email_theme"]
