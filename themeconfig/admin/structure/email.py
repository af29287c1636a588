"""A version's transactional e-mail look (tab "E-mail"): colours, fonts, sizes, the logo and the footer
(with up to MAX_FOOTER_LINKS links, added and removed by submit buttons of the same form), saved with
`email_theme_put`, beside a sample confirmation e-mail drawn from the saved e-mail theme.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string

from themeconfig import services
from themeconfig.admin import workspace
from themeconfig.admin.base import on_page, principal_of, refusal_shown
from themeconfig.admin.common import actor_label, when_label
from themeconfig.admin.locales import locale_label, theme_locales
from themeconfig.admin.structure.common import (
    TEMPLATES,
    Input,
    Refusal,
    can_edit,
    filled,
    localised_inputs,
    number_or_text,
    posted_op,
    posted_texts,
    read_only_reason,
    refuse_post,
    refused,
    render_page,
    stored,
    structure_url,
    to_int,
)
from themeconfig.models import ThemeVersion
from themeconfig.selectors.themes import email_theme_get
from themeconfig.validators.email import (
    BUTTON_RADIUS_RANGE,
    CONTENT_WIDTH_RANGE,
    EMAIL_FALLBACK_FAMILIES,
    EMAIL_SAFE_FONTS,
    MAX_FONT_STACK,
    MAX_FOOTER_LINKS,
    OPTIONAL_COLORS,
    REQUIRED_COLORS,
    TOKEN_DEFAULTS,
)
from themeconfig.validators.issues import child_path
from themeconfig.validators.tokens import parse_color

EMAIL_SLUG = "email"
COLOR_LABELS = {"primary": "Primary (headings)", "background": "Background", "text": "Text", "link": "Links",
                "button_background": "Button background", "button_text": "Button text", "muted": "Muted text",
                "border": "Borders", "footer_background": "Footer background", "footer_text": "Footer text"}
DEFAULT_COLORS = {"primary": "#205067", "background": "#ffffff", "text": "#1a1a1a"}
DEFAULT_FONTS = ["Helvetica", "Arial"]
RTL_LANGUAGES = {"ar", "fa", "he", "ur", "ps", "yi", "dv", "ckb"}
# The sample e-mail's own words (the site's messages are not read here); other locales get English.
SAMPLE_COPY = {
    "en": {"subject": "Your booking is confirmed", "greeting": "Thank you, Alex. We look forward to welcoming you.",
           "summary": "Your booking", "reference": "Reference", "check_in": "Check-in", "check_out": "Check-out",
           "room": "Room", "room_name": "Deluxe double, lake view", "guests": "Guests", "button": "Manage booking",
           "logo": "Logo"},
    "fr": {"subject": "Votre réservation est confirmée",
           "greeting": "Merci, Alex. Nous nous réjouissons de vous accueillir.", "summary": "Votre réservation",
           "reference": "Référence", "check_in": "Arrivée", "check_out": "Départ", "room": "Chambre",
           "room_name": "Double deluxe, vue sur le lac", "guests": "Personnes", "button": "Gérer la réservation",
           "logo": "Logo"},
    "de": {"subject": "Ihre Buchung ist bestätigt", "greeting": "Danke, Alex. Wir freuen uns auf Ihren Besuch.",
           "summary": "Ihre Buchung", "reference": "Buchungsnummer", "check_in": "Anreise", "check_out": "Abreise",
           "room": "Zimmer", "room_name": "Deluxe-Doppelzimmer mit Seesicht", "guests": "Gäste",
           "button": "Buchung verwalten", "logo": "Logo"},
}


# What the sample uses for an optional colour left empty: (the colour it falls back to, or a fixed one).
COLOR_FALLBACKS = {"link": "primary", "button_background": "primary", "button_text": "#ffffff", "muted": "text",
                   "border": "muted", "footer_background": "background", "footer_text": "muted"}


def effective_colors(colors: dict) -> dict[str, str]:
    """Every colour the sample draws with: the given ones, the others from their fallbacks."""
    result = {**DEFAULT_COLORS, **{name: value for name, value in colors.items() if value}}
    for name, fallback in COLOR_FALLBACKS.items():
        result.setdefault(name, result.get(fallback, fallback))
    return result


def picker_hex(text: str) -> str:
    """A colour input's #rrggbb for any CSS colour the contract accepts (black when it is not one)."""
    color = parse_color(text.strip()) if text and text.strip() else None
    return color.convert("srgb").fit().to_string(hex=True, alpha=False) if color is not None else "#000000"


