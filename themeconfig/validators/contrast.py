"""WCAG 2.x contrast of colour tokens, and the token pairs that must meet it (pure Python, no Django).

The one list of contrast pairs: the admin's token editor renders it into its widget (so its
JavaScript checks the same pairs) and AI palette drafting can import it from here.

Contrast (WCAG 2.x, SC 1.4.3 / 1.4.11): every colour is converted to sRGB with coloraide and
clipped to the sRGB gamut (what a screen shows); its relative luminance is
L = 0.2126 R + 0.7152 G + 0.0722 B on the linearised channels (c ≤ 0.04045: c / 12.92, else
((c + 0.055) / 1.055) ^ 2.4); the ratio is (L_lighter + 0.05) / (L_darker + 0.05), 1..21.
A translucent foreground is composited over its background first, and a translucent background
over white (the page), so the ratio is that of the colours actually seen.

A tenant's `contrast_policy` setting decides what a failing pair does to preview-ready:
`text_block_ui_warn` (the default: a text pair below 4.5:1 is a problem, an interface pair below
3:1 a warning), `all_block` (both are problems) or `warn_only` (both are warnings).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from coloraide import Color

from .tokens import parse_color

TEXT_AA = 4.5  # SC 1.4.3: body text
UI_AA = 3.0  # SC 1.4.11: user-interface components and graphical objects

# (foreground, backgrounds, minimum ratio). Order matters to palette fixing: a token is fixed
# before it is used as a background (primary before on_primary).
CONTRAST_PAIRS: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("primary", ("background", "surface"), UI_AA),
    ("secondary", ("background", "surface"), UI_AA),
    ("accent", ("background", "surface"), UI_AA),
    ("border", ("background", "surface"), UI_AA),
    ("on_primary", ("primary",), TEXT_AA),
    ("on_secondary", ("secondary",), TEXT_AA),
    ("on_accent", ("accent",), TEXT_AA),
    ("text", ("background", "surface"), TEXT_AA),
    ("text_muted", ("background", "surface"), TEXT_AA),
    ("link", ("background", "surface"), TEXT_AA),
)

_WHITE = (1.0, 1.0, 1.0)

TEXT_BLOCK_UI_WARN = "text_block_ui_warn"
ALL_BLOCK = "all_block"
WARN_ONLY = "warn_only"
CONTRAST_POLICIES = (TEXT_BLOCK_UI_WARN, ALL_BLOCK, WARN_ONLY)
DEFAULT_CONTRAST_POLICY = TEXT_BLOCK_UI_WARN


@dataclass(frozen=True)
class Pair:
    """One foreground/background check of CONTRAST_PAIRS."""

    foreground: str
    background: str
    minimum: float

    @property
    def kind(self) -> str:
        return "text" if self.minimum >= TEXT_AA else "ui"


def pairs() -> tuple[Pair, ...]:
    """CONTRAST_PAIRS flattened: one Pair per (foreground, background), in the list's order."""
    return tuple(Pair(fg, bg, minimum) for fg, backgrounds, minimum in CONTRAST_PAIRS for bg in backgrounds)


def pairs_for(names) -> tuple[Pair, ...]:
    """The pairs whose two tokens are both among `names`."""
    present = set(names)
    return tuple(p for p in pairs() if p.foreground in present and p.background in present)


def srgb_channels(value: str | Color) -> tuple[tuple[float, float, float], float]:
    """(r, g, b) in 0..1 (clipped to the sRGB gamut) and alpha, or ValueError for a non-colour."""
    color = value if isinstance(value, Color) else parse_color(value.strip())
    if color is None:
        raise ValueError(f"{value!r} is not a CSS colour")
    srgb = color.convert("srgb").clip()
    r, g, b = (0.0 if c != c else min(max(c, 0.0), 1.0) for c in srgb.coords(nans=False))
    alpha = srgb.alpha(nans=False)
    return (r, g, b), min(max(alpha, 0.0), 1.0)


def _over(top: tuple[float, float, float], alpha: float, bottom: tuple[float, float, float]):
    return tuple(t * alpha + b * (1 - alpha) for t, b in zip(top, bottom, strict=True))


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def relative_luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2.x relative luminance of an sRGB colour given as (r, g, b) in 0..1."""
    r, g, b = (_linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str | Color, background: str | Color) -> float:
    """WCAG 2.x contrast ratio (1..21) of a foreground colour on a background colour (CSS strings)."""
    bg_rgb, bg_alpha = srgb_channels(background)
    bg_rgb = _over(bg_rgb, bg_alpha, _WHITE)
    fg_rgb, fg_alpha = srgb_channels(foreground)
    fg_rgb = _over(fg_rgb, fg_alpha, bg_rgb)
    lighter, darker = sorted((relative_luminance(fg_rgb), relative_luminance(bg_rgb)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def to_hex(value: str) -> str | None:
    """`#rrggbb` for a CSS colour (gamut-mapped into sRGB, alpha dropped), or None if it is not one."""
    color = parse_color(value.strip()) if isinstance(value, str) else None
    if color is None:
        return None
    srgb = color.convert("srgb")
    if not srgb.in_gamut():
        srgb = srgb.fit(method="oklch-chroma")
    return srgb.set("alpha", 1).to_string(hex=True, fit=False)


@dataclass(frozen=True)
class PairResult:
    pair: Pair
    ratio: float | None  # None when one of the two values is not a colour

    @property
    def passes(self) -> bool | None:
        # Compared on the ratio rounded as shown (2 decimals) would let 4.495 read "4.50 FAIL";
        # WCAG compares the exact ratio, so do we.
        return None if self.ratio is None else self.ratio >= self.pair.minimum


def failing_pair_blocks(pair: Pair, policy: str) -> bool:
    """Whether `pair`, failing, keeps a version from preview under `policy` (unknown: the default)."""
    if policy == ALL_BLOCK:
        return True
    if policy == WARN_ONLY:
        return False
    return pair.kind == "text"


def check_pairs(colors: Mapping[str, str]) -> list[PairResult]:
    """Every CONTRAST_PAIRS pair present in `colors` ({token name: CSS colour}) with its ratio."""
    results = []
    for pair in pairs_for(colors):
        try:
            ratio = contrast_ratio(colors[pair.foreground], colors[pair.background])
        except (ValueError, TypeError, AttributeError):
            ratio = None
        results.append(PairResult(pair, ratio))
    return results


__all__ = [
    "ALL_BLOCK",
    "CONTRAST_PAIRS",
    "CONTRAST_POLICIES",
    "DEFAULT_CONTRAST_POLICY",
    "TEXT_AA",
    "TEXT_BLOCK_UI_WARN",
    "UI_AA",
    "WARN_ONLY",
    "Pair",
    "PairResult",
    "check_pairs",
    "contrast_ratio",
    "failing_pair_blocks",
    "pairs",
    "pairs_for",
    "relative_luminance",
    "srgb_channels",
    "to_hex",
]
