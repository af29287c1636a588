"""The sample site's well-known messages: ICU formatting with each language's plural rules, defaults."""
from __future__ import annotations

from datetime import date

import pytest

from publishing.sample_site.messages import WELL_KNOWN_MESSAGES, SiteMessages, format_message
from themeconfig.validators import validate_locale_entries

NIGHTS_AR = "{n, plural, zero {لا ليالٍ} one {ليلة} two {ليلتان} few {# ليالٍ} many {# ليلة} other {# ليلة}}"


@pytest.mark.parametrize("count, expected", [(0, "لا ليالٍ"), (1, "ليلة"), (2, "ليلتان"), (3, "3 ليالٍ"),
                                             (11, "11 ليلة"), (100, "100 ليلة")])
def test_format_message__arabic_plural__cldr_category_of_the_count(count, expected):
    assert format_message(NIGHTS_AR, {"n": count}, "ar") == expected


@pytest.mark.parametrize("locale, count, expected", [("fr", 0, "0 nuit"), ("fr", 1, "1 nuit"), ("fr", 2, "2 nuits"),
                                                     ("en", 0, "0 nuits"), ("en", 1, "1 nuit")])
def test_format_message__french_zero_is_one__english_zero_is_other(locale, count, expected):
    assert format_message("{n, plural, one {# nuit} other {# nuits}}", {"n": count}, locale) == expected


def test_format_message__exact_offset_select_number_date_and_missing_argument():
    message = "{n, plural, offset:1 =0 {nobody} =1 {{who}} one {{who} and # other} other {{who} and # others}}"
    assert [format_message(message, {"n": n, "who": "Alex"}, "en") for n in (0, 1, 2, 3)] == [
        "nobody", "Alex", "Alex and 1 other", "Alex and 2 others"]
    assert format_message("{g, select, a {A} other {B}}", {"g": "a"}, "en") == "A"
    assert format_message("{p, number}", {"p": 1234.5}, "fr") == "1\u202f234,5"
    assert format_message("{d, date, long}", {"d": date(2026, 7, 14)}, "fr") == "14 juillet 2026"
    assert format_message("Hi {name}", {}, "en") == "Hi {name}"
    assert format_message("broken {", {}, "en") == "broken {"


def test_well_known_messages__every_default__a_valid_english_pack_entry():
    # The defaults are what a default-locale pack would hold: the project's own ICU checks pass them.
    assert validate_locale_entries(WELL_KNOWN_MESSAGES, locale="en").entries == WELL_KNOWN_MESSAGES


def test_site_messages__value_source__the_default_pack_else_the_chain_else_the_page():
    document = {"messages": {"en": {"a": "A", "b": "B", "c": "C"},
                             "fr": {"a": "A", "b": "Bé", "c": "Cé"},
                             "ar": {"a": "A", "b": "Bé", "c": "ج"}}}
    texts = SiteMessages(document, "ar", ["ar", "fr", "en"], "en")
    assert [texts.get(key).lang for key in ("a", "b", "c")] == ["en", "fr", "ar"]
    assert texts.get("site.nav.book").text == "Book now" and texts.get("site.nav.book").lang == "en"
    assert str(texts.html(texts.get("a"))) == '<bdi lang="en" dir="ltr">A</bdi>'
    assert str(texts.html(texts.get("c"))) == "ج"