@dataclass
class EmailState:
    colors: dict[str, str]
    stack: str
    fallback: str
    width: str
    radius: str
    logo_url: str
    logo_alt: dict[str, str]
    logo_width: str
    logo_height: str
    address: str
    legal: dict[str, str]
    unsubscribe: dict[str, str]
    links: list[dict]  # {"url": str, "labels": {locale: text}}
    expected_version: int
    refusal: Refusal = field(default_factory=Refusal)
    status: str = ""

    @classmethod
    def of(cls, theme) -> EmailState:
        tokens = theme.tokens if theme else {}
        logo = theme.logo_ref if theme else {}
        footer = theme.footer if theme else {}
        fonts = tokens.get("font_family") or {}

        def text(value) -> str:
            return "" if value is None else str(value)

        return cls(
            colors={name: text((tokens.get("colors") or DEFAULT_COLORS).get(name))
                    for name in (*REQUIRED_COLORS, *OPTIONAL_COLORS)},
            stack=", ".join(fonts.get("stack") or ([] if theme else DEFAULT_FONTS)),
            fallback=fonts.get("fallback") or "sans-serif",
            width=text(tokens.get("content_width_px", TOKEN_DEFAULTS["content_width_px"])),
            radius=text(tokens.get("button_radius_px", TOKEN_DEFAULTS["button_radius_px"])),
            logo_url=text(logo.get("url")), logo_alt=dict(logo.get("alt") or {}),
            logo_width=text(logo.get("width")), logo_height=text(logo.get("height")),
            address=text(footer.get("address")), legal=dict(footer.get("legal_text") or {}),
            unsubscribe=dict(footer.get("unsubscribe_text") or {}),
            links=[{"url": text(link.get("url")), "labels": dict(link.get("label") or {})}
                   for link in footer.get("links") or []],
            expected_version=theme.version if theme else 0,
        )

    @classmethod
    def posted(cls, post, locales: list[str]) -> EmailState:
        links = []
        for index in range(min(to_int(post.get("links")) or 0, MAX_FOOTER_LINKS + 5)):
            prefix = f"link-{index}-"
            if prefix + "url" in post:
                links.append({"url": post.get(prefix + "url", ""),
                              "labels": posted_texts(post, prefix + "label-", locales)})
        return cls(
            colors={name: post.get(f"color-{name}", "") for name in (*REQUIRED_COLORS, *OPTIONAL_COLORS)},
            stack=post.get("font-stack", ""), fallback=post.get("font-fallback", ""),
            width=post.get("content_width_px", ""), radius=post.get("button_radius_px", ""),
            logo_url=post.get("logo-url", ""), logo_alt=posted_texts(post, "logo-alt-", locales),
            logo_width=post.get("logo-width", ""), logo_height=post.get("logo-height", ""),
            address=post.get("footer-address", ""), legal=posted_texts(post, "footer-legal-", locales),
            unsubscribe=posted_texts(post, "footer-unsubscribe-", locales), links=links,
            expected_version=to_int(post.get("expected_version")) or 0,
        )

    def document(self) -> tuple[dict, dict[str, str]]:
        """email_theme_put's arguments and each JSON path's input (blank optional inputs are left out)."""
        tokens: dict = {
            "colors": {name: value for name, value in self.colors.items() if value.strip()},
            "font_family": {"stack": [name.strip() for name in self.stack.split(",") if name.strip()],
                            "fallback": self.fallback},
        }
        for key, value in (("content_width_px", self.width), ("button_radius_px", self.radius)):
            if value.strip():
                tokens[key] = number_or_text(value)
        logo = {"url": self.logo_url, "alt": filled(self.logo_alt)}
        for key, value in (("width", self.logo_width), ("height", self.logo_height)):
            if value.strip():
                logo[key] = number_or_text(value)
        footer = {"address": self.address, "legal_text": filled(self.legal),
                  "links": [{"label": filled(link["labels"]), "url": link["url"]} for link in self.links],
                  "unsubscribe_text": filled(self.unsubscribe)}
        anchors = {
            "/tokens": "tokens", "/tokens/colors": "colors", "/tokens/font_family": "font-stack",
            "/tokens/font_family/stack": "font-stack", "/tokens/font_family/fallback": "font-fallback",
            "/tokens/content_width_px": "content_width_px", "/tokens/button_radius_px": "button_radius_px",
            "/logo_ref": "logo", "/logo_ref/url": "logo-url", "/logo_ref/alt": "logo-alt",
            "/logo_ref/width": "logo-width", "/logo_ref/height": "logo-height",
            "/footer": "footer", "/footer/address": "footer-address", "/footer/legal_text": "footer-legal",
            "/footer/unsubscribe_text": "footer-unsubscribe", "/footer/links": "links",
        }
        anchors.update({child_path("/tokens/colors", name): f"color-{name}" for name in self.colors})
        for prefix, name, texts in (("/logo_ref/alt", "logo-alt-", self.logo_alt),
                                    ("/footer/legal_text", "footer-legal-", self.legal),
                                    ("/footer/unsubscribe_text", "footer-unsubscribe-", self.unsubscribe)):
            anchors.update({child_path(prefix, code): name + code for code in texts})
        for index, link in enumerate(self.links):
            path = child_path("/footer/links", index)
            anchors.update({path: f"link-{index}", child_path(path, "url"): f"link-{index}-url",
                            child_path(path, "label"): f"link-{index}-labels"})
            anchors.update({child_path(path, "label", code): f"link-{index}-label-{code}" for code in link["labels"]})
        return {"tokens": tokens, "logo_ref": logo, "footer": footer}, anchors


