"""A sample booking site drawn from a bundle document: what a version will look like to guests.

One page with four parts (home, property detail, booking steps, the confirmation e-mail), styled
only by the bundle's own stylesheet (its tokens as CSS custom properties), in one of the bundle's
locales and that locale's direction. It is a preview, not the guest site: the property facts
shown are placeholders, and only the bundle's texts, blocks, navigation, steps and e-mail theme
are real. Everything from the bundle is escaped, or (HTML blocks) sanitised again before it is
marked safe.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from publishing.sample_site.messages import (
    SiteMessages,
    format_message,
    isolated,
    preset_message_key,
    sample_arguments,
)
from themeconfig.services.versions import direction_of
from themeconfig.validators.content import sanitize_html

PARTS = ("home", "detail", "booking", "email")
_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*)$")
_STRONG_RE = re.compile(r"\*\*(.+?)\*\*")
_LINK_RE = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_ESCAPED_RE = re.compile(r"\\([\\`*_{}\[\]()<>#+!|~-])")
# The flow a version without one is shown with (canonical step ids and their required fields).
DEFAULT_STEPS = [{"id": "search", "fields": ["check_in", "check_out", "adults"]},
                 {"id": "room_select", "fields": ["room_type"]},
                 {"id": "guest_details", "fields": ["first_name", "last_name", "email"]},
                 {"id": "payment", "fields": ["card"]}]


def _inline(text: str) -> str:
    text = _LINK_RE.sub(r"\1", text)
    html = escape(_ESCAPED_RE.sub(r"\1", text))
    return _STRONG_RE.sub(r"<strong>\1</strong>", html)


def markdown_html(source: str) -> SafeString:
    """A small, safe subset of markdown: headings, paragraphs, lists, bold; everything else as text."""
    out: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            out.append("<p>" + " ".join(paragraph) + "</p>")
            paragraph.clear()
        if items:
            out.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
            items.clear()

    for raw in str(source).splitlines():
        line = raw.strip()
        heading = _HEADING_RE.match(line)
        if not line:
            flush()
        elif heading:
            flush()
            level = min(max(len(heading.group(1)), 2), 4)
            out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif line[:2] in ("- ", "* "):
            if paragraph:
                flush()
            items.append(_inline(line[2:]))
        else:
            if items:
                flush()
            paragraph.append(_inline(line))
    flush()
    return mark_safe("\n".join(out))  # noqa: S308 - every piece of text above is escaped


def _localised_in(value: Any, chain: list[str]) -> tuple[str | None, str | None]:
    """The first text of a `{locale: text}` map along `chain`, and its locale (None for a bare string)."""
    if isinstance(value, dict):
        for locale in chain:
            if value.get(locale):
                return value[locale], locale
        return None, None
    return (value, None) if isinstance(value, str) else (None, None)


def _localised(value: Any, chain: list[str]) -> str | None:
    return _localised_in(value, chain)[0]


def image_host(url: str) -> str | None:
    """The host an image URL loads from, if it is one a CSP `https://host` source can allow (https, the
    default port, no credentials); else None."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() != "https" or not parts.hostname or parts.username or port not in (None, 443):
        return None
    return parts.hostname.rstrip(".").lower()


def image_src_directive(image_hosts: Iterable[str]) -> str:
    """The CSP img-src of a preview page: data: (no network) and these hosts only."""
    return " ".join(["img-src data:", *(f"https://{host}" for host in sorted(set(image_hosts)))])


class _ImageGate(HTMLParser):
    """Re-emits sanitised HTML unchanged, except each <img> from a host not allowed, which becomes a
    labelled placeholder: loading it would tell that host the viewer's address."""

    def __init__(self, allowed: frozenset[str]) -> None:
        super().__init__(convert_charrefs=False)
        self.allowed, self.out = allowed, []

    def handle_starttag(self, tag, attrs):
        self.out.append(self._image(dict(attrs)) if tag == "img" else self.get_starttag_text())

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.out.append(data)  # already escaped by the sanitiser; entities come through below

    def handle_entityref(self, name):
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self.out.append(f"&#{name};")

    def _image(self, attrs: dict) -> str:
        src, alt = attrs.get("src") or "", attrs.get("alt") or ""
        host = image_host(src)
        if host is not None and host in self.allowed:
            return format_html('<img src="{}" alt="{}" loading="lazy">', src, alt)
        label = f"Image not loaded: {host or 'its address'} is not one of this site's hosts"
        return format_html('<span class="sample-image-blocked" role="img" aria-label="{}">{}{}</span>',
                           f"{label}. {alt}".strip(), label, f" ({alt})" if alt else "")


def gate_images(html: str, image_hosts: Iterable[str]) -> str:
    """Sanitised block HTML with every image from a host outside `image_hosts` drawn as a placeholder."""
    if "<img" not in html:
        return html
    gate = _ImageGate(frozenset(image_hosts))
    gate.feed(html)
    gate.close()
    return "".join(gate.out)


