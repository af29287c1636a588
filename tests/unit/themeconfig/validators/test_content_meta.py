"""Content block meta contract (content_blocks.meta): a discriminated union on kind."""

from __future__ import annotations

import copy

import pytest

from themeconfig.validators import CONTENT_BLOCK_KINDS, validate_content_meta

from .expect import assert_issues, issues_of
from .samples import ENABLED_LOCALES, valid_media_ref, valid_meta


def test_content_meta__kinds__cover_a_hotel_site():
    assert CONTENT_BLOCK_KINDS == (
        "hero",
        "rich_text",
        "image_gallery",
        "amenities",
        "room_highlights",
        "testimonials",
        "faq",
        "cta_banner",
        "map",
        "policy",
    )


@pytest.mark.parametrize("kind", CONTENT_BLOCK_KINDS)
def test_content_meta__valid_meta_for_each_kind__passes_unchanged_input(kind):
    meta = valid_meta(kind)
    original = copy.deepcopy(meta)

    result = validate_content_meta(meta, kind=kind, enabled_locales=ENABLED_LOCALES)

    assert meta == original
    assert result["kind"] == kind
    assert {key: result[key] for key in meta} == meta  # given fields come back as given (already trimmed)


@pytest.mark.parametrize(
    ("kind", "defaults"),
    [
        ("hero", {"alignment": "center", "height": "large", "overlay_opacity": 0}),
        ("rich_text", {"max_width": "normal"}),
        ("image_gallery", {"layout": "grid"}),
        ("amenities", {"columns": 3, "show_icons": True}),
        ("room_highlights", {"show_prices": True}),
        ("testimonials", {"autoplay": False}),
        ("faq", {"expand_first": False}),
        ("cta_banner", {"style": "primary"}),
        ("map", {"zoom": 14, "show_directions_link": True}),
        ("policy", {"show_last_updated": False}),
    ],
)
def test_content_meta__optional_fields_left_out__defaults_filled(kind, defaults):
    result = validate_content_meta(valid_meta(kind), kind=kind)

    assert {key: result[key] for key in defaults} == defaults


def test_content_meta__optional_field_without_default__stays_absent():
    result = validate_content_meta(valid_meta("cta_banner"), kind="cta_banner")

    assert "background_image" not in result


def test_content_meta__texts__trimmed():
    meta = valid_meta("testimonials")
    meta["items"][0]["author"] = "  Ana  "
    meta["items"][0]["quote"] = {"en": "  Great.  "}

    item = validate_content_meta(meta, kind="testimonials")["items"][0]

    assert (item["author"], item["quote"]) == ("Ana", {"en": "Great."})


def test_content_meta__kind_differs_from_column__reports_kind_mismatch():
    assert_issues([("/kind", "kind_mismatch")], validate_content_meta, valid_meta("faq"), kind="hero")


def test_content_meta__unknown_kind__reports_unknown_kind():
    assert_issues([("/kind", "unknown_kind")], validate_content_meta, {"kind": "carousel"}, kind="carousel")


def test_content_meta__missing_kind__reports_required():
    assert_issues([("/kind", "required")], validate_content_meta, {"images": []}, kind="image_gallery")


def test_content_meta__not_an_object__reports_invalid_type():
    assert_issues([("", "invalid_type")], validate_content_meta, "hero", kind="hero")


