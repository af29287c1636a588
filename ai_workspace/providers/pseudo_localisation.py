"""Pseudo-localisation of ICU messages: accented, expanded, bracketed literal text, structure kept.

Teams use it to see, before real translations exist, which strings are hard-coded (they stay
plain), which layouts break on longer text (about 35% longer: vowels are doubled, and words
without vowels get a `~`), where text is cut off (the brackets ⟦ ⟧ must both be visible), and,
for right-to-left targets, how the page mirrors (the message is isolated as RTL with U+2067 …
U+2069).

Messages are parsed with the project's ICU parser (pyicumessageformat, as the locale pack
validator does) and written back from the AST: only literal text changes; arguments, their
types and styles, plural offsets, `#`, and select/plural branch keys stay as they were, and
literal text that needs ICU apostrophe quoting (`{`, `}`, `#` inside a plural, `'`) is quoted.
"""
from __future__ import annotations

import math
from collections.abc import Mapping

from pyicumessageformat import Parser

PARSER = Parser({"require_other": False, "allow_tags": False})
_PLURAL_TYPES = frozenset({"plural", "selectordinal"})
_SUBMESSAGE_TYPES = frozenset({"plural", "selectordinal", "select"})

OPEN, CLOSE = "⟦", "⟧"
RTL_ISOLATE, POP_ISOLATE = "\u2067", "\u2069"
RTL_LANGUAGES = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "ks", "ps", "sd", "ug", "ur", "yi"})
EXPANSION = 0.35  # share of extra characters per run of letters

_ACCENTED = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "åƀçđéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇĐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
        strict=True,
    )
)
_VOWELS = frozenset("aeiouyAEIOUY")


def is_rtl(locale: str) -> bool:
    return locale.split("-")[0] in RTL_LANGUAGES


def target_plural_categories(locale: str) -> dict[str, frozenset[str]] | None:
    """{"plural": …, "selectordinal": …}: the CLDR categories the locale's language uses, or None
    when CLDR does not know it."""
    from babel import Locale, UnknownLocaleError

    try:
        cldr = Locale.parse(locale, sep="-")
    except (UnknownLocaleError, ValueError):
        return None
    return {
        "plural": frozenset(cldr.plural_form.tags) | {"other"},
        "selectordinal": frozenset(cldr.ordinal_form.tags) | {"other"},
    }


def pseudo_text(text: str) -> str:
    """Literal text accented and expanded by about EXPANSION (punctuation and spaces kept)."""
    out: list[str] = []
    word: list[str] = []

    def flush() -> None:
        if not word:
            return
        needed = math.ceil(len(word) * EXPANSION)
        expanded: list[str] = []
        for char in word:
            expanded.append(_ACCENTED.get(char, char))
            if needed and char in _VOWELS:
                expanded.append(_ACCENTED.get(char.lower(), char))
                needed -= 1
        expanded.extend("~" * needed)
        out.append("".join(expanded))
        word.clear()

    for char in text:
        if char.isalpha():
            word.append(char)
        else:
            flush()
            out.append(char)
    flush()
    return "".join(out)


def pseudo_message(message: str, *, rtl: bool = False, plural_categories: Mapping[str, frozenset] | None = None) -> str:
    """One ICU message pseudo-localised; raises SyntaxError/ValueError when it does not parse.

    plural_categories, when given ({"plural": …, "selectordinal": …}), makes every plural and
    selectordinal argument have exactly those CLDR categories: missing ones copy `other`, extra
    ones are dropped (`=N` branches are kept).
    """
    ast = PARSER.parse(message)
    transformed = _transform(ast, plural_categories)
    wrapped = [OPEN, *transformed, CLOSE]
    if rtl:
        wrapped = [RTL_ISOLATE, *wrapped, POP_ISOLATE]
    return serialise(wrapped)


def pseudo_entries(
    entries: Mapping[str, str], *, locale: str, plural_categories: Mapping[str, frozenset] | None = None
) -> dict[str, str]:
    rtl = is_rtl(locale)
    return {key: pseudo_message(message, rtl=rtl, plural_categories=plural_categories) for key, message in entries.items()}


def _transform(ast: list, plural_categories: Mapping[str, frozenset] | None) -> list:
    out: list = []
    for node in ast:
        if isinstance(node, str):
            out.append(pseudo_text(node))
            continue
        options = node.get("options")
        if options is None or node.get("type") not in _SUBMESSAGE_TYPES:
            out.append(node)
            continue
        branches = {key: _transform(branch, plural_categories) for key, branch in options.items()}
        if plural_categories is not None and node["type"] in _PLURAL_TYPES and "other" in branches:
            wanted = plural_categories[node["type"]] | {"other"}
            branches = {
                key: branch for key, branch in branches.items() if key.startswith("=") or key in wanted
            }
            for category in sorted(wanted - set(branches)):
                branches[category] = branches["other"]
        out.append({**node, "options": branches})
    return out


def serialise(ast: list, *, parent_type: str | None = None) -> str:
    """An ICU message from a pyicumessageformat AST; parse(serialise(ast)) == ast."""
    return "".join(_node(node, parent_type) for node in ast)


def _node(node, parent_type: str | None) -> str:
    if isinstance(node, str):
        return quote_text(node, hash_special=parent_type in _PLURAL_TYPES)
    if node.get("hash"):
        return "#"
    name, arg_type = node["name"], node.get("type")
    if arg_type is None:
        return "{" + name + "}"
    options = node.get("options")
    if options is not None and arg_type in _SUBMESSAGE_TYPES:
        offset = node.get("offset") or 0
        head = f"offset:{offset} " if offset else ""
        branches = " ".join(
            f"{key} {{{serialise(branch, parent_type=arg_type)}}}" for key, branch in options.items()
        )
        return f"{{{name}, {arg_type}, {head}{branches}}}"
    if node.get("format") is not None:
        return f"{{{name}, {arg_type}, {node['format']}}}"
    return f"{{{name}, {arg_type}}}"


def quote_text(text: str, *, hash_special: bool) -> str:
    """Literal text in ICU apostrophe syntax: `'` doubled, and from the first character ICU
    treats as syntax onwards, one quoted section (so a quote never ends just before another)."""
    special = "{}#" if hash_special else "{}"
    first = next((index for index, char in enumerate(text) if char in special), None)
    if first is None:
        return text.replace("'", "''")
    return text[:first].replace("'", "''") + "'" + text[first:].replace("'", "''") + "'"


__all__ = [
    "is_rtl",
    "pseudo_entries",
    "pseudo_message",
    "pseudo_text",
    "quote_text",
    "serialise",
    "target_plural_categories",
]
