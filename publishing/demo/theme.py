"""What `manage.py seed_demo` puts in the demo theme: Harbour House, a seaside hotel in Brittany, in
English, French and Arabic (right to left).

Everything a guest-facing site draws is here: design tokens whose every contrast pair meets WCAG AA
(validators/contrast.py), layout presets, content blocks on the home and room-detail surfaces,
header and footer navigation, a booking flow, an e-mail theme and a locale pack per language
(publishing/demo/messages.py) with real translations of every well-known key the sample site reads
(publishing/sample_site/messages.py), its plurals in each language's CLDR categories (Arabic has all six).
"""
from __future__ import annotations

from publishing.demo.messages import MESSAGES as DEMO_MESSAGES

LOCALES = ("en", "fr", "ar")
THEME_NAME = "Demo Seaside"
PROPERTY_NAME = "Demo Seaside Hotel"

# Harbour blue, sea green and a coral dark enough to carry white text (5.4:1), on warm sand.
COLORS = {
    "primary": "#0b3d91",
    "on_primary": "#ffffff",
    "secondary": "#0e6b6b",
    "on_secondary": "#ffffff",
    "accent": "#b8432e",
    "on_accent": "#ffffff",
    "background": "#fbf6ee",
    "surface": "#ffffff",
    "text": "#1c2430",
    "text_muted": "#4f5b66",
    "link": "#0b4fa8",
    "border": "#8c7b68",
}

BRAND_KIT = {
    "name": "Demo Seaside",
    "colors": [
        {"name": "Harbour Blue", "value": COLORS["primary"], "role": "primary"},
        {"name": "Sea Green", "value": COLORS["secondary"], "role": "secondary"},
        {"name": "Sand", "value": COLORS["background"], "role": "background"},
        {"name": "Coral", "value": COLORS["accent"], "role": "accent"},
        {"name": "Ink", "value": COLORS["text"], "role": "text"},
    ],
    "fonts": [
        {"name": "Body", "family": "Source Sans 3", "role": "body"},
        {"name": "Titles", "family": "Playfair Display", "role": "heading"},
    ],
    "logos": [{"name": "Wordmark", "url": "https://demo.localhost/static/logo.svg", "format": "svg"}],
    "style_preferences": {"tone": "calm, coastal", "industry": "boutique hotels"},
}

TOKENS = {
    "color": COLORS,
    "typography": {
        "families": {
            "body": {"stack": ["Source Sans 3", "Noto Sans", "Noto Sans Arabic"], "fallback": "sans-serif"},
            "heading": {"stack": ["Playfair Display", "Noto Serif", "Noto Naskh Arabic"], "fallback": "serif"},
        },
        "sizes": {"sm": "14px", "md": "17px", "lg": "22px", "xl": "34px"},
        "weights": {"regular": 400, "bold": 700},
        "line_heights": {"tight": 1.2, "normal": 1.6},
    },
    "spacing": {"xs": "4px", "sm": "8px", "md": "16px", "lg": "28px", "xl": "48px"},
    "radius": {"sm": "6px", "md": "14px", "full": "9999px"},
    "shadow": {"card": {"offset_x": "0px", "offset_y": "6px", "blur": "18px", "spread": "0px",
                        "color": "rgb(11 61 145 / 0.10)", "inset": False}},
    "motion": {"durations": {"fast": 120, "normal": 240},
               "easings": {"standard": "cubic-bezier(0.2, 0, 0, 1)"}},
    "direction": "ltr",
}

LAYOUT = {
    "home": {"preset": "home.hero-split", "variant": "media-end"},
    "detail": {"preset": "detail.sticky-booking", "variant": "sidebar"},
    "search": {"preset": "search.list-map", "variant": "map-end"},
}

# Locale packs: every well-known key of the sample site (publishing/sample_site/messages.py) in each language.
MESSAGES = DEMO_MESSAGES


def _markdown(texts: dict[str, str]) -> dict:
    return {locale: {"format": "markdown", "value": value} for locale, value in texts.items()}


def _link(label: dict, target: str) -> dict:
    return {"label": label, "target": target}


