"""The publishing bundle of a theme version: one canonical JSON document and one stylesheet, pure functions.

`build_bundle` turns a version and everything it holds into bytes that depend on that content
alone, never on when, where or by whom they are built: nothing time-dependent, random or
process-dependent goes in (no published_at, created/updated at/by, OCC `version` counters,
completeness figures), so the same version yields the same bytes and sha256 on any machine and in
any process, and storing them under their sha256 (publishing/bundles/storage.py) is idempotent.

The JSON document (`schema` "theme-config.bundle.v1"):

    {"schema", "tenant_id", "theme_id", "version_id", "ordinal",
     "locales": {"default", "enabled", "fallback_chain", "direction_by_locale"},
     "tokens": <W3C Design Tokens (DTCG) document of the version's tokens>,
     "layout": {surface: {"preset", "variant", "options", "preset_info": {"supported_variants", "supports_rtl"}}},
     "content": {surface: [{"id", "kind", "visibility", "body", "meta"}, … by ordinal]},
     "navigation": {surface: items},
     "booking_flow": {"steps", "toggles", "consent"} | null,
     "email_theme": {"tokens", "logo_ref", "footer"} | null,
     "messages": {locale: {key: message}}}

Canonical form: `json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)` in UTF-8,
with NaN and infinities refused. Object key order therefore never matters; array order always
does, and is kept where the source order means something (blocks by ordinal, navigation items,
booking steps, the fallback chain, enabled locales in the theme's order, a preset's variants with
its default first). Numbers are normalised first, so a value's spelling does not change the
bytes: a Decimal becomes a number, an integral float (`2.0`) an integer. Only surfaces that have
something appear under `layout`, `content` and `navigation`.

`messages` resolves the fallback chain once, at build time: for each enabled locale, every key
of the default-locale pack, taken from the first pack along [locale, *fallback_chain, default]
that has it, so the front end never walks the chain itself.

The stylesheet is the tokens as CSS custom properties (`:root{--…}`). When any enabled locale is
right-to-left, or the tokens' own direction differs from an enabled locale's, `[dir="ltr"]` and
`[dir="rtl"]` rules set `--direction` from the element's `dir` attribute (both rules, so a passage
of the other direction nested inside a page is right too; a theme whose locales are all RTL needs
only the rtl one). Nothing else is mirrored: the tokens hold no inline-start/end values (shadow
offsets describe a light source, which right-to-left layouts leave as it is), and layouts mirror
themselves through logical CSS properties. UTF-8, newline-terminated, deterministic.
"""
from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from themeconfig.models import (
    BookingFlowConfig,
    ContentBlock,
    EmailTheme,
    LocalePack,
    NavigationConfig,
    Theme,
    ThemeVersion,
)
from themeconfig.platform.tenant_context import TenantContextError, current_tenant_id
from themeconfig.selectors.layout_presets import layout_presets_for_validation
from themeconfig.services.versions import direction_of
from themeconfig.validators import PresetInfo, to_css_custom_properties, to_dtcg, validate_design_tokens

SCHEMA = "theme-config.bundle.v1"
DIRECTIONS = ("ltr", "rtl")
# Beyond this an integral float is not exactly an integer any more: leave it as it is.
_MAX_EXACT_FLOAT_INT = 2**53


class BundleError(ValueError):
    """The inputs cannot make a bundle (a caller bug: e.g. a child of another version, an unknown preset)."""


@dataclass(frozen=True)
class Bundle:
    """The bytes to publish and their digests; `sha256` names the bundle (its storage key)."""

    json_bytes: bytes
    css_bytes: bytes
    sha256: str
    css_sha256: str
    size: int


