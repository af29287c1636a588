"""A version's Content and Locales pages in the tenant admin, by role: blocks per surface and locale,
edited through the content-block use cases (refusals beside their field, stale saves naming who and
when), added, deleted, reordered and moved; locale packs with their completeness, missing and mismatched
keys, edited through locale_pack_patch/put. Viewers and published versions get the pages read-only."""
from __future__ import annotations

import pytest
from django import forms
from django.utils import timezone

from tests.factories.admin_staff import ROLES, Staff, make_staff, sign_in
from themeconfig import services
from themeconfig.admin.content import META_FORM, form_schema
from themeconfig.models import ContentBlock, LocalePack, ThemeVersion
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.validators.content import KIND_FIELDS

pytestmark = pytest.mark.django_db

EDITORS = ("owner", "admin", "member")
VERSIONS = "/admin/themeconfig/themeversion/"


@pytest.fixture
def staff() -> Staff:
    return make_staff("Content Hotels")


@pytest.fixture
def theme(staff):
    return services.theme_create(principal=staff.principals["owner"], name="Seaside", default_locale="en",
                                 enabled_locales=["en", "fr", "de"], fallback_chain=["fr", "en"])


@pytest.fixture
def draft(staff, theme) -> ThemeVersion:
    return services.version_create(principal=staff.principals["member"], theme_id=theme.pk)


def add_block(staff, draft, kind: str, meta: dict, *, surface="home", body=None) -> ContentBlock:
    return services.content_block_create(
        principal=staff.principals["member"], version_id=draft.pk, surface=surface, kind=kind,
        body=body or {"en": {"format": "markdown", "value": f"{kind} text"}}, meta={"kind": kind, **meta})


@pytest.fixture
def blocks(staff, draft) -> list[ContentBlock]:
    """Three home blocks (rich text, a CTA banner in en + fr, an FAQ) and one on the about page."""
    return [
        add_block(staff, draft, "rich_text", {}, body={"en": {"format": "markdown", "value": "## Welcome"},
                                                       "fr": {"format": "markdown", "value": "## Bienvenue"}}),
        add_block(staff, draft, "cta_banner", {"label": {"en": "See offers", "fr": "Voir"}, "target": "/offers"}),
        add_block(staff, draft, "faq", {"items": [{"question": {"en": "Parking?"}, "answer": {"en": "Free."}}]}),
        add_block(staff, draft, "policy", {"policy_type": "privacy"}, surface="about"),
    ]


def content_url(version) -> str:
    return f"{VERSIONS}{version.pk}/content/"


def locales_url(version) -> str:
    return f"{VERSIONS}{version.pk}/locales/"


def home_order(staff, draft, surface="home") -> list[str]:
    with tenant_context(staff.tenant.id):
        return list(ContentBlock.objects.filter(theme_version_id=draft.pk, surface=surface)
                    .order_by("ordinal").values_list("pk", flat=True))


def reload(model, pk, staff):
    with tenant_context(staff.tenant.id):
        return model.objects.filter(pk=pk).first()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def form_data(form) -> dict:
    """What the browser would post for a form as rendered (its initial values)."""
    data = {}
    for bound in form:
        value = bound.value()
        if isinstance(bound.field, forms.BooleanField):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list):
            data[bound.html_name] = value
        else:
            data[bound.html_name] = "" if value is None else value
    return data


def card_form(response, block):
    return next(card["form"] for card in response.context["cards"] if card["block"].pk == block.pk)


def save_post(client, draft, block, locale: str, **changes):
    page = client.get(content_url(draft), {"surface": block.surface, "locale": locale})
    data = {**form_data(card_form(page, block)), **changes}
    return client.post(content_url(draft), {"action": "save", "block_id": block.pk, "surface": block.surface,
                                            "locale": locale, **data})


# --- pages by role ---------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_content_and_locales_pages__role__everyone_reads_editors_get_forms(client, staff, draft, blocks, role):
    sign_in(client, staff, role)
    content = client.get(content_url(draft))
    locales = client.get(locales_url(draft))
    assert content.status_code == 200 and locales.status_code == 200
    content_page, locales_page = content.content.decode(), locales.content.decode()
    assert "Call-to-action banner" in content_page and 'class="tc-tab--current">Content<' in content_page
    assert "Completeness of each enabled locale" in locales_page
    editor = role in EDITORS
    assert ('name="action" value="save"' in content_page) is editor
    assert ("Move down" in content_page) is editor and ("Add a block" in content_page) is editor
    assert ('name="action" value="save"' in locales_page) is editor
    assert "themeconfig/admin/content-blocks.js" in content_page and "themeconfig/admin/locales.css" in locales_page


