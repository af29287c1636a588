"""Factories of valid contract values for the validator tests (each call returns a fresh copy)."""

from __future__ import annotations

from themeconfig.validators import PresetInfo

ENABLED_LOCALES = ("en", "fr", "de-CH")


def valid_tokens(**overrides) -> dict:
    """A complete, valid design token set; keyword arguments replace top-level groups."""
    tokens = {
        "color": {
            "primary": "#0b5fff",
            "on_primary": "#ffffff",
            "background": "white",
            "surface": "oklch(0.97 0.01 250)",
            "text": "rgb(20 24 31)",
            "accent": "hsl(30 90% 50%)",
            "muted": "hwb(210 40% 40%)",
            "warning": "lab(70% 40 60)",
        },
        "typography": {
            "families": {
                "body": {"stack": ["Inter", "Helvetica Neue"], "fallback": "sans-serif"},
                "heading": {"stack": ["Playfair Display"], "fallback": "serif"},
            },
            "sizes": {"sm": "14px", "md": "1rem", "lg": "1.25em", "xl": "2.25rem"},
            "weights": {"regular": 400, "bold": 700},
            "line_heights": {"tight": 1.2, "normal": 1.5},
        },
        "spacing": {"none": "0", "xs": "4px", "sm": "8px", "md": "1rem", "lg": "24px", "xl": "40px"},
        "radius": {"sm": "4px", "md": "0.5rem", "full": "9999px"},
        "shadow": {
            "card": {
                "offset_x": "0px",
                "offset_y": "2px",
                "blur": "8px",
                "spread": "0px",
                "color": "rgb(0 0 0 / 0.12)",
            },
            "inner": {
                "offset_x": "0px",
                "offset_y": "-1px",
                "blur": "0px",
                "spread": "0px",
                "color": "#00000033",
                "inset": True,
            },
        },
        "motion": {
            "durations": {"fast": 120, "normal": 240, "slow": 480},
            "easings": {"standard": "cubic-bezier(0.2, 0, 0, 1)", "exit": "ease-in", "instant": "step-end"},
        },
        "direction": "ltr",
    }
    tokens.update(overrides)
    return tokens


def valid_presets() -> dict[str, PresetInfo]:
    return {
        "home_hero_split": PresetInfo("home_hero_split", "home", ("default", "compact"), True, True),
        "home_classic": PresetInfo("home_classic", "home", ("default",), False, True),
        "home_retired": PresetInfo("home_retired", "home", ("default",), True, False),
        "detail_gallery_first": PresetInfo("detail_gallery_first", "detail", ("default", "wide"), True, True),
        "search_map_list": PresetInfo("search_map_list", "search", ("list", "map"), True, True),
    }


def valid_layout_selections() -> dict:
    return {
        "home": {"preset": "home_hero_split", "variant": "compact", "options": {"show_search_bar": True}},
        "detail": {"preset": "detail_gallery_first", "variant": "wide"},
        "search": {"preset": "search_map_list"},
    }


def valid_content_body() -> dict:
    return {
        "en": {"format": "markdown", "value": "## Welcome\n\nSea views from every [room](/rooms)."},
        "fr": {"format": "html", "value": '<h2>Bienvenue</h2><p>Vue sur la <a href="/chambres">mer</a>.</p>'},
        "de-CH": {
            "format": "structured",
            "value": {"type": "doc", "content": [{"type": "paragraph", "text": "Grüezi"}]},
        },
    }


def valid_media_ref() -> dict:
    return {
        "url": "https://cdn.hotel.example/hero.jpg",
        "alt": {"en": "Pool at sunset"},
        "width": 1600,
        "height": 900,
    }


def valid_meta(kind: str) -> dict:
    """A valid meta object for each content block kind (only required fields plus a few optional ones)."""
    metas = {
        "hero": {
            "kind": "hero",
            "image": valid_media_ref(),
            "cta": {"label": {"en": "Book now"}, "target": "/book"},
        },
        "rich_text": {"kind": "rich_text"},
        "image_gallery": {
            "kind": "image_gallery",
            "images": [valid_media_ref(), valid_media_ref()],
            "columns": 4,
        },
        "amenities": {"kind": "amenities", "amenities": ["wifi", "pool", "spa"]},
        "room_highlights": {"kind": "room_highlights", "room_type_codes": ["DLX", "STE-SEA"]},
        "testimonials": {
            "kind": "testimonials",
            "items": [
                {"author": "Ana", "rating": 5, "quote": {"en": "Wonderful stay."}, "stay_date": "2024-07-14"}
            ],
        },
        "faq": {"kind": "faq", "items": [{"question": {"en": "Is parking free?"}, "answer": {"en": "Yes."}}]},
        "cta_banner": {
            "kind": "cta_banner",
            "label": {"en": "See offers"},
            "target": "https://hotel.example/offers",
        },
        "map": {"kind": "map", "latitude": 46.2044, "longitude": 6.1432},
        "policy": {"kind": "policy", "policy_type": "cancellation", "effective_date": "2025-01-01"},
    }
    return metas[kind]