CONTENT_BLOCKS = [
    {"surface": "home", "kind": "rich_text", "meta": {"kind": "rich_text", "max_width": "normal"}, "body": _markdown({
        "en": "## Welcome to Harbour House\n\nA small hotel on the quay, where every room looks out to sea. "
              "Breakfast on the terrace, a heated pool facing the bay, and the old town five minutes away on foot.",
        "fr": "## Bienvenue à Harbour House\n\nUn petit hôtel sur le quai, où chaque chambre donne sur la mer. "
              "Le petit-déjeuner en terrasse, une piscine chauffée face à la baie, et la vieille ville à cinq "
              "minutes à pied.",
        "ar": "## مرحبًا بكم في هاربر هاوس\n\nفندق صغير على الرصيف، تطل كل غرفه على البحر. "
              "فطور على الشرفة، ومسبح مُدفأ يواجه الخليج، والبلدة القديمة على بعد خمس دقائق سيرًا على الأقدام.",
    })},
    {"surface": "home", "kind": "amenities",
     "meta": {"kind": "amenities", "amenities": ["beach_access", "breakfast", "spa", "pool", "restaurant", "wifi"],
              "columns": 3, "show_icons": True},
     "body": _markdown({
         "en": "### At the hotel\n\n- Private steps down to the beach\n- Seafood restaurant and breakfast on the terrace\n"
               "- Spa with a sea-water pool\n- Free Wi-Fi throughout",
         "fr": "### À l'hôtel\n\n- Un escalier privé jusqu'à la plage\n- Restaurant de la mer et petit-déjeuner en "
               "terrasse\n- Spa avec piscine d'eau de mer\n- Wi-Fi gratuit partout",
         "ar": "### في الفندق\n\n- درج خاص يؤدي إلى الشاطئ\n- مطعم للمأكولات البحرية وفطور على الشرفة\n"
               "- منتجع صحي مع مسبح بمياه البحر\n- إنترنت لاسلكي مجاني في كل مكان",
     })},
    {"surface": "detail", "kind": "rich_text", "meta": {"kind": "rich_text", "max_width": "normal"}, "body": _markdown({
        "en": "### In your room\n\n- Balcony with two chairs and a view of the lighthouse\n"
              "- Rain shower and organic bath products\n- Espresso machine and a minibar of local treats",
        "fr": "### Dans votre chambre\n\n- Balcon avec deux fauteuils et vue sur le phare\n"
              "- Douche à l'italienne et produits de bain bio\n- Machine à espresso et minibar de douceurs locales",
        "ar": "### في غرفتك\n\n- شرفة بكرسيين وإطلالة على المنارة\n"
              "- دش مطري ومستحضرات استحمام عضوية\n- آلة إسبريسو وميني بار بحلويات محلية",
    })},
    {"surface": "detail", "kind": "faq",
     "meta": {"kind": "faq", "expand_first": True, "items": [
         {"question": {"en": "When can I check in?", "fr": "À quelle heure puis-je arriver ?",
                       "ar": "متى يمكنني تسجيل الوصول؟"},
          "answer": {"en": "From 3 pm; check-out is until 11 am.", "fr": "À partir de 15 h ; départ jusqu'à 11 h.",
                     "ar": "من الساعة الثالثة عصرًا، والمغادرة حتى الحادية عشرة صباحًا."}},
         {"question": {"en": "Is parking available?", "fr": "Y a-t-il un parking ?", "ar": "هل يتوفر موقف للسيارات؟"},
          "answer": {"en": "Yes, a covered car park behind the hotel, 15 € a night.",
                     "fr": "Oui, un parking couvert derrière l'hôtel, 15 € la nuit.",
                     "ar": "نعم، موقف مغطى خلف الفندق مقابل 15 يورو في الليلة."}},
     ]},
     "body": _markdown({
         "en": "### Good to know\n\n**Check-in** from 3 pm, **check-out** until 11 am.\n\n"
               "**Parking**: a covered car park behind the hotel, 15 € a night.",
         "fr": "### Bon à savoir\n\n**Arrivée** à partir de 15 h, **départ** jusqu'à 11 h.\n\n"
               "**Parking** : un parking couvert derrière l'hôtel, 15 € la nuit.",
         "ar": "### معلومات مفيدة\n\n**تسجيل الوصول** من الساعة الثالثة عصرًا، و**المغادرة** حتى الحادية عشرة "
               "صباحًا.\n\n**موقف السيارات**: موقف مغطى خلف الفندق مقابل 15 يورو في الليلة.",
     })},
]


def _item(item_id: str, ordinal: int, kind: str, target: str, en: str, fr: str, ar: str) -> dict:
    return {"id": item_id, "ordinal": ordinal, "kind": kind, "target": target, "label": {"en": en, "fr": fr, "ar": ar}}


