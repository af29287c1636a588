"""A version's Compare page in the tenant admin: the picker (default: the previous version), the sections'
differences made through the use cases (a colour, a locale key, a moved block, a navigation label), "No
differences." for equal versions, another theme's or tenant's version refused without its data, GET only."""
from __future__ import annotations

import re

import pytest
from django.contrib.admin.utils import quote

from tests.factories.admin_staff import Staff, make_staff, sign_in
from themeconfig import services
from themeconfig.models import LocalePack, ThemeVersion
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.validators.contrast import to_hex

pytestmark = pytest.mark.django_db

VERSIONS = "/admin/themeconfig/themeversion/"
NEW_PRIMARY = "#c81e1e"
SECTIONS = ("tokens", "layout", "content", "navigation", "booking", "email", "locale_packs", "release_notes")


@pytest.fixture
def staff() -> Staff:
    return make_staff("Compare Hotels")


def reload(model, pk, staff):
    with tenant_context(staff.tenant.id):
        return model.objects.get(pk=pk)


def nav_item(label: str) -> dict:
    return {"id": "rooms", "kind": "page", "target": "/rooms", "label": {"en": label}, "ordinal": 0}


class Versions:
    def __init__(self, theme, v1, v2, v3, old_primary):
        self.theme, self.v1, self.v2, self.v3, self.old_primary = theme, v1, v2, v3, old_primary


@pytest.fixture
def versions(staff) -> Versions:
    """v1 (blank, with a pack, two home blocks, a header menu); v2 copied from it with a new primary colour,
    an added message key, the home blocks swapped and a renamed menu item; v3 a plain copy of v2."""
    member = staff.principals["member"]
    theme = services.theme_create(principal=staff.principals["owner"], name="Seaside", default_locale="en",
                                  enabled_locales=["en"], fallback_chain=["en"])
    v1 = services.version_create(principal=member, theme_id=theme.pk)
    services.locale_pack_put(principal=member, version_id=v1.pk, locale="en", entries={"greeting": "Hello"})
    for kind, text, meta in (("rich_text", "Welcome aboard", {}), ("policy", "Parking is free", {"policy_type": "privacy"})):
        services.content_block_create(principal=member, version_id=v1.pk, surface="home", kind=kind,
                                      body={"en": {"format": "markdown", "value": text}}, meta={"kind": kind, **meta})
    services.navigation_put(principal=member, version_id=v1.pk, surface="header", items=[nav_item("Rooms")])
    v1 = reload(ThemeVersion, v1.pk, staff)

    v2 = services.version_create(principal=member, theme_id=theme.pk, from_version_id=v1.pk)
    tokens = dict(v2.tokens)
    old_primary = tokens["color"]["primary"]
    tokens["color"] = {**tokens["color"], "primary": NEW_PRIMARY}
    v2 = services.version_update(principal=member, version_id=v2.pk, expected_version=v2.version, tokens=tokens)
    with tenant_context(staff.tenant.id):
        pack = LocalePack.objects.get(theme_version_id=v2.pk, locale="en")
        home = list(v2.content_blocks.filter(surface="home").order_by("ordinal").values_list("pk", flat=True))
    services.locale_pack_patch(principal=member, version_id=v2.pk, locale="en",
                               entries={"farewell": "Bye & see you"}, expected_version=pack.version)
    v2 = reload(ThemeVersion, v2.pk, staff)
    services.content_blocks_reorder(principal=member, version_id=v2.pk, surface="home", block_ids=home[::-1],
                                    expected_version=v2.version)
    services.navigation_put(principal=member, version_id=v2.pk, surface="header", items=[nav_item("Our rooms")],
                            expected_version=1)
    v2 = reload(ThemeVersion, v2.pk, staff)
    v3 = services.version_create(principal=member, theme_id=theme.pk, from_version_id=v2.pk)
    return Versions(theme, v1, v2, v3, old_primary)


def compare_url(version) -> str:
    return f"{VERSIONS}{version.pk}/compare/"


def section(page: str, name: str) -> str:
    match = re.search(rf'<section id="compare-{name}".*?</section>', page, re.S)
    assert match, name
    return match.group(0)


