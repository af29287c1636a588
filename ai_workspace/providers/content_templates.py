"""Offline content drafts: one template per content block kind, filled with brand and property facts.

Templates only arrange facts they are given; they never invent any (no made-up reviews,
prices, distances or policies). A kind whose required meta cannot be built from the facts is
refused with ProviderInputError naming the missing fact. Texts exist in English only: a draft
for another language is refused rather than passed off as a translation.

Facts read (all optional unless a kind needs them):
  brand:          name, tone
  property_facts: name, city, country, description, booking_url (http(s) URL or site path),
                  images [{url (https), alt}], amenities [amenity codes], room_type_codes [...],
                  latitude, longitude, testimonials [{author, rating, quote, stay_date?}],
                  faq [{question, answer}], policy_type, policy_text, effective_date
Bodies are markdown with facts escaped, except rich_text and policy, which are HTML with facts
HTML-escaped and the result passed through the content validator's sanitiser.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from typing import Any

from themeconfig.validators.content import AMENITY_CODES, CONTENT_BLOCK_KINDS, POLICY_TYPES, sanitize_html

from . import ProviderInputError

TEMPLATE_LANGUAGES = ("en",)
TEMPLATE_VERSION = "1"
_MARKDOWN_SPECIAL_RE = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")

AMENITY_LABELS = {code: code.replace("_", " ").capitalize() for code in AMENITY_CODES} | {
    "wifi": "Free Wi-Fi",
    "ev_charging": "EV charging",
    "kids_club": "Kids' club",
}
POLICY_TITLES = {
    "cancellation": "Cancellation policy",
    "check_in_out": "Check-in and check-out",
    "children": "Children",
    "house_rules": "House rules",
    "payment": "Payment",
    "pets": "Pets",
    "privacy": "Privacy",
    "terms": "Terms and conditions",
}


def md(text: Any) -> str:
    """A fact as literal markdown text (no links, emphasis or HTML can come from it)."""
    return _MARKDOWN_SPECIAL_RE.sub(r"\\\1", " ".join(str(text).split()))


class _Facts:
    def __init__(self, brand: Mapping[str, Any], facts: Mapping[str, Any]) -> None:
        self.brand, self.facts = brand, facts

    def get(self, name: str, default: Any = None) -> Any:
        value = self.facts.get(name)
        return default if value in (None, "", [], {}) else value

    def need(self, name: str) -> Any:
        value = self.get(name)
        if value is None:
            raise ProviderInputError(f"/property_facts/{name}", "This content kind needs this fact.")
        return value

    @property
    def name(self) -> str:
        return str(self.get("name") or self.brand.get("name") or "our hotel")

    @property
    def place(self) -> str:
        parts = [str(p) for p in (self.get("city"), self.get("country")) if p]
        return ", ".join(parts)


def draft_content(*, kind: str, locale: str, brand: Mapping[str, Any], property_facts: Mapping[str, Any]) -> dict:
    """{"body": {locale: {format, value}}, "meta": {"kind": kind, …}} for one content block."""
    if kind not in CONTENT_BLOCK_KINDS:
        raise ProviderInputError("/kind", f"'{kind}' is not a content block kind; use one of {', '.join(CONTENT_BLOCK_KINDS)}.")
    if locale.split("-")[0] not in TEMPLATE_LANGUAGES:
        raise ProviderInputError(
            "/locale", f"Offline templates exist in {', '.join(TEMPLATE_LANGUAGES)} only; draft in one and translate."
        )
    facts = _Facts(brand, property_facts)
    fmt, body, meta = TEMPLATES[kind](facts, locale)
    value = sanitize_html(body).strip() if fmt == "html" else body.strip()
    return {"body": {locale: {"format": fmt, "value": value}}, "meta": {"kind": kind, **meta}}


def _images(facts: _Facts, locale: str, *, limit: int) -> list[dict]:
    images = facts.need("images")
    refs = []
    for index, image in enumerate(images[:limit]):
        if not isinstance(image, Mapping) or not str(image.get("url", "")).startswith("https://"):
            raise ProviderInputError(f"/property_facts/images/{index}/url", "Images need an https URL.")
        alt = str(image.get("alt") or f"{facts.name}, photo {index + 1}")[:250]
        refs.append({"url": image["url"], "alt": {locale: alt}})
    return refs


def _intro(facts: _Facts) -> str:
    """The opening sentence as plain text (escape it for the body's format)."""
    where = f" in {facts.place}" if facts.place else ""
    return f"Welcome to {facts.name}{where}."


def _booking_target(facts: _Facts) -> str:
    return str(facts.get("booking_url", "/book"))


def _hero(facts: _Facts, locale: str):
    body = f"## {md(_intro(facts))}\n\n{md(facts.get('description', 'Plan your stay with us.'))}"
    meta = {"image": _images(facts, locale, limit=1)[0], "cta": {"label": {locale: "Book your stay"}, "target": _booking_target(facts)}}
    return "markdown", body, meta


def _rich_text(facts: _Facts, locale: str):
    paragraphs = [f"<h2>About {html.escape(facts.name)}</h2>", f"<p>{html.escape(_intro(facts))}</p>"]
    if facts.get("description"):
        paragraphs.append(f"<p>{html.escape(str(facts.get('description')))}</p>")
    return "html", "".join(paragraphs), {}


def _image_gallery(facts: _Facts, locale: str):
    return "markdown", f"## Around {md(facts.name)}", {"images": _images(facts, locale, limit=50)}


def _amenities(facts: _Facts, locale: str):
    codes = [code for code in dict.fromkeys(facts.need("amenities")) if code in AMENITY_LABELS][:40]
    if not codes:
        raise ProviderInputError("/property_facts/amenities", f"Use amenity codes: {', '.join(AMENITY_CODES)}.")
    lines = "\n".join(f"- {md(AMENITY_LABELS[code])}" for code in codes)
    return "markdown", f"## At {md(facts.name)}\n\n{lines}", {"amenities": codes}


def _room_highlights(facts: _Facts, locale: str):
    codes = list(dict.fromkeys(str(code) for code in facts.need("room_type_codes")))[:12]
    return "markdown", f"## Rooms and suites at {md(facts.name)}", {"room_type_codes": codes}


def _testimonials(facts: _Facts, locale: str):
    items = []
    for index, item in enumerate(facts.need("testimonials")[:20]):
        try:
            entry = {"author": str(item["author"])[:80], "rating": int(item["rating"]), "quote": {locale: str(item["quote"])[:600]}}
        except (KeyError, TypeError, ValueError) as error:
            raise ProviderInputError(f"/property_facts/testimonials/{index}", "Needs author, rating and quote.") from error
        if item.get("stay_date"):
            entry["stay_date"] = str(item["stay_date"])
        items.append(entry)
    return "markdown", f"## What guests say about {md(facts.name)}", {"items": items}


def _faq(facts: _Facts, locale: str):
    given = facts.get("faq")
    if given:
        pairs = [(str(item["question"]), str(item["answer"])) for item in given[:50]]
    else:  # questions whose answers are facts we hold; nothing is answered that we were not told
        pairs = []
        if facts.place:
            pairs.append(("Where is the hotel?", f"{facts.name} is in {facts.place}."))
        codes = [c for c in facts.get("amenities", []) if c in AMENITY_LABELS]
        if codes:
            pairs.append(("What facilities are there?", ", ".join(AMENITY_LABELS[c] for c in codes) + "."))
        if not pairs:
            raise ProviderInputError("/property_facts/faq", "Give questions and answers, or the city and amenities.")
    items = [{"question": {locale: q[:300]}, "answer": {locale: a[:4000]}} for q, a in pairs]
    return "markdown", "## Frequently asked questions", {"items": items}


def _cta_banner(facts: _Facts, locale: str):
    return "markdown", f"## Ready for {md(facts.name)}?", {"label": {locale: "Check availability"}, "target": _booking_target(facts)}


def _map(facts: _Facts, locale: str):
    latitude, longitude = facts.need("latitude"), facts.need("longitude")
    where = f" in {md(facts.place)}" if facts.place else ""
    return "markdown", f"## Find {md(facts.name)}{where}", {"latitude": float(latitude), "longitude": float(longitude)}


def _policy(facts: _Facts, locale: str):
    policy_type = facts.need("policy_type")
    if policy_type not in POLICY_TYPES:
        raise ProviderInputError("/property_facts/policy_type", f"Use one of {', '.join(POLICY_TYPES)}.")
    # The wording of a policy is the property's; the template only lays out the text it is given.
    text = facts.need("policy_text")
    paragraphs = "".join(f"<p>{html.escape(p.strip())}</p>" for p in str(text).split("\n\n") if p.strip())
    meta: dict[str, Any] = {"policy_type": policy_type}
    if facts.get("effective_date"):
        meta["effective_date"] = str(facts.get("effective_date"))
    return "html", f"<h2>{html.escape(POLICY_TITLES[policy_type])}</h2>{paragraphs}", meta


TEMPLATES: dict[str, Callable[[_Facts, str], tuple[str, str, dict]]] = {
    "hero": _hero,
    "rich_text": _rich_text,
    "image_gallery": _image_gallery,
    "amenities": _amenities,
    "room_highlights": _room_highlights,
    "testimonials": _testimonials,
    "faq": _faq,
    "cta_banner": _cta_banner,
    "map": _map,
    "policy": _policy,
}

__all__ = ["TEMPLATES", "TEMPLATE_LANGUAGES", "TEMPLATE_VERSION", "draft_content", "md"]
