"""Registers the platform's layout presets (data only; the table is 0003_layout_presets).

Idempotent: an upsert on layout_presets_key_uq (INSERT … ON CONFLICT (key) DO UPDATE), so running
it again, or over a registry the Frontend Platform squad already filled, converges on this list
without touching ids or registered_at of rows that exist. A preset is never deleted once themes
may select it; one that is withdrawn stays registered with is_active = false
(home.classic-carousel). The ids are fixed so every environment agrees on them.

Thumbnails are wireframes in themeconfig/static/themeconfig/layout-presets/<key>.svg; the
catalogue page beside them documents each preset.
"""
import re

from django.db import migrations

STATIC = "/static/themeconfig/layout-presets"
ID_RE = re.compile(r"^lpr_[0-9A-HJKMNP-TV-Z]{22}$")

# (id, key, surface, supported_variants (the first is the default), supports_rtl, min_viewport_px, is_active)
PRESETS = [
    ("lpr_01JQ000000000000000001", "home.hero-split", "home", ["media-end", "media-start"], True, 360, True),
    ("lpr_01JQ000000000000000002", "home.full-bleed", "home", ["image", "video", "carousel"], True, 320, True),
    ("lpr_01JQ000000000000000003", "home.editorial", "home", ["two-column", "single-column"], True, 360, True),
    ("lpr_01JQ000000000000000004", "home.classic-carousel", "home", ["dots", "arrows"], False, 768, False),
    ("lpr_01JQ000000000000000005", "detail.gallery-left", "detail", ["thumbnails", "masonry"], True, 768, True),
    ("lpr_01JQ000000000000000006", "detail.stacked", "detail", ["spacious", "compact"], True, 320, True),
    ("lpr_01JQ000000000000000007", "detail.sticky-booking", "detail", ["sidebar", "bottom-bar"], True, 360, True),
    ("lpr_01JQ000000000000000008", "search.list-map", "search", ["map-end", "map-start", "map-toggle"], True, 360, True),
    ("lpr_01JQ000000000000000009", "search.grid", "search", ["three-up", "two-up"], True, 360, True),
    ("lpr_01JQ000000000000000010", "search.calendar-first", "search", ["month", "range-strip"], True, 360, True),
    ("lpr_01JQ000000000000000011", "custom.landing", "custom", ["hero", "minimal"], True, 320, True),
    ("lpr_01JQ000000000000000012", "custom.faq", "custom", ["accordion", "two-column"], True, 360, True),
]

UPDATED_FIELDS = [
    "surface",
    "supported_variants",
    "supports_rtl",
    "min_viewport_px",
    "thumbnail_url",
    "documentation_url",
    "is_active",
]


def register_presets(apps, schema_editor):
    LayoutPreset = apps.get_model("themeconfig", "LayoutPreset")
    rows = []
    for preset_id, key, surface, variants, supports_rtl, min_viewport_px, is_active in PRESETS:
        if not ID_RE.match(preset_id) or len(preset_id) != 26:
            raise ValueError(f"{preset_id!r} is not lpr_ followed by 22 Crockford base32 characters")
        rows.append(
            LayoutPreset(
                id=preset_id,
                key=key,
                surface=surface,
                supported_variants=variants,
                supports_rtl=supports_rtl,
                min_viewport_px=min_viewport_px,
                thumbnail_url=f"{STATIC}/{key}.svg",
                documentation_url=f"{STATIC}/index.html#{key}",
                is_active=is_active,
            )
        )
    LayoutPreset.objects.using(schema_editor.connection.alias).bulk_create(
        rows, update_conflicts=True, unique_fields=["key"], update_fields=UPDATED_FIELDS
    )


def unregister_presets(apps, schema_editor):
    LayoutPreset = apps.get_model("themeconfig", "LayoutPreset")
    LayoutPreset.objects.using(schema_editor.connection.alias).filter(key__in=[p[1] for p in PRESETS]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("themeconfig", "0004_brand_kits"),
    ]

    operations = [
        migrations.RunPython(register_presets, unregister_presets),
    ]
