"""Preview links to small drafts made through the use cases: bilingual (English, Arabic), and a trilingual
(English, French, Arabic) seaside hotel whose packs carry every well-known key of the sample site."""
from __future__ import annotations

from dataclasses import dataclass

from publishing.demo.messages import MESSAGES as DEMO_MESSAGES
from publishing.models import PreviewToken
from publishing.sample_site.messages import WELL_KNOWN_MESSAGES
from publishing.services.preview_tokens import preview_token_create
from themeconfig import services
from themeconfig.models import ThemeVersion
from themeconfig.platform.principal import Principal


@dataclass
class PreviewWorld:
    admin: Principal
    version: ThemeVersion
    token: PreviewToken
    secret: str


def bilingual_preview(tenant, *, welcome_en: str = "## Welcome by the lake",
                      welcome_ar: str = "## أهلاً بكم على البحيرة") -> PreviewWorld:
    """Theme "Lake" (en, ar) with one draft: a rich-text home block and `site.nav.book` in both locales."""
    admin = Principal.for_user(tenant_id=tenant.id, user_id=1, role="admin")
    theme = services.theme_create(principal=admin, name="Lake", enabled_locales=["en", "ar"], fallback_chain=["en"])
    version = services.version_create(principal=admin, theme_id=theme.pk)
    services.content_block_create(
        principal=admin, version_id=version.pk, surface="home", kind="rich_text", meta={"kind": "rich_text"},
        body={"en": {"format": "markdown", "value": welcome_en}, "ar": {"format": "markdown", "value": welcome_ar}})
    services.locale_pack_put(principal=admin, version_id=version.pk, locale="en", entries={"site.nav.book": "Reserve"})
    services.locale_pack_put(principal=admin, version_id=version.pk, locale="ar", entries={"site.nav.book": "احجز"})
    token, secret = preview_token_create(principal=admin, version_id=version.pk)
    return PreviewWorld(admin, version, token, secret)