def test_content_page__surfaces_and_locales__blocks_in_order_with_the_locales_text(client, staff, draft, blocks):
    sign_in(client, staff, "viewer")
    page = client.get(content_url(draft), {"surface": "home", "locale": "fr"})
    cards = page.context["cards"]
    assert [c["block"].pk for c in cards] == [b.pk for b in blocks[:3]]
    assert [c["kind_label"] for c in cards] == ["Rich text", "Call-to-action banner", "FAQ"]
    text = page.content.decode()
    assert "## Bienvenue" in text and "Voir" in text and "## Welcome" not in text
    assert "Visible on: All" in text
    assert "Home <span class=\"tc-count\">(3)</span>" in text and "About <span class=\"tc-count\">(1)</span>" in text
    about = client.get(content_url(draft), {"surface": "about", "locale": "en"})
    assert [c["block"].pk for c in about.context["cards"]] == [blocks[3].pk]
    assert "privacy" in about.content.decode()


def test_block_form__every_kind__an_input_per_field_and_no_raw_json(client, staff, draft):
    for kind in KIND_FIELDS:
        fields, advanced = form_schema(kind)
        assert advanced == [] and set(fields) == set(META_FORM[kind]) == set(KIND_FIELDS[kind]), kind
    sign_in(client, staff, "member")
    page = client.get(content_url(draft), {"add": "testimonials", "locale": "fr"}).content.decode()
    assert 'name="meta__items__0__quote"' in page and "Quote in French (fr) (required)" in page
    assert 'name="advanced"' not in page


# --- editing a block -------------------------------------------------------------------------------

def test_block_save__french_label__only_the_french_text_changes(client, staff, draft, blocks):
    banner = blocks[1]
    sign_in(client, staff, "member")
    response = save_post(client, draft, banner, "fr", meta__label="Voir les offres",
                         body_value="Nos offres de la semaine")
    assert response.status_code == 302
    saved = reload(ContentBlock, banner.pk, staff)
    assert saved.meta["label"] == {"en": "See offers", "fr": "Voir les offres"}
    assert saved.body == {"en": {"format": "markdown", "value": "cta_banner text"},
                          "fr": {"format": "markdown", "value": "Nos offres de la semaine"}}
    assert saved.meta["target"] == "/offers" and saved.version == banner.version + 1
    assert saved.updated_by == f"user:{staff.users['member'].pk}"


def test_block_save__faq_row_added_in_french__item_kept_and_new_one_appended(client, staff, draft, blocks):
    faq = blocks[2]
    sign_in(client, staff, "member")
    response = save_post(client, draft, faq, "fr", meta__items__0__question="Parking ?",
                         meta__items__0__answer="Gratuit.", meta__items__1__question="Wifi ?",
                         meta__items__1__answer="Oui.")
    assert response.status_code == 302
    items = reload(ContentBlock, faq.pk, staff).meta["items"]
    assert items == [{"question": {"en": "Parking?", "fr": "Parking ?"}, "answer": {"en": "Free.", "fr": "Gratuit."}},
                     {"question": {"fr": "Wifi ?"}, "answer": {"fr": "Oui."}}]


def test_block_save__refused__error_beside_the_field_its_path_names_input_kept(client, staff, draft, blocks):
    banner = blocks[1]
    sign_in(client, staff, "member")
    response = save_post(client, draft, banner, "fr", meta__target="javascript:alert(1)", meta__label="Voir tout")
    assert response.status_code == 200
    form = card_form(response, banner)
    assert list(form.errors) == ["meta__target"]
    page = response.content.decode()
    assert 'value="javascript:alert(1)"' in page and 'value="Voir tout"' in page
    assert reload(ContentBlock, banner.pk, staff).meta["label"]["fr"] == "Voir"


def test_block_save__required_text_cleared__error_beside_the_label(client, staff, draft, blocks):
    banner = blocks[1]
    with tenant_context(staff.tenant.id):  # only a French label, so clearing it leaves none
        services.content_block_update(principal=staff.principals["member"], block_id=banner.pk,
                                      expected_version=banner.version,
                                      meta={**banner.meta, "label": {"fr": "Voir"}})
    sign_in(client, staff, "member")
    response = save_post(client, draft, banner, "fr", meta__label="")
    assert response.status_code == 200
    assert "meta__label" in card_form(response, banner).errors


