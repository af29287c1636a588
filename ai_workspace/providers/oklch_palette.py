"""Offline palette drafts: colour harmonies in OKLCH from a brand kit and a mood, fixed up to WCAG AA.

The brand's primary colour keeps its hue; secondary and accent come from the kit when it has
them, otherwise from a harmony the mood picks (analogous, complementary, triadic, split
complementary). The mood also sets chroma and the background's tint. Every colour is
gamut-mapped to sRGB and written as hex, and contrast is measured on those hex values, so what
is checked is exactly what is stored.

Light or dark: the palette keeps the brand kit's lightness family (a sand-and-sea kit stays light
whatever the mood's character), unless the mood asks for dark: the moods of DARK_MOODS ("dark",
"night", "moody") always give a dark background. The kit's family is that of its background
colour, else its surface colour, else the opposite of its text colour (light text is meant for a
dark page); a kit that names none of them is light, as the booking site is by default.

Contrast pairs (foreground token on background token, WCAG 2.x contrast ratio):
  * 4.5:1 (text, SC 1.4.3): text, text_muted and link on background and on surface;
    on_primary on primary, on_secondary on secondary, on_accent on accent.
  * 3:1 (user-interface components, SC 1.4.11): primary, secondary, accent and border on
    background and on surface (button fills, focus rings and input borders against the page).
A pair is fixed by moving the foreground's OKLCH lightness (hue and chroma kept) the least
distance towards black or white that reaches the ratio against all its backgrounds.
"""
from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from coloraide import Color

from themeconfig.validators.brand_kit import tokens_from_brand_kit

# The pairs every palette meets, one list shared with the admin's contrast badges (order matters:
# a token is fixed before it is used as a background).
from themeconfig.validators.contrast import CONTRAST_PAIRS, TEXT_AA, UI_AA  # noqa: F401  (re-exported)
from themeconfig.validators.tokens import parse_color, validate_design_tokens

from . import ProviderInputError


@dataclass(frozen=True)
class Mood:
    harmony: str  # analogous, complementary, triadic, split_complementary
    chroma_scale: float
    chroma_range: tuple[float, float]
    asks_dark: bool  # a dark background (and light text) whatever the brand kit's family
    light_background: float  # OKLCH lightness of the page when the palette is light
    dark_background: float  # ... and when it is dark
    background_chroma: float
    background_hue: float | None  # None: tinted with the primary's hue
    hue_jitter: float  # degrees of seeded variation around the harmony


MOODS: dict[str, Mood] = {
    "calm": Mood("analogous", 0.6, (0.03, 0.12), False, 0.975, 0.2, 0.008, None, 6),
    "vibrant": Mood("complementary", 1.3, (0.14, 0.26), False, 0.99, 0.18, 0.004, None, 10),
    "luxurious": Mood("split_complementary", 0.8, (0.05, 0.14), False, 0.97, 0.19, 0.015, None, 5),
    "playful": Mood("triadic", 1.25, (0.13, 0.24), False, 0.98, 0.2, 0.012, None, 14),
    "natural": Mood("analogous", 0.7, (0.04, 0.13), False, 0.965, 0.21, 0.016, 85.0, 8),
    "dark": Mood("analogous", 0.9, (0.06, 0.16), True, 0.97, 0.18, 0.012, None, 6),
    "night": Mood("complementary", 0.8, (0.05, 0.14), True, 0.97, 0.16, 0.03, 265.0, 8),
    "moody": Mood("split_complementary", 0.7, (0.04, 0.12), True, 0.97, 0.21, 0.02, None, 6),
}
# The moods that ask for a dark palette whatever the brand kit; every other mood keeps the kit's family.
DARK_MOODS = tuple(name for name, mood in MOODS.items() if mood.asks_dark)
_HARMONY_OFFSETS = {
    "analogous": (-30.0, 30.0),
    "complementary": (180.0, 150.0),
    "triadic": (120.0, 240.0),
    "split_complementary": (150.0, 210.0),
}
_WHITE, _BLACK = "#ffffff", "#000000"


@dataclass(frozen=True)
class Lch:
    lightness: float
    chroma: float
    hue: float

    def hex(self) -> str:
        color = Color("oklch", [self.lightness, self.chroma, self.hue % 360])
        return color.fit("srgb", method="oklch-chroma").convert("srgb").to_string(hex=True)


