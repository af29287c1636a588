"""Validator for navigation menus (navigation_configs.items, seed §4.4) and the safe-URL check others share.

Shape: an array of items, each

    {"id": "rooms", "kind": "page", "target": "/rooms", "label": {"en": "Rooms", "fr": "Chambres"},
     "ordinal": 0, "openInNewTab": false, "rel": "nofollow", "children": [ …items… ]}

  * id: `^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`, unique across the whole tree (`duplicate_id`).
  * kind and target:
        page     a site path: "/rooms/deluxe" (starts with one "/")
        url      http(s) URL with a host, or a site path
        anchor   "#section-id" on the current page
        booking  a booking entry point: search, room_select, rate_select
        phone    "tel:+41-22-555-0100" (digits and - . ( ), optional leading +)
        email    "mailto:reservations@hotel.example" (optionally with ?subject=…)
    Targets are SAFE: javascript:, data: and vbscript: are rejected (`unsafe_url`) however they
    are disguised: any case, surrounding or embedded whitespace and control characters
    ("java\\tscript:"), HTML entities ("&#106;avascript:", "javascript&colon;") or percent
    encoding. Any other scheme outside the kind's list is `disallowed_scheme`. URLs must not hold
    whitespace, backslashes or credentials ("https://bank.example@evil.example").
  * label: {locale: text}; at least one; every locale valid and enabled; text trimmed, 1..80 chars.
  * ordinal: integer; siblings are numbered 0..n-1 in any array order (0-based, no gaps or repeats).
  * openInNewTab: boolean, default false.  rel: space-separated tokens from REL_TOKENS.
  * children: array of items (default []). The top level is depth 1; depth 3 is the deepest
    allowed, and an item at depth 4 is reported as `too_deep` (its subtree is not examined).
  * At most 50 siblings per list and 200 items in the tree.

Normalisation: missing openInNewTab and children are filled in; rel tokens are lower-cased and
de-duplicated, and "noopener noreferrer" is added when openInNewTab is true; every list is
returned sorted by ordinal.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

from .issues import INVALID, IssueCollector, child_path, json_type
from .issues import ISSUE_CODES as SHAPE_CODES
from .locales import ISSUE_CODES as LOCALE_CODES
from .locales import check_localized_text

# Codes of the shared URL and ordinal checks; contracts that call them include these.
URL_ISSUE_CODES: tuple[str, ...] = ("disallowed_scheme", "invalid_url", "unsafe_url")
ORDINAL_ISSUE_CODES: tuple[str, ...] = ("duplicate_ordinal", "non_contiguous_ordinal")

ISSUE_CODES: tuple[str, ...] = tuple(
    sorted(
        {
            *SHAPE_CODES,
            *URL_ISSUE_CODES,
            *ORDINAL_ISSUE_CODES,
            *(code for code in LOCALE_CODES if code in ("invalid_locale", "locale_not_enabled")),
            "duplicate_id",
            "invalid_id",
            "invalid_rel",
            "invalid_target",
            "too_deep",
        }
    )
)

NAVIGATION_KINDS = ("page", "url", "anchor", "booking", "phone", "email")
BOOKING_ENTRY_POINTS = ("search", "room_select", "rate_select")
REL_TOKENS = (
    "alternate",
    "author",
    "external",
    "help",
    "license",
    "me",
    "nofollow",
    "noopener",
    "noreferrer",
    "privacy-policy",
    "sponsored",
    "terms-of-service",
    "ugc",
)
ITEM_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
ANCHOR_RE = re.compile(r"#[A-Za-z][A-Za-z0-9_-]{0,63}")
MAX_DEPTH = 3
MAX_SIBLINGS = 50
MAX_ITEMS = 200
LABEL_MAX_LENGTH = 80
URL_MAX_LENGTH = 2048

DANGEROUS_SCHEMES = ("javascript", "data", "vbscript")
_SCHEME_RE = re.compile(r"([a-z][a-z0-9+.-]*):")
_TEL_RE = re.compile(r"tel:\+?[0-9][0-9().-]{2,31}", re.IGNORECASE)
_MAILTO_RE = re.compile(r"mailto:[^@?/\s]+@[^@?/\s]+\.[^@?/\s]+(\?[^\s]*)?", re.IGNORECASE)
_INVISIBLE_RE = re.compile(r"[\s\x00-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
_KIND_SCHEMES = {"page": (), "url": ("http", "https"), "phone": ("tel",), "email": ("mailto",)}


def _scheme_probe(text: str) -> str:
    """The URL as a browser would see its scheme: entities decoded, percent-decoded, invisible
    characters removed (browsers drop tabs and newlines anywhere in a URL), lower-cased."""
    probe = text
    for _ in range(3):  # entities can be nested ("&amp;#106;"); a few rounds settle any real input
        decoded = html.unescape(unquote(probe))
        if decoded == probe:
            break
        probe = decoded
    probe = unicodedata.normalize("NFKC", probe)
    return _INVISIBLE_RE.sub("", probe).lower()


def is_dangerous_url(text: str) -> bool:
    """True when the string would run script or inline content if used as a link."""
    match = _SCHEME_RE.match(_scheme_probe(text))
    return match is not None and match.group(1) in DANGEROUS_SCHEMES


def check_url(
    value: Any,
    path: str,
    issues: IssueCollector,
    *,
    schemes: Sequence[str],
    allow_relative: bool,
) -> str | Any:
    """A trimmed, safe URL whose scheme is in `schemes` (http, https, mailto, tel), or a site
    path starting with a single "/" when `allow_relative`."""
    if not isinstance(value, str):
        issues.add(path, "invalid_type", f"Expected a URL string, got {json_type(value)}.")
        return INVALID
    text = value.strip()
    if not text:
        issues.add(path, "empty", "Must not be empty.")
        return INVALID
    if len(text) > URL_MAX_LENGTH:
        issues.add(path, "too_long", f"URLs are at most {URL_MAX_LENGTH} characters.")
        return INVALID
    if is_dangerous_url(text):
        issues.add(path, "unsafe_url", "javascript:, data: and vbscript: URLs are not allowed.")
        return INVALID
    allowed = ", ".join([*(f"{s}:" for s in schemes), *(["site paths (/…)"] if allow_relative else [])])
    if _INVISIBLE_RE.search(text) or "\\" in text:
        issues.add(path, "invalid_url", "URLs must not contain spaces, control characters or backslashes.")
        return INVALID
    scheme_match = _SCHEME_RE.match(text.lower())
    if scheme_match is None:
        if not allow_relative:
            issues.add(path, "invalid_url", f"An absolute URL is required; allowed: {allowed}.")
            return INVALID
        # "//host" is protocol-relative (another site), not a path on this one.
        if not text.startswith("/") or text.startswith("//"):
            issues.add(path, "invalid_url", "A site path must start with a single '/', e.g. '/rooms'.")
            return INVALID
        return text
    scheme = scheme_match.group(1)
    if scheme not in schemes:
        issues.add(
            path, "disallowed_scheme", f"The '{scheme}:' scheme is not allowed here; allowed: {allowed}."
        )
        return INVALID
    if scheme in ("http", "https"):
        return _check_web_url(text, path, issues)
    if scheme == "tel" and _TEL_RE.fullmatch(text) is None:
        issues.add(path, "invalid_url", "A phone link looks like 'tel:+41-22-555-0100'.")
        return INVALID
    if scheme == "mailto" and _MAILTO_RE.fullmatch(text) is None:
        issues.add(path, "invalid_url", "An e-mail link looks like 'mailto:name@example.com'.")
        return INVALID
    return text


def _check_web_url(text: str, path: str, issues: IssueCollector) -> str | Any:
    try:
        parts = urlsplit(text)
        hostname = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        hostname = None
    if not hostname or not parts.netloc:
        issues.add(path, "invalid_url", "An http(s) URL needs a host, e.g. 'https://hotel.example/offers'.")
        return INVALID
    if "@" in parts.netloc:
        issues.add(path, "invalid_url", "URLs must not carry credentials ('user@host').")
        return INVALID
    return text


def check_sibling_ordinals(entries: Iterable[tuple[str, int]], count: int, issues: IssueCollector) -> bool:
    """Ordinals of one sibling list, given as (ordinal path, ordinal) for all `count` siblings,
    must be exactly 0..count-1. True when they are."""
    clean = True
    seen: set[int] = set()
    for path, ordinal in entries:
        if ordinal in seen:
            issues.add(path, "duplicate_ordinal", f"Ordinal {ordinal} is used by another sibling.")
            clean = False
        elif not 0 <= ordinal < count:
            issues.add(
                path,
                "non_contiguous_ordinal",
                f"Ordinal {ordinal} is outside 0..{count - 1}; siblings are numbered 0, 1, 2… without gaps.",
            )
            clean = False
        seen.add(ordinal)
    return clean


class _TreeState:
    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.count = 0


def validate_navigation_items(value: Any, *, enabled_locales: Iterable[str]) -> list:
    """Check `navigation_configs.items`; return the normalised tree or raise ContractViolation."""
    issues = IssueCollector(ISSUE_CODES)
    state = _TreeState()
    normalized = _items(value, "", 1, issues, state, tuple(enabled_locales))
    if state.count > MAX_ITEMS:
        issues.add("", "too_many_items", f"A menu holds at most {MAX_ITEMS} items, got {state.count}.")
    issues.raise_if_any()
    return normalized


def _items(
    value: Any,
    path: str,
    depth: int,
    issues: IssueCollector,
    state: _TreeState,
    enabled_locales: tuple[str, ...],
) -> list | Any:
    items = issues.array(value, path, what="an array of navigation items", max_items=MAX_SIBLINGS)
    if items is INVALID:
        return INVALID
    before = len(issues)
    result: list[dict] = []
    ordinals: list[tuple[str, int]] = []
    for index, item in enumerate(items):
        item_path = child_path(path, index)
        if depth > MAX_DEPTH:
            issues.add(item_path, "too_deep", f"Menus are at most {MAX_DEPTH} levels deep.")
            continue
        state.count += 1
        checked = _item(item, item_path, depth, issues, state, enabled_locales)
        if checked is not INVALID:
            result.append(checked)
        ordinal = _ordinal_of(item)
        if ordinal is not None:
            ordinals.append((child_path(item_path, "ordinal"), ordinal))
    # Compare ordinals only when every sibling has one; a bad one has already been reported.
    if len(ordinals) == len(items):
        check_sibling_ordinals(ordinals, len(items), issues)
    if len(issues) > before:
        return INVALID
    return sorted(result, key=lambda entry: entry["ordinal"])


def _ordinal_of(item: Any) -> int | None:
    """The item's ordinal when it is a usable integer (so siblings can be compared), else None."""
    ordinal = item.get("ordinal") if isinstance(item, dict) else None
    if isinstance(ordinal, float) and ordinal.is_integer():
        return int(ordinal)
    if isinstance(ordinal, int) and not isinstance(ordinal, bool):
        return ordinal
    return None


