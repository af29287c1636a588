"""E-mail theme contract (email_themes.tokens, logo_ref, footer)."""

from __future__ import annotations

import copy

import pytest

from themeconfig.validators import validate_email_theme

from .expect import assert_issues, issues_of
from .samples import ENABLED_LOCALES, valid_email_tokens, valid_footer, valid_logo_ref


def validate(tokens=None, logo_ref=None, footer=None, enabled_locales=ENABLED_LOCALES):
    return validate_email_theme(
        valid_email_tokens() if tokens is None else tokens,
        valid_logo_ref() if logo_ref is None else logo_ref,
        valid_footer() if footer is None else footer,
        enabled_locales=enabled_locales,
    )


def test_email_theme__valid__colors_as_hex_fonts_canonical_texts_trimmed():
    args = (valid_email_tokens(), valid_logo_ref(), valid_footer())
    originals = copy.deepcopy(args)

    tokens, logo_ref, footer = validate_email_theme(*args, enabled_locales=ENABLED_LOCALES)

    assert args == originals
    assert tokens == {
        "colors": {"primary": "#0b5fff", "background": "#ffffff", "text": "#1a1a1a", "link": "#0559d2"},
        "font_family": {"stack": ["Helvetica", "Arial"], "fallback": "sans-serif"},
        "content_width_px": 640,
        "button_radius_px": 6,
    }
    assert logo_ref == valid_logo_ref()
    assert footer["address"] == "Quai du Mont-Blanc 1, 1201 Genève"
    assert footer["links"] == valid_footer()["links"]


def test_email_theme__optional_tokens_and_links_left_out__defaults_filled():
    tokens = valid_email_tokens()
    del tokens["content_width_px"], tokens["button_radius_px"]
    footer = valid_footer()
    del footer["links"]

    result_tokens, _, result_footer = validate(tokens, footer=footer)

    assert (result_tokens["content_width_px"], result_tokens["button_radius_px"]) == (600, 4)
    assert result_footer["links"] == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"content_width_px": 479}, [("/tokens/content_width_px", "out_of_range")]),
        ({"content_width_px": 801}, [("/tokens/content_width_px", "out_of_range")]),
        ({"content_width_px": "600px"}, [("/tokens/content_width_px", "invalid_type")]),
        ({"button_radius_px": 33}, [("/tokens/button_radius_px", "out_of_range")]),
        ({"button_radius_px": 2.5}, [("/tokens/button_radius_px", "invalid_type")]),
        ({"colors": {"primary": "#000", "background": "#fff"}}, [("/tokens/colors/text", "required")]),
        (
            {"colors": {**valid_email_tokens()["colors"], "accent": "#f00"}},
            [("/tokens/colors/accent", "unknown_key")],
        ),
        (
            {"colors": {**valid_email_tokens()["colors"], "link": "bluish"}},
            [("/tokens/colors/link", "invalid_color")],
        ),
        (
            {"colors": {**valid_email_tokens()["colors"], "border": "rgb(0 0 0 / 0.5)"}},
            [("/tokens/colors/border", "color_not_opaque")],
        ),
        (
            {"font_family": {"stack": ["Comic Sans MS"], "fallback": "sans-serif"}},
            [("/tokens/font_family/stack/0", "font_not_email_safe")],
        ),
        (
            {"font_family": {"stack": ["Arial"], "fallback": "cursive"}},
            [("/tokens/font_family/fallback", "invalid_choice")],
        ),
        (
            {"font_family": {"stack": ["Arial"] * 7, "fallback": "serif"}},
            [("/tokens/font_family/stack", "too_many_items")],
        ),
        (
            {"font_family": {"stack": [None], "fallback": "serif"}},
            [("/tokens/font_family/stack/0", "invalid_type")],
        ),
        ({"font_family": {"fallback": "serif"}}, [("/tokens/font_family/stack", "required")]),
        ({"dark_mode": True}, [("/tokens/dark_mode", "unknown_key")]),
    ],
)
def test_email_theme__bad_tokens__reports_code_under_tokens(change, expected):
    assert_issues(expected, validate, {**valid_email_tokens(), **change})


