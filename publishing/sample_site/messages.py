"""The well-known message keys of the sample booking site, their English defaults, and ICU formatting.

Every text the sample site (publishing/sample_site/render.py) draws is one of WELL_KNOWN_MESSAGES: the
guest-facing texts (`site.*`, `room.*`, `booking.*`, `email.*`) and the preview's own labels for
staff (`preview.*`: surfaces, block kinds, layouts, sample notes). A version's locale packs carry
them like any other key; the English default here is used only when no pack along the theme's
fallback chain has the key, and is then drawn as English (lang="en", isolated inside a
right-to-left page). Defaults are never written into a bundle: the bundle carries what the tenant
wrote, and the site falls back to these when it renders.

Messages are ICU MessageFormat (what locale packs hold): `format_message` renders the subset a
sample page needs (simple arguments, number, plural/selectordinal with `#`, `=N` and offset,
select), date with a style, with the language's CLDR plural rules and formats from Babel. A message that does not parse is drawn
as its raw text rather than failing the page.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from pyicumessageformat import Parser

from themeconfig.services.versions import direction_of
from themeconfig.validators.booking_flow import FIELD_NAMES, STEP_FIELDS, STEP_IDS
from themeconfig.validators.content import CONTENT_BLOCK_KINDS

DEFAULT_LANGUAGE = "en"  # the language of WELL_KNOWN_MESSAGES' defaults

_STEP_NAMES = {
    "search": "Dates and guests", "room_select": "Choose a room", "rate_select": "Choose a rate",
    "extras": "Extras", "guest_details": "Your details", "payment": "Payment", "review": "Review",
    "confirmation": "Confirmation",
}
# The layout presets of the surfaces the sample site shows (themeconfig migration 0005's registry),
# named in English as the admin's Design page names them.
_PRESET_NAMES = {
    "home.hero-split": "Hero split", "home.full-bleed": "Full bleed", "home.editorial": "Editorial",
    "home.classic-carousel": "Classic carousel", "detail.gallery-left": "Gallery left",
    "detail.stacked": "Stacked", "detail.sticky-booking": "Sticky booking",
}
_BLOCK_KIND_NAMES = {
    "hero": "Hero", "rich_text": "Text", "image_gallery": "Image gallery", "amenities": "Amenities",
    "room_highlights": "Room highlights", "testimonials": "Guest reviews", "faq": "Questions and answers",
    "cta_banner": "Call to action", "map": "Map", "policy": "Policy",
}

def preset_message_key(preset: str) -> str:
    """The message naming layout preset `preset` ("home.hero-split" → "preview.preset.home.hero_split":
    message keys have no hyphens)."""
    return f"preview.preset.{preset.replace('-', '_')}"


# key → English default (an ICU message). The one list of what the sample site draws.
WELL_KNOWN_MESSAGES: dict[str, str] = {
    # Header and home
    "site.nav.label": "Main",
    "site.nav.book": "Book now",
    "site.search.title": "Search rooms",
    "site.search.intro": "Sea views, quiet rooms and breakfast on the terrace.",
    "site.search.submit": "Search",
    "site.search.guests": "{guests, plural, one {# guest} other {# guests}}",
    "site.hero.image_alt": "Photo of the hotel",
    # Property detail: the sample room
    "room.title": "Sea-view double room",
    "room.text": "A sample room, to show how your tokens and texts look on a property page.",
    "room.occupancy": "Up to {guests, plural, one {# guest} other {# guests}}",
    "room.price": "From {price, number} {currency} per night",
    # Booking
    "booking.title": "Your booking",
    "booking.summary": "{nights, plural, one {# night} other {# nights}}, "
                       "{guests, plural, one {# guest} other {# guests}}",
    "booking.step.number": "Step {number, number}",
    **{f"booking.step.{step}": _STEP_NAMES[step] for step in STEP_IDS},
    **{f"booking.field.{field}": FIELD_NAMES[field]
       for field in dict.fromkeys(f for fields in STEP_FIELDS.values() for f in fields)},
    # Confirmation e-mail
    "email.subject": "Your booking is confirmed",
    "email.greeting": "Thank you, {name}. We look forward to welcoming you.",
    "email.summary": "{nights, plural, one {# night} other {# nights}} from {check_in, date, medium}, "
                     "{guests, plural, one {# guest} other {# guests}}",
    "email.button": "Manage booking",
    "email.logo_placeholder": "Your logo",
    # The preview's labels for staff
    "preview.banner": "Preview · version {version, number}",
    "preview.languages": "Language",
    "preview.surface.home": "Home",
    "preview.surface.detail": "Property detail",
    "preview.surface.booking": "Booking steps",
    "preview.surface.email": "Confirmation e-mail",
    "preview.layout": "Layout: {name}",
    "preview.layout.default": "Default layout",
    "preview.nav.empty": "No header navigation yet",
    "preview.home.empty": "No home content blocks yet",
    "preview.block.missing": "This block has no text in this language yet",
    "preview.steps.sample": "Sample: the version has no booking flow yet",
    "preview.email.sample": "Sample: the version has no e-mail theme yet",
    **{f"preview.block.{kind}": _BLOCK_KIND_NAMES[kind] for kind in CONTENT_BLOCK_KINDS},
    **{preset_message_key(preset): name for preset, name in _PRESET_NAMES.items()},
}

# Sample values for the arguments of the messages above (a preview has no real booking). The stay's
# dates are not fixed: sample_arguments() puts it SAMPLE_LEAD_DAYS after the viewer's today.
SAMPLE_NIGHTS = 3
SAMPLE_LEAD_DAYS = 21
SAMPLE_ARGUMENTS: dict[str, Any] = {"name": "Alex", "guests": 2, "nights": SAMPLE_NIGHTS, "price": 180,
                                    "currency": "EUR"}


def sample_arguments(today: date) -> dict[str, Any]:
    """SAMPLE_ARGUMENTS with a stay that is still to come: check-in SAMPLE_LEAD_DAYS after `today`
    (the date where the hotel is), check-out SAMPLE_NIGHTS later, so a sample never shows a past stay."""
    check_in = today + timedelta(days=SAMPLE_LEAD_DAYS)
    return {**SAMPLE_ARGUMENTS, "check_in": check_in, "check_out": check_in + timedelta(days=SAMPLE_NIGHTS)}


_DATE_STYLES = ("short", "medium", "long", "full")
_PARSER = Parser({"require_other": False, "allow_tags": False})


@dataclass(frozen=True)
class SiteText:
    """One text to draw and the language it is in (which may differ from the page's)."""

    text: str
    lang: str

    def __str__(self) -> str:
        return self.text


class SiteMessages:
    """The texts of one page locale: the bundle's resolved messages, else the English default.

    A bundle's `messages[locale]` is already resolved along [locale, *fallback_chain, default], so
    the value's own language is not written down; it is taken to be the default locale's when the
    value equals the default locale's message, else the first locale along the chain whose
    resolved message it equals, else the page's. (Two packs holding identical text are told
    apart wrongly, which is harmless: the text reads the same.)
    """

    def __init__(self, document: Mapping, locale: str, chain: list[str], default: str,
                 sample: Mapping[str, Any] | None = None) -> None:
        self.locale, self.chain, self.default = locale, chain, default
        self.sample = sample if sample is not None else sample_arguments(date.today())
        self.all_messages = document.get("messages") or {}
        self.messages = self.all_messages.get(locale) or {}

    def source_language(self, key: str) -> str:
        value = self.messages[key]
        if self.locale == self.default:
            return self.locale
        if (self.all_messages.get(self.default) or {}).get(key) == value:
            return self.default
        for code in self.chain:
            if code not in (self.locale, self.default) and (self.all_messages.get(code) or {}).get(key) == value:
                return code
        return self.locale

    def get(self, key: str, **arguments: Any) -> SiteText:
        """The text of `key` formatted with `arguments` (sample values fill in the rest)."""
        values = {**self.sample, **arguments}
        if isinstance(self.messages.get(key), str):
            lang = self.source_language(key)
            return SiteText(format_message(self.messages[key], values, lang), lang)
        return SiteText(format_message(WELL_KNOWN_MESSAGES.get(key, key), values, DEFAULT_LANGUAGE), DEFAULT_LANGUAGE)

    def html(self, text: SiteText) -> SafeString:
        """`text` as element content of this page (isolated when in another language)."""
        return isolated(text.text, text.lang, self.locale)

    def get_any(self, key: str, fallback: str) -> SiteText:
        """`key` when a pack or the defaults have it, else `fallback` drawn as English."""
        if key in self.messages or key in WELL_KNOWN_MESSAGES:
            return self.get(key)
        return SiteText(fallback, DEFAULT_LANGUAGE)


def isolated(text: Any, lang: str | None, page_locale: str) -> SafeString:
    """`text` escaped; text in another language than the page's is marked with its `lang` and isolated
    (`<bdi>` with that language's direction), so an English sentence inside an Arabic page keeps its
    punctuation where it belongs."""
    if lang is None or lang == page_locale:
        return escape(text)
    return format_html('<bdi lang="{}" dir="{}">{}</bdi>', lang, direction_of(lang), text)


def format_message(message: str, arguments: Mapping[str, Any], locale: str) -> str:
    """`message` (ICU MessageFormat) with `arguments`, plural categories as `locale` has them.

    An argument without a value is drawn as `{name}`; a message that does not parse, as itself.
    """
    try:
        ast = _parse(message)
    except (SyntaxError, ValueError):
        return message
    return _render(ast, arguments, _locale(locale), None)


@lru_cache(maxsize=512)
def _parse(message: str) -> list:
    return _PARSER.parse(message)


@lru_cache(maxsize=64)
def _locale(code: str) -> Locale:
    try:
        return Locale.parse(code, sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale.parse(DEFAULT_LANGUAGE)


def _number(value: Any, locale: Locale) -> str:
    try:
        return format_decimal(value, locale=locale)
    except (TypeError, ValueError, ArithmeticError):
        return str(value)


def _render(ast: list, arguments: Mapping[str, Any], locale: Locale, plural_value: Any) -> str:
    out: list[str] = []
    for node in ast:
        if isinstance(node, str):
            out.append(node)
            continue
        if node.get("hash"):
            out.append(_number(plural_value, locale) if plural_value is not None else "#")
            continue
        name, kind = node["name"], node.get("type")
        if name not in arguments:
            out.append("{" + name + "}")
            continue
        value = arguments[name]
        options = node.get("options")
        if kind in ("plural", "selectordinal") and options:
            shown = value - node.get("offset", 0) if isinstance(value, int | float) else value
            exact = f"={value}"
            if exact in options:
                branch = options[exact]
            else:
                rules = locale.ordinal_form if kind == "selectordinal" else locale.plural_form
                category = rules(shown) if isinstance(shown, int | float) else "other"
                branch = options.get(category) or options.get("other") or []
            out.append(_render(branch, arguments, locale, shown))
        elif kind == "select" and options:
            out.append(_render(options.get(str(value)) or options.get("other") or [], arguments, locale, plural_value))
        elif kind in ("date", "time") and isinstance(value, date):
            style = (node.get("format") or "medium").strip()
            out.append(format_date(value, format=style if style in _DATE_STYLES else "medium", locale=locale))
        elif kind == "number" or isinstance(value, int | float):
            out.append(_number(value, locale))
        else:
            out.append(str(value))
    return "".join(out)
