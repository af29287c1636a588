"""Content block body contract (content_blocks.body): per-locale markdown, HTML or structured values."""

from __future__ import annotations

import copy

import pytest

from themeconfig.validators import validate_content_body

from .expect import assert_issues, issues_of
from .samples import ENABLED_LOCALES, valid_content_body


def validate(value, enabled_locales=ENABLED_LOCALES):
    return validate_content_body(value, enabled_locales=enabled_locales)


def test_content_body__valid_entries__returned_with_sanitized_html():
    value = valid_content_body()
    original = copy.deepcopy(value)

    result = validate(value)

    assert value == original
    assert result["en"] == value["en"]
    assert (
        result["fr"]["value"]
        == '<h2>Bienvenue</h2><p>Vue sur la <a href="/chambres" rel="noopener noreferrer">mer</a>.</p>'
    )
    assert result["de-CH"] == value["de-CH"]


@pytest.mark.parametrize(
    ("html", "sanitized"),
    [
        ('<p onclick="steal()">Hi</p>', "<p>Hi</p>"),
        ("<p>Hi<script>alert(1)</script></p>", "<p>Hi</p>"),
        ("<style>p{display:none}</style><p>Hi</p>", "<p>Hi</p>"),
        ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer">x</a>'),
        ('<a href="JaVa&#x09;ScRiPt:alert(1)">x</a>', '<a rel="noopener noreferrer">x</a>'),
        ('<img src="x" onerror="alert(1)" alt="Pool">', '<img src="x" alt="Pool">'),
        ('<iframe src="https://evil.example"></iframe><p>Hi</p>', "<p>Hi</p>"),
        (
            '<a href="https://x.example" target="_blank">x</a>',
            '<a href="https://x.example" target="_blank" rel="noopener noreferrer">x</a>',
        ),
        (
            '<a href="https://x.example" target="_top">x</a>',
            '<a href="https://x.example" rel="noopener noreferrer">x</a>',
        ),
        ('<h1>Title</h1><!-- note --><p style="color:red">x</p>', "Title<p>x</p>"),
        ("  <p>Trim me</p>  ", "<p>Trim me</p>"),
    ],
)
def test_content_body__html__sanitized_with_nh3(html, sanitized):
    assert validate({"en": {"format": "html", "value": html}})["en"]["value"] == sanitized


def test_content_body__html_that_sanitizes_to_nothing__reports_empty():
    assert_issues(
        [("/en/value", "empty")], validate, {"en": {"format": "html", "value": "<script>alert(1)</script>"}}
    )


@pytest.mark.parametrize(
    "markdown",
    [
        "[Click](javascript:alert(1))",
        "![img](  data:image/svg+xml;base64,PHN2Zz4=)",
        "<vbscript:msgbox(1)>",
        "[ref]\n\n[ref]: JavaScript:alert(1)",
        "[ref]\n\n[ref]: <vbscript:x>",
        "[x](<java\tscript:alert(1)>)",
        "[x](javascript\\:alert(1))",
        "[x](&#106;avascript:alert(1))",
        'Text <a href="javascript:alert(1)">raw</a>',
        "<img src='data:image/svg+xml,<svg onload=alert(1)>'>",
        "<a href=JAVASCRIPT:alert(1)>x</a>",
    ],
)
def test_content_body__markdown_with_script_link__reports_unsafe_url(markdown):
    assert_issues([("/en/value", "unsafe_url")], validate, {"en": {"format": "markdown", "value": markdown}})


@pytest.mark.parametrize(
    "markdown",
    [
        "[Rooms](/rooms) and [mail](mailto:stay@hotel.example) and <https://hotel.example>",
        "Use `javascript:` carefully, it is just text here.",
        "a < b and c > d",
        '<a href="https://hotel.example">raw but safe</a>',
    ],
)
def test_content_body__markdown_with_safe_links__passes(markdown):
    assert validate({"en": {"format": "markdown", "value": markdown}})["en"]["value"] == markdown


def test_content_body__markdown__stored_as_written_but_trimmed():
    value = "\n  **Bold** <b>kept</b> [site](https://hotel.example)  \n"

    assert validate({"en": {"format": "markdown", "value": value}})["en"]["value"] == value.strip()


@pytest.mark.parametrize(
    ("entry", "path", "code"),
    [
        ({"format": "markdown", "value": {"a": 1}}, "/en/value", "invalid_type"),
        ({"format": "html", "value": None}, "/en/value", "invalid_type"),
        ({"format": "structured", "value": "text"}, "/en/value", "invalid_type"),
        ({"format": "markdown", "value": "   "}, "/en/value", "empty"),
        ({"format": "rst", "value": "x"}, "/en/format", "invalid_choice"),
        ({"format": "markdown"}, "/en/value", "required"),
        ({"format": "markdown", "value": "x", "lang": "en"}, "/en/lang", "unknown_key"),
        ("just text", "/en", "invalid_type"),
    ],
)
def test_content_body__bad_entry__reports_code(entry, path, code):
    assert_issues([(path, code)], validate, {"en": entry})


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_content_body__string_over_64_kib__reports_too_large(fmt):
    assert_issues(
        [("/en/value", "too_large")], validate, {"en": {"format": fmt, "value": "é" * (32 * 1024 + 1)}}
    )


def test_content_body__string_of_exactly_64_kib__passes():
    assert validate({"en": {"format": "markdown", "value": "a" * 64 * 1024}})


def test_content_body__structured_over_64_kib__reports_too_large():
    value = {"type": "doc", "text": "a" * 64 * 1024}

    assert_issues([("/en/value", "too_large")], validate, {"en": {"format": "structured", "value": value}})


def test_content_body__structured_nested_too_deep__reports_too_deep():
    value: dict = {}
    node = value
    for _ in range(25):
        node["c"] = {}
        node = node["c"]

    assert_issues(
        [("/en/value" + "/c" * 20, "too_deep")], validate, {"en": {"format": "structured", "value": value}}
    )


def test_content_body__structured_script_link__reports_unsafe_url_at_the_link():
    value = {"type": "doc", "content": [{"type": "link", "attrs": {"href": " javascript:alert(1)"}}]}

    assert_issues(
        [("/en/value/content/0/attrs/href", "unsafe_url")],
        validate,
        {"en": {"format": "structured", "value": value}},
    )


@pytest.mark.parametrize(
    ("locale", "code"),
    [
        ("EN", "invalid_locale"),
        ("en-us", "invalid_locale"),
        ("english", "invalid_locale"),
        ("it", "locale_not_enabled"),
    ],
)
def test_content_body__bad_locale_key__reports_code(locale, code):
    assert_issues([(f"/{locale}", code)], validate, {locale: {"format": "markdown", "value": "x"}})


def test_content_body__empty_object__reports_empty():
    assert_issues([("", "empty")], validate, {})


def test_content_body__not_an_object__reports_invalid_type():
    assert_issues([("", "invalid_type")], validate, "hello")


def test_content_body__problems_in_several_locales__all_collected():
    value = {
        "en": {"format": "html", "value": 5},
        "fr": {"format": "latex", "value": "x"},
        "it": {"format": "markdown", "value": "x"},
        "de-CH": {"format": "markdown", "value": "[x](data:text/html,hi)"},
    }

    assert issues_of(validate, value) == [
        ("/de-CH/value", "unsafe_url"),
        ("/en/value", "invalid_type"),
        ("/fr/format", "invalid_choice"),
        ("/it", "locale_not_enabled"),
    ]