@pytest.mark.parametrize("role", ["viewer", "owner"])
def test_compare_page__v2_against_v1__each_section_shows_its_change(client, staff, versions, role):
    sign_in(client, staff, role)
    response = client.get(compare_url(versions.v2), {"with": versions.v1.pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert '<label for="compare-with">Compare with</label>' in page and 'name="Compare"' in page
    assert "themeconfig/admin/version-compare.css" in page

    tokens = section(page, "tokens")
    old_hex = to_hex(versions.old_primary)
    assert '<tr data-token="primary">' in tokens and old_hex in tokens and NEW_PRIMARY in tokens
    assert f'class="tc-swatch" style="background: {NEW_PRIMARY}"' in tokens and ">changed<" in tokens

    packs = section(page, "locale_packs")
    assert "farewell" in packs and ">added<" in packs and "Bye &amp; see you" in packs and "greeting" not in packs

    content = section(page, "content")
    assert ">moved<" in content and "position 1" in content and "position 2" in content

    navigation = section(page, "navigation")
    assert "Rooms" in navigation and "Our rooms" in navigation and "label › en" in navigation

    for name in ("layout", "booking", "email"):
        assert "No differences." in section(page, name), name


def test_compare_page__arabic_messages_blocks_and_release_notes__rtl_cells_and_the_notes_word_diff(client, staff):
    member = staff.principals["member"]
    theme = services.theme_create(principal=staff.principals["owner"], name="Dunes", default_locale="en",
                                  enabled_locales=["en", "ar"], fallback_chain=["en"])
    v1 = services.version_create(principal=member, theme_id=theme.pk)
    services.locale_pack_put(principal=member, version_id=v1.pk, locale="en", entries={"greeting": "Hello {name}"})
    services.locale_pack_put(principal=member, version_id=v1.pk, locale="ar", entries={"greeting": "مرحبا {name}"})
    v1 = reload(ThemeVersion, v1.pk, staff)
    services.version_update(principal=member, version_id=v1.pk, expected_version=v1.version,
                            release_notes="Spring colours.")
    v2 = services.version_create(principal=member, theme_id=theme.pk, from_version_id=v1.pk)
    with tenant_context(staff.tenant.id):
        pack = LocalePack.objects.get(theme_version_id=v2.pk, locale="ar")
    services.locale_pack_patch(principal=member, version_id=v2.pk, locale="ar", entries={"greeting": "أهلاً {name}!"},
                               expected_version=pack.version)
    services.content_block_create(principal=member, version_id=v2.pk, surface="home", kind="rich_text",
                                  meta={"kind": "rich_text"}, body={"en": {"format": "markdown", "value": "Welcome"},
                                                                     "ar": {"format": "markdown", "value": "أهلاً بكم"}})
    v2 = reload(ThemeVersion, v2.pk, staff)
    services.version_update(principal=member, version_id=v2.pk, expected_version=v2.version,
                            release_notes="Spring colours and Arabic greetings.")
    sign_in(client, staff, "viewer")
    page = client.get(compare_url(v2), {"with": v1.pk}).content.decode()

    packs = section(page, "locale_packs")
    assert '<td class="tc-old" lang="ar" dir="rtl">مرحبا {name}</td>' in packs
    assert "<caption>Arabic (ar)</caption>" in packs  # the pack named by its language, not its code
    assert '<td class="tc-new" lang="ar" dir="rtl">أهلاً {name}!</td>' in packs
    content = section(page, "content")
    assert '<td class="tc-new" lang="ar" dir="rtl">أهلاً بكم</td>' in content
    assert '<td class="tc-new" lang="en" dir="ltr">Welcome</td>' in content
    notes = section(page, "release_notes")
    assert "No differences." not in notes and ">changed<" in notes and 'dir="auto"' in notes
    assert re.sub(r'<span class="tc-sr">[^<]*</span>', "", notes).count(
        '<del class="tc-diff-removed">colours.</del><ins class="tc-diff-added">colours and Arabic greetings.</ins>') == 1


def test_compare_page__picker__other_versions_listed_and_previous_one_by_default(client, staff, versions):
    sign_in(client, staff, "viewer")
    response = client.get(compare_url(versions.v2))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<option value="{versions.v1.pk}" selected>Version 1 (draft)</option>' in page
    assert f'<option value="{versions.v3.pk}">Version 3 (draft)</option>' in page
    assert f'value="{versions.v2.pk}"' not in page.split('id="compare-with"')[1].split("</select>")[0]
    assert response.context["other"].pk == versions.v1.pk
    # the first version has no earlier one: the next one is picked
    assert client.get(compare_url(versions.v1)).context["other"].pk == versions.v2.pk


def test_compare_page__equal_versions__every_section_says_no_differences(client, staff, versions):
    sign_in(client, staff, "viewer")
    page = client.get(compare_url(versions.v3), {"with": versions.v2.pk}).content.decode()
    for name in SECTIONS:
        assert "No differences." in section(page, name), name


def test_compare_page__another_themes_version__refused_without_its_data(client, staff, versions, property_factory):
    with tenant_context(staff.tenant.id):
        lodge = property_factory(name="Lodge")
    other_theme = services.theme_create(principal=staff.principals["owner"], name="Mountain", scope="property",
                                        property_id=lodge.pk)
    stranger = services.version_create(principal=staff.principals["member"], theme_id=other_theme.pk)
    services.locale_pack_put(principal=staff.principals["member"], version_id=stranger.pk, locale="en",
                             entries={"secret.key": "Mountain secret"})
    sign_in(client, staff, "viewer")
    response = client.get(compare_url(versions.v2), {"with": stranger.pk})
    assert response.status_code == 404
    page = response.content.decode()
    assert 'id="compare-error"' in page and "Mountain secret" not in page and "secret.key" not in page
    assert 'id="compare-tokens"' not in page and 'id="compare-with"' in page  # the picker stays to choose again


@pytest.mark.parametrize("wanted", ["thv_nope", "not an id", "'><script>alert(1)</script>"])
def test_compare_page__unknown_or_malformed_with__refused(client, staff, versions, wanted):
    sign_in(client, staff, "viewer")
    response = client.get(compare_url(versions.v2), {"with": wanted})
    assert response.status_code == 404
    page = response.content.decode()
    assert 'id="compare-error"' in page and "<script>alert(1)" not in page


def test_compare_page__another_tenants_version__refused_without_its_data(
        client, staff, versions):
    others = make_staff("Rival Hotels", username="rival_{role}_person")
    rival_theme = services.theme_create(principal=others.principals["owner"], name="Rival", enabled_locales=["en"],
                                        fallback_chain=["en"])
    rival = services.version_create(principal=others.principals["member"], theme_id=rival_theme.pk)
    services.locale_pack_put(principal=others.principals["member"], version_id=rival.pk, locale="en",
                             entries={"rival.key": "Rival secret"})
    sign_in(client, staff, "owner")
    response = client.get(compare_url(versions.v2), {"with": rival.pk})
    assert response.status_code == 404
    assert "Rival secret" not in response.content.decode() and 'id="compare-error"' in response.content.decode()


def test_compare_page__only_version__says_there_is_nothing_to_compare(client, staff):
    theme = services.theme_create(principal=staff.principals["owner"], name="Solo", enabled_locales=["en"],
                                  fallback_chain=["en"])
    only = services.version_create(principal=staff.principals["member"], theme_id=theme.pk)
    sign_in(client, staff, "viewer")
    response = client.get(compare_url(only))
    assert response.status_code == 200 and 'id="compare-no-other"' in response.content.decode()


def test_compare_page__post__405(client, staff, versions):
    sign_in(client, staff, "owner")
    assert client.post(compare_url(versions.v2), {"with": versions.v1.pk}).status_code == 405


def test_compare_tab__version_page__listed_for_a_viewer(client, staff, versions):
    sign_in(client, staff, "viewer")
    page = client.get(f"{VERSIONS}{versions.v2.pk}/change/").content.decode()
    assert f'href="{VERSIONS}{quote(versions.v2.pk)}/compare/">Compare</a>' in page


def test_compare_page__theme_has_a_live_version__it_is_the_default(client, staff, versions, monkeypatch):
    from themeconfig.admin import version_compare

    monkeypatch.setattr(version_compare.theme_selectors, "active_publication",
                        lambda theme: {"id": "pub_x", "theme_version_id": versions.v1.pk})
    sign_in(client, staff, "viewer")
    assert client.get(compare_url(versions.v3)).context["other"].pk == versions.v1.pk
    # the live version itself compares with its previous one
    assert client.get(compare_url(versions.v1)).context["other"].pk == versions.v2.pk

