"""Navigation items contract (navigation_configs.items) and the safe-URL rules it shares."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from themeconfig.validators import validate_navigation_items
from themeconfig.validators.navigation import is_dangerous_url

from .expect import assert_issues, issues_of
from .samples import ENABLED_LOCALES, nav_item, valid_navigation_items
from .strategies import build_nav_tree, deep_shapes, item_at, sibling_shapes

# How many examples: the Hypothesis profile (tests/conftest.py; HYPOTHESIS_PROFILE=deep for more).
HYPOTHESIS = settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def validate(items, enabled_locales=ENABLED_LOCALES):
    return validate_navigation_items(items, enabled_locales=enabled_locales)


def test_navigation__valid_tree__returns_normalized_copy():
    items = valid_navigation_items()
    original = copy.deepcopy(items)

    result = validate(items)

    assert items == original
    assert [item["id"] for item in result] == ["rooms", "offers", "location", "book", "call", "write"]
    assert result[0]["openInNewTab"] is False
    assert result[0]["children"][0]["children"][0]["children"] == []
    assert result[1]["rel"] == "nofollow noopener noreferrer"  # openInNewTab adds noopener noreferrer
    assert "rel" not in result[0]


def test_navigation__siblings_out_of_array_order__returned_sorted_by_ordinal():
    items = [nav_item("b", 1), nav_item("a", 0), nav_item("c", 2)]

    assert [item["id"] for item in validate(items)] == ["a", "b", "c"]


def test_navigation__labels_and_targets__trimmed():
    items = [nav_item("a", 0, target="  /rooms ", label={"en": "  Rooms  "})]

    result = validate(items)

    assert result[0]["target"] == "/rooms"
    assert result[0]["label"] == {"en": "Rooms"}


def test_navigation__not_an_array__reports_invalid_type_at_root():
    assert_issues([("", "invalid_type")], validate, {"items": []})


def test_navigation__empty_menu__is_valid():
    assert validate([]) == []


def test_navigation__missing_and_unknown_keys__reports_each():
    items = [{"id": "a", "kind": "page", "ordinal": 0, "icon": "home"}]

    assert_issues(
        [("/0/icon", "unknown_key"), ("/0/label", "required"), ("/0/target", "required")], validate, items
    )


@pytest.mark.parametrize(
    "target",
    [
        "javascript:alert(1)",
        "  JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "\x01javascript:alert(1)",
        "&#106;avascript:alert(1)",
        "&#x6A;avascript:alert(1)",
        "javascript&colon;alert(1)",
        "jav&#x09;ascript:alert(1)",
        "%6Aavascript:alert(1)",
        "ｊａｖａｓｃｒｉｐｔ:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "DATA:text/html,x",
        "vbscript:msgbox(1)",
        "VBScript:msgbox(1)",
    ],
)
@pytest.mark.parametrize("kind", ["page", "url", "anchor", "booking", "phone", "email"])
def test_navigation__script_or_data_target_for_any_kind__reports_unsafe_url(kind, target):
    assert_issues([("/0/target", "unsafe_url")], validate, [nav_item("a", 0, kind=kind, target=target)])


@pytest.mark.parametrize(
    ("kind", "target", "code"),
    [
        ("url", "ftp://files.hotel.example/a", "disallowed_scheme"),
        ("url", "mailto:a@b.example", "disallowed_scheme"),
        ("url", "https://", "invalid_url"),
        ("url", "https:rooms", "invalid_url"),
        ("url", "https://bank.example@evil.example/", "invalid_url"),
        ("url", "https://hotel.example/a b", "invalid_url"),
        ("url", "https://hotel.example:port/", "invalid_url"),
        ("url", "//evil.example/", "invalid_url"),
        ("url", "/\\evil.example", "invalid_url"),
        ("url", "rooms", "invalid_url"),
        ("page", "https://hotel.example/rooms", "disallowed_scheme"),
        ("page", "rooms/deluxe", "invalid_url"),
        ("page", "", "empty"),
        ("page", 42, "invalid_type"),
        ("page", "/" + "a" * 2048, "too_long"),
        ("anchor", "location", "invalid_target"),
        ("anchor", "#1st", "invalid_target"),
        ("booking", "checkout", "invalid_target"),
        ("phone", "+41 22 555 01 00", "invalid_url"),
        ("phone", "tel:call-us", "invalid_url"),
        ("phone", "https://hotel.example/call", "disallowed_scheme"),
        ("email", "mailto:nobody", "invalid_url"),
        ("email", "stay@hotel.example", "invalid_url"),
    ],
)
def test_navigation__target_not_valid_for_kind__reports_code(kind, target, code):
    assert_issues([("/0/target", code)], validate, [nav_item("a", 0, kind=kind, target=target)])


@pytest.mark.parametrize(
    ("kind", "target"),
    [
        ("url", "http://hotel.example"),
        ("url", "https://hotel.example:8443/offers?from=nav#top"),
        ("url", "/offers?next=javascript:alert(1)"),  # a path whose query mentions a scheme is still a path
        ("page", "/rooms/deluxe"),
        ("anchor", "#spa-and-wellness"),
        ("phone", "tel:+1-(800)-555.0100"),
        ("phone", "TEL:+41225550100"),
        ("email", "mailto:Stay@Hotel.example?subject=Booking%20question"),
    ],
)
def test_navigation__allowed_target__passes(kind, target):
    assert validate([nav_item("a", 0, kind=kind, target=target)])[0]["target"] == target


def test_navigation__unknown_kind__reports_invalid_choice_and_skips_target():
    assert_issues(
        [("/0/kind", "invalid_choice")], validate, [nav_item("a", 0, kind="link", target="javascript:x")]
    )


@pytest.mark.parametrize(
    ("label", "path", "code"),
    [
        ({}, "/0/label", "empty"),
        ("Rooms", "/0/label", "invalid_type"),
        ({"en": "   "}, "/0/label/en", "empty"),
        ({"en": "x" * 81}, "/0/label/en", "too_long"),
        ({"EN": "Rooms"}, "/0/label/EN", "invalid_locale"),
        ({"en_US": "Rooms"}, "/0/label/en_US", "invalid_locale"),
        ({"it": "Camere"}, "/0/label/it", "locale_not_enabled"),
        ({"en": 5}, "/0/label/en", "invalid_type"),
    ],
)
def test_navigation__bad_label__reports_code(label, path, code):
    assert_issues([(path, code)], validate, [nav_item("a", 0, label=label)])


def test_navigation__label_of_80_characters__passes():
    assert validate([nav_item("a", 0, label={"en": "x" * 80})])[0]["label"]["en"] == "x" * 80


@pytest.mark.parametrize("bad_id", ["", "has space", "-lead", "x" * 65, 7, None])
def test_navigation__bad_id__reports_invalid_id(bad_id):
    assert_issues([("/0/id", "invalid_id")], validate, [nav_item("a", 0, id=bad_id)])


def test_navigation__duplicate_id_across_levels__reports_duplicate_id_at_later_item():
    items = [nav_item("rooms", 0, children=[nav_item("spa", 0)]), nav_item("spa", 1)]

    assert_issues([("/1/id", "duplicate_id")], validate, items)


@pytest.mark.parametrize(
    ("ordinals", "expected"),
    [
        ([1, 2, 3], [("/2/ordinal", "non_contiguous_ordinal")]),
        ([0, 0, 1], [("/1/ordinal", "duplicate_ordinal")]),
        ([0, 2, 3], [("/2/ordinal", "non_contiguous_ordinal")]),
        ([0, 5, 7], [("/1/ordinal", "non_contiguous_ordinal"), ("/2/ordinal", "non_contiguous_ordinal")]),
        ([-1, 0, 1], [("/0/ordinal", "non_contiguous_ordinal")]),
    ],
)
def test_navigation__ordinals_not_zero_based_contiguous__reports_each(ordinals, expected):
    items = [nav_item(f"i{n}", ordinal) for n, ordinal in enumerate(ordinals)]

    assert_issues(expected, validate, items)


@pytest.mark.parametrize(
    ("ordinal", "code"), [("0", "invalid_type"), (True, "invalid_type"), (0.5, "invalid_type")]
)
def test_navigation__non_integer_ordinal__reports_invalid_type_only(ordinal, code):
    items = [nav_item("a", ordinal), nav_item("b", 1)]

    assert_issues([("/0/ordinal", code)], validate, items)


def test_navigation__ordinals_are_checked_per_sibling_list():
    items = [nav_item("a", 0, children=[nav_item("b", 0), nav_item("c", 2)])]

    assert_issues([("/0/children/1/ordinal", "non_contiguous_ordinal")], validate, items)


@pytest.mark.parametrize(
    ("fields", "path", "code"),
    [
        ({"openInNewTab": "yes"}, "/0/openInNewTab", "invalid_type"),
        ({"rel": "nofollow javascript"}, "/0/rel", "invalid_rel"),
        ({"rel": ["nofollow"]}, "/0/rel", "invalid_type"),
        ({"children": {}}, "/0/children", "invalid_type"),
    ],
)
def test_navigation__bad_optional_member__reports_code(fields, path, code):
    assert_issues([(path, code)], validate, [nav_item("a", 0, **fields)])


def test_navigation__rel_tokens__lower_cased_and_deduplicated():
    result = validate([nav_item("a", 0, rel="NoFollow  nofollow ugc")])

    assert result[0]["rel"] == "nofollow ugc"


def test_navigation__depth_four__reports_too_deep_at_the_deep_items():
    items = [
        nav_item(
            "a",
            0,
            children=[
                nav_item("b", 0, children=[nav_item("c", 0, children=[nav_item("d", 0), nav_item("e", 1)])])
            ],
        )
    ]

    assert_issues(
        [
            ("/0/children/0/children/0/children/0", "too_deep"),
            ("/0/children/0/children/0/children/1", "too_deep"),
        ],
        validate,
        items,
    )


def test_navigation__too_many_siblings__reports_too_many_items():
    items = [nav_item(f"i{n}", n) for n in range(51)]

    assert_issues([("", "too_many_items")], validate, items)


def test_navigation__too_many_items_in_tree__reports_too_many_items_at_root():
    items = [nav_item(f"p{p}", p, children=[nav_item(f"c{p}-{c}", c) for c in range(40)]) for p in range(5)]

    assert_issues([("", "too_many_items")], validate, items)


def test_navigation__problems_across_the_tree__are_all_collected():
    items = [
        nav_item("a", 0, kind="url", target="javascript:alert(1)"),
        nav_item("a", 1, label={"xx-YY": "?"}),
        nav_item("c", 2, children=[nav_item("d", 0, kind="phone", target="tel:abc"), "not an item"]),
    ]

    assert issues_of(validate, items) == [
        ("/0/target", "unsafe_url"),
        ("/1/id", "duplicate_id"),
        ("/1/label/xx-YY", "locale_not_enabled"),
        ("/2/children/0/target", "invalid_url"),
        ("/2/children/1", "invalid_type"),
    ]


@pytest.mark.parametrize(
    ("text", "dangerous"),
    [
        ("https://x.example", False),
        ("/javascript:", False),
        ("javascript:", True),
        (" \t\r\nvbscript:x", True),
        ("data:,", True),
    ],
)
def test_is_dangerous_url__examples(text, dangerous):
    assert is_dangerous_url(text) is dangerous


@HYPOTHESIS
@given(st.data())
def test_navigation__generated_trees_up_to_depth_three__pass(data):
    tree = build_nav_tree(data.draw, data.draw(sibling_shapes(3)))

    result = validate(tree.items)

    assert sum(1 for _ in _walk(result)) == len(tree.preorder)


@HYPOTHESIS
@given(st.data())
def test_navigation__generated_trees_of_depth_four__report_too_deep_at_each_deepest_item(data):
    tree = build_nav_tree(data.draw, data.draw(deep_shapes(4)))

    assert tree.too_deep
    assert sorted(issues_of(validate, tree.items)) == sorted((path, "too_deep") for path in tree.too_deep)


@HYPOTHESIS
@given(st.data())
def test_navigation__generated_tree_with_one_reused_id__reports_duplicate_id_at_later_item(data):
    tree = build_nav_tree(data.draw, data.draw(deep_shapes(3)))
    if len(tree.preorder) < 2:
        tree = build_nav_tree(data.draw, [[], [[]]])
    first, later = sorted(
        data.draw(st.lists(st.sampled_from(range(len(tree.preorder))), min_size=2, max_size=2, unique=True))
    )
    item_at(tree.items, tree.preorder[later])["id"] = item_at(tree.items, tree.preorder[first])["id"]

    assert issues_of(validate, tree.items) == [(tree.preorder[later] + "/id", "duplicate_id")]


def _walk(items):
    for item in items:
        yield item
        yield from _walk(item["children"])