# The seaside draft's packs: every well-known key of the sample site in each locale (the demo's
# translations, publishing/demo/messages.py, under the seaside hotel's own wording in _SEASIDE_OWN), except
# SEASIDE_UNTRANSLATED_IN_AR, left out of the Arabic pack so that it falls back to the English one.
SEASIDE_UNTRANSLATED_IN_AR = ("site.search.intro",)
_SEASIDE_OWN: dict[str, dict[str, str]] = {
    "en": {
        "booking.step.number": "Step {number, number}", "booking.step.search": "Your dates",
        "booking.step.payment": "Payment", "booking.field.adults": "Adults", "booking.field.room_type": "Room",
        "booking.field.first_name": "First name", "booking.field.last_name": "Last name",
        "booking.field.email": "E-mail address", "booking.field.card": "Card", "booking.field.summary": "Summary",
        "room.text": "Wake up to the sound of the waves.", "room.occupancy": "Up to {guests, plural, one {# guest} other {# guests}}",
        "room.price": "From {price, number} {currency} a night",
        "email.summary": "{nights, plural, one {# night} other {# nights}} from {check_in, date, medium}, "
                         "{guests, plural, one {# guest} other {# guests}}",
        "email.button": "Manage my booking", "email.logo_placeholder": "Seaside Hotel",
        "preview.banner": "Preview · version {version, number}", "preview.languages": "Language",
        "preview.surface.detail": "Room page", "preview.surface.booking": "Booking steps",
        "preview.surface.email": "Confirmation e-mail", "preview.layout.default": "Standard layout",
        "preview.nav.empty": "No menu yet", "preview.email.sample": "Sample: no e-mail theme yet",
        "preview.block.rich_text": "Text",
        "site.nav.book": "Book your stay", "site.search.title": "Find your sea-view room",
        "site.search.intro": "Breakfast on the terrace, every morning.", "site.search.submit": "Check availability",
        "site.search.guests": "{guests, plural, one {# guest} other {# guests}}",
        "room.title": "Double room with balcony", "booking.title": "Your stay",
        "booking.summary": "{nights, plural, one {# night} other {# nights}}, {guests, plural, one {# guest} other {# guests}}",
        "booking.step.room_select": "Pick your room", "booking.step.guest_details": "About you",
        "booking.field.check_in": "Arrival", "booking.field.check_out": "Departure",
        "email.subject": "See you soon by the sea", "email.greeting": "Dear {name}, your room is ready for you.",
        "preview.surface.home": "Home page",
    },
    "fr": {
        "booking.step.number": "Étape {number, number}", "booking.step.search": "Vos dates",
        "booking.step.payment": "Paiement", "booking.field.adults": "Adultes", "booking.field.room_type": "Chambre",
        "booking.field.first_name": "Prénom", "booking.field.last_name": "Nom",
        "booking.field.email": "Adresse e-mail", "booking.field.card": "Carte", "booking.field.summary": "Récapitulatif",
        "room.text": "Réveillez-vous au son des vagues.",
        "room.occupancy": "Jusqu’à {guests, plural, one {# personne} other {# personnes}}",
        "room.price": "À partir de {price, number} {currency} la nuit",
        "email.summary": "{nights, plural, one {# nuit} other {# nuits}} à partir du {check_in, date, medium}, "
                         "{guests, plural, one {# voyageur} other {# voyageurs}}",
        "email.button": "Gérer ma réservation", "email.logo_placeholder": "Hôtel de la Plage",
        "preview.banner": "Aperçu · version {version, number}", "preview.languages": "Langue",
        "preview.surface.detail": "Page chambre", "preview.surface.booking": "Étapes de réservation",
        "preview.surface.email": "E-mail de confirmation", "preview.layout.default": "Mise en page standard",
        "preview.nav.empty": "Pas encore de menu", "preview.email.sample": "Exemple : pas encore de thème d’e-mail",
        "preview.block.rich_text": "Texte",
        "site.nav.book": "Réserver votre séjour", "site.search.title": "Trouvez votre chambre vue mer",
        "site.search.intro": "Petit-déjeuner en terrasse, chaque matin.", "site.search.submit": "Voir les disponibilités",
        "site.search.guests": "{guests, plural, one {# voyageur} other {# voyageurs}}",
        "room.title": "Chambre double avec balcon", "booking.title": "Votre séjour",
        "booking.summary": "{nights, plural, one {# nuit} other {# nuits}}, {guests, plural, one {# voyageur} other {# voyageurs}}",
        "booking.step.room_select": "Choisissez votre chambre", "booking.step.guest_details": "Vos coordonnées",
        "booking.field.check_in": "Arrivée", "booking.field.check_out": "Départ",
        "email.subject": "À bientôt au bord de la mer", "email.greeting": "Chère, cher {name}, votre chambre vous attend.",
        "preview.surface.home": "Page d’accueil",
    },
    "ar": {
        "booking.step.number": "الخطوة {number, number}", "booking.step.search": "تواريخ إقامتك",
        "booking.step.payment": "الدفع", "booking.field.adults": "البالغون", "booking.field.room_type": "الغرفة",
        "booking.field.first_name": "الاسم الأول", "booking.field.last_name": "اسم العائلة",
        "booking.field.email": "البريد الإلكتروني", "booking.field.card": "البطاقة", "booking.field.summary": "الملخص",
        "room.text": "استيقظ على صوت الأمواج.",
        "room.occupancy": "حتى {guests, plural, zero {لا ضيوف} one {ضيف واحد} two {ضيفين} few {# ضيوف} many {# ضيفًا} other {# ضيف}}",
        "room.price": "ابتداءً من {price, number} {currency} لليلة",
        "email.summary": "{nights, plural, zero {لا ليالٍ} one {ليلة واحدة} two {ليلتان} few {# ليالٍ} many {# ليلة} other {# ليلة}} "
                         "من {check_in, date, medium}، "
                         "{guests, plural, zero {لا ضيوف} one {ضيف واحد} two {ضيفان} few {# ضيوف} many {# ضيفًا} other {# ضيف}}",
        "email.button": "إدارة حجزي", "email.logo_placeholder": "فندق الشاطئ",
        "preview.banner": "معاينة · الإصدار {version, number}", "preview.languages": "اللغة",
        "preview.surface.detail": "صفحة الغرفة", "preview.surface.booking": "خطوات الحجز",
        "preview.surface.email": "رسالة التأكيد", "preview.layout.default": "التخطيط القياسي",
        "preview.nav.empty": "لا توجد قائمة بعد", "preview.email.sample": "مثال: لا يوجد تصميم للبريد بعد",
        "preview.block.rich_text": "نص",
        "site.nav.book": "احجز إقامتك", "site.search.title": "اعثر على غرفتك المطلة على البحر",
        "site.search.submit": "تحقق من التوفر",
        "site.search.guests": "{guests, plural, zero {لا ضيوف} one {ضيف واحد} two {ضيفان} few {# ضيوف} many {# ضيفًا} other {# ضيف}}",
        "room.title": "غرفة مزدوجة مع شرفة", "booking.title": "إقامتك",
        "booking.summary": "{nights, plural, zero {لا ليالٍ} one {ليلة واحدة} two {ليلتان} few {# ليالٍ} many {# ليلة} other {# ليلة}}، "
                           "{guests, plural, zero {لا ضيوف} one {ضيف واحد} two {ضيفان} few {# ضيوف} many {# ضيفًا} other {# ضيف}}",
        "booking.step.room_select": "اختر غرفتك", "booking.step.guest_details": "بياناتك",
        "booking.field.check_in": "الوصول", "booking.field.check_out": "المغادرة",
        "email.subject": "نراكم قريبًا على البحر", "email.greeting": "عزيزنا {name}، غرفتك بانتظارك.",
        "preview.surface.home": "الصفحة الرئيسية",
    },
}