def test_block_save__stale__conflict_names_who_and_when_input_kept_and_overwrite_works(client, staff, draft, blocks):
    banner = blocks[1]
    sign_in(client, staff, "member")
    page = client.get(content_url(draft), {"locale": "fr"})
    data = {**form_data(card_form(page, banner)), "meta__label": "Mon libellé"}
    services.content_block_update(principal=staff.principals["admin"], block_id=banner.pk,
                                  expected_version=banner.version, visibility="mobile_only")
    post = {"action": "save", "block_id": banner.pk, "surface": "home", "locale": "fr", **data}
    response = client.post(content_url(draft), post)
    assert response.status_code == 200
    text = response.content.decode()
    assert "admin_person@example.com changed this block at" in text and f"now version {banner.version + 1}" in text
    assert 'value="Mon libellé"' in text
    assert reload(ContentBlock, banner.pk, staff).meta["label"]["fr"] == "Voir"
    again = client.post(content_url(draft), {**post, "expected_version": banner.version + 1})
    assert again.status_code == 302
    assert reload(ContentBlock, banner.pk, staff).meta["label"]["fr"] == "Mon libellé"


# --- adding, deleting, reordering, moving ------------------------------------------------------------

def test_block_add__member__kind_form_then_created_at_the_end(client, staff, draft, blocks):
    sign_in(client, staff, "member")
    page = client.get(content_url(draft), {"surface": "home", "add": "hero", "locale": "en"})
    assert "New Hero block on Home" in page.content.decode()
    data = {**form_data(page.context["new_form"]), "body_value": "# Sea and sun",
            "meta__image__url": "https://cdn.example/sea.jpg", "meta__image__alt": "The sea"}
    response = client.post(content_url(draft), {"action": "create", "kind": "hero", "surface": "home",
                                                "locale": "en", **data})
    assert response.status_code == 302
    order = home_order(staff, draft)
    assert len(order) == 4 and order[:3] == [b.pk for b in blocks[:3]]
    hero = reload(ContentBlock, order[3], staff)
    assert hero.kind == "hero" and hero.meta["image"] == {"url": "https://cdn.example/sea.jpg", "alt": {"en": "The sea"}}
    assert hero.meta["alignment"] == "center" and hero.body["en"]["value"] == "# Sea and sun"


def test_block_add__refused__error_beside_the_image_url_input_kept(client, staff, draft):
    sign_in(client, staff, "member")
    page = client.get(content_url(draft), {"surface": "home", "add": "hero", "locale": "en"})
    data = {**form_data(page.context["new_form"]), "body_value": "Hello",
            "meta__image__url": "http://insecure.example/a.jpg", "meta__image__alt": "A"}
    response = client.post(content_url(draft), {"action": "create", "kind": "hero", "surface": "home",
                                                "locale": "en", **data})
    assert response.status_code == 200
    assert "meta__image__url" in response.context["new_form"].errors
    assert 'value="http://insecure.example/a.jpg"' in response.content.decode()
    assert home_order(staff, draft) == []


def test_block_delete__confirmed__block_gone_and_the_others_close_up(client, staff, draft, blocks):
    sign_in(client, staff, "member")
    confirm = client.get(content_url(draft), {"surface": "home", "delete": blocks[0].pk}).content.decode()
    assert "Yes, delete this block" in confirm
    response = client.post(content_url(draft), {"action": "delete", "block_id": blocks[0].pk, "surface": "home",
                                                "locale": "en", "expected_version": blocks[0].version})
    assert response.status_code == 302
    assert home_order(staff, draft) == [blocks[1].pk, blocks[2].pk]
    with tenant_context(staff.tenant.id):
        assert list(ContentBlock.objects.filter(theme_version_id=draft.pk, surface="home")
                    .order_by("ordinal").values_list("ordinal", flat=True)) == [0, 1]


def test_blocks_reorder__post__order_saved_through_the_use_case(client, staff, draft, blocks):
    sign_in(client, staff, "member")
    page = client.get(content_url(draft), {"surface": "home"}).content.decode()
    assert 'id="reorder-form"' in page and "data-reorderable" in page
    version = reload(ThemeVersion, draft.pk, staff)
    new_order = [blocks[2].pk, blocks[0].pk, blocks[1].pk]
    response = client.post(content_url(draft), {"action": "reorder", "surface": "home", "locale": "en",
                                                "block_ids": new_order, "expected_version": version.version},
                           follow=True)
    assert home_order(staff, draft) == new_order
    assert any("order of the Home blocks is saved" in m for m in messages_of(response))


