"""Validators for a theme's locale settings and its ICU locale packs (seed §3.1, §4.6, §5.4).

Locale codes are `^[a-z]{2,3}(-[A-Z]{2})?$` (language, optional region: "en", "fil", "pt-BR").
Identifiers such as locale codes and message keys are never trimmed or case-folded: a code
that does not match exactly is rejected, because it is used verbatim as a lookup key.

Locale pack entries are a flat `{key: ICU message}` object. Keys are dotted identifiers
(`booking.search.title`, ≤ 200 characters). Every message is parsed with a real ICU
MessageFormat parser (`pyicumessageformat`); messages are kept byte for byte (not trimmed),
since spacing inside a message is the translator's decision.

Checks on each message, whatever pack it belongs to:
  * it parses (`invalid_icu`);
  * argument types are ICU ones: number, date, time, plural, select, selectordinal,
    spellout, ordinal, duration (`unknown_argument_type`);
  * plural, selectordinal and select arguments have an `other` branch (`missing_other`);
  * plural and selectordinal branch keys are CLDR categories (zero, one, two, few, many,
    other) or exact matches `=N` (`invalid_plural_category`).

When the default-locale pack is given, each translated message must use the same argument
names (`placeholder_mismatch`) with the same argument types (`placeholder_type_mismatch`) as
the default message for that key, and keys the default pack lacks are `unknown_key`.
Which plural categories a locale actually uses differs per language ("few" in Polish, not in
English), so categories are not compared between packs.

`completeness_pct` is the share of the default pack's keys the pack translates, rounded DOWN
to 2 places, so 100.00 only ever means "complete". It is 100.00 when there is no default pack
(or it is empty): the default-locale pack is complete by definition.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from pyicumessageformat import Parser

from .issues import INVALID, IssueCollector, child_path, json_type
from .issues import ISSUE_CODES as SHAPE_CODES

ISSUE_CODES: tuple[str, ...] = tuple(
    sorted(
        {
            *SHAPE_CODES,
            "default_not_enabled",
            "duplicate_locale",
            "fallback_must_end_with_default",
            "invalid_icu",
            "invalid_key",
            "invalid_locale",
            "invalid_plural_category",
            "locale_not_enabled",
            "missing_plural_category",
            "missing_other",
            "placeholder_mismatch",
            "placeholder_type_mismatch",
            "unknown_argument_type",
        }
    )
)

LOCALE_CODE_RE = re.compile(r"[a-z]{2,3}(-[A-Z]{2})?")
MESSAGE_KEY_RE = re.compile(r"[a-z][a-zA-Z0-9_]*(\.[a-zA-Z0-9_]+)*")
MESSAGE_KEY_MAX_LENGTH = 200
MESSAGE_MAX_LENGTH = 10_000
MAX_ENTRIES = 5_000

ICU_ARGUMENT_TYPES = frozenset(
    {"number", "date", "time", "plural", "select", "selectordinal", "spellout", "ordinal", "duration"}
)
CLDR_CATEGORY_ORDER = ("zero", "one", "two", "few", "many", "other")  # the order CLDR and translators list them in
PLURAL_CATEGORIES = frozenset(CLDR_CATEGORY_ORDER)
_EXACT_PLURAL_RE = re.compile(r"=\d+")
_PLURAL_TYPES = frozenset({"plural", "selectordinal"})
_SUBMESSAGE_TYPES = frozenset({"plural", "selectordinal", "select"})
SIMPLE_ARGUMENT = "string"  # the "type" of a bare `{name}` argument

# require_other is checked by us, so a missing `other` gets its own code instead of invalid_icu.
_ICU_PARSER = Parser({"require_other": False, "allow_tags": False})


def is_locale_code(value: Any) -> bool:
    return isinstance(value, str) and LOCALE_CODE_RE.fullmatch(value) is not None


def locale_label(code: str) -> str:
    """`fr` as "French (fr)", in English whatever the locale (what staff read); an unknown code as itself."""
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(code, sep="-").get_display_name("en")
    except (UnknownLocaleError, ValueError, TypeError):
        return code
    return f"{name} ({code})" if name else code


def check_locale_code(
    value: Any, path: str, issues: IssueCollector, *, enabled_locales: Iterable[str] | None = None
) -> str | Any:
    """A locale code that matches the pattern and, when `enabled_locales` is given, is enabled."""
    if not isinstance(value, str):
        issues.add(path, "invalid_type", f"Expected a locale code string, got {json_type(value)}.")
        return INVALID
    if not is_locale_code(value):
        issues.add(path, "invalid_locale", f"'{value}' is not a locale code like 'en' or 'pt-BR'.")
        return INVALID
    if enabled_locales is not None and value not in set(enabled_locales):
        issues.add(path, "locale_not_enabled", f"Locale '{value}' is not enabled for this theme.")
        return INVALID
    return value


def check_localized_text(
    value: Any,
    path: str,
    issues: IssueCollector,
    *,
    enabled_locales: Iterable[str] | None,
    max_length: int,
) -> dict[str, str] | Any:
    """A `{locale: text}` map with at least one entry; texts trimmed, non-empty, ≤ max_length."""
    obj = issues.object(value, path, what="an object of locale → text")
    if obj is INVALID:
        return INVALID
    if not obj:
        issues.add(path, "empty", "At least one locale entry is required.")
        return INVALID
    enabled = None if enabled_locales is None else set(enabled_locales)
    before = len(issues)
    normalized: dict[str, str] = {}
    for locale, text in obj.items():
        locale_path = child_path(path, locale)
        if not is_locale_code(locale):
            issues.add(
                locale_path, "invalid_locale", f"'{locale}' is not a locale code like 'en' or 'pt-BR'."
            )
            continue
        if enabled is not None and locale not in enabled:
            issues.add(locale_path, "locale_not_enabled", f"Locale '{locale}' is not enabled for this theme.")
            continue
        checked = issues.text(text, locale_path, max_length=max_length)
        if checked is not INVALID:
            normalized[locale] = checked
    return INVALID if len(issues) > before else normalized


def validate_theme_locales(
    *, default_locale: Any, enabled_locales: Any, fallback_chain: Any
) -> tuple[str, list[str], list[str]]:
    """A theme's locale settings (seed §3.1). Paths: /default_locale, /enabled_locales/i, /fallback_chain/i.

    Enabled locales: non-empty, no duplicates, contains the default. Fallback chain: non-empty,
    every entry enabled, no duplicates, ends with the default locale (the last resort).
    """
    issues = IssueCollector(ISSUE_CODES)
    default = check_locale_code(default_locale, "/default_locale", issues)
    # The well-formed enabled codes are checked against even when a sibling entry is broken,
    # so one typo does not hide the other problems.
    enabled = _check_locale_list(enabled_locales, "/enabled_locales", issues, enabled_locales=None)
    if default is not INVALID and enabled is not INVALID and default not in enabled:
        issues.add("/default_locale", "default_not_enabled", f"Default locale '{default}' must be enabled.")
    chain = _check_locale_list(
        fallback_chain, "/fallback_chain", issues, enabled_locales=None if enabled is INVALID else enabled
    )
    if (
        chain is not INVALID
        and default is not INVALID
        and len(chain) == len(fallback_chain)
        and chain[-1] != default
    ):
        issues.add(
            child_path("/fallback_chain", len(chain) - 1),
            "fallback_must_end_with_default",
            f"The fallback chain must end with the default locale '{default}'.",
        )
    issues.raise_if_any()
    return default, enabled, chain


def _check_locale_list(
    value: Any, path: str, issues: IssueCollector, *, enabled_locales: Iterable[str] | None
) -> list[str] | Any:
    """The list's well-formed, distinct (and enabled) codes; INVALID when it is not a non-empty array."""
    items = issues.array(value, path, what="an array of locale codes", max_items=100)
    if items is INVALID:
        return INVALID
    if not items:
        issues.add(path, "empty", "At least one locale is required.")
        return INVALID
    codes: list[str] = []
    for index, item in enumerate(items):
        item_path = child_path(path, index)
        code = check_locale_code(item, item_path, issues, enabled_locales=enabled_locales)
        if code is INVALID:
            continue
        if code in codes:
            issues.add(item_path, "duplicate_locale", f"Locale '{code}' is listed more than once.")
            continue
        codes.append(code)
    return codes


