"""The offline provider: drafts without network or model weights, and says so in its provenance.

Palettes are computed (OKLCH harmonies from the brand kit and a mood, light or dark as the kit is unless
the mood asks for dark, fixed to WCAG AA),
translations are pseudo-localisations (not translations: a layout test for long and RTL text),
content comes from fixed templates filled with brand and property facts. Each is deterministic:
the same request gives the same draft; the palette's seeded hue variation comes from a hash of
the request.
"""
from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from themeconfig.validators import ContractViolation, validate_brand_kit
from themeconfig.validators.locales import is_locale_code
from themeconfig.validators.tokens import DIRECTIONS

from . import ContentRequest, PaletteRequest, ProviderInputError, ProviderResult, TranslationRequest
from .content_templates import TEMPLATE_VERSION, draft_content
from .oklch_palette import MOODS, contrast_report, palette_is_dark, palette_tokens
from .pseudo_localisation import EXPANSION, is_rtl, pseudo_entries, target_plural_categories

PROVIDER_NAME = "offline"
PALETTE_MODEL = "offline-oklch-harmony-1"
TRANSLATION_MODEL = "pseudo-localisation-1"
CONTENT_MODEL = "templates-1"
PLURAL_CATEGORY_MODES = ("source", "target")


def input_sha256(request: Any) -> str:
    """The sha256 of the request's canonical JSON (key order does not matter): the provenance's input hash."""
    canonical = json.dumps(asdict(request), sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def request_seed(request: Any) -> int:
    """A stable 64-bit seed from the request's content."""
    return int(input_sha256(request)[:16], 16)


def _timed(draft: Callable[[], Any]) -> tuple[Any, dict[str, float]]:
    started = time.perf_counter()
    output = draft()
    return output, {"total": round((time.perf_counter() - started) * 1000, 3)}


class OfflineProvider:
    """Provider (see ai_workspace.providers) that runs entirely in-process."""

    name = PROVIDER_NAME

    def palette(self, request: PaletteRequest) -> ProviderResult:
        if request.mood not in MOODS:
            raise ProviderInputError("/mood", f"Unknown mood '{request.mood}'; use one of {', '.join(MOODS)}.")
        if request.direction not in DIRECTIONS:
            raise ProviderInputError("/direction", "Use ltr or rtl.")
        try:
            colors, fonts, _, _ = validate_brand_kit(colors=list(request.brand_colors), fonts=list(request.brand_fonts))
        except ContractViolation as error:
            # The kit's issue paths (/colors/0/value, /fonts/1/family) in the request's member names.
            first = error.issues[0].path
            field = first.replace("/colors", "/brand_colors", 1).replace("/fonts", "/brand_fonts", 1)
            raise ProviderInputError(field, f"Not a valid brand kit: {error}") from error
        seed = request_seed(request)
        try:
            tokens, timings = _timed(
                lambda: palette_tokens(
                    brand_colors=colors,
                    brand_fonts=fonts,
                    mood_name=request.mood,
                    seed=seed,
                    current_tokens=request.current_tokens,
                    direction=request.direction,
                )
            )
        except ContractViolation as error:
            raise ProviderInputError("/current_tokens", f"Not a valid token set: {error}") from error
        return ProviderResult(
            output=tokens,
            provider=PROVIDER_NAME,
            model=PALETTE_MODEL,
            prompt_template_id="palette.oklch-harmony",
            prompt_template_version="1",
            parameters={
                "mood": request.mood,
                "harmony": MOODS[request.mood].harmony,
                "scheme": "dark" if palette_is_dark(colors, request.mood) else "light",
                "seed": seed,
                "contrast": contrast_report(tokens["color"]),
            },
            timings_ms=timings,
            extra={"input_sha256": input_sha256(request)},
        )

    def translation(self, request: TranslationRequest) -> ProviderResult:
        if not is_locale_code(request.target_locale):
            raise ProviderInputError("/target_locale", f"'{request.target_locale}' is not a locale code like 'fr' or 'pt-BR'.")
        if request.plural_categories not in PLURAL_CATEGORY_MODES:
            raise ProviderInputError("/plural_categories", f"Use one of {', '.join(PLURAL_CATEGORY_MODES)}.")
        categories = target_plural_categories(request.target_locale) if request.plural_categories == "target" else None
        try:
            entries, timings = _timed(
                lambda: pseudo_entries(request.source_entries, locale=request.target_locale, plural_categories=categories)
            )
        except (SyntaxError, ValueError) as error:
            raise ProviderInputError("/source_entries", f"A source message is not valid ICU: {error}") from error
        return ProviderResult(
            output=entries,
            provider=PROVIDER_NAME,
            model=TRANSLATION_MODEL,
            prompt_template_id="translation.pseudo-localisation",
            prompt_template_version="1",
            parameters={
                "source_locale": request.source_locale,
                "target_locale": request.target_locale,
                "expansion": EXPANSION,
                "rtl": is_rtl(request.target_locale),
                "plural_categories": request.plural_categories,
            },
            timings_ms=timings,
            extra={"input_sha256": input_sha256(request)},
        )

    def content(self, request: ContentRequest) -> ProviderResult:
        from themeconfig.models import ContentSurface  # models need the app registry; the rest does not

        if request.surface not in ContentSurface.values:
            raise ProviderInputError("/surface", f"Use one of {', '.join(ContentSurface.values)}.")
        if not is_locale_code(request.locale):
            raise ProviderInputError("/locale", f"'{request.locale}' is not a locale code like 'en' or 'pt-BR'.")
        draft, timings = _timed(
            lambda: draft_content(
                kind=request.kind, locale=request.locale, brand=request.brand, property_facts=request.property_facts
            )
        )
        return ProviderResult(
            output=draft,
            provider=PROVIDER_NAME,
            model=CONTENT_MODEL,
            prompt_template_id=f"content.{request.kind}",
            prompt_template_version=TEMPLATE_VERSION,
            parameters={"surface": request.surface, "kind": request.kind, "locale": request.locale},
            timings_ms=timings,
            extra={"input_sha256": input_sha256(request)},
        )


__all__ = ["CONTENT_MODEL", "PALETTE_MODEL", "PROVIDER_NAME", "TRANSLATION_MODEL", "OfflineProvider", "request_seed"]