def test_blocks_reorder__stale_version__conflict_names_who_nothing_changed(client, staff, draft, blocks):
    sign_in(client, staff, "member")
    loaded = reload(ThemeVersion, draft.pk, staff).version
    services.content_block_move(principal=staff.principals["admin"], block_id=blocks[2].pk,
                                expected_version=blocks[2].version, ordinal=0)
    before = home_order(staff, draft)
    response = client.post(content_url(draft), {"action": "reorder", "surface": "home", "locale": "en",
                                                "block_ids": [b.pk for b in reversed(blocks[:3])],
                                                "expected_version": loaded}, follow=True)
    assert home_order(staff, draft) == before
    message = " ".join(messages_of(response))
    assert "admin_person@example.com changed this version at" in message and "Nothing was changed" in message


def test_block_move__up_and_down__one_step_each(client, staff, draft, blocks):
    sign_in(client, staff, "member")
    third = blocks[2]
    client.post(content_url(draft), {"action": "move", "direction": "up", "block_id": third.pk, "surface": "home",
                                     "locale": "en", "expected_version": third.version})
    assert home_order(staff, draft) == [blocks[0].pk, third.pk, blocks[1].pk]
    first = reload(ContentBlock, blocks[0].pk, staff)
    client.post(content_url(draft), {"action": "move", "direction": "down", "block_id": first.pk, "surface": "home",
                                     "locale": "en", "expected_version": first.version})
    assert home_order(staff, draft) == [third.pk, first.pk, blocks[1].pk]
    page = client.get(content_url(draft), {"surface": "home"})
    cards = page.context["cards"]
    assert cards[0]["first"] and cards[-1]["last"]
    text = page.content.decode()
    assert text.count('value="up"') == 2 and text.count('value="down"') == 2  # none above the first, below the last


def test_block_move__stale_block_version__conflict_message_nothing_moved(client, staff, draft, blocks):
    sign_in(client, staff, "member")
    services.content_block_update(principal=staff.principals["admin"], block_id=blocks[2].pk,
                                  expected_version=blocks[2].version, visibility="desktop_only")
    response = client.post(content_url(draft), {"action": "move", "direction": "up", "block_id": blocks[2].pk,
                                                "surface": "home", "locale": "en",
                                                "expected_version": blocks[2].version}, follow=True)
    assert home_order(staff, draft) == [b.pk for b in blocks[:3]]
    assert any("admin_person@example.com changed this block at" in m for m in messages_of(response))


# --- read-only -------------------------------------------------------------------------------------

