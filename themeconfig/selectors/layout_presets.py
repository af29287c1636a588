"""Reads of the global layout preset registry (no tenant data)."""
from __future__ import annotations

from django.db.models import QuerySet

from themeconfig.models import LayoutPreset
from themeconfig.validators import PresetInfo


def layout_preset_list(*, surface: str | None = None, include_inactive: bool = False) -> QuerySet[LayoutPreset]:
    """The global preset registry (no tenant data), by surface then key."""
    presets = LayoutPreset.objects.all()
    if not include_inactive:
        presets = presets.filter(is_active=True)
    if surface:
        presets = presets.filter(surface=surface)
    return presets.order_by("surface", "key")


def layout_presets_for_validation() -> dict[str, PresetInfo]:
    """Every preset, active or not, as the layout-selections validator wants them (it says which
    are retired)."""
    return {
        p.key: PresetInfo(p.key, p.surface, tuple(p.supported_variants), p.supports_rtl, p.is_active)
        for p in LayoutPreset.objects.all()
    }
