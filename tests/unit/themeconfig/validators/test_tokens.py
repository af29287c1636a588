"""Design token contract (theme_versions.tokens)."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from themeconfig.validators import validate_design_tokens
from themeconfig.validators.tokens import ISSUE_CODES

from .expect import assert_issues, issues_of
from .samples import valid_tokens
from .strategies import garbage, leaf_paths, token_sets

# How many examples: the Hypothesis profile (tests/conftest.py; HYPOTHESIS_PROFILE=deep for more).
HYPOTHESIS = settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def test_design_tokens__valid_set__returns_normalized_copy():
    tokens = valid_tokens()
    original = copy.deepcopy(tokens)

    result = validate_design_tokens(tokens)

    assert tokens == original  # input untouched
    assert list(result) == ["color", "typography", "spacing", "radius", "shadow", "motion", "direction"]
    assert result["color"]["surface"] == "oklch(0.97 0.01 250)"
    assert result["spacing"]["none"] == "0px"
    assert result["shadow"]["card"]["inset"] is False
    assert result["shadow"]["inner"]["inset"] is True
    assert result["motion"]["easings"]["standard"] == "cubic-bezier(0.2, 0, 0, 1)"


def test_design_tokens__untrimmed_and_loose_spellings__are_normalized():
    tokens = valid_tokens()
    tokens["color"]["primary"] = "  #0B5FFF "
    tokens["spacing"]["xs"] = " .25rem "
    tokens["motion"]["easings"]["exit"] = " Ease-In "
    tokens["motion"]["easings"]["standard"] = "cubic-bezier(.2,0,0,1.0)"
    tokens["typography"]["families"]["body"]["stack"] = ["  Inter  "]

    result = validate_design_tokens(tokens)

    assert result["color"]["primary"] == "#0B5FFF"
    assert result["spacing"]["xs"] == "0.25rem"
    assert result["motion"]["easings"]["exit"] == "ease-in"
    assert result["motion"]["easings"]["standard"] == "cubic-bezier(0.2, 0, 0, 1)"
    assert result["typography"]["families"]["body"]["stack"] == ["Inter"]


@pytest.mark.parametrize(
    "color",
    [
        "#abc",
        "#aabbcc80",
        "rgb(1 2 3 / 50%)",
        "rgba(1, 2, 3, 0.5)",
        "hsl(120deg 50% 50%)",
        "hwb(120 10% 10%)",
        "lab(50% 40 59)",
        "lch(50% 30 20)",
        "oklab(0.5 0.1 0.1)",
        "oklch(0.6 0.1 200)",
        "color(display-p3 1 0 0)",
        "rebeccapurple",
        "transparent",
    ],
)
def test_design_tokens__any_css_color_4_syntax__is_accepted(color):
    tokens = valid_tokens()
    tokens["color"]["accent"] = color

    assert validate_design_tokens(tokens)["color"]["accent"] == color


@pytest.mark.parametrize(
    "color",
    ["#ggg", "rgb(1 2)", "currentcolor", "blurple", "red; background: url(x)", "color(--hsv 0 0 0)", ""],
)
def test_design_tokens__invalid_color__reports_invalid_color(color):
    tokens = valid_tokens()
    tokens["color"]["accent"] = color

    assert_issues([("/color/accent", "invalid_color")], validate_design_tokens, tokens)


def test_design_tokens__not_an_object__reports_invalid_type_at_root():
    assert_issues([("", "invalid_type")], validate_design_tokens, ["color"])


def test_design_tokens__missing_and_unknown_top_level_keys__reports_each():
    tokens = valid_tokens()
    del tokens["motion"]
    del tokens["direction"]
    tokens["grid"] = {}

    assert_issues(
        [("/direction", "required"), ("/grid", "unknown_key"), ("/motion", "required")],
        validate_design_tokens,
        tokens,
    )


def test_design_tokens__missing_semantic_colors__reports_required_per_name():
    tokens = valid_tokens()
    del tokens["color"]["on_primary"]
    del tokens["color"]["text"]

    assert_issues(
        [("/color/on_primary", "required"), ("/color/text", "required")], validate_design_tokens, tokens
    )


@pytest.mark.parametrize("name", ["Primary", "1st", "brand color", "x" * 65, "-dash", "a/b"])
def test_design_tokens__bad_token_name__reports_invalid_name_at_escaped_pointer(name):
    tokens = valid_tokens()
    tokens["radius"][name] = "4px"
    pointer = "/radius/" + name.replace("~", "~0").replace("/", "~1")

    assert_issues([(pointer, "invalid_name")], validate_design_tokens, tokens)


def test_design_tokens__too_many_tokens__reports_too_many_items_on_group():
    tokens = valid_tokens()
    tokens["radius"] = {f"r{n}": "4px" for n in range(101)}

    assert_issues([("/radius", "too_many_items")], validate_design_tokens, tokens)


@pytest.mark.parametrize(
    ("size", "code"),
    [
        ("16", "invalid_length"),
        ("16pt", "invalid_length"),
        ("1.5 rem", "invalid_length"),
        ("calc(1rem)", "invalid_length"),
        ("4px", "out_of_range"),
        ("161px", "out_of_range"),
        ("20rem", "out_of_range"),
        (16, "invalid_type"),
    ],
)
def test_design_tokens__bad_font_size__reports_code(size, code):
    tokens = valid_tokens()
    tokens["typography"]["sizes"]["md"] = size

    assert_issues([("/typography/sizes/md", code)], validate_design_tokens, tokens)


@pytest.mark.parametrize(
    ("weight", "code"),
    [
        (450, "invalid_font_weight"),
        (1000, "invalid_font_weight"),
        (0, "invalid_font_weight"),
        ("700", "invalid_type"),
        (True, "invalid_type"),
    ],
)
def test_design_tokens__bad_font_weight__reports_code(weight, code):
    tokens = valid_tokens()
    tokens["typography"]["weights"]["bold"] = weight

    assert_issues([("/typography/weights/bold", code)], validate_design_tokens, tokens)


@pytest.mark.parametrize(
    ("line_height", "code"), [(0.2, "out_of_range"), (5, "out_of_range"), ("1.5", "invalid_type")]
)
def test_design_tokens__bad_line_height__reports_code(line_height, code):
    tokens = valid_tokens()
    tokens["typography"]["line_heights"]["normal"] = line_height

    assert_issues([("/typography/line_heights/normal", code)], validate_design_tokens, tokens)


def test_design_tokens__font_family_problems__reports_each_path():
    tokens = valid_tokens()
    tokens["typography"]["families"] = {
        "heading": {"stack": ["Inter", "sans-serif", 'Evil"; } body {'], "fallback": "comic"},
        "mono": {"stack": [f"Font{n}" for n in range(11)], "fallback": "monospace", "size": "1rem"},
    }

    assert_issues(
        [
            ("/typography/families/body", "required"),
            ("/typography/families/heading/fallback", "invalid_choice"),
            ("/typography/families/heading/stack/1", "invalid_font_family"),
            ("/typography/families/heading/stack/2", "invalid_font_family"),
            ("/typography/families/mono/size", "unknown_key"),
            ("/typography/families/mono/stack", "too_many_items"),
        ],
        validate_design_tokens,
        tokens,
    )


def test_design_tokens__empty_size_weight_line_height_maps__reports_empty():
    tokens = valid_tokens()
    tokens["typography"].update(sizes={}, weights={}, line_heights={})
    del tokens["typography"]["families"]

    assert_issues(
        [
            ("/typography/families", "required"),
            ("/typography/line_heights", "empty"),
            ("/typography/sizes", "empty"),
            ("/typography/weights", "empty"),
        ],
        validate_design_tokens,
        tokens,
    )


def test_design_tokens__spacing_not_strictly_increasing__reports_not_increasing_at_later_step():
    tokens = valid_tokens()
    tokens["spacing"].update(sm="4px", lg="1rem")  # sm == xs, lg == md (1rem = 16px)

    assert_issues(
        [("/spacing/lg", "not_increasing"), ("/spacing/sm", "not_increasing")], validate_design_tokens, tokens
    )


def test_design_tokens__spacing_free_names__are_not_ordered():
    tokens = valid_tokens()
    tokens["spacing"]["gutter"] = "2px"

    assert validate_design_tokens(tokens)["spacing"]["gutter"] == "2px"


def test_design_tokens__spacing_missing_required_steps__reports_required():
    tokens = valid_tokens()
    tokens["spacing"] = {"md": "16px"}

    assert_issues(
        [
            ("/spacing/lg", "required"),
            ("/spacing/sm", "required"),
            ("/spacing/xl", "required"),
            ("/spacing/xs", "required"),
        ],
        validate_design_tokens,
        tokens,
    )


@pytest.mark.parametrize(
    ("radius", "code"), [("-1px", "out_of_range"), ("10000px", "out_of_range"), ("50%", "invalid_length")]
)
def test_design_tokens__bad_radius__reports_code(radius, code):
    tokens = valid_tokens()
    tokens["radius"]["sm"] = radius

    assert_issues([("/radius/sm", code)], validate_design_tokens, tokens)


def test_design_tokens__bad_shadow__reports_every_member():
    tokens = valid_tokens()
    tokens["shadow"]["card"] = {
        "offset_x": "300px",
        "offset_y": "two",
        "blur": "-1px",
        "color": "shadowy",
        "inset": "yes",
        "opacity": 0.5,
    }

    assert_issues(
        [
            ("/shadow/card/blur", "out_of_range"),
            ("/shadow/card/color", "invalid_color"),
            ("/shadow/card/inset", "invalid_type"),
            ("/shadow/card/offset_x", "out_of_range"),
            ("/shadow/card/offset_y", "invalid_length"),
            ("/shadow/card/opacity", "unknown_key"),
            ("/shadow/card/spread", "required"),
        ],
        validate_design_tokens,
        tokens,
    )


@pytest.mark.parametrize(
    ("easing", "code"),
    [
        ("cubic-bezier(1.2, 0, 0.5, 1)", "out_of_range"),
        ("cubic-bezier(0.5, 0, -0.1, 1)", "out_of_range"),
        ("cubic-bezier(0.5, 0, 1)", "invalid_easing"),
        ("steps(4)", "invalid_easing"),
        ("bouncy", "invalid_easing"),
        (["ease"], "invalid_type"),
    ],
)
def test_design_tokens__bad_easing__reports_code(easing, code):
    tokens = valid_tokens()
    tokens["motion"]["easings"]["standard"] = easing

    assert_issues([("/motion/easings/standard", code)], validate_design_tokens, tokens)


def test_design_tokens__easing_y_outside_unit_range__is_accepted():
    tokens = valid_tokens()
    tokens["motion"]["easings"]["bounce"] = "cubic-bezier(0.3, -0.6, 0.7, 1.6)"

    assert (
        validate_design_tokens(tokens)["motion"]["easings"]["bounce"] == "cubic-bezier(0.3, -0.6, 0.7, 1.6)"
    )


@pytest.mark.parametrize(
    ("duration", "code"),
    [
        (-1, "out_of_range"),
        (10_001, "out_of_range"),
        ("120ms", "invalid_type"),
        (float("nan"), "invalid_type"),
    ],
)
def test_design_tokens__bad_duration__reports_code(duration, code):
    tokens = valid_tokens()
    tokens["motion"]["durations"]["fast"] = duration

    assert_issues([("/motion/durations/fast", code)], validate_design_tokens, tokens)


@pytest.mark.parametrize(
    ("direction", "code"), [("rtl ", "invalid_choice"), ("RTL", "invalid_choice"), (None, "invalid_type")]
)
def test_design_tokens__bad_direction__reports_code(direction, code):
    assert_issues([("/direction", code)], validate_design_tokens, valid_tokens(direction=direction))


def test_design_tokens__problems_in_every_group__are_all_collected():
    tokens = valid_tokens(direction="up")
    tokens["color"]["primary"] = "nope"
    tokens["typography"]["weights"]["bold"] = 750
    tokens["spacing"]["md"] = "1vw"
    tokens["radius"]["md"] = 4
    tokens["shadow"]["card"]["blur"] = "1000px"
    tokens["motion"]["durations"]["slow"] = 99_999

    assert issues_of(validate_design_tokens, tokens) == [
        ("/color/primary", "invalid_color"),
        ("/direction", "invalid_choice"),
        ("/motion/durations/slow", "out_of_range"),
        ("/radius/md", "invalid_type"),
        ("/shadow/card/blur", "out_of_range"),
        ("/spacing/md", "invalid_length"),
        ("/typography/weights/bold", "invalid_font_weight"),
    ]


@HYPOTHESIS
@given(token_sets)
def test_design_tokens__generated_valid_sets__pass_and_keep_every_token(tokens):
    result = validate_design_tokens(tokens)

    def pointers(value):
        return sorted(pointer for pointer, _ in leaf_paths(value) if not pointer.endswith("/inset"))

    assert pointers(result) == pointers(tokens)
    assert validate_design_tokens(result) == result  # normalising is idempotent


@HYPOTHESIS
@given(token_sets, st.data())
def test_design_tokens__one_leaf_replaced_by_garbage__reports_exactly_that_path(tokens, data):
    pointer, keys = data.draw(st.sampled_from(leaf_paths(tokens)), label="leaf")
    bad = data.draw(garbage, label="garbage")
    mutated = copy.deepcopy(tokens)
    parent = mutated
    for key in keys[:-1]:
        parent = parent[key]
    parent[keys[-1]] = bad

    issues = issues_of(validate_design_tokens, mutated)

    assert [path for path, _ in issues] == [pointer]
    assert issues[0][1] in ISSUE_CODES