def test_viewer__no_forms_and_every_post_403_nothing_changed(client, staff, draft, blocks):
    sign_in(client, staff, "viewer")
    page = client.get(content_url(draft), {"locale": "fr"}).content.decode()
    assert "<form method=\"post\"" not in page and "Your role can read" in page
    locales = client.get(locales_url(draft)).content.decode()
    assert "<form method=\"post\"" not in locales
    version = reload(ThemeVersion, draft.pk, staff).version
    posts = [
        (content_url(draft), {"action": "reorder", "surface": "home", "block_ids": [b.pk for b in blocks[2::-1]],
                              "expected_version": version}),
        (content_url(draft), {"action": "delete", "block_id": blocks[0].pk, "expected_version": blocks[0].version}),
        (content_url(draft), {"action": "move", "direction": "down", "block_id": blocks[0].pk,
                              "expected_version": blocks[0].version}),
        (locales_url(draft), {"action": "save", "locale": "en", "new_key": "a.b", "new_message": "A"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403
    assert home_order(staff, draft) == [b.pk for b in blocks[:3]]
    with tenant_context(staff.tenant.id):
        assert not LocalePack.objects.filter(theme_version_id=draft.pk).exists()


def test_published_version__pages_read_only_and_posts_change_nothing(client, staff, draft, blocks):
    with tenant_context(staff.tenant.id):
        ThemeVersion.objects.filter(pk=draft.pk).update(
            status="published", published_at=timezone.now(), published_by="user:1",
            published_bundle_url="bundles/x.json", published_bundle_sha256="0" * 64)
    sign_in(client, staff, "owner")
    page = client.get(content_url(draft), {"locale": "fr"}).content.decode()
    assert "<form method=\"post\"" not in page and "never changes" in page and "## Bienvenue" in page
    assert "<form method=\"post\"" not in client.get(locales_url(draft)).content.decode()
    response = client.post(content_url(draft), {"action": "move", "direction": "down", "block_id": blocks[0].pk,
                                                "surface": "home", "expected_version": blocks[0].version},
                           follow=True)
    assert home_order(staff, draft) == [b.pk for b in blocks[:3]]
    assert any("never changes" in m for m in messages_of(response))


def test_deleted_theme__version_pages_read_only(client, staff, theme, draft, blocks):
    services.theme_delete(principal=staff.principals["owner"], theme_id=theme.pk, expected_version=theme.version)
    sign_in(client, staff, "owner")
    for url in (content_url(draft), locales_url(draft)):
        page = client.get(url).content.decode()
        assert "The theme is deleted" in page and "<form method=\"post\"" not in page


def test_block_save__structured_text_not_json__error_beside_the_text_nothing_saved(client, staff, draft, blocks):
    sign_in(client, staff, "member")
    response = save_post(client, draft, blocks[0], "fr", body_format="structured", body_value="{not json")
    assert response.status_code == 200
    assert "Not valid JSON" in card_form(response, blocks[0]).errors["body_value"][0]
    assert reload(ContentBlock, blocks[0].pk, staff).body == blocks[0].body


def test_content_page__text_in__counts_localised_meta_as_well_as_the_body(client, staff, draft, blocks):
    sign_in(client, staff, "viewer")
    cards = client.get(content_url(draft), {"surface": "home"}).context["cards"]
    assert [c["locales"] for c in cards] == [["en", "fr"], ["en", "fr"], ["en"]]


# --- locales ---------------------------------------------------------------------------------------

@pytest.fixture
def packs(staff, draft) -> dict[str, LocalePack]:
    """en (the default) with three keys, fr with one; de has no pack yet."""
    member = staff.principals["member"]
    en = services.locale_pack_put(principal=member, version_id=draft.pk, locale="en", entries={
        "booking.search.title": "Find your room", "common.greeting": "Hello, {name}!",
        "booking.search.guests": "{count, plural, one {# guest} other {# guests}}"})
    fr = services.locale_pack_put(principal=member, version_id=draft.pk, locale="fr",
                                  entries={"booking.search.title": "Trouvez votre chambre"})
    return {"en": en, "fr": fr}


def summary_of(response, locale):
    return next(s for s in response.context["summaries"] if s.locale == locale)


def entries_post(response, locale: str, **entries) -> dict:
    form = response.context["form"]
    data = {"action": "save", "locale": locale, **form_data(form)}
    data.update({f"entry.{key}": value for key, value in entries.items()})
    return data


def test_locales_page__completeness_missing_and_bar_per_locale(client, staff, draft, packs):
    sign_in(client, staff, "viewer")
    page = client.get(locales_url(draft))
    fr, de, en = summary_of(page, "fr"), summary_of(page, "de"), summary_of(page, "en")
    assert (fr.pct_text, fr.missing) == ("33.3", ["booking.search.guests", "common.greeting"])
    assert de.pack is None and de.pct_text == "0" and len(de.missing) == 3
    assert en.is_default and en.pct_text == "100"
    text = page.content.decode()
    assert 'value="33.33" aria-label="French (fr) completeness">33.3%</meter>' in text
    assert "1 of 3 keys" in text and "No pack yet" in text


def test_locale_entry_added__completeness_rises_and_the_missing_list_shrinks(client, staff, draft, packs):
    sign_in(client, staff, "member")
    page = client.get(locales_url(draft), {"locale": "fr"})
    assert page.context["form"].fields["entry.common.greeting"].label == "common.greeting"
    assert "Hello, {name}!" in page.content.decode()  # the default text beside the input
    response = client.post(locales_url(draft), entries_post(page, "fr", **{"common.greeting": "Bonjour, {name} !"}),
                           follow=True)
    fr = summary_of(response, "fr")
    assert (fr.pct_text, fr.missing) == ("66.7", ["booking.search.guests"])
    pack = reload(LocalePack, packs["fr"].pk, staff)
    assert pack.entries["common.greeting"] == "Bonjour, {name} !" and float(pack.completeness_pct) == 66.67
    assert "66.7%" in response.content.decode()


def test_locale_entry__malformed_icu__refused_beside_that_key_input_kept(client, staff, draft, packs):
    sign_in(client, staff, "member")
    page = client.get(locales_url(draft), {"locale": "fr"})
    response = client.post(locales_url(draft), entries_post(page, "fr", **{"common.greeting": "Bonjour {name"}))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["entry.common.greeting"]
    assert "Not a valid ICU MessageFormat message" in form.errors["entry.common.greeting"][0]
    text = response.content.decode()
    assert 'value="Bonjour {name"' in text and 'id="id_fr_entry.common.greeting_error"' in text
    assert "common.greeting" not in reload(LocalePack, packs["fr"].pk, staff).entries


def test_locale_entry__argument_not_in_the_default__refused_beside_the_key(client, staff, draft, packs):
    sign_in(client, staff, "member")
    page = client.get(locales_url(draft), {"locale": "fr"})
    response = client.post(locales_url(draft), entries_post(page, "fr", **{"common.greeting": "Bonjour, {nom} !"}))
    assert "Arguments differ from the default message" in response.context["form"].errors["entry.common.greeting"][0]


def test_default_locale__key_added__the_others_completeness_drops(client, staff, draft, packs):
    sign_in(client, staff, "member")
    page = client.get(locales_url(draft), {"locale": "en"})
    data = {**entries_post(page, "en"), "new_key": "booking.search.cta", "new_message": "Search"}
    response = client.post(locales_url(draft), data, follow=True)
    assert reload(LocalePack, packs["en"].pk, staff).entries["booking.search.cta"] == "Search"
    assert summary_of(response, "fr").pct_text == "25"
    bad = client.post(locales_url(draft), {**entries_post(page, "en"), "new_key": "Not A Key", "new_message": "x"})
    assert "new_key" in bad.context["form"].errors


def test_locale_pack__none_yet__created_from_the_editor(client, staff, draft, packs):
    sign_in(client, staff, "member")
    page = client.get(locales_url(draft), {"locale": "de"})
    assert "Create the German (de) pack" in page.content.decode()
    response = client.post(locales_url(draft), entries_post(page, "de", **{"booking.search.title": "Zimmer finden"}),
                           follow=True)
    with tenant_context(staff.tenant.id):
        pack = LocalePack.objects.get(theme_version_id=draft.pk, locale="de")
    assert pack.entries == {"booking.search.title": "Zimmer finden"}
    assert summary_of(response, "de").pct_text == "33.3"


def test_locale_pack__default_message_changed__mismatched_key_listed(client, staff, draft, packs):
    member = staff.principals["member"]
    services.locale_pack_patch(principal=member, version_id=draft.pk, locale="fr",
                               entries={"common.greeting": "Bonjour, {name} !"}, expected_version=packs["fr"].version)
    en = reload(LocalePack, packs["en"].pk, staff)
    services.locale_pack_patch(principal=member, version_id=draft.pk, locale="en",
                               entries={"common.greeting": "Hello, {first}!"}, expected_version=en.version)
    sign_in(client, staff, "viewer")
    page = client.get(locales_url(draft))
    fr = summary_of(page, "fr")
    assert [m["key"] for m in fr.mismatched] == ["common.greeting"]
    assert "Arguments differ from the default message" in page.content.decode()


def test_locale_pack__stale__conflict_names_who_input_kept(client, staff, draft, packs):
    sign_in(client, staff, "member")
    page = client.get(locales_url(draft), {"locale": "fr"})
    services.locale_pack_patch(principal=staff.principals["admin"], version_id=draft.pk, locale="fr",
                               entries={"booking.search.title": "Trouver"}, expected_version=packs["fr"].version)
    response = client.post(locales_url(draft), entries_post(page, "fr", **{"common.greeting": "Salut {name}"}))
    text = response.content.decode()
    assert "admin_person@example.com changed the French (fr) pack at" in text and 'value="Salut {name}"' in text
    assert "common.greeting" not in reload(LocalePack, packs["fr"].pk, staff).entries


def test_locale_pack__delete_confirmed__pack_gone(client, staff, draft, packs):
    sign_in(client, staff, "member")
    assert "Yes, delete the French (fr) pack" in client.get(
        locales_url(draft), {"locale": "fr", "delete": "1"}).content.decode()
    client.post(locales_url(draft), {"action": "delete", "locale": "fr", "expected_version": packs["fr"].version})
    assert reload(LocalePack, packs["fr"].pk, staff) is None