NAVIGATION = {
    "header": [
        _item("rooms", 0, "page", "/rooms", "Rooms & suites", "Chambres et suites", "الغرف والأجنحة"),
        _item("restaurant", 1, "page", "/restaurant", "Restaurant", "Restaurant", "المطعم"),
        _item("spa", 2, "page", "/spa", "Spa", "Spa", "المنتجع الصحي"),
        _item("offers", 3, "page", "/offers", "Offers", "Offres", "العروض"),
    ],
    "footer": [
        _item("contact", 0, "email", "mailto:stay@harbourhouse.example", "Write to us", "Nous écrire", "راسلنا"),
        _item("call", 1, "phone", "tel:+33-2-98-00-00-00", "Call the front desk", "Appeler la réception",
              "اتصل بالاستقبال"),
        _item("faq", 2, "page", "/faq", "FAQ", "FAQ", "الأسئلة الشائعة"),
        _item("privacy", 3, "page", "/privacy", "Privacy", "Confidentialité", "الخصوصية"),
    ],
}

BOOKING_FLOW = {
    "steps": [
        {"id": "search", "ordinal": 0, "required": True,
         "fields": ["check_in", "check_out", "adults", "children", "promo_code"]},
        {"id": "room_select", "ordinal": 1, "required": True, "fields": ["room_type", "bed_preference"]},
        {"id": "rate_select", "ordinal": 2, "required": False, "fields": ["rate_plan", "board", "cancellation_policy"]},
        {"id": "extras", "ordinal": 3, "required": False, "fields": ["breakfast", "parking", "spa", "late_checkout"]},
        {"id": "guest_details", "ordinal": 4, "required": True,
         "fields": ["first_name", "last_name", "email", "phone", "arrival_time", "special_requests"]},
        {"id": "payment", "ordinal": 5, "required": True, "fields": ["card", "billing_address"]},
        {"id": "review", "ordinal": 6, "required": False, "fields": ["summary", "terms_acceptance", "marketing_opt_in"]},
        {"id": "confirmation", "ordinal": 7, "required": True,
         "fields": ["summary", "add_to_calendar", "manage_booking_link"]},
    ],
    "toggles": {"require_phone": True, "show_promo_code": True, "show_loyalty_signup": False},
    "consent": {
        "required": True,
        "policy_url": "/privacy",
        "text": {
            "en": "I agree to Harbour House keeping my details to manage this booking.",
            "fr": "J'accepte que Harbour House conserve mes données pour gérer cette réservation.",
            "ar": "أوافق على احتفاظ هاربر هاوس ببياناتي لإدارة هذا الحجز.",
        },
    },
}

EMAIL_THEME = {
    "tokens": {
        "colors": {"primary": COLORS["primary"], "background": "#ffffff", "text": COLORS["text"],
                   "link": COLORS["link"], "button_background": COLORS["primary"], "button_text": "#ffffff",
                   "muted": COLORS["text_muted"], "border": "#d9cbb5", "footer_background": "#f4e9d8",
                   "footer_text": COLORS["text"]},
        "font_family": {"stack": ["Helvetica Neue", "Helvetica", "Arial"], "fallback": "sans-serif"},
        "content_width_px": 600,
        "button_radius_px": 6,
    },
    "logo_ref": {"url": "https://demo.localhost/static/logo.svg", "width": 180, "height": 48,
                 "alt": {"en": "Harbour House", "fr": "Harbour House", "ar": "هاربر هاوس"}},
    "footer": {
        "address": "Harbour House · 1 quai des Embruns · 29900 Concarneau · France",
        "legal_text": {
            "en": "You receive this e-mail because you booked a stay with us.",
            "fr": "Vous recevez cet e-mail parce que vous avez réservé un séjour chez nous.",
            "ar": "تصلك هذه الرسالة لأنك حجزت إقامة لدينا.",
        },
        "links": [{"label": {"en": "Privacy", "fr": "Confidentialité", "ar": "الخصوصية"},
                   "url": "https://demo.localhost/privacy"}],
        "unsubscribe_text": {
            "en": "Stop receiving news from Harbour House",
            "fr": "Ne plus recevoir les nouvelles de Harbour House",
            "ar": "إيقاف تلقي أخبار هاربر هاوس",
        },
    },
}
