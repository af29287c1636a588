"""The preview link as a page for people, GET /preview/{token}/: the sample booking site drawn from
the version's bundle in each enabled locale and direction, escaped, under the preview reader role."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from babel.dates import format_date
from django.utils import timezone
from django.utils.html import escape

from publishing.demo import theme as demo_theme
from publishing.sample_site.messages import SAMPLE_LEAD_DAYS, SAMPLE_NIGHTS
from publishing.services.preview_tokens import preview_token_revoke
from publishing.views import NOT_FOUND_PAGE
from tests.factories.preview import SEASIDE_PACKS, bilingual_preview, seaside_preview
from themeconfig import services

pytestmark = pytest.mark.usefixtures("committed_db")


@pytest.fixture
def world(tenant_factory):
    made = bilingual_preview(
        tenant_factory(), welcome_en="## Welcome **home**\n\n<script>alert(1)</script> by the lake",
        welcome_ar="## أهلاً بكم")
    return made.admin, made.token, made.secret


def test_preview_site__default_locale__the_versions_texts_and_blocks__escaped(client, world):
    _, _, secret = world
    response = client.get(f"/preview/{secret}/")
    page = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert '<html lang="en" dir="ltr">' in page
    assert "<h2>Welcome <strong>home</strong></h2>" in page and "Reserve" in page
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; by the lake" in page
    assert ":root{--color-" in page  # the bundle's own stylesheet
    assert response["Cache-Control"] == "private, no-store" and "default-src 'none'" in response["Content-Security-Policy"]
    assert response["X-Robots-Tag"] == "noindex" and response["Referrer-Policy"] == "no-referrer"


def test_preview_site__arabic__rtl_and_its_own_texts(client, world):
    _, _, secret = world
    page = client.get(f"/preview/{secret}/?locale=ar").content.decode()
    assert '<html lang="ar" dir="rtl">' in page and "احجز" in page and "أهلاً بكم" in page
    assert 'href="/preview/' in page and "?locale=en" in page  # the language switch


def test_preview_site__arabic__key_in_no_pack__english_default_isolated(client, world):
    _, _, secret = world
    page = client.get(f"/preview/{secret}/?locale=ar").content.decode()
    assert '<bdi lang="en" dir="ltr">Payment</bdi>' in page  # booking.step.payment: the Lake packs lack it


def test_preview_site__unknown_locale__the_default(client, world):
    _, _, secret = world
    assert '<html lang="en" dir="ltr">' in client.get(f"/preview/{secret}/?locale=zz").content.decode()


def test_preview_site__unknown_malformed_revoked__one_404_page(client, world):
    admin, token, secret = world
    answers = [client.get(f"/preview/{s}/") for s in ("pvw_" + "x" * 43, "nope", secret[:-1] + ("A" if secret[-1] != "A" else "B"))]
    preview_token_revoke(principal=admin, token_id=token.pk)
    answers.append(client.get(f"/preview/{secret}/"))
    assert {r.status_code for r in answers} == {404}
    assert {r.content for r in answers} == {NOT_FOUND_PAGE}


def test_preview_site__post__405(client, world):
    _, _, secret = world
    assert client.post(f"/preview/{secret}/").status_code == 405


@pytest.fixture
def seaside(tenant_factory):
    return seaside_preview(tenant_factory())


@pytest.mark.parametrize("locale", ["en", "fr", "ar"])
def test_preview_site__each_locale__every_pack_text_along_the_chain__no_raw_identifiers(client, seaside, locale):
    page = client.get(f"/preview/{seaside.secret}/", {"locale": locale}).content.decode()
    pack = SEASIDE_PACKS[locale]
    for key in ("site.nav.book", "site.search.title", "booking.title", "booking.step.room_select",
                "booking.field.check_in", "email.subject", "preview.surface.home"):
        assert escape(pack[key]) in page, key
    for identifier in ("room_select", "guest_details", "check_in", "HOME.HERO", "rich_text", "Search rooms", "Your booking"):
        assert identifier not in page, identifier
    plurals = {"en": "3 nights, 2 guests", "fr": "3 nuits, 2 voyageurs", "ar": "3 ليالٍ، ضيفان"}
    assert plurals[locale] in page
    assert "Dear Alex" in page or "cher Alex" in page or "عزيزنا Alex" in page


def test_preview_site__arabic__english_left_over_marked_and_isolated(client, seaside):
    page = client.get(f"/preview/{seaside.secret}/", {"locale": "ar"}).content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    # Untranslated in Arabic: the English pack's text, isolated.
    assert f'<bdi lang="en" dir="ltr">{escape(SEASIDE_PACKS["en"]["site.search.intro"])}</bdi>' in page
    assert "<bdi" not in client.get(f"/preview/{seaside.secret}/", {"locale": "en"}).content.decode()


def _email_part(page: str) -> str:
    return page[page.index('<section id="email"'):]


@pytest.mark.parametrize("locale", ["en", "fr", "ar"])
def test_preview_site__sample_stay__after_today_in_the_locales_format(client, seaside, locale):
    page = client.get(f"/preview/{seaside.secret}/", {"locale": locale}).content.decode()
    check_in = timezone.localdate() + timedelta(days=SAMPLE_LEAD_DAYS)
    check_out = check_in + timedelta(days=SAMPLE_NIGHTS)

    assert check_in > timezone.localdate()
    for day in (check_in, check_out):  # the search card
        assert escape(format_date(day, "medium", locale=locale)) in page, day
    assert escape(format_date(check_in, "medium", locale=locale)) in _email_part(page)  # email.summary's date
    assert "2026-07-14" not in page and format_date(date(2026, 7, 14), "medium", locale=locale) not in page


def test_preview_site__email__the_email_themes_colours_font_and_radius(client, seaside):
    colors = {"primary": "#123456", "background": "#fdfcfa", "text": "#202020", "button_background": "#7a1f3d",
              "button_text": "#fefefe", "footer_background": "#eee8dd", "footer_text": "#303030", "border": "#c0b0a0"}
    services.email_theme_put(principal=seaside.admin, version_id=seaside.version.pk,
                             logo_ref=demo_theme.EMAIL_THEME["logo_ref"], footer=demo_theme.EMAIL_THEME["footer"],
                             tokens={"colors": colors, "font_family": {"stack": ["Georgia"], "fallback": "serif"},
                                     "button_radius_px": 12})

    email = _email_part(client.get(f"/preview/{seaside.secret}/").content.decode())

    assert "background:#fdfcfa;color:#202020;border-color:#c0b0a0" in email
    assert "border-radius:12px;background:#7a1f3d;color:#fefefe" in email  # the button
    assert "background:#eee8dd;color:#303030" in email  # the footer
    assert "color:#123456" in email and "font-family:&quot;Georgia&quot;, serif" in email
    assert "#0b5fff" not in email and "#ffffff" not in email  # no colour of the page's own


def test_preview_site__no_email_theme__the_email_in_the_versions_tokens(client, seaside):
    email = _email_part(client.get(f"/preview/{seaside.secret}/").content.decode())

    assert "background:var(--color-primary);color:var(--color-on_primary)" in email  # the button
    assert "background:var(--color-surface);color:var(--color-text)" in email
    assert "#0b5fff" not in email and "#ffffff" not in email