def canonical_json(document: Any) -> bytes:
    """The one serialisation of a bundle document (see the module docstring)."""
    return json.dumps(
        _normalised(document), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def build_bundle(
    *,
    version: ThemeVersion,
    theme: Theme,
    content_blocks: Iterable[ContentBlock],
    navigation_configs: Iterable[NavigationConfig],
    booking_flow: BookingFlowConfig | None,
    email_theme: EmailTheme | None,
    locale_packs: Iterable[LocalePack],
    presets: Mapping[str, PresetInfo],
) -> Bundle:
    """The bundle of `version` (of `theme`) with the children given; reads nothing from the database."""
    content_blocks, navigation_configs, locale_packs = list(content_blocks), list(navigation_configs), list(locale_packs)
    _check_belongs(version, theme, [*content_blocks, *navigation_configs, booking_flow, email_theme, *locale_packs])
    default_locale = theme.default_locale
    enabled = list(theme.enabled_locales)
    chain = list(theme.fallback_chain)
    document = {
        "schema": SCHEMA,
        "tenant_id": version.tenant_id,
        "theme_id": theme.pk,
        "version_id": version.pk,
        "ordinal": version.ordinal,
        "locales": {
            "default": default_locale,
            "enabled": enabled,
            "fallback_chain": chain,
            "direction_by_locale": {locale: direction_of(locale) for locale in enabled},
        },
        "tokens": to_dtcg(version.tokens),
        "layout": _layout(version.layout_selections, presets),
        "content": _content(content_blocks),
        "navigation": {nav.surface: nav.items for nav in sorted(navigation_configs, key=lambda n: n.surface)},
        "booking_flow": None if booking_flow is None else {
            "steps": booking_flow.steps, "toggles": booking_flow.toggles, "consent": booking_flow.consent,
        },
        "email_theme": None if email_theme is None else {
            "tokens": email_theme.tokens, "logo_ref": email_theme.logo_ref, "footer": email_theme.footer,
        },
        "messages": resolve_messages(
            {pack.locale: pack.entries for pack in locale_packs},
            default_locale=default_locale, enabled_locales=enabled, fallback_chain=chain,
        ),
    }
    json_bytes = canonical_json(document)
    css_bytes = stylesheet(version.tokens, enabled_locales=enabled).encode("utf-8")
    return Bundle(
        json_bytes=json_bytes,
        css_bytes=css_bytes,
        sha256=hashlib.sha256(json_bytes).hexdigest(),
        css_sha256=hashlib.sha256(css_bytes).hexdigest(),
        size=len(json_bytes),
    )


def bundle_inputs(version_id: str) -> dict[str, Any]:
    """Everything `build_bundle` takes for one version, in seven queries whatever it holds.

    Runs in the caller's tenant context (RLS scopes every read but the global preset registry);
    raises ThemeVersion.DoesNotExist when the tenant has no such version.
    """
    if current_tenant_id() is None:
        raise TenantContextError("bundle_inputs reads tenant data: call it inside a tenant context")
    version = ThemeVersion.objects.select_related("theme").get(pk=version_id)
    children = {"theme_version_id": version.pk}
    return {
        "version": version,
        "theme": version.theme,
        "content_blocks": list(ContentBlock.objects.filter(**children).order_by("surface", "ordinal")),
        "navigation_configs": list(NavigationConfig.objects.filter(**children).order_by("surface")),
        "booking_flow": BookingFlowConfig.objects.filter(**children).first(),
        "email_theme": EmailTheme.objects.filter(**children).first(),
        "locale_packs": list(LocalePack.objects.filter(**children).order_by("locale")),
        "presets": layout_presets_for_validation(),
    }


def resolve_messages(
    packs: Mapping[str, Mapping[str, str]], *, default_locale: str, enabled_locales: Sequence[str],
    fallback_chain: Sequence[str],
) -> dict[str, dict[str, str]]:
    """Per enabled locale, every key of the default pack from the first pack along
    [locale, *fallback_chain, default] that has it (the default pack itself has them all)."""
    default_keys = sorted(packs.get(default_locale, {}))
    messages: dict[str, dict[str, str]] = {}
    for locale in enabled_locales:
        order = [packs[code] for code in dict.fromkeys([locale, *fallback_chain, default_locale]) if code in packs]
        messages[locale] = {key: next(pack[key] for pack in order if key in pack) for key in default_keys}
    return messages


def stylesheet(tokens: Any, *, enabled_locales: Sequence[str]) -> str:
    """The tokens as CSS custom properties, plus the `dir` rules (see the module docstring)."""
    css = to_css_custom_properties(tokens)  # validates the tokens first
    base = validate_design_tokens(tokens)["direction"]
    used = {direction_of(locale) for locale in enabled_locales}
    if used | {base} != {base}:
        rules: tuple[str, ...] = DIRECTIONS
    elif "rtl" in used:
        rules = ("rtl",)
    else:
        rules = ()
    lines = [css, *(f'[dir="{direction}"]{{--direction:{direction};}}' for direction in rules)]
    return "\n".join(lines) + "\n"


def _check_belongs(version: ThemeVersion, theme: Theme, children: list) -> None:
    if version.theme_id != theme.pk:
        raise BundleError(f"version {version.pk} belongs to theme {version.theme_id}, not {theme.pk}")
    for child in children:
        if child is not None and child.theme_version_id != version.pk:
            raise BundleError(f"{type(child).__name__} {child.pk} belongs to version {child.theme_version_id}, "
                              f"not {version.pk}")


def _layout(selections: Mapping[str, Any], presets: Mapping[str, PresetInfo]) -> dict:
    layout = {}
    for surface, selection in sorted(selections.items()):
        preset = presets.get(selection["preset"])
        if preset is None:
            raise BundleError(f"layout {surface!r} uses preset {selection['preset']!r}, which the registry lacks")
        layout[surface] = {
            "preset": preset.key,
            # Selections are stored with the defaults filled in; older rows may lack them.
            "variant": selection.get("variant") or preset.supported_variants[0],
            "options": selection.get("options") or {},
            "preset_info": {"supported_variants": list(preset.supported_variants), "supports_rtl": preset.supports_rtl},
        }
    return layout


def _content(blocks: Iterable[ContentBlock]) -> dict[str, list[dict]]:
    content: dict[str, list[dict]] = {}
    for block in sorted(blocks, key=lambda b: (b.surface, b.ordinal, b.pk)):
        content.setdefault(block.surface, []).append(
            {"id": block.pk, "kind": block.kind, "visibility": block.visibility, "body": block.body, "meta": block.meta}
        )
    return content


def _normalised(value: Any) -> Any:
    """JSON-ready values whose serialisation depends only on what they are, not how they were spelt."""
    if isinstance(value, Mapping):
        keys = [str(key) for key in value]
        if len(set(keys)) != len(keys):
            raise BundleError(f"two keys of one object serialise alike: {sorted(keys)}")
        return {str(key): _normalised(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_normalised(item) for item in value]
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise BundleError(f"a bundle holds finite numbers only, not {value}")
        return _number(int(value) if value == value.to_integral_value() else float(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise BundleError(f"a bundle holds finite numbers only, not {value}")
        return _number(value)
    raise BundleError(f"a bundle holds JSON values only, not {type(value).__name__}")


def _number(value: int | float) -> int | float:
    if isinstance(value, float) and value.is_integer() and abs(value) <= _MAX_EXACT_FLOAT_INT:
        return int(value)
    return value
