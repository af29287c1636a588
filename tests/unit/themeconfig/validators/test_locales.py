"""Locale contracts: a theme's locale settings, a pack's locale, and ICU locale pack entries."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from themeconfig.validators import validate_locale_enabled, validate_locale_entries, validate_theme_locales
from themeconfig.validators.locales import completeness_text

from .expect import assert_issues, issues_of, violation_of
from .samples import valid_default_entries, valid_translated_entries

# validate_theme_locales ---------------------------------------------------------------------


def theme_locales(default_locale="en", enabled_locales=("en", "fr", "de-CH"), fallback_chain=("fr", "en")):
    return validate_theme_locales(
        default_locale=default_locale, enabled_locales=enabled_locales, fallback_chain=fallback_chain
    )


def test_theme_locales__valid__returned_as_given():
    assert theme_locales() == ("en", ["en", "fr", "de-CH"], ["fr", "en"])
    assert theme_locales(enabled_locales=["en", "fr"])[1] == ["en", "fr"]


def test_theme_locales__single_locale__valid():
    assert theme_locales("fil", ["fil"], ["fil"]) == ("fil", ["fil"], ["fil"])


@pytest.mark.parametrize("code", ["EN", "en-us", "en_US", "e", "engl", "en-USA", " en", "en\n"])
def test_theme_locales__malformed_default__reports_invalid_locale(code):
    assert_issues([("/default_locale", "invalid_locale")], theme_locales, code, ["en"], ["en"])


def test_theme_locales__default_not_enabled__reports_default_not_enabled():
    assert_issues(
        [("/default_locale", "default_not_enabled"), ("/fallback_chain/0", "locale_not_enabled")],
        theme_locales,
        "it",
        ["en", "fr"],
        ["it"],
    )


@pytest.mark.parametrize(
    ("enabled", "expected"),
    [
        ([], [("/enabled_locales", "empty")]),
        ("en", [("/enabled_locales", "invalid_type")]),
        (["en", "fr", "en"], [("/enabled_locales/2", "duplicate_locale")]),
        (["en", "FR"], [("/enabled_locales/1", "invalid_locale")]),
        (["en", 7], [("/enabled_locales/1", "invalid_type")]),
    ],
)
def test_theme_locales__bad_enabled_list__reports_code(enabled, expected):
    assert_issues(expected, theme_locales, "en", enabled, ["en"])


@pytest.mark.parametrize(
    ("chain", "expected"),
    [
        ([], [("/fallback_chain", "empty")]),
        (["fr"], [("/fallback_chain/0", "fallback_must_end_with_default")]),
        (["en", "fr"], [("/fallback_chain/1", "fallback_must_end_with_default")]),
        (["it", "en"], [("/fallback_chain/0", "locale_not_enabled")]),
        (["fr", "fr", "en"], [("/fallback_chain/1", "duplicate_locale")]),
        (None, [("/fallback_chain", "invalid_type")]),
    ],
)
def test_theme_locales__bad_fallback_chain__reports_code(chain, expected):
    assert_issues(expected, theme_locales, "en", ["en", "fr"], chain)


def test_theme_locales__all_three_wrong__all_issues_collected():
    assert issues_of(theme_locales, "xx_XX", ["en", "en"], ["it"]) == [
        ("/default_locale", "invalid_locale"),
        ("/enabled_locales/1", "duplicate_locale"),
        ("/fallback_chain/0", "locale_not_enabled"),
    ]


# validate_locale_enabled --------------------------------------------------------------------


def test_locale_enabled__enabled_locale__returned():
    assert validate_locale_enabled("fr", enabled_locales=["en", "fr"]) == "fr"


def test_locale_enabled__not_enabled__reports_locale_not_enabled_at_root():
    assert_issues([("", "locale_not_enabled")], validate_locale_enabled, "it", enabled_locales=["en", "fr"])


def test_locale_enabled__malformed__reports_invalid_locale_at_root():
    assert_issues([("", "invalid_locale")], validate_locale_enabled, "fr_FR", enabled_locales=["en", "fr"])


# validate_locale_entries --------------------------------------------------------------------


def test_locale_entries__translated_pack__valid_with_completeness():
    entries = valid_translated_entries()
    original = copy.deepcopy(entries)

    result = validate_locale_entries(entries, default_entries=valid_default_entries())

    assert entries == original
    assert result.entries == entries
    assert result.completeness_pct == Decimal("80.00")  # 4 of 5 default keys


def test_locale_entries__no_default_pack__complete_by_definition():
    result = validate_locale_entries(valid_default_entries())

    assert result.completeness_pct == Decimal("100.00")
    assert result.entries == valid_default_entries()


def test_locale_entries__empty_default_pack__complete():
    assert validate_locale_entries({}, default_entries={}).completeness_pct == Decimal("100.00")


@pytest.mark.parametrize(
    ("translated", "total", "expected"),
    [(0, 3, "0.00"), (1, 3, "33.33"), (2, 3, "66.66"), (1999, 2000, "99.95"), (3, 3, "100.00")],
)
def test_locale_entries__completeness__rounded_down_to_two_places(translated, total, expected):
    default = {f"k.n{n}": "x" for n in range(total)}
    entries = {f"k.n{n}": "y" for n in range(translated)}

    result = validate_locale_entries(entries, default_entries=default)

    assert result.completeness_pct == Decimal(expected)
    assert result.completeness_pct.as_tuple().exponent == -2


def test_locale_entries__completeness_never_rounds_up_to_complete():
    default = {f"k.n{n}": "x" for n in range(4000)}
    entries = {f"k.n{n}": "y" for n in range(3999)}

    assert validate_locale_entries(entries, default_entries=default).completeness_pct == Decimal("99.97")


@pytest.mark.parametrize(
    "message",
    [
        "Hello {name",
        "Hello name}",
        "{count, plural, one {# night}",
        "{count, plural, one {#} other}",
        "{count, plural}",
        "{, number}",
        "{n, plural, offset:- other {x}}",
        "{n, plural, offset:x other {x}}",
    ],
)
def test_locale_entries__unparseable_message__reports_invalid_icu(message):
    assert_issues(
        [("/common.greeting", "invalid_icu")], validate_locale_entries, {"common.greeting": message}
    )


@pytest.mark.parametrize(
    "message",
    [
        "Price: '{'amount'}' is literal",
        "It''s {name}'s room",
        "{count, plural, offset:1 =0 {nobody} =1 {just {host}} one {# and {host}} other {# and {host}}}",
        "{gender, select, female {She} male {He} other {They}} booked {room}",
        "{n, number, ::currency/EUR} on {d, date, short} at {d, time, short}",
        "{floor, selectordinal, one {#st} two {#nd} few {#rd} other {#th}}",
        "<b>bold</b> is plain text",
    ],
)
def test_locale_entries__valid_icu_messages__pass(message):
    assert validate_locale_entries({"common.greeting": message}).entries == {"common.greeting": message}


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("{count, plural, one {# night}}", "missing_other"),
        ("{g, select, female {She} male {He}}", "missing_other"),
        ("{n, selectordinal, one {#st}}", "missing_other"),
        ("{count, plural, single {#} other {#}}", "invalid_plural_category"),
        ("{count, plural, =x {#} other {#}}", "invalid_plural_category"),
        ("{price, money}", "unknown_argument_type"),
    ],
)
def test_locale_entries__icu_semantic_problem__reports_code(message, code):
    assert_issues([("/common.greeting", code)], validate_locale_entries, {"common.greeting": message})


@pytest.mark.parametrize(
    ("key", "code"),
    [
        ("Booking.title", "invalid_key"),
        ("booking..title", "invalid_key"),
        ("booking.title.", "invalid_key"),
        ("booking-title", "invalid_key"),
        ("1booking", "invalid_key"),
        ("a" + ".b" * 100, "too_long"),
    ],
)
def test_locale_entries__bad_key__reports_code(key, code):
    assert_issues([(f"/{key}", code)], validate_locale_entries, {key: "x"})


def test_locale_entries__key_of_200_characters__passes():
    key = "a" * 200

    assert validate_locale_entries({key: "x"}).entries == {key: "x"}


@pytest.mark.parametrize(
    ("message", "code"),
    [(5, "invalid_type"), (None, "invalid_type"), ("   ", "empty"), ("x" * 10_001, "too_long")],
)
def test_locale_entries__bad_message_value__reports_code(message, code):
    assert_issues([("/common.greeting", code)], validate_locale_entries, {"common.greeting": message})


def test_locale_entries__not_an_object__reports_invalid_type_at_root():
    assert_issues([("", "invalid_type")], validate_locale_entries, ["a"])


def test_locale_entries__too_many_entries__reports_too_many_items_at_root():
    assert_issues([("", "too_many_items")], validate_locale_entries, {f"k.n{n}": "x" for n in range(5001)})


def test_locale_entries__key_absent_from_default_pack__reports_unknown_key():
    entries = {"common.greeting": "Salut {name}", "common.farewell": "Adieu"}

    assert_issues(
        [("/common.farewell", "unknown_key")],
        validate_locale_entries,
        entries,
        default_entries=valid_default_entries(),
    )


@pytest.mark.parametrize(
    ("key", "message", "code"),
    [
        ("common.greeting", "Bonjour !", "placeholder_mismatch"),
        ("common.greeting", "Bonjour {nom} !", "placeholder_mismatch"),
        ("common.greeting", "Bonjour {name} {extra} !", "placeholder_mismatch"),
        ("common.greeting", "Bonjour {name, number} !", "placeholder_type_mismatch"),
        ("booking.search.guests", "{count} voyageurs", "placeholder_type_mismatch"),
        ("booking.search.guests", "{count, selectordinal, one {#} other {#}}", "placeholder_type_mismatch"),
        (
            "booking.summary.nights",
            "{nights, plural, one {# nuit} other {# nuits}} dès {start, time}",
            "placeholder_type_mismatch",
        ),
        ("booking.summary.nights", "{nights, plural, one {# nuit} other {# nuits}}", "placeholder_mismatch"),
    ],
)
def test_locale_entries__arguments_differ_from_default__reports_code(key, message, code):
    assert_issues(
        [(f"/{key}", code)], validate_locale_entries, {key: message}, default_entries=valid_default_entries()
    )


def test_locale_entries__plural_categories_differ_from_default__allowed():
    # Polish needs "few" and "many" where English has only "one"; categories are per language.
    entries = {
        "booking.search.guests": "{count, plural, one {# gość} few {# gości} many {# gości} other {# gościa}}"
    }

    assert validate_locale_entries(entries, default_entries=valid_default_entries()).entries == entries


def test_locale_entries__nested_arguments_inside_branches__compared_with_default():
    default = {"stay.summary": "{guests, plural, one {{name} stays} other {{name} and # others stay}}"}

    assert validate_locale_entries(
        {"stay.summary": "{guests, plural, one {{name} reste} other {{name} et # autres restent}}"},
        default_entries=default,
    ).entries
    assert_issues(
        [("/stay.summary", "placeholder_mismatch")],
        validate_locale_entries,
        {"stay.summary": "{guests, plural, one {Une personne} other {# personnes}}"},
        default_entries=default,
    )


def test_locale_entries__unparseable_default_message__skips_parity_for_that_key():
    default = {"common.greeting": "Hello {name"}

    assert validate_locale_entries({"common.greeting": "Bonjour"}, default_entries=default).entries


def test_locale_entries__many_problems__all_collected_sorted_by_path():
    entries = {
        "common.greeting": "Bonjour {nom}",
        "booking.search.title": "Trouvez {",
        "Bad.Key": "x",
        "room.floor": "{floor, selectordinal, one {#er}}",
        "not.in.default": "x",
    }

    assert issues_of(validate_locale_entries, entries, default_entries=valid_default_entries()) == [
        ("/Bad.Key", "invalid_key"),
        ("/booking.search.title", "invalid_icu"),
        ("/common.greeting", "placeholder_mismatch"),
        ("/not.in.default", "unknown_key"),
        ("/room.floor", "missing_other"),
    ]


# --- CLDR plural categories of the pack's own language -------------------------------------------
NIGHTS = "{count, plural, one {# night} other {# nights}}"


def test_locale_entries__polish_with_every_category__valid():
    polish = "{count, plural, one {# noc} few {# noce} many {# nocy} other {# nocy}}"
    result = validate_locale_entries({"stay.nights": polish}, default_entries={"stay.nights": NIGHTS}, locale="pl")
    assert result.entries == {"stay.nights": polish}


def test_locale_entries__polish_missing_few_and_many__missing_plural_category():
    assert_issues(
        [("/stay.nights", "missing_plural_category")],
        validate_locale_entries, {"stay.nights": "{count, plural, one {# noc} other {# nocy}}"},
        default_entries={"stay.nights": NIGHTS}, locale="pl",
    )


def test_locale_entries__category_the_language_lacks__invalid_plural_category():
    english_with_few = "{count, plural, one {# night} few {# nights} other {# nights}}"
    assert_issues([("/stay.nights", "invalid_plural_category")], validate_locale_entries,
                  {"stay.nights": english_with_few}, locale="en")


def test_locale_entries__japanese_other_only_and_exact_matches__valid():
    japanese = "{count, plural, =0 {なし} other {#泊}}"
    assert validate_locale_entries({"stay.nights": japanese}, locale="ja").entries == {"stay.nights": japanese}


def test_locale_entries__french_without_compact_many__valid():
    french = "{count, plural, one {# nuit} other {# nuits}}"
    assert validate_locale_entries({"stay.nights": french}, locale="fr").entries


def test_locale_entries__english_selectordinal__needs_one_two_few():
    ordinal = "{floor, selectordinal, one {#st} two {#nd} few {#rd} other {#th}} floor"
    assert validate_locale_entries({"room.floor": ordinal}, locale="en").entries
    assert_issues([("/room.floor", "missing_plural_category")], validate_locale_entries,
                  {"room.floor": "{floor, selectordinal, one {#st} other {#th}} floor"}, locale="en")


def test_locale_entries__locale_unknown_to_cldr__structural_checks_only():
    assert validate_locale_entries({"stay.nights": NIGHTS}, locale="zzz").entries


def test_locale_label__known_and_unknown_codes__language_name_or_the_code():
    from themeconfig.models import LocalePack
    from themeconfig.validators.locales import locale_label

    assert [locale_label(code) for code in ("fr", "ar", "pt-BR", "zz")] == [
        "French (fr)", "Arabic (ar)", "Portuguese (Brazil) (pt-BR)", "zz"]
    assert str(LocalePack(locale="fr")) == "French (fr) locale pack"  # as the admin names a pack, not by its id


def test_locale_entries__plural_categories_named_in_messages__cldr_order_not_alphabetical():
    missing = violation_of(validate_locale_entries, {"stay.nights": "{count, plural, one {ليلة} other {# ليلة}}"},
                           locale="ar").issues
    assert [i.code for i in missing] == ["missing_plural_category"]
    assert "needs a branch for zero, two, few, many in" in missing[0].message
    extra = violation_of(validate_locale_entries,
                         {"stay.nights": "{count, plural, zero {none} two {#} few {#} one {#} other {#}}"},
                         locale="en").issues
    assert [i.code for i in extra] == ["invalid_plural_category"] * 3
    assert [i.message.split("'")[1] for i in extra] == ["zero", "two", "few"]
    assert "(it uses one, other)" in extra[0].message


@pytest.mark.parametrize("pct, text", [
    (Decimal("66.66"), "66.7"), (Decimal("33.33"), "33.3"), (Decimal("66.65"), "66.7"), (Decimal("25.00"), "25"),
    (Decimal("100.00"), "100"), (Decimal("99.96"), "99.9"), (Decimal("0.00"), "0"), (Decimal("0.04"), "0.1"),
    (66.67, "66.7"),
])
def test_completeness_text__stored_figure__one_decimal_rounded_never_100_or_0_unless_true(pct, text):
    assert completeness_text(pct) == text
