"""Validators for content blocks: the per-locale body (seed §4.2) and the kind-specific meta (seed §4.3).

Body: `{"<locale>": {"format": "markdown" | "html" | "structured", "value": string | object}}`
  * at least one entry; every locale matches `^[a-z]{2,3}(-[A-Z]{2})?$` and is enabled;
  * markdown and html values are strings, structured values are objects;
  * each value is at most 64 KiB (UTF-8 bytes of the string, or of the compact JSON of an
    object): `too_large`;
  * html is sanitised with `nh3` (ammonia): tags and attributes outside an allow-list are
    dropped, script/style/iframe… are removed with their content, event handlers and
    javascript:/data: URLs disappear, links get rel="noopener noreferrer". The normalised
    body holds the sanitised HTML; html that sanitises to nothing is `empty`;
  * markdown is stored as written (trimmed); link, image, autolink and reference destinations,
    and href/src attributes of inline raw HTML, must not be javascript:/data:/vbscript:
    (`unsafe_url`). The site renders markdown with raw HTML off; this check is the second line.
  * structured values: nested JSON ≤ 20 levels (`too_deep`); any string under a key named
    href, src or url must not be a javascript:/data:/vbscript: URL (`unsafe_url`).

Meta: a discriminated union on `kind`; `meta.kind` must equal the block's `kind` column
(`kind_mismatch`), an unknown kind is `unknown_kind`. Fields per kind are in KIND_FIELDS
(required ones marked, optional ones get their default filled in). Shared value shapes:
  * MediaRef  {url: https URL, alt: {locale: text ≤ 250}, width?: 1..10000, height?: 1..10000}
  * Link      {label: {locale: text ≤ 60}, target: http(s) URL or site path}
  * localized {locale: text}: locale codes valid (and enabled, when enabled_locales is given).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import nh3

from .issues import INVALID, IssueCollector, child_path, json_type
from .issues import ISSUE_CODES as SHAPE_CODES
from .locales import check_locale_code, check_localized_text
from .navigation import URL_ISSUE_CODES, check_url, is_dangerous_url

ISSUE_CODES: tuple[str, ...] = tuple(
    sorted(
        {
            *SHAPE_CODES,
            *URL_ISSUE_CODES,
            "duplicate_value",
            "invalid_code",
            "invalid_date",
            "invalid_locale",
            "kind_mismatch",
            "locale_not_enabled",
            "too_deep",
            "too_large",
            "unknown_kind",
        }
    )
)

# ---------------------------------------------------------------------------------------------
# Body

BODY_FORMATS = ("markdown", "html", "structured")
BODY_MAX_BYTES = 64 * 1024
STRUCTURED_MAX_DEPTH = 20
_URL_KEYS = frozenset({"href", "src", "url"})

# The page template owns the single <h1>, so block HTML starts at <h2>.
HTML_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "dd",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "time",
        "tr",
        "u",
        "ul",
    }
)
HTML_ATTRIBUTES = {
    "*": {"lang", "dir", "title"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading"},
    "ol": {"start", "reversed"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
}
HTML_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Removed together with their content (plain stripping would leave the script text behind).
HTML_DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "template", "iframe", "object", "embed", "noscript"}
)
_HTML_CLEANER = nh3.Cleaner(
    tags=HTML_TAGS,
    clean_content_tags=HTML_DROPPED_WITH_CONTENT,
    attributes=HTML_ATTRIBUTES,
    tag_attribute_values={"a": {"target": {"_blank"}}},
    url_schemes=HTML_URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
)
# Where markdown can carry a URL: [text](dest), ![alt](<dest>), <scheme:autolink>, "[ref]: dest"
# definitions, and href/src attributes of raw HTML (for a renderer that lets raw HTML through).
_MARKDOWN_URL_RE = re.compile(
    r"\]\(\s*(?:<([^>\n]*)>|([^)\s]*))"
    r"|<([a-zA-Z][a-zA-Z0-9+.\-]*:[^<>\s]*)>"
    r"|^ {0,3}\[[^\]\n]+\]:[ \t]*(?:<([^>\n]*)>|(\S+))"
    r"|\b(?:href|src|action|formaction)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))",
    re.MULTILINE | re.IGNORECASE,
)
_MARKDOWN_ESCAPE_RE = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark backslash escapes of punctuation


def sanitize_html(html: str) -> str:
    """Block HTML reduced to the allow-list (see module docstring)."""
    return _HTML_CLEANER.clean(html)


def validate_content_body(value: Any, *, enabled_locales: Iterable[str]) -> dict:
    """Check `content_blocks.body`; return it with HTML sanitised and strings trimmed."""
    issues = IssueCollector(ISSUE_CODES)
    body = issues.object(value, "", what="an object of locale → {format, value}")
    if body is INVALID:
        issues.raise_if_any()
    if not body:
        issues.add("", "empty", "At least one locale entry is required.")
    enabled = tuple(enabled_locales)
    normalized: dict[str, dict] = {}
    for locale, entry in body.items():
        path = child_path("", locale)
        if check_locale_code(locale, path, issues, enabled_locales=enabled) is INVALID:
            continue
        checked = _body_entry(entry, path, issues)
        if checked is not INVALID:
            normalized[locale] = checked
    issues.raise_if_any()
    return normalized


def _body_entry(value: Any, path: str, issues: IssueCollector) -> dict | Any:
    entry = issues.object(value, path, what="an object {format, value}")
    if entry is INVALID:
        return INVALID
    if not issues.keys(entry, path, required=("format", "value")):
        return INVALID
    fmt = issues.choice(entry["format"], child_path(path, "format"), BODY_FORMATS)
    if fmt is INVALID:
        return INVALID
    value_path = child_path(path, "value")
    raw = entry["value"]
    if fmt == "structured":
        checked = _structured(raw, value_path, issues)
    else:
        checked = _markup(fmt, raw, value_path, issues)
    return INVALID if checked is INVALID else {"format": fmt, "value": checked}


def _markup(fmt: str, raw: Any, path: str, issues: IssueCollector) -> str | Any:
    if not isinstance(raw, str):
        issues.add(path, "invalid_type", f"A {fmt} value must be a string, got {json_type(raw)}.")
        return INVALID
    if len(raw.encode("utf-8")) > BODY_MAX_BYTES:
        issues.add(path, "too_large", f"A body entry is at most {BODY_MAX_BYTES // 1024} KiB.")
        return INVALID
    text = sanitize_html(raw).strip() if fmt == "html" else raw.strip()
    if not text:
        issues.add(path, "empty", "The content is empty (after removing disallowed HTML).")
        return INVALID
    if fmt == "markdown" and _markdown_has_unsafe_link(text):
        issues.add(path, "unsafe_url", "Markdown links must not use javascript:, data: or vbscript: URLs.")
        return INVALID
    return text


def _markdown_has_unsafe_link(text: str) -> bool:
    for groups in _MARKDOWN_URL_RE.findall(text):
        destination = _MARKDOWN_ESCAPE_RE.sub(r"\1", "".join(groups))  # one group matched; the rest are ""
        if is_dangerous_url(destination):
            return True
    return False


def _structured(raw: Any, path: str, issues: IssueCollector) -> dict | Any:
    if not isinstance(raw, Mapping):
        issues.add(path, "invalid_type", f"A structured value must be an object, got {json_type(raw)}.")
        return INVALID
    try:
        size = len(json.dumps(raw, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    except (TypeError, ValueError):
        issues.add(path, "invalid_type", "A structured value must hold only JSON values.")
        return INVALID
    except RecursionError:
        size = BODY_MAX_BYTES + 1
    if size > BODY_MAX_BYTES:
        issues.add(path, "too_large", f"A body entry is at most {BODY_MAX_BYTES // 1024} KiB.")
        return INVALID
    before = len(issues)
    _scan_structured(raw, path, 1, issues)
    return INVALID if len(issues) > before else json.loads(json.dumps(raw))  # a deep copy


def _scan_structured(value: Any, path: str, depth: int, issues: IssueCollector) -> None:
    if depth > STRUCTURED_MAX_DEPTH:
        issues.add(path, "too_deep", f"Structured content nests at most {STRUCTURED_MAX_DEPTH} levels.")
        return
    items = (
        value.items() if isinstance(value, Mapping) else enumerate(value) if isinstance(value, list) else ()
    )
    for key, item in items:
        item_path = child_path(path, key)
        if isinstance(item, (Mapping, list)):
            _scan_structured(item, item_path, depth + 1, issues)
        elif key in _URL_KEYS and isinstance(item, str) and is_dangerous_url(item):
            issues.add(item_path, "unsafe_url", "Links must not use javascript:, data: or vbscript: URLs.")


# ---------------------------------------------------------------------------------------------
# Meta

AMENITY_CODES = (
    "accessible",
    "air_conditioning",
    "airport_shuttle",
    "bar",
    "beach_access",
    "breakfast",
    "business_center",
    "ev_charging",
    "fitness_center",
    "kids_club",
    "laundry",
    "parking",
    "pet_friendly",
    "pool",
    "restaurant",
    "room_service",
    "spa",
    "wifi",
)
POLICY_TYPES = (
    "cancellation",
    "check_in_out",
    "children",
    "house_rules",
    "payment",
    "pets",
    "privacy",
    "terms",
)
ROOM_TYPE_CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NO_DEFAULT = object()

# A field check gets (value, path, issues, enabled_locales) and returns the normalised value or INVALID.
FieldCheck = Callable[[Any, str, IssueCollector, "tuple[str, ...] | None"], Any]


@dataclass(frozen=True)
class Field:
    check: FieldCheck
    required: bool = False
    default: Any = _NO_DEFAULT


def _text(max_length: int) -> FieldCheck:
    return lambda v, p, issues, _: issues.text(v, p, max_length=max_length)


def _choice(*choices: str) -> FieldCheck:
    return lambda v, p, issues, _: issues.choice(v, p, choices)


def _integer(minimum: int, maximum: int) -> FieldCheck:
    return lambda v, p, issues, _: issues.integer(v, p, minimum=minimum, maximum=maximum)


def _number(minimum: float, maximum: float) -> FieldCheck:
    return lambda v, p, issues, _: issues.number(v, p, minimum=minimum, maximum=maximum)


def _boolean() -> FieldCheck:
    return lambda v, p, issues, _: issues.boolean(v, p)


def _localized(max_length: int) -> FieldCheck:
    return lambda v, p, issues, locales: check_localized_text(
        v, p, issues, enabled_locales=locales, max_length=max_length
    )


def _link_target() -> FieldCheck:
    return lambda v, p, issues, _: check_url(v, p, issues, schemes=("http", "https"), allow_relative=True)


def _date(value: Any, path: str, issues: IssueCollector, _locales: Any) -> str | Any:
    if not isinstance(value, str) or _DATE_RE.fullmatch(value) is None:
        issues.add(path, "invalid_date", "Expected a date as YYYY-MM-DD.")
        return INVALID
    try:
        date.fromisoformat(value)
    except ValueError:
        issues.add(path, "invalid_date", f"'{value}' is not a calendar date.")
        return INVALID
    return value


def _room_type_code(value: Any, path: str, issues: IssueCollector, _locales: Any) -> str | Any:
    if not isinstance(value, str) or ROOM_TYPE_CODE_RE.fullmatch(value) is None:
        issues.add(path, "invalid_code", "A room type code is 1..32 letters, digits, '_' or '-'.")
        return INVALID
    return value


def _list(item: FieldCheck, *, min_items: int, max_items: int, unique: bool = False) -> FieldCheck:
    def check(value: Any, path: str, issues: IssueCollector, locales: tuple[str, ...] | None) -> list | Any:
        items = issues.array(value, path, max_items=max_items)
        if items is INVALID:
            return INVALID
        if len(items) < min_items:
            issues.add(path, "empty", f"At least {min_items} item(s) are required.")
            return INVALID
        before = len(issues)
        result = []
        for index, entry in enumerate(items):
            entry_path = child_path(path, index)
            checked = item(entry, entry_path, issues, locales)
            if checked is INVALID:
                continue
            if unique and checked in result:
                issues.add(entry_path, "duplicate_value", f"'{checked}' is listed more than once.")
                continue
            result.append(checked)
        return INVALID if len(issues) > before else result

    return check


def _object(fields: Mapping[str, Field]) -> FieldCheck:
    def check(value: Any, path: str, issues: IssueCollector, locales: tuple[str, ...] | None) -> dict | Any:
        return _check_fields(value, path, issues, fields, locales)

    return check


def _check_fields(
    value: Any,
    path: str,
    issues: IssueCollector,
    fields: Mapping[str, Field],
    locales: tuple[str, ...] | None,
    *,
    extra_keys: tuple[str, ...] = (),
) -> dict | Any:
    obj = issues.object(value, path)
    if obj is INVALID:
        return INVALID
    before = len(issues)
    required = [name for name, field in fields.items() if field.required]
    optional = [name for name, field in fields.items() if not field.required] + list(extra_keys)
    issues.keys(obj, path, required=required, optional=optional)
    result: dict[str, Any] = {}
    for name, field in fields.items():
        if name in obj:
            result[name] = field.check(obj[name], child_path(path, name), issues, locales)
        elif field.default is not _NO_DEFAULT:
            result[name] = field.default
    return INVALID if len(issues) > before else result


MEDIA_REF_FIELDS: dict[str, Field] = {
    "url": Field(
        lambda v, p, issues, _: check_url(v, p, issues, schemes=("https",), allow_relative=False),
        required=True,
    ),
    "alt": Field(_localized(250), required=True),
    "width": Field(_integer(1, 10_000)),
    "height": Field(_integer(1, 10_000)),
}
LINK_FIELDS: dict[str, Field] = {
    "label": Field(_localized(60), required=True),
    "target": Field(_link_target(), required=True),
}

KIND_FIELDS: dict[str, dict[str, Field]] = {
    "hero": {
        "image": Field(_object(MEDIA_REF_FIELDS), required=True),
        "cta": Field(_object(LINK_FIELDS)),
        "alignment": Field(_choice("start", "center", "end"), default="center"),
        "height": Field(_choice("small", "medium", "large", "full"), default="large"),
        "overlay_opacity": Field(_number(0, 1), default=0),
    },
    "rich_text": {
        "max_width": Field(_choice("narrow", "normal", "wide"), default="normal"),
    },
    "image_gallery": {
        "images": Field(_list(_object(MEDIA_REF_FIELDS), min_items=1, max_items=50), required=True),
        "layout": Field(_choice("grid", "carousel", "masonry"), default="grid"),
        "columns": Field(_integer(1, 6), default=3),
    },
    "amenities": {
        "amenities": Field(
            _list(_choice(*AMENITY_CODES), min_items=1, max_items=40, unique=True), required=True
        ),
        "columns": Field(_integer(1, 6), default=3),
        "show_icons": Field(_boolean(), default=True),
    },
    "room_highlights": {
        "room_type_codes": Field(
            _list(_room_type_code, min_items=1, max_items=12, unique=True), required=True
        ),
        "show_prices": Field(_boolean(), default=True),
    },
    "testimonials": {
        "items": Field(
            _list(
                _object(
                    {
                        "author": Field(_text(80), required=True),
                        "rating": Field(_integer(1, 5), required=True),
                        "quote": Field(_localized(600), required=True),
                        "stay_date": Field(_date),
                    }
                ),
                min_items=1,
                max_items=20,
            ),
            required=True,
        ),
        "autoplay": Field(_boolean(), default=False),
    },
    "faq": {
        "items": Field(
            _list(
                _object(
                    {
                        "question": Field(_localized(300), required=True),
                        "answer": Field(_localized(4000), required=True),
                    }
                ),
                min_items=1,
                max_items=50,
            ),
            required=True,
        ),
        "expand_first": Field(_boolean(), default=False),
    },
    "cta_banner": {
        "label": Field(_localized(60), required=True),
        "target": Field(_link_target(), required=True),
        "style": Field(_choice("primary", "secondary", "outline"), default="primary"),
        "background_image": Field(_object(MEDIA_REF_FIELDS)),
    },
    "map": {
        "latitude": Field(_number(-90, 90), required=True),
        "longitude": Field(_number(-180, 180), required=True),
        "zoom": Field(_integer(1, 20), default=14),
        "show_directions_link": Field(_boolean(), default=True),
    },
    "policy": {
        "policy_type": Field(_choice(*POLICY_TYPES), required=True),
        "effective_date": Field(_date),
        "show_last_updated": Field(_boolean(), default=False),
    },
}
CONTENT_BLOCK_KINDS: tuple[str, ...] = tuple(KIND_FIELDS)
# What people call each kind (admin pages, the compare page, AI drafts): "FAQ", not "Faq".
CONTENT_KIND_LABELS = {"hero": "Hero", "rich_text": "Rich text", "image_gallery": "Image gallery",
                       "amenities": "Amenities", "room_highlights": "Room highlights", "testimonials": "Testimonials",
                       "faq": "FAQ", "cta_banner": "Call-to-action banner", "map": "Map", "policy": "Policy"}


def content_kind_label(kind: str) -> str:
    """A content block kind as people read it ("FAQ", "Call-to-action banner"); an unknown one readably."""
    return CONTENT_KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


def check_media_ref(
    value: Any,
    path: str,
    issues: IssueCollector,
    *,
    enabled_locales: Iterable[str] | None,
    max_width: int = 10_000,
    max_height: int = 10_000,
) -> dict | Any:
    """A MediaRef {url (https), alt: {locale: text}, width?, height?} with the given size bounds."""
    fields = {
        **MEDIA_REF_FIELDS,
        "width": Field(_integer(1, max_width)),
        "height": Field(_integer(1, max_height)),
    }
    locales = None if enabled_locales is None else tuple(enabled_locales)
    return _check_fields(value, path, issues, fields, locales)


def validate_content_meta(value: Any, *, kind: str, enabled_locales: Iterable[str] | None = None) -> dict:
    """Check `content_blocks.meta` for a block of `kind`; return it with defaults filled in.

    `enabled_locales`, when given, also requires every locale in localized texts to be enabled.
    """
    issues = IssueCollector(ISSUE_CODES)
    meta = issues.object(value, "", what="a meta object with 'kind'")
    if meta is INVALID:
        issues.raise_if_any()
    if "kind" not in meta:
        issues.add("/kind", "required", "'kind' is required.")
        issues.raise_if_any()
    if meta["kind"] != kind:
        issues.add(
            "/kind", "kind_mismatch", f"meta.kind is '{meta['kind']}' but the block's kind is '{kind}'."
        )
        issues.raise_if_any()
    if kind not in KIND_FIELDS:
        issues.add(
            "/kind",
            "unknown_kind",
            f"'{kind}' is not a content block kind; use one of: {', '.join(KIND_FIELDS)}.",
        )
        issues.raise_if_any()
    locales = None if enabled_locales is None else tuple(enabled_locales)
    result = _check_fields(meta, "", issues, KIND_FIELDS[kind], locales, extra_keys=("kind",))
    issues.raise_if_any()
    return {"kind": kind, **result}


__all__ = [
    "CONTENT_BLOCK_KINDS",
    "CONTENT_KIND_LABELS",
    "ISSUE_CODES",
    "KIND_FIELDS",
    "check_media_ref",
    "content_kind_label",
    "sanitize_html",
    "validate_content_body",
    "validate_content_meta",
]
