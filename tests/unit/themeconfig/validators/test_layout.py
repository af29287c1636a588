"""Layout selections contract (theme_versions.layout_selections) against the preset registry."""

from __future__ import annotations

import copy

import pytest

from themeconfig.validators import validate_layout_selections

from .expect import assert_issues, issues_of
from .samples import valid_layout_selections, valid_presets


def validate(value, direction="ltr"):
    return validate_layout_selections(value, presets=valid_presets(), direction=direction)


def test_layout__valid_selections__defaults_filled():
    value = valid_layout_selections()
    original = copy.deepcopy(value)

    result = validate(value)

    assert value == original
    assert result == {
        "home": {"preset": "home_hero_split", "variant": "compact", "options": {"show_search_bar": True}},
        "detail": {"preset": "detail_gallery_first", "variant": "wide", "options": {}},
        "search": {"preset": "search_map_list", "variant": "list", "options": {}},  # first supported variant
    }


def test_layout__empty_object__is_valid():
    assert validate({}) == {}


def test_layout__rtl_theme_with_rtl_presets__passes():
    assert validate(valid_layout_selections(), direction="rtl")["home"]["preset"] == "home_hero_split"


def test_layout__not_an_object__reports_invalid_type_at_root():
    assert_issues([("", "invalid_type")], validate, [])


def test_layout__unknown_surface__reports_unknown_key():
    assert_issues([("/policies", "unknown_key")], validate, {"policies": {"preset": "home_classic"}})


@pytest.mark.parametrize(
    ("preset", "code"),
    [
        ("nope", "unknown_preset"),
        ("home_retired", "inactive_preset"),
        ("detail_gallery_first", "preset_surface_mismatch"),
        (3, "invalid_type"),
    ],
)
def test_layout__bad_preset__reports_code_at_preset(preset, code):
    assert_issues([("/home/preset", code)], validate, {"home": {"preset": preset, "variant": "default"}})


def test_layout__rtl_theme_with_ltr_only_preset__reports_rtl_not_supported():
    assert_issues(
        [("/home/preset", "rtl_not_supported")],
        validate,
        {"home": {"preset": "home_classic"}},
        direction="rtl",
    )


def test_layout__unsupported_variant__reports_unsupported_variant():
    assert_issues(
        [("/home/variant", "unsupported_variant")],
        validate,
        {"home": {"preset": "home_hero_split", "variant": "wide"}},
    )


def test_layout__missing_preset_and_unknown_member__reports_each():
    assert_issues(
        [("/home/layout", "unknown_key"), ("/home/preset", "required")], validate, {"home": {"layout": "x"}}
    )


@pytest.mark.parametrize(
    ("options", "path", "code"),
    [
        ([], "/home/options", "invalid_type"),
        ({"Bad-Name": 1}, "/home/options/Bad-Name", "invalid_name"),
        ({"nested": {"a": 1}}, "/home/options/nested", "invalid_type"),
        ({"nothing": None}, "/home/options/nothing", "invalid_type"),
        ({"caption": "x" * 201}, "/home/options/caption", "too_long"),
        ({f"o{n}": n for n in range(33)}, "/home/options", "too_many_items"),
    ],
)
def test_layout__bad_options__reports_code(options, path, code):
    assert_issues([(path, code)], validate, {"home": {"preset": "home_hero_split", "options": options}})


def test_layout__every_surface_wrong__all_issues_collected():
    value = {
        "home": {"preset": "home_retired"},
        "detail": {"preset": "detail_gallery_first", "variant": "narrow"},
        "search": "search_map_list",
        "custom": {"preset": "ghost", "variant": 1},
    }

    assert issues_of(validate, value) == [
        ("/custom/preset", "unknown_preset"),
        ("/custom/variant", "invalid_type"),
        ("/detail/variant", "unsupported_variant"),
        ("/home/preset", "inactive_preset"),
        ("/search", "invalid_type"),
    ]


def test_layout__bad_direction_argument__raises_value_error():
    with pytest.raises(ValueError):
        validate({}, direction="up")