def validate_locale_enabled(locale: Any, *, enabled_locales: Iterable[str]) -> str:
    """Seed §5.4: a locale pack's locale must be one of the theme's enabled locales (path "")."""
    issues = IssueCollector(ISSUE_CODES)
    check_locale_code(locale, "", issues, enabled_locales=enabled_locales)
    issues.raise_if_any()
    return locale


@dataclass(frozen=True)
class LocalePackResult:
    entries: dict[str, str]
    completeness_pct: Decimal  # numeric(5,2)


def validate_locale_entries(
    entries: Any, *, default_entries: Mapping[str, str] | None = None, locale: str | None = None
) -> LocalePackResult:
    """A locale pack's entries (seed §4.6), checked against the default-locale pack when given.

    With `locale`, plural and selectordinal arguments are held to that language's CLDR
    categories: every category the language uses must have a branch (`missing_plural_category`)
    and none it does not use may appear (`invalid_plural_category`); `=N` branches are free.
    """
    plural_rules = _cldr_categories(locale)
    issues = IssueCollector(ISSUE_CODES)
    obj = issues.object(entries, "", what="an object of message key → ICU message")
    if obj is INVALID:
        issues.raise_if_any()
    if len(obj) > MAX_ENTRIES:
        issues.add("", "too_many_items", f"At most {MAX_ENTRIES} entries are allowed, got {len(obj)}.")
        issues.raise_if_any()

    default_arguments = _default_pack_arguments(default_entries)
    normalized: dict[str, str] = {}
    for key, message in obj.items():
        path = child_path("", key)
        if not _check_message_key(key, path, issues):
            continue
        if default_entries is not None and key not in default_entries:
            issues.add(path, "unknown_key", f"Key '{key}' does not exist in the default-locale pack.")
            continue
        arguments = _check_message(message, path, issues, plural_rules=plural_rules)
        if arguments is INVALID:
            continue
        expected = default_arguments.get(key)
        if expected is not None:
            _check_parity(arguments, expected, path, issues)
        normalized[key] = message
    issues.raise_if_any()
    return LocalePackResult(entries=normalized, completeness_pct=_completeness(normalized, default_entries))