def _item(
    value: Any,
    path: str,
    depth: int,
    issues: IssueCollector,
    state: _TreeState,
    enabled_locales: tuple[str, ...],
) -> dict | Any:
    obj = issues.object(value, path, what="a navigation item object")
    if obj is INVALID:
        return INVALID
    before = len(issues)
    issues.keys(
        obj,
        path,
        required=("id", "kind", "target", "label", "ordinal"),
        optional=("openInNewTab", "rel", "children"),
    )
    item: dict[str, Any] = {}
    if "id" in obj:
        item["id"] = _item_id(obj["id"], child_path(path, "id"), issues, state)
    kind = (
        issues.choice(obj["kind"], child_path(path, "kind"), NAVIGATION_KINDS) if "kind" in obj else INVALID
    )
    item["kind"] = kind
    if "target" in obj and kind is not INVALID:
        item["target"] = _target(kind, obj["target"], child_path(path, "target"), issues)
    if "label" in obj:
        item["label"] = check_localized_text(
            obj["label"],
            child_path(path, "label"),
            issues,
            enabled_locales=enabled_locales,
            max_length=LABEL_MAX_LENGTH,
        )
    if "ordinal" in obj:
        item["ordinal"] = issues.integer(obj["ordinal"], child_path(path, "ordinal"))
    new_tab = (
        issues.boolean(obj["openInNewTab"], child_path(path, "openInNewTab"))
        if "openInNewTab" in obj
        else False
    )
    item["openInNewTab"] = new_tab
    rel = _rel(obj["rel"], child_path(path, "rel"), issues) if "rel" in obj else []
    if rel is not INVALID:
        if new_tab is True:
            rel = rel + [token for token in ("noopener", "noreferrer") if token not in rel]
        if rel:
            item["rel"] = " ".join(rel)
    children = obj.get("children", [])
    item["children"] = _items(
        children, child_path(path, "children"), depth + 1, issues, state, enabled_locales
    )
    return INVALID if len(issues) > before else item