def test_email_theme__tokens_not_an_object__reports_invalid_type():
    assert_issues([("/tokens", "invalid_type")], validate, "blue")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"url": "http://cdn.hotel.example/logo.png"}, [("/logo_ref/url", "disallowed_scheme")]),
        ({"url": "/logo.png"}, [("/logo_ref/url", "invalid_url")]),
        ({"url": "javascript:alert(1)"}, [("/logo_ref/url", "unsafe_url")]),
        ({"url": "data:image/png;base64,iVBOR"}, [("/logo_ref/url", "unsafe_url")]),
        ({"alt": {}}, [("/logo_ref/alt", "empty")]),
        ({"alt": {"it": "Logo"}}, [("/logo_ref/alt/it", "locale_not_enabled")]),
        ({"alt": {"en": "x" * 251}}, [("/logo_ref/alt/en", "too_long")]),
        ({"width": 801}, [("/logo_ref/width", "out_of_range")]),
        ({"height": 401}, [("/logo_ref/height", "out_of_range")]),
        ({"height": "60"}, [("/logo_ref/height", "invalid_type")]),
        ({"srcset": "x"}, [("/logo_ref/srcset", "unknown_key")]),
    ],
)
def test_email_theme__bad_logo_ref__reports_code_under_logo_ref(change, expected):
    assert_issues(expected, validate, logo_ref={**valid_logo_ref(), **change})


def test_email_theme__logo_ref_without_url_and_alt__reports_required():
    assert_issues(
        [("/logo_ref/alt", "required"), ("/logo_ref/url", "required")], validate, logo_ref={"width": 10}
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"address": "  "}, [("/footer/address", "empty")]),
        ({"address": "x" * 501}, [("/footer/address", "too_long")]),
        ({"legal_text": "Hotel Lac SA"}, [("/footer/legal_text", "invalid_type")]),
        ({"unsubscribe_text": {"EN": "Unsubscribe"}}, [("/footer/unsubscribe_text/EN", "invalid_locale")]),
        ({"links": {}}, [("/footer/links", "invalid_type")]),
        (
            {"links": [{"label": {"en": "x"}, "url": "https://a.example"}] * 11},
            [("/footer/links", "too_many_items")],
        ),
        ({"links": [{"label": {"en": "Home"}, "url": "/"}]}, [("/footer/links/0/url", "invalid_url")]),
        (
            {"links": [{"label": {"en": "Home"}, "url": "  javascript:void(0)"}]},
            [("/footer/links/0/url", "unsafe_url")],
        ),
        (
            {"links": [{"label": {"en": "FTP"}, "url": "ftp://hotel.example"}]},
            [("/footer/links/0/url", "disallowed_scheme")],
        ),
        ({"links": [{"url": "https://a.example"}]}, [("/footer/links/0/label", "required")]),
        ({"links": ["https://a.example"]}, [("/footer/links/0", "invalid_type")]),
        (
            {"links": [{"label": {"en": "x"}, "url": "mailto:x@y.example", "icon": "mail"}]},
            [("/footer/links/0/icon", "unknown_key")],
        ),
    ],
)
def test_email_theme__bad_footer__reports_code_under_footer(change, expected):
    assert_issues(expected, validate, footer={**valid_footer(), **change})


def test_email_theme__footer_missing_members__reports_required():
    assert_issues(
        [
            ("/footer/address", "required"),
            ("/footer/legal_text", "required"),
            ("/footer/unsubscribe_text", "required"),
        ],
        validate,
        footer={},
    )


def test_email_theme__problems_in_all_three_arguments__all_collected_with_prefixes():
    tokens = {**valid_email_tokens(), "content_width_px": 1200}
    logo_ref = {**valid_logo_ref(), "url": "http://cdn.hotel.example/logo.png"}
    footer = {**valid_footer(), "legal_text": {"en": ""}}

    assert issues_of(validate, tokens, logo_ref, footer) == [
        ("/footer/legal_text/en", "empty"),
        ("/logo_ref/url", "disallowed_scheme"),
        ("/tokens/content_width_px", "out_of_range"),
    ]