def _block_html(block: dict, chain: list[str], texts: SiteMessages,
                image_hosts: frozenset[str] = frozenset()) -> dict:
    """One content block: its human kind label and its body in the first locale along `chain` that
    has one (marked with that locale when it is not the page's)."""
    body = block.get("body") or {}
    kind = str(block.get("kind") or "")
    card = {"kind": kind, "kind_label": texts.html(texts.get_any(f"preview.block.{kind}", _humanised(kind))),
            "lang": None, "dir": None}
    for locale in chain:
        part = body.get(locale)
        if isinstance(part, dict) and isinstance(part.get("value"), str):
            if locale != texts.locale:
                card.update(lang=locale, dir=direction_of(locale))
            if part.get("format") == "html":
                # Sanitised again here; images only from the tenant's own or configured hosts.
                card["html"] = mark_safe(gate_images(sanitize_html(part["value"]), image_hosts))  # noqa: S308
            else:
                card["html"] = markdown_html(part["value"])
            return card
    card["html"] = format_html('<p class="sample-missing">{}</p>', texts.html(texts.get("preview.block.missing")))
    return card


def _humanised(identifier: str) -> str:
    """"hero-split" or "room_select" as "Hero split": for an identifier no message names."""
    words = identifier.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else "—"


def _nav(items: list, chain: list[str], page_locale: str, depth: int = 0) -> list[dict]:
    entries = []
    for item in items or []:
        if not isinstance(item, dict):
            continue
        text, lang = _localised_in(item.get("label"), chain)
        entries.append({"label": isolated(text, lang, page_locale) if text else _humanised(str(item.get("key") or "")),
                        "depth": depth, "children": _nav(item.get("children") or [], chain, page_locale, depth + 1)})
    return entries


def _layout_label(selection: dict, texts: SiteMessages) -> SafeString:
    """A surface's layout as people name it: preset "home.hero-split" as "Layout: Hero split" (its
    `preview.preset.*` message; a preset no message names, humanised)."""
    preset = str((selection or {}).get("preset") or "")
    if not preset:
        return texts.html(texts.get("preview.layout.default"))
    name = texts.get_any(preset_message_key(preset), _humanised(preset.split(".", 1)[-1]))
    return texts.html(texts.get("preview.layout", name=name.text))


