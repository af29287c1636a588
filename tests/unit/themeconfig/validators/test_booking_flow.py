"""Booking flow contract (booking_flow_configs.steps, toggles, consent)."""

from __future__ import annotations

import copy

import pytest

from themeconfig.validators import validate_booking_flow
from themeconfig.validators.booking_flow import TOGGLE_DEFAULTS

from .expect import assert_issues, issues_of
from .samples import valid_consent, valid_steps, valid_toggles


def validate(steps=None, toggles=None, consent=None, **kwargs):
    return validate_booking_flow(
        valid_steps() if steps is None else steps,
        valid_toggles() if toggles is None else toggles,
        valid_consent() if consent is None else consent,
        **kwargs,
    )


def step(step_id: str, ordinal: int, fields: list[str], required: bool = True) -> dict:
    return {"id": step_id, "ordinal": ordinal, "required": required, "fields": fields}


MINIMAL_STEPS = [
    step("search", 0, ["check_in", "check_out", "adults"]),
    step("room_select", 1, ["room_type"]),
    step("guest_details", 2, ["first_name", "last_name", "email"]),
    step("payment", 3, ["card"]),
    step("confirmation", 4, []),
]
NO_FIELD_TOGGLES = {"show_promo_code": False}


def test_booking_flow__valid_config__returns_normalized_triple():
    steps, toggles, consent = valid_steps(), valid_toggles(), valid_consent()
    originals = copy.deepcopy((steps, toggles, consent))

    result_steps, result_toggles, result_consent = validate_booking_flow(steps, toggles, consent)

    assert (steps, toggles, consent) == originals
    assert result_steps == steps
    assert result_toggles == {**TOGGLE_DEFAULTS, **toggles}
    assert result_consent == consent


def test_booking_flow__minimal_flow__passes():
    result_steps, result_toggles, _ = validate(copy.deepcopy(MINIMAL_STEPS), NO_FIELD_TOGGLES)

    assert [s["id"] for s in result_steps] == [
        "search",
        "room_select",
        "guest_details",
        "payment",
        "confirmation",
    ]
    assert result_toggles["show_promo_code"] is False


def test_booking_flow__steps_in_shuffled_array_order__returned_by_ordinal():
    shuffled = list(reversed(copy.deepcopy(MINIMAL_STEPS)))

    result_steps, _, _ = validate(shuffled, NO_FIELD_TOGGLES)

    assert [s["ordinal"] for s in result_steps] == [0, 1, 2, 3, 4]


def test_booking_flow__consent_texts__trimmed():
    consent = {**valid_consent(), "text": {"en": "  I agree.  "}}

    assert validate(consent=consent)[2]["text"] == {"en": "I agree."}


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ({}, [("/steps", "invalid_type")]),
        ([step("search", 0, ["check_in"])] * 9, [("/steps", "too_many_items")]),
        ([], [("/steps", "required_step_missing")] * 5),
    ],
)
def test_booking_flow__steps_not_a_usable_array__reports_code(steps, expected):
    assert_issues(expected, validate, steps, NO_FIELD_TOGGLES)


def test_booking_flow__unknown_and_duplicate_steps__reports_each():
    steps = copy.deepcopy(MINIMAL_STEPS) + [step("upsell", 5, []), step("payment", 6, ["card"])]

    assert_issues(
        [("/steps/5/id", "unknown_step"), ("/steps/6/id", "duplicate_step")],
        validate,
        steps,
        NO_FIELD_TOGGLES,
    )


def test_booking_flow__required_step_missing__reports_required_step_missing():
    steps = [s for s in copy.deepcopy(MINIMAL_STEPS) if s["id"] != "payment"]
    steps[-1]["ordinal"] = 3

    assert_issues([("/steps", "required_step_missing")], validate, steps, NO_FIELD_TOGGLES)


def test_booking_flow__required_step_marked_optional__reports_step_must_be_required():
    steps = copy.deepcopy(MINIMAL_STEPS)
    steps[3]["required"] = False

    assert_issues([("/steps/3/required", "step_must_be_required")], validate, steps, NO_FIELD_TOGGLES)


def test_booking_flow__steps_against_canonical_order__reports_step_out_of_order():
    steps = copy.deepcopy(MINIMAL_STEPS)
    steps[0]["ordinal"], steps[1]["ordinal"] = 1, 0  # room_select before search

    assert_issues([("/steps/0/ordinal", "step_out_of_order")], validate, steps, NO_FIELD_TOGGLES)


@pytest.mark.parametrize(
    ("ordinals", "expected"),
    [
        ([0, 1, 2, 3, 5], [("/steps/4/ordinal", "non_contiguous_ordinal")]),
        ([1, 2, 3, 4, 5], [("/steps/4/ordinal", "non_contiguous_ordinal")]),
        ([0, 1, 1, 2, 3], [("/steps/2/ordinal", "duplicate_ordinal")]),
        ([0, 1, 2, 3, -1], [("/steps/4/ordinal", "out_of_range")]),
        ([0, 1, 2, 3, "4"], [("/steps/4/ordinal", "invalid_type")]),
    ],
)
def test_booking_flow__ordinals_not_zero_based_contiguous__reports_code(ordinals, expected):
    steps = copy.deepcopy(MINIMAL_STEPS)
    for item, ordinal in zip(steps, ordinals, strict=True):
        item["ordinal"] = ordinal

    assert_issues(expected, validate, steps, NO_FIELD_TOGGLES)