def email_apply(state: EmailState, op: str, index: int | None) -> str:
    if op == "add-link":
        if len(state.links) >= MAX_FOOTER_LINKS:
            return f"The footer holds at most {MAX_FOOTER_LINKS} links."
        state.links.append({"url": "", "labels": {}})
        return f"Link {len(state.links)} added to the footer (not saved yet)."
    if op == "remove-link" and index is not None and 0 <= index < len(state.links):
        state.links.pop(index)
        return f"Footer link {index + 1} removed (not saved yet)."
    return "That link is not in the form any more."


def email_sample(theme, version: ThemeVersion, locale: str) -> str:
    """The sample confirmation e-mail as a whole HTML document, drawn from the saved e-mail theme (or
    placeholders when the version has none). Every value is escaped by the template; the logo is
    shown as a box with its alt text, so the admin never loads an image from another host."""
    chain = list(dict.fromkeys([locale, *version.theme.fallback_chain, version.theme.default_locale]))

    def localised(texts) -> str:
        texts = texts if isinstance(texts, dict) else {}
        return next((texts[code] for code in chain if texts.get(code)), "") or next(iter(texts.values()), "")

    tokens = theme.tokens if theme else {}
    colors = effective_colors(tokens.get("colors") or {})
    fonts = tokens.get("font_family") or {"stack": DEFAULT_FONTS, "fallback": "sans-serif"}
    font = ", ".join([*(f"'{name}'" if " " in name else name for name in fonts.get("stack") or []),
                      fonts.get("fallback") or "sans-serif"])
    logo = theme.logo_ref if theme else {}
    footer = theme.footer if theme else {}
    language = locale.split("-")[0]
    copy_lang = language if language in SAMPLE_COPY else "en"  # the sample's own words: English when it has none
    return render_to_string(TEMPLATES + "email_sample.html", {
        "locale": locale, "direction": "rtl" if language in RTL_LANGUAGES else "ltr",
        "copy": SAMPLE_COPY[copy_lang], "copy_lang": copy_lang, "c": colors, "font": font,
        "width": tokens.get("content_width_px") or TOKEN_DEFAULTS["content_width_px"],
        "radius": tokens.get("button_radius_px", TOKEN_DEFAULTS["button_radius_px"]),
        "logo": {"alt": localised(logo.get("alt")), "width": min(logo.get("width") or 160, 400),
                 "height": min(logo.get("height") or 48, 200)},
        "address": footer.get("address") if theme else "Hotel name, street, town",
        "legal": localised(footer.get("legal_text")),
        "unsubscribe": localised(footer.get("unsubscribe_text")) or "Unsubscribe",
        "links": [{"url": link.get("url"), "label": localised(link.get("label"))} for link in footer.get("links") or []],
        "is_sample": theme is None,
    })


