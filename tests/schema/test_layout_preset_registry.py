"""The layout preset registry seeded by themeconfig 0005: fixed ids, real thumbnails, documented keys."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.schema.dbtools import APP, REPO

STATIC_DIR = REPO / "themeconfig" / "static" / "themeconfig" / "layout-presets"
ID_RE = re.compile(r"^lpr_[0-9A-HJKMNP-TV-Z]{22}$")


def registry(role_connection):
    conn = role_connection(APP)  # what the request role sees: SELECT only, no tenant context needed
    rows = conn.execute(
        """SELECT id, key, surface, supported_variants, supports_rtl, min_viewport_px, thumbnail_url,
                  documentation_url, is_active
           FROM theme_config.layout_presets WHERE id LIKE 'lpr\\_01JQ%' ORDER BY key"""
    ).fetchall()
    conn.rollback()
    return rows


def test_registry__twelve_presets_across_every_surface(role_connection):
    rows = registry(role_connection)
    assert len(rows) == 12
    assert {r[2] for r in rows} == {"home", "detail", "search", "custom"}
    for _id, key, surface, variants, _rtl, min_px, *_ in rows:
        assert key.startswith(f"{surface}."), key
        assert re.fullmatch(r"[a-z]+\.[a-z][a-z0-9-]*", key), key
        assert variants and len(set(variants)) == len(variants), key
        assert 320 <= min_px <= 1280, key
    assert {"home.hero-split", "home.full-bleed", "home.editorial", "detail.gallery-left", "detail.stacked",
            "search.list-map", "search.grid", "custom.landing"} <= {r[1] for r in rows}


def test_registry__ids_are_fixed_26_character_lpr_ids(role_connection):
    ids = [r[0] for r in registry(role_connection)]
    assert len(set(ids)) == len(ids)
    for preset_id in ids:
        assert len(preset_id) == 26 and ID_RE.match(preset_id), preset_id


def test_registry__thumbnails_are_shipped_svgs(role_connection):
    for _id, key, *_rest in registry(role_connection):
        thumbnail_url = _rest[4]
        assert thumbnail_url == f"/static/themeconfig/layout-presets/{key}.svg"
        svg = STATIC_DIR / f"{key}.svg"
        root = ET.parse(svg).getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg", key
        assert root.get("viewBox") == "0 0 240 160", key
        assert key in (root.findtext("{http://www.w3.org/2000/svg}title") or ""), key
        assert len(list(root)) > 5, f"{key}: a wireframe, not an empty frame"


def test_registry__documentation_anchors_exist(role_connection):
    catalogue = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    for _id, key, *_rest in registry(role_connection):
        documentation_url = _rest[5]
        assert documentation_url == f"/static/themeconfig/layout-presets/index.html#{key}"
        assert f'<section id="{key}">' in catalogue, key


def test_registry__retired_preset_is_kept_inactive(role_connection):
    retired = [(r[1], r[4]) for r in registry(role_connection) if not r[8]]
    assert retired == [("home.classic-carousel", False)]


def test_static_dir__no_thumbnail_without_a_preset(role_connection):
    keys = {r[1] for r in registry(role_connection)}
    assert {p.stem for p in Path(STATIC_DIR).glob("*.svg")} == keys