@pytest.mark.parametrize(
    ("index", "fields", "expected"),
    [
        (0, ["check_in", "check_out", "adults", "email"], [("/steps/0/fields/3", "unknown_field")]),
        (0, ["check_in", "check_out", "adults", "adults"], [("/steps/0/fields/3", "duplicate_field")]),
        (0, ["check_in", "adults"], [("/steps/0/fields", "required_field_missing")]),
        (2, ["first_name"], [("/steps/2/fields", "required_field_missing")] * 2),
        (0, ["check_in", "check_out", "adults", 5], [("/steps/0/fields/3", "invalid_type")]),
        (0, "check_in", [("/steps/0/fields", "invalid_type")]),
    ],
)
def test_booking_flow__bad_fields__reports_code(index, fields, expected):
    steps = copy.deepcopy(MINIMAL_STEPS)
    steps[index]["fields"] = fields

    assert_issues(expected, validate, steps, NO_FIELD_TOGGLES)


def test_booking_flow__step_shape_problems__reports_each():
    steps = copy.deepcopy(MINIMAL_STEPS)
    steps[4] = {"id": "confirmation", "ordinal": 4, "required": "yes", "fields": [], "title": "Done"}

    assert_issues(
        [("/steps/4/required", "invalid_type"), ("/steps/4/title", "unknown_key")],
        validate,
        steps,
        NO_FIELD_TOGGLES,
    )


def test_booking_flow__step_missing_members__reports_required():
    steps = copy.deepcopy(MINIMAL_STEPS)
    steps[4] = {"id": "confirmation"}

    assert_issues(
        [
            ("/steps/4/fields", "required"),
            ("/steps/4/ordinal", "required"),
            ("/steps/4/required", "required"),
        ],
        validate,
        steps,
        NO_FIELD_TOGGLES,
    )


@pytest.mark.parametrize(
    ("toggles", "expected"),
    [
        ([], [("/toggles", "invalid_type")]),
        ({"show_promo_code": "true"}, [("/toggles/show_promo_code", "invalid_type")]),
        ({"show_promo_code": False, "dark_mode": True}, [("/toggles/dark_mode", "unknown_key")]),
    ],
)
def test_booking_flow__bad_toggles__reports_code(toggles, expected):
    assert_issues(expected, validate, copy.deepcopy(MINIMAL_STEPS), toggles)


def test_booking_flow__toggles_left_out__defaults_filled():
    steps = valid_steps()

    assert validate(steps, {})[1] == TOGGLE_DEFAULTS


def test_booking_flow__toggle_needing_an_uncollected_field__reports_toggle_requires_field():
    assert_issues(
        [
            ("/toggles/require_phone", "toggle_requires_field"),
            ("/toggles/show_promo_code", "toggle_requires_field"),
        ],
        validate,
        copy.deepcopy(MINIMAL_STEPS),
        {"require_phone": True, "show_promo_code": True},
    )


@pytest.mark.parametrize(
    ("consent", "expected"),
    [
        ("I agree", [("/consent", "invalid_type")]),
        (
            {},
            [
                ("/consent/policy_url", "required"),
                ("/consent/required", "required"),
                ("/consent/text", "required"),
            ],
        ),
        ({**valid_consent(), "required": 1}, [("/consent/required", "invalid_type")]),
        ({**valid_consent(), "text": {}}, [("/consent/text", "empty")]),
        ({**valid_consent(), "text": {"en": "x" * 2001}}, [("/consent/text/en", "too_long")]),
        ({**valid_consent(), "text": {"en-gb": "x"}}, [("/consent/text/en-gb", "invalid_locale")]),
        ({**valid_consent(), "policy_url": "java\tscript:alert(1)"}, [("/consent/policy_url", "unsafe_url")]),
        ({**valid_consent(), "policy_url": "data:text/html,x"}, [("/consent/policy_url", "unsafe_url")]),
        (
            {**valid_consent(), "policy_url": "mailto:dpo@hotel.example"},
            [("/consent/policy_url", "disallowed_scheme")],
        ),
        ({**valid_consent(), "version": 2}, [("/consent/version", "unknown_key")]),
    ],
)
def test_booking_flow__bad_consent__reports_code(consent, expected):
    assert_issues(expected, validate, consent=consent)


def test_booking_flow__consent_site_path__passes():
    assert validate(consent={**valid_consent(), "policy_url": "/privacy"})[2]["policy_url"] == "/privacy"


def test_booking_flow__consent_locale_not_enabled__reported_only_when_locales_given():
    consent = {**valid_consent(), "text": {"it": "Accetto."}}

    assert validate(consent=consent)[2]["text"] == {"it": "Accetto."}
    assert_issues(
        [("/consent/text/it", "locale_not_enabled")], validate, consent=consent, enabled_locales=["en"]
    )


def test_booking_flow__problems_in_all_three_arguments__all_collected_with_prefixes():
    steps = copy.deepcopy(MINIMAL_STEPS)
    steps[1]["fields"] = ["room_type", "breakfast"]

    issues = issues_of(
        validate, steps, {"show_promo_code": "no"}, {**valid_consent(), "policy_url": "javascript:x"}
    )

    assert issues == [
        ("/consent/policy_url", "unsafe_url"),
        ("/steps/1/fields/1", "unknown_field"),
        ("/toggles/show_promo_code", "invalid_type"),
    ]
