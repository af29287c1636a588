"""The small interface every AI draft provider implements, and the setting that picks one.

A provider turns a request of plain data (no models, no database) into a `ProviderResult`: the
drafted output as plain JSON values plus the provenance an `ai_provenance` column records. Which
provider a deployment uses is the `AI_PROVIDER` setting: a short name from `PROVIDERS`
("offline", the default, or "http") or the dotted import path of a provider class.
"""
from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

# Short names of the providers this codebase ships; any other value of AI_PROVIDER is an import path.
PROVIDERS: dict[str, str] = {
    "offline": "ai_workspace.providers.offline.OfflineProvider",
    "http": "ai_workspace.providers.http.HttpProvider",
}
DEFAULT_PROVIDER = "offline"


class ProviderInputError(ValueError):
    """A request a provider cannot draft from (an unknown mood, a fact a template needs is missing).

    `field` is the JSON pointer of the offending request member, so a door can answer 422 with it.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class PaletteRequest:
    """Draft design tokens for a theme from its brand kit and a requested mood.

    brand_colors / brand_fonts are a validated brand kit's `colors` and `fonts` lists;
    current_tokens, when given, is the theme's current (valid) token set, whose non-colour
    tokens the draft keeps.
    """

    brand_colors: Sequence[Mapping[str, Any]]
    mood: str
    brand_fonts: Sequence[Mapping[str, Any]] = ()
    current_tokens: Mapping[str, Any] | None = None
    style_preferences: Mapping[str, str] | None = None
    direction: str = "ltr"

    @classmethod
    def from_brand_kit(cls, brand_kit: Any, *, mood: str, current_tokens: Mapping | None = None) -> PaletteRequest:
        """From anything shaped like a BrandKit row (colors, fonts, style_preferences)."""
        return cls(
            brand_colors=tuple(brand_kit.colors),
            brand_fonts=tuple(brand_kit.fonts or ()),
            style_preferences=brand_kit.style_preferences,
            mood=mood,
            current_tokens=current_tokens,
        )


@dataclass(frozen=True)
class TranslationRequest:
    """Draft the entries of one locale pack from the default-locale entries ({key: ICU message})."""

    source_entries: Mapping[str, str]
    target_locale: str
    source_locale: str = "en"
    # "source": keep each plural's categories as in the source message; "target": give every
    # plural/selectordinal the CLDR categories of the target language (what the locale pack
    # validator asks of a real translation).
    plural_categories: str = "source"


@dataclass(frozen=True)
class ContentRequest:
    """Draft the body and meta of one content block of `kind` on `surface`, in `locale`.

    brand: facts about the brand (name, tone, …); property_facts: facts about the property
    (name, city, description, amenities, images, room_type_codes, latitude/longitude,
    testimonials, policy_type, booking_url, …). Templates only use facts they are given.
    """

    surface: str
    kind: str
    locale: str
    brand: Mapping[str, Any] = field(default_factory=dict)
    property_facts: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderResult:
    """A drafted output (plain JSON values) and where it came from."""

    output: Any
    provider: str
    model: str
    prompt_template_id: str
    prompt_template_version: str
    parameters: Mapping[str, Any] = field(default_factory=dict)
    timings_ms: Mapping[str, float] = field(default_factory=dict)
    input_tokens: int | None = None
    output_tokens: int | None = None
    # Provider-specific facts for the provenance (e.g. the HTTP provider's endpoint host, input hash).
    extra: Mapping[str, Any] = field(default_factory=dict)

    def provenance(self) -> dict[str, Any]:
        """The JSON an `ai_provenance` column stores."""
        return {
            "provider": self.provider,
            "model": self.model,
            "prompt_template_id": self.prompt_template_id,
            "prompt_template_version": self.prompt_template_version,
            "parameters": dict(self.parameters),
            "timings_ms": dict(self.timings_ms),
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            **dict(self.extra),
        }


@runtime_checkable
class Provider(Protocol):
    """What the AI workspace asks of a provider. Methods raise ProviderInputError for bad input."""

    name: str

    def palette(self, request: PaletteRequest) -> ProviderResult: ...

    def translation(self, request: TranslationRequest) -> ProviderResult: ...

    def content(self, request: ContentRequest) -> ProviderResult: ...


def provider_class(name: str) -> type:
    """The provider class for a short name in PROVIDERS or a dotted import path."""
    path = PROVIDERS.get(name, name)
    module_name, _, class_name = path.rpartition(".")
    if not module_name:
        raise ValueError(f"AI_PROVIDER '{name}' is neither one of {', '.join(PROVIDERS)} nor an import path.")
    return getattr(importlib.import_module(module_name), class_name)


def get_provider(name: str | None = None) -> Provider:
    """The provider the deployment is configured with (setting AI_PROVIDER, default "offline")."""
    if name is None:
        from django.conf import settings

        name = getattr(settings, "AI_PROVIDER", DEFAULT_PROVIDER) or DEFAULT_PROVIDER
    return provider_class(name)()


__all__ = [
    "DEFAULT_PROVIDER",
    "PROVIDERS",
    "ContentRequest",
    "PaletteRequest",
    "Provider",
    "ProviderInputError",
    "ProviderResult",
    "TranslationRequest",
    "get_provider",
    "provider_class",
]