def _check_message_key(key: Any, path: str, issues: IssueCollector) -> bool:
    if not isinstance(key, str) or MESSAGE_KEY_RE.fullmatch(key) is None:
        issues.add(path, "invalid_key", f"'{key}' is not a message key like 'booking.search.title'.")
        return False
    if len(key) > MESSAGE_KEY_MAX_LENGTH:
        issues.add(path, "too_long", f"Message keys are at most {MESSAGE_KEY_MAX_LENGTH} characters.")
        return False
    return True


def _check_message(
    message: Any, path: str, issues: IssueCollector, *, plural_rules: dict[str, frozenset[str]] | None = None
) -> dict[str, frozenset[str]] | Any:
    """Parse one ICU message; return its arguments as name → set of argument types."""
    if not isinstance(message, str):
        issues.add(path, "invalid_type", f"Expected an ICU message string, got {json_type(message)}.")
        return INVALID
    if not message.strip():
        issues.add(
            path, "empty", "Messages must not be empty; leave the key out to fall back to the default."
        )
        return INVALID
    if len(message) > MESSAGE_MAX_LENGTH:
        issues.add(path, "too_long", f"Messages are at most {MESSAGE_MAX_LENGTH} characters.")
        return INVALID
    try:
        ast = _ICU_PARSER.parse(message)
    except (SyntaxError, ValueError) as error:  # ValueError: the parser's int() on a bare "offset:-"
        issues.add(path, "invalid_icu", f"Not a valid ICU MessageFormat message: {error}.")
        return INVALID
    arguments: dict[str, set[str]] = {}
    before = len(issues)
    _walk_icu(ast, path, issues, arguments, plural_rules)
    if len(issues) > before:
        return INVALID
    return {name: frozenset(types) for name, types in arguments.items()}


def _walk_icu(
    ast: list,
    path: str,
    issues: IssueCollector,
    arguments: dict[str, set[str]],
    plural_rules: dict[str, frozenset[str]] | None = None,
) -> None:
    for node in ast:
        if isinstance(node, str) or node.get("hash"):
            continue  # literal text, or `#` inside a plural (it refers to the plural's own argument)
        name = node["name"]
        arg_type = node.get("type", SIMPLE_ARGUMENT)
        arguments.setdefault(name, set()).add(arg_type)
        if arg_type not in ICU_ARGUMENT_TYPES and arg_type != SIMPLE_ARGUMENT:
            issues.add(
                path,
                "unknown_argument_type",
                f"Argument '{name}' has type '{arg_type}'; "
                f"use one of {', '.join(sorted(ICU_ARGUMENT_TYPES))}.",
            )
        options = node.get("options")
        if arg_type in _SUBMESSAGE_TYPES and options is not None:
            if "other" not in options:
                issues.add(
                    path, "missing_other", f"The {arg_type} argument '{name}' needs an 'other' branch."
                )
            if arg_type in _PLURAL_TYPES:
                for selector in options:
                    if selector not in PLURAL_CATEGORIES and _EXACT_PLURAL_RE.fullmatch(selector) is None:
                        issues.add(
                            path,
                            "invalid_plural_category",
                            f"'{selector}' in argument '{name}' is not one of zero, one, two, few, "
                            "many, other or =N.",
                        )
                if plural_rules is not None:
                    _check_cldr_categories(
                        name, arg_type, options, plural_rules[arg_type], plural_rules["optional"], path, issues
                    )
            for branch in options.values():
                _walk_icu(branch, path, issues, arguments, plural_rules)