def color_inputs(state: EmailState, refusal: Refusal) -> list[Input]:
    """A picker and a text input per colour; an empty optional one's picker shows the colour it falls back to."""
    valid = {name: value for name, value in state.colors.items() if value.strip() and parse_color(value.strip())}
    shown = effective_colors(valid)

    def help_of(name: str) -> str:
        if name in REQUIRED_COLORS:
            return "Required. Any CSS colour; saved as #rrggbb hex."
        fallback = COLOR_FALLBACKS[name]
        uses = f"the {COLOR_LABELS[fallback].split(' (')[0].lower()} colour" if fallback in COLOR_LABELS else fallback
        return f"Optional: empty uses {uses}. Any CSS colour; saved as #rrggbb hex."

    return [Input(f"color-{name}", COLOR_LABELS.get(name, name), value, type="color",
                  picker=picker_hex(value if value.strip() else shown.get(name, "")),
                  errors=refusal.of(f"color-{name}"), help=help_of(name))
            for name, value in state.colors.items()]


@workspace.workspace_page("version", EMAIL_SLUG, "E-mail", order=35)
def email_page(model_admin, request, version):
    locales = theme_locales(version.theme)
    source = request.POST if request.method == "POST" else request.GET
    locale = source.get("locale") if source.get("locale") in locales else locales[0]
    if request.method != "POST":
        return _email(model_admin, request, version, locale)
    page = structure_url(model_admin, version, EMAIL_SLUG, locale=locale)
    if (refusal := refuse_post(request, version, page, "e-mail theme")) is not None:
        return refusal
    state = EmailState.posted(request.POST, locales)
    op, index = posted_op(request.POST)
    if op != "save":
        state.status = email_apply(state, op, index)
        return _email(model_admin, request, version, locale, state)
    document, anchors = state.document()
    with refusal_shown(request, on_page) as refusal:
        services.email_theme_put(principal=principal_of(request), version_id=version.pk,
                                 expected_version=state.expected_version, **document)
    if refusal:
        state.refusal, state.expected_version = refused(
            refusal.error, anchors, what="e-mail theme", expected=state.expected_version,
            current=lambda: stored(email_theme_get, version_id=version.pk))
        return _email(model_admin, request, version, locale, state)
    messages.success(request, "The e-mail theme is saved; the sample below shows it.")
    return HttpResponseRedirect(page + "#email-sample")


