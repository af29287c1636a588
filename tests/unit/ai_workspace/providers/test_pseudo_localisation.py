"""Offline translation drafts: pseudo-localisation that keeps every ICU message's structure."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pyicumessageformat import Parser

from ai_workspace.providers import ProviderInputError, TranslationRequest
from ai_workspace.providers.offline import OfflineProvider
from ai_workspace.providers.pseudo_localisation import pseudo_message, serialise
from tests.unit.themeconfig.validators.samples import valid_default_entries
from themeconfig.validators import validate_locale_entries

# How many examples: the Hypothesis profile (tests/conftest.py; HYPOTHESIS_PROFILE=deep for more).
HYPOTHESIS = settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
PARSER = Parser({"require_other": False, "allow_tags": False})
_ASCII_LETTER_RE = re.compile(r"[A-Za-z]")

# ICU messages spelled by hand (not by the module's serialiser): literal text with escaped
# apostrophes and quoted syntax characters, simple and formatted arguments, plural (with `#`,
# =N and offsets), selectordinal and select, nested.
_words = st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,!?:-", min_size=1, max_size=12)
_quoted = st.sampled_from(["''", "'{'", "'}'", "'{literal}'", "it''s"])
_names = st.builds(str.__add__, st.sampled_from("abcdefghijklmnopqrstuvwxyz"), st.text("abcdefghijklmnopqrstuvwxyz0123456789_", max_size=5))


def _text(in_plural: bool) -> st.SearchStrategy[str]:
    pieces = [_words, _quoted] + ([st.just("'#'")] if in_plural else [])
    return st.lists(st.one_of(*pieces), min_size=1, max_size=3).map("".join)


def _simple_argument() -> st.SearchStrategy[str]:
    return st.one_of(
        _names.map(lambda n: f"{{{n}}}"),
        _names.map(lambda n: f"{{{n}, number}}"),
        _names.map(lambda n: f"{{{n}, date, short}}"),
        _names.map(lambda n: f"{{{n}, number, ::currency/EUR}}"),
    )


def messages(depth: int = 2, in_plural: bool = False) -> st.SearchStrategy[str]:
    parts = [_text(in_plural), _simple_argument()] + ([st.just("#")] if in_plural else [])
    if depth:
        parts += [plurals(depth - 1), selects(depth - 1)]
    return st.lists(st.one_of(*parts), min_size=1, max_size=4).map("".join)


@st.composite
def plurals(draw, depth: int) -> str:
    kind = draw(st.sampled_from(["plural", "selectordinal"]))
    keys = draw(st.lists(st.sampled_from(["zero", "one", "two", "few", "many", "=0", "=1"]), unique=True, max_size=3))
    offset = draw(st.sampled_from(["", "offset:1 "])) if kind == "plural" else ""
    branches = " ".join(f"{key} {{{draw(messages(depth, in_plural=True))}}}" for key in [*keys, "other"])
    return f"{{{draw(_names)}, {kind}, {offset}{branches}}}"


@st.composite
def selects(draw, depth: int) -> str:
    keys = draw(st.lists(st.sampled_from(["male", "female", "hotel", "apartment"]), unique=True, max_size=3))
    branches = " ".join(f"{key} {{{draw(messages(depth))}}}" for key in [*keys, "other"])
    return f"{{{draw(_names)}, select, {branches}}}"


def structure(ast: list) -> list:
    """Arguments with their types and branch keys, in order, literal text left out."""
    out = []
    for node in ast:
        if isinstance(node, str):
            continue
        branches = node.get("options")
        out.append(
            (
                node["name"],
                node.get("type"),
                node.get("format"),
                node.get("offset"),
                bool(node.get("hash")),
                None if branches is None else [(key, structure(branch)) for key, branch in branches.items()],
            )
        )
    return out


def literal_text(ast: list) -> str:
    return "".join(
        node if isinstance(node, str) else "".join(literal_text(b) for b in (node.get("options") or {}).values())
        for node in ast
    )


@pytest.mark.slow
@HYPOTHESIS
@given(messages())
def test_pseudo_message__any_icu_message__same_arguments_and_categories_literals_changed(message):
    source = PARSER.parse(message)
    pseudo = pseudo_message(message)

    drafted = PARSER.parse(pseudo)
    assert structure(drafted) == structure(source)
    # The locale pack validator agrees: same argument names with the same types.
    validate_locale_entries({"k": pseudo}, default_entries={"k": message})
    text = literal_text(drafted)
    assert text.startswith("⟦") and text.endswith("⟧")
    assert not _ASCII_LETTER_RE.search(text), "every letter is accented"
    letters = len(_ASCII_LETTER_RE.findall(literal_text(source)))
    assert len(text) - 2 >= len(literal_text(source)) + 0.3 * letters


@pytest.mark.slow
@HYPOTHESIS
@given(messages())
def test_serialise__parsed_message__parses_back_to_the_same_ast(message):
    ast = PARSER.parse(message)
    assert PARSER.parse(serialise(ast)) == ast


def test_pseudo_message__quoted_syntax_and_hash__stay_literal_and_special():
    pseudo = pseudo_message("{n, plural, one {# room, '{'see'}' it''s '#'} other {# rooms}}")
    assert pseudo == "⟦{n, plural, one {# ŕööööɱ, '{šéééé} îîţ''š~ #'} other {# ŕööööɱš}}⟧"
    branch = PARSER.parse(pseudo)[1]["options"]["one"]
    assert branch[0]["hash"] and branch[1].endswith("#")  # the quoted # stays text, the bare one the count


def test_pseudo_message__rtl__isolated_as_right_to_left():
    assert pseudo_message("Hi {name}", rtl=True) == "\u2067⟦Ĥîî {name}⟧\u2069"


def test_translation__sample_pack__valid_pack_for_the_target_with_the_same_keys():
    source = valid_default_entries()
    result = OfflineProvider().translation(TranslationRequest(source_entries=source, target_locale="de"))
    assert set(result.output) == set(source)
    assert validate_locale_entries(result.output, default_entries=source).completeness_pct == 100
    assert result.provenance()["provider"] == "offline" and result.model == "pseudo-localisation-1"


def test_translation__rtl_target__messages_isolated_rtl():
    result = OfflineProvider().translation(TranslationRequest(source_entries={"a": "Hi"}, target_locale="ar"))
    assert result.output["a"].startswith("\u2067") and result.parameters["rtl"] is True


@pytest.mark.parametrize("locale", ["ar", "pl", "ru", "fr", "ja"])
def test_translation__target_plural_categories__valid_for_that_language(locale):
    source = valid_default_entries()
    request = TranslationRequest(source_entries=source, target_locale=locale, plural_categories="target")
    entries = OfflineProvider().translation(request).output
    validate_locale_entries(entries, default_entries=source, locale=locale)


@pytest.mark.slow
@HYPOTHESIS
@given(messages(depth=1))
def test_translation__source_categories__every_plural_branch_kept(message):
    assume("plural" in message or "select" in message)
    entries = OfflineProvider().translation(TranslationRequest(source_entries={"k": message}, target_locale="fr")).output
    assert structure(PARSER.parse(entries["k"])) == structure(PARSER.parse(message))


@pytest.mark.parametrize(
    ("request_fields", "field"),
    [
        ({"source_entries": {"a": "{broken"}, "target_locale": "fr"}, "/source_entries"),
        ({"source_entries": {"a": "Hi"}, "target_locale": "French"}, "/target_locale"),
        ({"source_entries": {"a": "Hi"}, "target_locale": "fr", "plural_categories": "some"}, "/plural_categories"),
    ],
)
def test_translation__bad_request__provider_input_error_names_the_field(request_fields, field):
    with pytest.raises(ProviderInputError) as raised:
        OfflineProvider().translation(TranslationRequest(**request_fields))
    assert raised.value.field == field