# CLDR 42 gave these languages a "many" plural category for compact large numbers ("1 M de nuits");
# ICU falls back to "other" for it, which is what almost every real translation relies on.
_OPTIONAL_CATEGORIES = {lang: frozenset({"many"}) for lang in ("fr", "es", "it", "pt", "ca")}


def _cldr_categories(locale: str | None) -> dict[str, frozenset[str]] | None:
    """{"plural": categories, "selectordinal": categories} the language uses (with "other")."""
    if locale is None or not is_locale_code(locale):
        return None
    from babel import Locale, UnknownLocaleError

    try:
        cldr = Locale.parse(locale, sep="-")
    except (UnknownLocaleError, ValueError):
        return None  # a code CLDR does not know: the structural checks still apply
    return {
        "plural": frozenset(cldr.plural_form.tags) | {"other"},
        "selectordinal": frozenset(cldr.ordinal_form.tags) | {"other"},
        "optional": _OPTIONAL_CATEGORIES.get(cldr.language, frozenset()),
    }


def _check_cldr_categories(
    name: str,
    arg_type: str,
    options: Mapping,
    used: frozenset[str],
    optional: frozenset[str],
    path: str,
    issues: IssueCollector,
) -> None:
    categories = {selector for selector in options if _EXACT_PLURAL_RE.fullmatch(selector) is None}
    for selector in _cldr_ordered(categories - used):
        issues.add(
            path, "invalid_plural_category",
            f"'{selector}' in {arg_type} argument '{name}' is not a category of this language "
            f"(it uses {', '.join(_cldr_ordered(used))}).",
        )
    missing = used - categories - optional
    if missing:
        issues.add(
            path, "missing_plural_category",
            f"The {arg_type} argument '{name}' needs a branch for {', '.join(_cldr_ordered(missing))} in this language.",
        )


def _cldr_ordered(categories) -> list[str]:
    """CLDR plural categories in CLDR's order (zero, one, two, few, many, other), not alphabetically."""
    return [category for category in CLDR_CATEGORY_ORDER if category in categories]


def _default_pack_arguments(
    default_entries: Mapping[str, str] | None,
) -> dict[str, dict[str, frozenset[str]]]:
    """Arguments of each parseable default message. The default pack was validated when it was
    written; a message that no longer parses is skipped rather than blamed on this pack."""
    if not default_entries:
        return {}
    result: dict[str, dict[str, frozenset[str]]] = {}
    for key, message in default_entries.items():
        scratch = IssueCollector(ISSUE_CODES)
        arguments = _check_message(message, "", scratch)
        if arguments is not INVALID:
            result[key] = arguments
    return result


def _check_parity(
    arguments: dict[str, frozenset[str]],
    expected: dict[str, frozenset[str]],
    path: str,
    issues: IssueCollector,
) -> None:
    if set(arguments) != set(expected):
        missing = sorted(set(expected) - set(arguments))
        extra = sorted(set(arguments) - set(expected))
        details = []
        if missing:
            details.append(f"missing {', '.join(missing)}")
        if extra:
            details.append(f"not in the default message: {', '.join(extra)}")
        issues.add(
            path, "placeholder_mismatch", f"Arguments differ from the default message ({'; '.join(details)})."
        )
        return
    for name in sorted(arguments):
        if arguments[name] != expected[name]:
            issues.add(
                path,
                "placeholder_type_mismatch",
                f"Argument '{name}' is used as {', '.join(sorted(arguments[name]))} but the default message "
                f"uses it as {', '.join(sorted(expected[name]))}.",
            )


def completeness_text(pct: Decimal | float | int | str) -> str:
    """A completeness percentage as people read it: one decimal rounded half up ("66.7", "33.3"), whole
    numbers without it ("25", "100"). Rounding never claims more than is true at the ends: "100" only
    when complete and "0" only when nothing is (99.96 reads "99.9", 0.04 reads "0.1")."""
    value = Decimal(str(pct))
    shown = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if shown >= 100 > value:
        shown = Decimal("99.9")
    elif shown <= 0 < value:
        shown = Decimal("0.1")
    return f"{shown:.1f}".removesuffix(".0")


def _completeness(entries: Mapping[str, str], default_entries: Mapping[str, str] | None) -> Decimal:
    if not default_entries:
        return Decimal("100.00")
    translated = sum(1 for key in default_entries if key in entries)
    pct = Decimal(translated * 100) / Decimal(len(default_entries))
    return pct.quantize(Decimal("0.01"), rounding=ROUND_DOWN)


__all__ = [
    "ISSUE_CODES",
    "LocalePackResult",
    "check_locale_code",
    "check_localized_text",
    "completeness_text",
    "is_locale_code",
    "locale_label",
    "validate_locale_enabled",
    "validate_locale_entries",
    "validate_theme_locales",
]