def _email(model_admin, request, version, locale: str, state: EmailState | None = None):
    locales = theme_locales(version.theme)
    theme = stored(email_theme_get, version_id=version.pk)
    editable = can_edit(request, version)
    saved = EmailState.of(theme)
    state = state if editable and state is not None else saved
    refusal = state.refusal
    context = {
        "editable": editable, "read_only_reason": read_only_reason(request, version, "e-mail theme"),
        "email_theme": theme, "state": state, "saved": saved, "refusal": refusal, "locale": locale,
        "updated_by": actor_label(theme.updated_by) if theme else "",
        "updated_at": when_label(theme.updated_at) if theme else "",
        "form_action": f"?locale={locale}",
        "sample_html": email_sample(theme, version, locale),
        "sample_locales": [{"label": locale_label(code), "current": code == locale, "url": f"?locale={code}#email-sample"}
                           for code in locales],
        "colors": color_inputs(state, refusal), "colors_errors": refusal.of("colors"),
        "saved_colors": [{"name": COLOR_LABELS.get(name, name), "value": value}
                         for name, value in saved.colors.items() if value],
        "tokens_errors": refusal.of("tokens"),
        "font_stack": Input("font-stack", "Font stack", state.stack, errors=refusal.of("font-stack"),
                            help=f"Up to {MAX_FONT_STACK} fonts, separated by commas, from the fonts mail clients "
                                 f"have: {', '.join(EMAIL_SAFE_FONTS)}."),
        "font_fallback": Input("font-fallback", "Fallback family", state.fallback, type="select",
                               choices=tuple((name, name) for name in EMAIL_FALLBACK_FAMILIES),
                               errors=refusal.of("font-fallback")),
        "width": Input("content_width_px", "Content width (px)", state.width, type="number",
                       help=f"{CONTENT_WIDTH_RANGE[0]} to {CONTENT_WIDTH_RANGE[1]}.",
                       errors=refusal.of("content_width_px")),
        "radius": Input("button_radius_px", "Button corner radius (px)", state.radius, type="number",
                        help=f"{BUTTON_RADIUS_RANGE[0]} to {BUTTON_RADIUS_RANGE[1]}.",
                        errors=refusal.of("button_radius_px")),
        "logo_errors": refusal.of("logo"),
        "logo_url": Input("logo-url", "Logo image address", state.logo_url, errors=refusal.of("logo-url"),
                          help="An https:// address of the image (not loaded in the sample below)."),
        "logo_alt": localised_inputs("logo-alt-", "Logo alt text", state.logo_alt, locales, refusal),
        "logo_alt_errors": refusal.of("logo-alt"),
        "logo_width": Input("logo-width", "Logo width (px, optional)", state.logo_width, type="number",
                            errors=refusal.of("logo-width")),
        "logo_height": Input("logo-height", "Logo height (px, optional)", state.logo_height, type="number",
                             errors=refusal.of("logo-height")),
        "footer_errors": refusal.of("footer"),
        "address": Input("footer-address", "Postal address", state.address, type="textarea",
                         errors=refusal.of("footer-address")),
        "legal": localised_inputs("footer-legal-", "Legal text", state.legal, locales, refusal, type="textarea"),
        "legal_errors": refusal.of("footer-legal"),
        "unsubscribe": localised_inputs("footer-unsubscribe-", "Unsubscribe link text", state.unsubscribe, locales,
                                        refusal),
        "unsubscribe_errors": refusal.of("footer-unsubscribe"),
        "links": [{"index": index, "errors": refusal.of(f"link-{index}"),
                   "label_errors": refusal.of(f"link-{index}-labels"),
                   "url": Input(f"link-{index}-url", f"Link {index + 1} address", link["url"],
                                help="https://, http://, mailto: or tel:", errors=refusal.of(f"link-{index}-url")),
                   "labels": localised_inputs(f"link-{index}-label-", f"Link {index + 1} text", link["labels"],
                                              locales, refusal)}
                  for index, link in enumerate(state.links)],
        "links_errors": refusal.of("links"), "max_links": MAX_FOOTER_LINKS,
    }
    return render_page(model_admin, request, version, EMAIL_SLUG, "email.html", "E-mail", context)