def contrast(foreground: str, background: str) -> float:
    """WCAG 2.x contrast ratio of two opaque colours."""
    return Color(foreground).contrast(Color(background), method="wcag21")


def _lch(value: str, seeded_hue: float) -> Lch:
    color = parse_color(value) or Color("black")
    color = color.clone().set("alpha", 1).convert("oklch")
    lightness, chroma, hue = color.coords(nans=False)
    if color.is_achromatic() or math.isnan(hue):
        hue, chroma = seeded_hue, max(chroma, 0.0)
    return Lch(min(max(lightness, 0.0), 1.0), max(chroma, 0.0), hue)


def is_dark_color(value: str) -> bool | None:
    """Whether white reads better on the colour than black (it is darker than mid-grey); None for a colour
    that cannot tell (unreadable, or fully transparent)."""
    color = parse_color(value)
    if color is None or color.get("alpha", nans=False) == 0:
        return None
    opaque = color.clone().set("alpha", 1).convert("srgb").to_string(hex=True)
    return contrast(_WHITE, opaque) > contrast(_BLACK, opaque)


def brand_kit_is_dark(brand_colors: Sequence[Mapping[str, Any]]) -> bool:
    """The kit's lightness family: its background colour's, else its surface's, else the opposite of its
    text colour's; light when it names none of them."""
    by_role = {c["role"]: c["value"] for c in brand_colors if c.get("role")}
    for role in ("background", "surface", "text"):
        dark = is_dark_color(by_role[role]) if role in by_role else None
        if dark is not None:
            return dark if role != "text" else not dark
    return False


def palette_is_dark(brand_colors: Sequence[Mapping[str, Any]], mood_name: str) -> bool:
    """Dark when the mood asks for it, else when the brand kit is."""
    return MOODS[mood_name].asks_dark or brand_kit_is_dark(brand_colors)


def build_palette(
    *,
    brand_colors: Sequence[Mapping[str, Any]],
    mood_name: str,
    seed: int,
) -> dict[str, str]:
    """The semantic colour tokens for a mood; every CONTRAST_PAIRS pair meets its ratio."""
    mood = MOODS.get(mood_name)
    if mood is None:
        raise ProviderInputError("/mood", f"Unknown mood '{mood_name}'; use one of {', '.join(MOODS)}.")
    if not brand_colors:
        raise ProviderInputError("/brand_colors", "The brand kit has no colours.")
    dark = palette_is_dark(brand_colors, mood_name)
    rng = random.Random(seed)
    by_role = {c["role"]: c["value"] for c in brand_colors if c.get("role")}
    primary = _lch(by_role.get("primary", brand_colors[0]["value"]), seeded_hue=rng.uniform(0, 360))

    def moody(lch: Lch) -> Lch:
        low, high = mood.chroma_range
        return Lch(lch.lightness, min(max(lch.chroma * mood.chroma_scale, low), high), lch.hue)

    def jitter() -> float:
        return rng.uniform(-mood.hue_jitter, mood.hue_jitter)

    first, second = _HARMONY_OFFSETS[mood.harmony]
    base = moody(primary)
    secondary = (
        moody(_lch(by_role["secondary"], base.hue))
        if "secondary" in by_role
        else Lch(base.lightness, base.chroma * 0.85, base.hue + first + jitter())
    )
    accent = (
        moody(_lch(by_role["accent"], base.hue))
        if "accent" in by_role
        else Lch(_accent_lightness(base.lightness, dark), base.chroma, base.hue + second + jitter())
    )
    bg_hue = mood.background_hue if mood.background_hue is not None else base.hue
    background_lightness = mood.dark_background if dark else mood.light_background
    background = Lch(background_lightness, mood.background_chroma, bg_hue)
    surface_step = 0.06 if dark else -0.025  # cards sit a little off the page
    surface = Lch(background_lightness + surface_step, mood.background_chroma * 1.5, bg_hue)
    text_lightness = 0.95 if dark else 0.22
    palette = {
        "primary": base.hex(),
        "secondary": secondary.hex(),
        "accent": accent.hex(),
        "background": background.hex(),
        "surface": surface.hex(),
        "text": Lch(text_lightness, min(base.chroma, 0.03), base.hue).hex(),
        "text_muted": Lch(0.75 if dark else 0.45, min(base.chroma, 0.02), base.hue).hex(),
        "link": Lch(base.lightness, max(base.chroma, 0.08), base.hue).hex(),
        "border": Lch(0.45 if dark else 0.62, min(base.chroma, 0.02), base.hue).hex(),
    }
    for role in ("primary", "secondary", "accent"):
        palette[f"on_{role}"] = Lch(0.98, 0.01, base.hue).hex()  # near white; darkened if it must be
    for foreground, backgrounds, ratio in CONTRAST_PAIRS:
        palette[foreground] = meet_contrast(palette[foreground], [palette[b] for b in backgrounds], ratio)
    return palette


