"""Choosing the provider by setting: AI_PROVIDER names one, offline by default."""
from __future__ import annotations

import pytest

from ai_workspace.providers import PaletteRequest, Provider, ProviderResult, get_provider
from ai_workspace.providers.offline import OfflineProvider


class FixedProvider:
    """A provider a deployment could name by import path."""

    name = "fixed"

    def palette(self, request):
        return ProviderResult(output={}, provider="fixed", model="m", prompt_template_id="p", prompt_template_version="1")

    translation = content = palette


def test_get_provider__setting_absent__offline(settings):
    if hasattr(settings, "AI_PROVIDER"):
        del settings.AI_PROVIDER
    provider = get_provider()
    assert isinstance(provider, OfflineProvider) and isinstance(provider, Provider)


def test_get_provider__import_path__that_class(settings):
    settings.AI_PROVIDER = f"{__name__}.FixedProvider"
    provider = get_provider()
    assert provider.palette(PaletteRequest(brand_colors=[], mood="calm")).provider == "fixed"


def test_get_provider__unknown_name__error(settings):
    settings.AI_PROVIDER = "clairvoyant"
    with pytest.raises(ValueError):
        get_provider()


def test_offline_provenance__carries_a_hash_of_the_inputs():
    from ai_workspace.providers import TranslationRequest

    one = OfflineProvider().translation(TranslationRequest(source_entries={"a": "Hi", "b": "Bye"}, target_locale="fr"))
    same = OfflineProvider().translation(TranslationRequest(source_entries={"b": "Bye", "a": "Hi"}, target_locale="fr"))
    other = OfflineProvider().translation(TranslationRequest(source_entries={"a": "Hi"}, target_locale="fr"))
    digest = one.provenance()["input_sha256"]
    assert len(digest) == 64 and digest == same.provenance()["input_sha256"] != other.provenance()["input_sha256"]
    assert one.provenance()["provider"] == "offline"