@pytest.mark.parametrize(
    ("kind", "change", "expected"),
    [
        ("hero", {"image": None}, [("/image", "invalid_type")]),
        ("hero", {"alignment": "left"}, [("/alignment", "invalid_choice")]),
        ("hero", {"overlay_opacity": 1.5}, [("/overlay_opacity", "out_of_range")]),
        (
            "hero",
            {"cta": {"label": {"en": "Go"}, "target": "javascript:go()"}},
            [("/cta/target", "unsafe_url")],
        ),
        (
            "hero",
            {"image": {**valid_media_ref(), "url": "http://cdn.hotel.example/a.jpg"}},
            [("/image/url", "disallowed_scheme")],
        ),
        ("hero", {"image": {"url": "https://cdn.hotel.example/a.jpg"}}, [("/image/alt", "required")]),
        ("hero", {"image": {**valid_media_ref(), "width": 0}}, [("/image/width", "out_of_range")]),
        ("rich_text", {"columns": 2}, [("/columns", "unknown_key")]),
        ("image_gallery", {"images": []}, [("/images", "empty")]),
        ("image_gallery", {"images": [valid_media_ref()] * 51}, [("/images", "too_many_items")]),
        ("image_gallery", {"columns": 7}, [("/columns", "out_of_range")]),
        ("image_gallery", {"columns": "3"}, [("/columns", "invalid_type")]),
        ("amenities", {"amenities": ["wifi", "helipad"]}, [("/amenities/1", "invalid_choice")]),
        ("amenities", {"amenities": ["wifi", "spa", "wifi"]}, [("/amenities/2", "duplicate_value")]),
        (
            "room_highlights",
            {"room_type_codes": ["DLX", "bad code"]},
            [("/room_type_codes/1", "invalid_code")],
        ),
        ("room_highlights", {"show_prices": "yes"}, [("/show_prices", "invalid_type")]),
        (
            "testimonials",
            {"items": [{"author": "A", "rating": 6, "quote": {"en": "x"}}]},
            [("/items/0/rating", "out_of_range")],
        ),
        (
            "testimonials",
            {"items": [{"author": "A", "rating": 5, "quote": {"en": "x"}, "stay_date": "2024-02-30"}]},
            [("/items/0/stay_date", "invalid_date")],
        ),
        (
            "testimonials",
            {"items": [{"author": "A", "rating": 5, "quote": {"en": "x"}, "stay_date": "14/07/2024"}]},
            [("/items/0/stay_date", "invalid_date")],
        ),
        ("faq", {"items": [{"question": {"en": "Q?"}}]}, [("/items/0/answer", "required")]),
        (
            "faq",
            {"items": [{"question": {"en": "Q?"}, "answer": {"xx": "A"}}]},
            [("/items/0/answer/xx", "locale_not_enabled")],
        ),
        ("cta_banner", {"target": "ftp://hotel.example"}, [("/target", "disallowed_scheme")]),
        ("cta_banner", {"label": {"en": "x" * 61}}, [("/label/en", "too_long")]),
        ("map", {"latitude": 91}, [("/latitude", "out_of_range")]),
        ("map", {"longitude": "6.1"}, [("/longitude", "invalid_type")]),
        ("map", {"zoom": 14.5}, [("/zoom", "invalid_type")]),
        ("policy", {"policy_type": "smoking"}, [("/policy_type", "invalid_choice")]),
    ],
)
def test_content_meta__bad_field__reports_code_and_path(kind, change, expected):
    meta = {**valid_meta(kind), **change}

    assert_issues(expected, validate_content_meta, meta, kind=kind, enabled_locales=ENABLED_LOCALES)


@pytest.mark.parametrize(
    ("kind", "required"),
    [
        ("hero", ["image"]),
        ("image_gallery", ["images"]),
        ("amenities", ["amenities"]),
        ("room_highlights", ["room_type_codes"]),
        ("testimonials", ["items"]),
        ("faq", ["items"]),
        ("cta_banner", ["label", "target"]),
        ("map", ["latitude", "longitude"]),
        ("policy", ["policy_type"]),
    ],
)
def test_content_meta__required_fields_missing__reports_required_for_each(kind, required):
    assert_issues(
        [(f"/{name}", "required") for name in required], validate_content_meta, {"kind": kind}, kind=kind
    )


def test_content_meta__locales_not_checked_against_enabled_when_not_given():
    meta = valid_meta("faq")
    meta["items"][0]["answer"] = {"it": "Sì."}

    assert validate_content_meta(meta, kind="faq")["items"][0]["answer"] == {"it": "Sì."}


def test_content_meta__several_problems__all_collected():
    meta = {
        "kind": "hero",
        "image": {"url": "javascript:x", "alt": {}},
        "alignment": "diagonal",
        "autoplay": True,
    }

    assert issues_of(validate_content_meta, meta, kind="hero") == [
        ("/alignment", "invalid_choice"),
        ("/autoplay", "unknown_key"),
        ("/image/alt", "empty"),
        ("/image/url", "unsafe_url"),
    ]