def _item_id(value: Any, path: str, issues: IssueCollector, state: _TreeState) -> str | Any:
    if not isinstance(value, str) or ITEM_ID_RE.fullmatch(value) is None:
        issues.add(
            path,
            "invalid_id",
            "An item id is 1..64 letters, digits, '_' or '-', starting with a letter or digit.",
        )
        return INVALID
    if value in state.ids:
        issues.add(path, "duplicate_id", f"Id '{value}' is already used by another item in this menu.")
        return INVALID
    state.ids.add(value)
    return value


def _target(kind: str, value: Any, path: str, issues: IssueCollector) -> str | Any:
    if kind in _KIND_SCHEMES:
        return check_url(
            value, path, issues, schemes=_KIND_SCHEMES[kind], allow_relative=kind in ("page", "url")
        )
    if not isinstance(value, str):
        issues.add(path, "invalid_type", f"Expected a string target, got {json_type(value)}.")
        return INVALID
    text = value.strip()
    if is_dangerous_url(text):
        issues.add(path, "unsafe_url", "javascript:, data: and vbscript: URLs are not allowed.")
        return INVALID
    if kind == "anchor" and ANCHOR_RE.fullmatch(text) is None:
        issues.add(
            path,
            "invalid_target",
            "An anchor target looks like '#rooms' (letter first, then letters, digits, _ or -).",
        )
        return INVALID
    if kind == "booking" and text not in BOOKING_ENTRY_POINTS:
        issues.add(path, "invalid_target", f"A booking target is one of: {', '.join(BOOKING_ENTRY_POINTS)}.")
        return INVALID
    return text


def _rel(value: Any, path: str, issues: IssueCollector) -> list[str] | Any:
    if not isinstance(value, str):
        issues.add(
            path, "invalid_type", f"Expected a space-separated string of rel tokens, got {json_type(value)}."
        )
        return INVALID
    tokens: list[str] = []
    for token in value.lower().split():
        if token not in REL_TOKENS:
            issues.add(
                path, "invalid_rel", f"'{token}' is not an allowed rel token; use: {', '.join(REL_TOKENS)}."
            )
            return INVALID
        if token not in tokens:
            tokens.append(token)
    return tokens


__all__ = [
    "ISSUE_CODES",
    "NAVIGATION_KINDS",
    "check_sibling_ordinals",
    "check_url",
    "is_dangerous_url",
    "validate_navigation_items",
]