def nav_item(item_id: str, ordinal: int, *, children: list | None = None, **fields) -> dict:
    item = {
        "id": item_id,
        "kind": "page",
        "target": f"/{item_id}",
        "label": {"en": item_id.title()},
        "ordinal": ordinal,
    }
    if children is not None:
        item["children"] = children
    item.update(fields)
    return item


def valid_navigation_items() -> list:
    return [
        nav_item(
            "rooms",
            0,
            children=[
                nav_item("suites", 0, children=[nav_item("penthouse", 0)]),
                nav_item("doubles", 1),
            ],
        ),
        nav_item(
            "offers", 1, kind="url", target="https://hotel.example/offers", openInNewTab=True, rel="nofollow"
        ),
        nav_item("location", 2, kind="anchor", target="#location", label={"en": "Location", "fr": "Accès"}),
        nav_item("book", 3, kind="booking", target="search"),
        nav_item("call", 4, kind="phone", target="tel:+41-22-555-0100"),
        nav_item("write", 5, kind="email", target="mailto:stay@hotel.example?subject=Hello"),
    ]


def valid_steps() -> list:
    return [
        {
            "id": "search",
            "ordinal": 0,
            "required": True,
            "fields": ["check_in", "check_out", "adults", "promo_code"],
        },
        {"id": "room_select", "ordinal": 1, "required": True, "fields": ["room_type"]},
        {"id": "extras", "ordinal": 2, "required": False, "fields": ["breakfast", "parking"]},
        {
            "id": "guest_details",
            "ordinal": 3,
            "required": True,
            "fields": ["first_name", "last_name", "email", "phone"],
        },
        {"id": "payment", "ordinal": 4, "required": True, "fields": ["card"]},
        {"id": "confirmation", "ordinal": 5, "required": True, "fields": ["summary"]},
    ]


def valid_toggles() -> dict:
    return {"show_promo_code": True, "allow_guest_checkout": False, "require_phone": True}


def valid_consent() -> dict:
    return {
        "required": True,
        "text": {"en": "I accept the privacy policy.", "fr": "J'accepte la politique de confidentialité."},
        "policy_url": "https://hotel.example/privacy",
    }


def valid_email_tokens() -> dict:
    return {
        "colors": {
            "primary": "#0b5fff",
            "background": "white",
            "text": "rgb(26 26 26)",
            "link": "oklch(0.5 0.2 260)",
        },
        "font_family": {"stack": ["Helvetica", "arial"], "fallback": "sans-serif"},
        "content_width_px": 640,
        "button_radius_px": 6,
    }


def valid_logo_ref() -> dict:
    return {
        "url": "https://cdn.hotel.example/logo.png",
        "alt": {"en": "Hotel Lac"},
        "width": 200,
        "height": 60,
    }


def valid_footer() -> dict:
    return {
        "address": "  Quai du Mont-Blanc 1, 1201 Genève  ",
        "legal_text": {"en": "Hotel Lac SA", "fr": "Hôtel Lac SA"},
        "links": [
            {"label": {"en": "Privacy"}, "url": "https://hotel.example/privacy"},
            {"label": {"en": "Call us"}, "url": "tel:+41-22-555-0100"},
        ],
        "unsubscribe_text": {"en": "Unsubscribe"},
    }


def valid_default_entries() -> dict:
    return {
        "booking.search.title": "Find your room",
        "booking.search.guests": "{count, plural, one {# guest} other {# guests}}",
        "booking.summary.nights": (
            "{nights, plural, =0 {No nights} one {# night} other {# nights}} from {start, date, medium}"
        ),
        "common.greeting": "Hello, {name}!",
        "room.floor": "{floor, selectordinal, one {#st} two {#nd} few {#rd} other {#th}} floor",
    }


def valid_translated_entries() -> dict:
    return {
        "booking.search.title": "Trouvez votre chambre",
        "booking.search.guests": "{count, plural, one {# voyageur} many {# voyageurs} other {# voyageurs}}",
        "common.greeting": "Bonjour, {name} !",
        "room.floor": "{floor, selectordinal, one {#er} other {#e}} étage",
    }