def _accent_lightness(primary_lightness: float, dark: bool) -> float:
    # An accent reads as one when its lightness differs from the primary's.
    return primary_lightness + (0.12 if primary_lightness < 0.6 else -0.12) * (1 if not dark else -1)


def meet_contrast(foreground: str, backgrounds: Sequence[str], ratio: float) -> str:
    """`foreground` with the least change of OKLCH lightness that reaches `ratio` on every background.

    Black or white reaches at least 4.58:1 on any single colour, and on several colours that
    are all on the same side of mid-grey; the search runs towards whichever of the two does.
    """
    if all(contrast(foreground, bg) >= ratio for bg in backgrounds):
        return foreground
    extreme = max((_BLACK, _WHITE), key=lambda e: min(contrast(e, bg) for bg in backgrounds))
    if min(contrast(extreme, bg) for bg in backgrounds) < ratio:
        raise ValueError(f"No colour reaches {ratio}:1 on all of {', '.join(backgrounds)}.")
    start = Color(foreground).convert("oklch")
    lightness, chroma, hue = start.coords(nans=False)
    target = 0.0 if extreme == _BLACK else 1.0

    def at(step: float) -> str:
        return Lch(lightness + (target - lightness) * step, chroma, hue).hex()

    low, high = 0.0, 1.0  # fraction of the way to the extreme; high always passes
    for _ in range(24):
        middle = (low + high) / 2
        if all(contrast(at(middle), bg) >= ratio for bg in backgrounds):
            high = middle
        else:
            low = middle
    candidate = at(high)
    if all(contrast(candidate, bg) >= ratio for bg in backgrounds):
        return candidate
    return extreme  # gamut mapping made the curve non-monotonic; the extreme always passes


def palette_tokens(
    *,
    brand_colors: Sequence[Mapping[str, Any]],
    brand_fonts: Sequence[Mapping[str, Any]],
    mood_name: str,
    seed: int,
    current_tokens: Mapping[str, Any] | None,
    direction: str,
) -> dict:
    """A complete, valid design-token set: the starting (or current) tokens with a new palette.

    Colour tokens of the starting set that are not semantic ones (the kit's `brand_*` swatches)
    are kept, so references to them still resolve.
    """
    if current_tokens is not None:
        base = validate_design_tokens(dict(current_tokens))
    else:
        base = tokens_from_brand_kit(colors=list(brand_colors), fonts=list(brand_fonts), direction=direction)
    palette = build_palette(brand_colors=brand_colors, mood_name=mood_name, seed=seed)
    colors = {name: value for name, value in base["color"].items() if name.startswith("brand_")}
    colors.update(palette)
    return validate_design_tokens({**base, "color": colors})


def contrast_report(colors: Mapping[str, str]) -> list[dict[str, Any]]:
    """Every checked pair with its measured ratio (for provenance and for tests)."""
    return [
        {
            "foreground": foreground,
            "background": background,
            "minimum": ratio,
            "ratio": math.floor(contrast(colors[foreground], colors[background]) * 100) / 100,
        }
        for foreground, backgrounds, ratio in CONTRAST_PAIRS
        for background in backgrounds
    ]


__all__ = [
    "CONTRAST_PAIRS", "DARK_MOODS", "MOODS", "brand_kit_is_dark", "build_palette", "contrast", "contrast_report",
    "meet_contrast", "palette_is_dark", "palette_tokens",
]