SEASIDE_PACKS: dict[str, dict[str, str]] = {
    locale: {**{key: DEMO_MESSAGES[locale][key] for key in WELL_KNOWN_MESSAGES}, **own}
    for locale, own in _SEASIDE_OWN.items()
}


def seaside_preview(tenant) -> PreviewWorld:
    """Theme "Seaside" (en default, fr, ar; fallback chain [en]) with one draft: a home block in each
    locale, a booking flow and the SEASIDE_PACKS, and a preview link."""
    admin = Principal.for_user(tenant_id=tenant.id, user_id=1, role="admin")
    theme = services.theme_create(principal=admin, name="Seaside", enabled_locales=["en", "fr", "ar"],
                                  fallback_chain=["en"])
    version = services.version_create(principal=admin, theme_id=theme.pk)
    welcome = {"en": "## Welcome to the seaside", "fr": "## Bienvenue au bord de la mer", "ar": "## أهلاً بكم على البحر"}
    services.content_block_create(principal=admin, version_id=version.pk, surface="home", kind="rich_text",
                                  meta={"kind": "rich_text"},
                                  body={code: {"format": "markdown", "value": text} for code, text in welcome.items()})
    consent = {"required": True, "policy_url": "/privacy", "text": {"en": "I accept the house rules.",
                                                                     "fr": "J’accepte le règlement.", "ar": "أوافق على القواعد."}}
    services.booking_flow_put(principal=admin, version_id=version.pk, toggles={"show_promo_code": False},
                              consent=consent, steps=[
        {"id": "search", "ordinal": 0, "required": True, "fields": ["check_in", "check_out", "adults"]},
        {"id": "room_select", "ordinal": 1, "required": True, "fields": ["room_type"]},
        {"id": "guest_details", "ordinal": 2, "required": True, "fields": ["first_name", "last_name", "email"]},
        {"id": "payment", "ordinal": 3, "required": True, "fields": ["card"]},
        {"id": "confirmation", "ordinal": 4, "required": True, "fields": ["summary"]}])
    for locale in ("en", "fr", "ar"):
        entries = {k: v for k, v in SEASIDE_PACKS[locale].items()
                   if not (locale == "ar" and k in SEASIDE_UNTRANSLATED_IN_AR)}
        services.locale_pack_put(principal=admin, version_id=version.pk, locale=locale, entries=entries)
    token, secret = preview_token_create(principal=admin, version_id=version.pk)
    return PreviewWorld(admin, version, token, secret)