def _language_name(code: str) -> str:
    """A locale in its own language ("Français", "العربية"), for the language links."""
    try:
        name = Locale.parse(code, sep="-").get_display_name(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return code
    return (name[:1].upper() + name[1:]) if name else code


def site_context(document: dict, *, locale: str | None = None, image_hosts: Iterable[str] = (),
                 today: date | None = None) -> dict:
    """What the template needs, for `locale` (default: the bundle's default; an unknown one too);
    images in blocks load only from `image_hosts`; the sample stay is still to come from `today`
    (default: today in TIME_ZONE). Every text comes from the bundle's messages (the packs along the
    fallback chain), else from publishing.sample_site.messages' English defaults."""
    image_hosts = frozenset(image_hosts)
    sample = sample_arguments(today or timezone.localdate())
    locales = document.get("locales") or {}
    enabled = list(locales.get("enabled") or [])
    default = locales.get("default") or (enabled[0] if enabled else "en")
    locale = locale if locale in enabled else default
    chain = list(dict.fromkeys([locale, *(locales.get("fallback_chain") or []), default]))
    texts = SiteMessages(document, locale, chain, default, sample)

    def t(key: str, **arguments: Any) -> SafeString:
        return texts.html(texts.get(key, **arguments))

    content = document.get("content") or {}
    flow = document.get("booking_flow") or {}
    email = document.get("email_theme") or {}
    email_tokens = email.get("tokens") or {}
    footer = email.get("footer") or {}
    layout = document.get("layout") or {}
    steps = sorted(flow.get("steps") or DEFAULT_STEPS, key=lambda s: s.get("ordinal", 0))
    logo_alt, logo_lang = _localised_in((email.get("logo_ref") or {}).get("alt"), chain)
    legal, legal_lang = _localised_in(footer.get("legal_text"), chain)
    return {
        "locale": locale,
        "direction": (locales.get("direction_by_locale") or {}).get(locale, "ltr"),
        "languages": [{"code": code, "name": _language_name(code), "current": code == locale} for code in enabled],
        "home_blocks": [_block_html(b, chain, texts, image_hosts) for b in content.get("home") or []],
        "detail_blocks": [_block_html(b, chain, texts, image_hosts) for b in content.get("detail") or []],
        "header_nav": _nav((document.get("navigation") or {}).get("header") or [], chain, locale),
        "layout": {surface: _layout_label(layout.get(surface) or {}, texts) for surface in ("home", "detail")},
        "steps": [{"number": t("booking.step.number", number=index),
                   "label": texts.html(texts.get_any(f"booking.step.{step.get('id')}", _humanised(str(step.get("id"))))),
                   "fields": [texts.html(texts.get_any(f"booking.field.{field}", _humanised(str(field))))
                              for field in step.get("fields") or []]}
                  for index, step in enumerate(steps, start=1)],
        "steps_are_sample": not flow.get("steps"),
        "email": {
            "colors": email_colors(email_tokens.get("colors") or {}),
            "font": _font_stack(email_tokens.get("font_family")),
            "width": email_tokens.get("content_width_px") or 600,
            "radius": email_tokens.get("button_radius_px") if email_tokens.get("button_radius_px") is not None else 4,
            "logo_alt": isolated(logo_alt, logo_lang, locale) if logo_alt else t("email.logo_placeholder"),
            "address": footer.get("address"),
            "legal": isolated(legal, legal_lang, locale) if legal else None,
            "is_sample": not email,
        },
        # Element content (marked and isolated when in another language) and attribute values.
        "t": {key.replace(".", "_"): t(key) for key in _PAGE_KEYS},
        "a": {key.replace(".", "_"): texts.get(key).text for key in _ATTRIBUTE_KEYS},
        "dates": {name: format_message(f"{{{name}, date, medium}}", sample, locale)
                  for name in ("check_in", "check_out")},
        "ordinal": document.get("ordinal"),
        "banner": t("preview.banner", version=document.get("ordinal") or 0),
        "title": texts.get("preview.banner", version=document.get("ordinal") or 0).text,
    }


_PAGE_KEYS = ("site.nav.book", "site.search.title", "site.search.intro", "site.search.submit", "site.search.guests",
              "booking.field.check_in", "booking.field.check_out", "room.title", "room.text", "room.occupancy",
              "room.price", "booking.title", "booking.summary", "email.subject", "email.greeting", "email.summary",
              "email.button", "preview.languages", "preview.surface.home", "preview.surface.detail",
              "preview.surface.booking", "preview.surface.email", "preview.nav.empty", "preview.home.empty",
              "preview.steps.sample", "preview.email.sample")
_ATTRIBUTE_KEYS = ("site.nav.label", "site.hero.image_alt", "preview.languages")


# Each e-mail colour the sample draws → what stands in when the e-mail theme lacks it: another of its
# colours, else the version's design token (the page's own custom property), so that a version
# without an e-mail theme shows its e-mail in its own colours too.
_EMAIL_COLOR_FALLBACKS = {
    "primary": ("var(--color-primary)",),
    "background": ("var(--color-surface)",),
    "text": ("var(--color-text)",),
    "link": ("primary",),
    "button_background": ("primary",),
    "button_text": ("var(--color-on_primary)",),
    "muted": ("var(--color-text_muted)",),
    "border": ("var(--color-border)",),
    "footer_background": ("var(--color-background)",),
    "footer_text": ("muted",),
}
_HEX_RE = re.compile(r"#[0-9a-fA-F]{6}")


def email_colors(colors: dict) -> dict[str, str]:
    """The sample e-mail's colours: the e-mail theme's (validated sRGB hex), the gaps filled as
    _EMAIL_COLOR_FALLBACKS says."""
    filled: dict[str, str] = {}
    for name, (fallback,) in _EMAIL_COLOR_FALLBACKS.items():
        value = colors.get(name)
        if isinstance(value, str) and _HEX_RE.fullmatch(value):
            filled[name] = value
        else:
            filled[name] = fallback if fallback.startswith("var(") else filled[fallback]
    return filled


def _font_stack(font_family: Any) -> str | None:
    """The e-mail theme's font stack as a CSS font-family value (names validated: mail-safe fonts)."""
    if not isinstance(font_family, dict):
        return None
    names = [f'"{name}"' for name in font_family.get("stack") or [] if isinstance(name, str) and '"' not in name]
    fallback = font_family.get("fallback")
    return ", ".join([*names, *([fallback] if fallback in ("serif", "sans-serif", "monospace") else [])]) or None


def render_site(document: dict, css: str, *, locale: str | None = None, base_url: str = "",
                image_hosts: Iterable[str] = (), today: date | None = None) -> str:
    """The whole sample page as HTML; `base_url` is the page's own URL without query (locale links);
    images load only from `image_hosts` (the page's CSP must list the same: image_src_directive)."""
    context = site_context(document, locale=locale, image_hosts=image_hosts, today=today)
    # The stylesheet is the builder's (validated tokens); "</" cannot close the style element.
    context["css"] = mark_safe(css.replace("</", "<\\/"))  # noqa: S308
    context["base_url"] = base_url
    return render_to_string("sample_site/site.html", context)
