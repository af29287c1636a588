"""The History tab of a theme and a version: the audit trail of it and its parts (a deleted content
block included), who and when, the changed fields old → new; read by every role, nothing to change;
another tenant's object 404 (also in the cross-tenant suite)."""
from __future__ import annotations

import copy
import re
import zoneinfo

import pytest
from django.utils import formats, timezone, translation

from publishing.models import PublishJob
from publishing.services import preview_token_create
from tests.factories.admin_staff import ROLES, sign_in
from tests.factories.publishing import publish_new_version
from tests.integration.test_admin_themes import (  # noqa: F401  (draft, staff, theme: its fixtures, used here)
    THEMES,
    VERSIONS,
    draft,
    staff,
    theme,
)
from themeconfig import services
from themeconfig.admin.audit_history import PAGE_SIZE
from themeconfig.models import AuditLogEntry, ThemeVersion
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.validators.contrast import to_hex

pytestmark = pytest.mark.django_db


def fresh(version, staff) -> ThemeVersion:  # noqa: F811
    with tenant_context(staff.tenant.id):
        return ThemeVersion.objects.get(pk=version.pk)


@pytest.fixture
def edited(staff, draft):  # noqa: F811
    member = staff.principals["member"]
    services.version_update(principal=member, version_id=draft.pk, expected_version=draft.version,
                            release_notes="Warmer colours")
    block = services.content_block_create(principal=member, version_id=draft.pk, surface="home", kind="rich_text",
                                          meta={"kind": "rich_text"},
                                          body={"en": {"format": "markdown", "value": "Hello"}})
    services.content_block_delete(principal=member, block_id=block.pk, expected_version=block.version)
    services.locale_pack_put(principal=member, version_id=draft.pk, locale="en", entries={"nav.book": "Book"})
    return draft, block


@pytest.mark.parametrize("role", ROLES)
def test_version_history__role__trail_of_the_version_and_its_parts_with_who(client, staff, edited, role):  # noqa: F811
    version, block = edited
    sign_in(client, staff, role)
    response = client.get(f"{VERSIONS}{version.pk}/history/")
    assert response.status_code == 200
    page = response.content.decode()
    for action in ("version.created", "version.updated", "content_block.created", "content_block.deleted",
                   "locale_pack.created"):
        assert action in page, action
    assert "member_person" in page and "Warmer colours" in page and "release_notes" in page
    # The deleted block's story is still there; everything is named as staff read it, never by id.
    assert "Home · Rich text #1 (deleted)" in page and "English (en) locale pack" in page
    assert f"version {version.ordinal}" in page
    # The raw change (one click away, in <details>) keeps its ids; the page as read names things.
    shown = re.sub(r"<[^>]*>", " ", re.sub(r"<details.*?</details>", "", page.split('id="content-main"')[1], flags=re.S))
    assert not re.search(r"\b(thv|cnb|lpk)_[0-9A-Z]{22}\b", shown), re.search(r"\b(thv|cnb|lpk)_[0-9A-Z]{22}\b", shown)
    assert 'aria-current="page"' in page and ">History<" in page  # its tab, current
    assert "<form" not in page.split('id="content-main"')[1]  # nothing to change here


def test_theme_history__versions_rows_and_the_themes_own__newest_first(client, staff, theme, edited):  # noqa: F811
    sign_in(client, staff, "viewer")
    page = client.get(f"{THEMES}{theme.pk}/history/").content.decode()
    assert "theme.created" in page and "version.created" in page and "content_block.deleted" in page
    assert page.index("locale_pack.created") < page.index("version.created") < page.index("theme.created")


def test_version_history__another_versions_parts__not_listed(client, staff, theme, edited):  # noqa: F811
    other = services.version_create(principal=staff.principals["member"], theme_id=theme.pk)
    sign_in(client, staff, "owner")
    page = client.get(f"{VERSIONS}{other.pk}/history/").content.decode()
    assert "version.created" in page and "content_block" not in page and "Warmer colours" not in page


def test_version_history__many_rows__paginated(client, staff, draft):  # noqa: F811
    member = staff.principals["member"]
    for n in range(PAGE_SIZE + 2):
        current = fresh(draft, staff)
        services.version_update(principal=member, version_id=draft.pk, expected_version=current.version,
                                release_notes=f"note {n}")
    sign_in(client, staff, "owner")
    first = client.get(f"{VERSIONS}{draft.pk}/history/").content.decode()
    assert "page 1 of 2" in first and "note 51" in first and "note 0<" not in first
    second = client.get(f"{VERSIONS}{draft.pk}/history/?page=2").content.decode()
    assert "version.created" in second


def test_history__unknown_or_malformed_id__404(client, staff):  # noqa: F811
    sign_in(client, staff, "owner")
    assert client.get(f"{VERSIONS}thv_00000000000000000000000000/history/").status_code == 404
    assert client.get(f"{THEMES}not-an-id/history/").status_code == 404


def test_version_history__part_copied_from_another_version__its_later_changes_listed(client, staff, theme, edited):  # noqa: F811
    source, _ = edited
    member = staff.principals["member"]
    copy = services.version_create(principal=member, theme_id=theme.pk, from_version_id=source.pk)
    services.locale_pack_patch(principal=member, version_id=copy.pk, locale="en", entries={"nav.home": "Home"},
                               expected_version=1)
    sign_in(client, staff, "viewer")
    page = client.get(f"{VERSIONS}{copy.pk}/history/").content.decode()
    assert "locale_pack.updated" in page and "nav.home" in page


# --- each kind of change drawn as its editor draws it (issue 20 item 3) ------------------------------

def visible(page: str) -> str:
    """The page without its <details> (the raw rows a click away) and without tag attributes' ISO times."""
    page = page.split('id="content-main"')[1]
    return re.sub(r"<details.*?</details>", "", page, flags=re.S)


def history_of(client, staff, version, role="viewer") -> str:  # noqa: F811
    sign_in(client, staff, role)
    response = client.get(f"{VERSIONS}{version.pk}/history/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def bilingual_draft(staff) -> ThemeVersion:  # noqa: F811
    harbour = services.theme_create(principal=staff.principals["owner"], name="Harbour", enabled_locales=["en", "fr"],
                                    fallback_chain=["en"])
    return services.version_create(principal=staff.principals["member"], theme_id=harbour.pk)


def test_version_history__colour_token_changed__swatches_before_and_after_not_the_json(client, staff, draft):  # noqa: F811
    member = staff.principals["member"]
    tokens = copy.deepcopy(fresh(draft, staff).tokens)
    before = tokens["color"]["primary"]
    tokens["color"]["primary"] = "#0B3D91"
    services.version_update(principal=member, version_id=draft.pk, expected_version=draft.version, tokens=tokens)
    page = visible(history_of(client, staff, draft))
    row = re.search(r'<tr data-token="primary">(.*?)</tr>', page, flags=re.S).group(1)
    before_cell, after_cell = re.findall(r'<td class="tc-history-(?:before|after)">(.*?)</td>', row, flags=re.S)
    assert f"background: {to_hex(before)}" in before_cell and "background: #0b3d91" in after_cell
    assert "changed" in row
    assert '"color"' not in page and "&quot;color&quot;" not in page  # no token document in sight
    assert page.count("data-token=") == 1  # only the colour that changed


def test_version_history__block_body_edited__word_diff_of_the_locale_that_changed(client, staff, bilingual_draft):  # noqa: F811
    member = staff.principals["member"]
    block = services.content_block_create(
        principal=member, version_id=bilingual_draft.pk, surface="home", kind="rich_text", meta={"kind": "rich_text"},
        body={"en": {"format": "markdown", "value": "Wake up to the waves\r\nand stay"},
              "fr": {"format": "markdown", "value": "Réveil face aux vagues"}})
    services.content_block_update(
        principal=member, block_id=block.pk, expected_version=block.version,
        body={"en": {"format": "markdown", "value": "Wake up to the sea\r\nand stay"},
              "fr": {"format": "markdown", "value": "Réveil face aux vagues"}})
    page = visible(history_of(client, staff, bilingual_draft))
    edited = page.split('data-action="content_block.updated"')[1].split('data-action=')[0]
    assert "Content block edited" in page.split('data-action="content_block.updated"')[1][:200]
    en_row = re.search(r'lang="en" dir="ltr">(.*?)</td>', edited, flags=re.S).group(1)
    assert re.search(r'<del class="tc-diff-removed">.*waves.*</del>', en_row)
    assert re.search(r'<ins class="tc-diff-added">.*sea.*</ins>', en_row)
    assert "Wake up to the " in en_row and "\r" not in en_row
    assert 'lang="fr"' not in edited  # the French text did not change
    added = page.split('data-action="content_block.created"')[1]
    assert 'lang="fr"' in added and "Réveil face aux vagues" in added  # a new block's text, per locale


def test_version_history__blocks_reordered__shown_as_a_move(client, staff, draft):  # noqa: F811
    member = staff.principals["member"]
    blocks = [services.content_block_create(principal=member, version_id=draft.pk, surface="home", kind="rich_text",
                                            meta={"kind": "rich_text"}, body={"en": {"format": "markdown", "value": t}})
              for t in ("One", "Two", "Three")]
    order = [blocks[1].pk, blocks[2].pk, blocks[0].pk]
    services.content_blocks_reorder(principal=member, version_id=draft.pk, surface="home", block_ids=order,
                                    expected_version=fresh(draft, staff).version)
    page = visible(history_of(client, staff, draft))
    reordered = page.split('data-action="content_blocks.reordered"')[1].split('data-action=')[0]
    assert "Content blocks reordered" in reordered
    moves = re.findall(r"<li>.*?</li>", reordered.split('class="tc-history-moves"')[1], flags=re.S)
    assert len(moves) == 1 and "Home · Rich text #3: from position 1 to position 3" in moves[0]  # named where it is now


def test_version_history__locale_pack_updated__each_changed_message_as_a_word_diff(client, staff, draft):  # noqa: F811
    member = staff.principals["member"]
    services.locale_pack_put(principal=member, version_id=draft.pk, locale="en",
                             entries={"nav.book": "Book now", "nav.home": "Home"})
    services.locale_pack_put(principal=member, version_id=draft.pk, locale="en",
                             entries={"nav.book": "Book your room", "nav.home": "Home"}, expected_version=1)
    page = visible(history_of(client, staff, draft))
    updated = page.split('data-action="locale_pack.updated"')[1].split('data-action=')[0]
    assert "Locale pack updated" in updated and "Messages (en)" in updated
    assert "<code>nav.book</code>" in updated and "<code>nav.home</code>" not in updated
    assert re.search(r'lang="en" dir="ltr">Book <del class="tc-diff-removed">.*now.*</del><ins class="tc-diff-added">.*your room',
                     updated)


def test_history__event_names_in_words__codes_and_raw_rows_only_in_details(client, staff, edited):  # noqa: F811
    version, _ = edited
    page = history_of(client, staff, version)
    shown = visible(page)
    for name in ("Version created", "Version edited", "Content block added", "Content block deleted",
                 "Locale pack added"):
        assert f'<h3 class="tc-history-name">{name}</h3>' in shown, name
    words = re.sub(r"<[^>]+>", "", shown)  # the text a reader sees
    assert "version.created" not in words and "content_block.deleted" not in words
    raw = re.findall(r"<details.*?</details>", page.split('id="content-main"')[1], flags=re.S)
    assert len(raw) == shown.count('<h3 class="tc-history-name">')  # one raw row per change, one click away
    assert any("<code>version.updated</code>" in d and "&quot;release_notes&quot;: &quot;Warmer colours&quot;" in d
               for d in raw)


def test_history__times__active_locale_format_and_time_zone_without_microseconds(client, staff, draft, settings):  # noqa: F811
    settings.LANGUAGE_CODE, settings.TIME_ZONE = "de", "Europe/Berlin"
    with tenant_context(staff.tenant.id):
        entry = AuditLogEntry.objects.filter(entity_id=draft.pk, action="version.created").get()
    page = visible(history_of(client, staff, draft))
    with translation.override("de"), timezone.override(zoneinfo.ZoneInfo("Europe/Berlin")):
        local = timezone.localtime(entry.occurred_at)
        expected = f"{formats.date_format(local, 'DATETIME_FORMAT')} {local.tzname()}"
    assert local.tzname() in ("CET", "CEST") and formats.get_format("DATETIME_FORMAT", lang="de") != \
        formats.get_format("DATETIME_FORMAT", lang="en")
    shown_times = re.findall(r'<time datetime="[^"]+">([^<]+)</time>', page)
    assert expected in shown_times
    assert not any(re.search(r"\d\.\d{4,}|\+00:00|p\.m\.|a\.m\.", text) for text in shown_times), shown_times


def test_version_history__block_moved_and_added__positions_counted_from_one(client, staff, draft):  # noqa: F811
    member = staff.principals["member"]
    first, second = (services.content_block_create(principal=member, version_id=draft.pk, surface="home",
                                                   kind="rich_text", meta={"kind": "rich_text"},
                                                   body={"en": {"format": "markdown", "value": t}})
                     for t in ("One", "Two"))
    services.content_block_move(principal=member, block_id=second.pk, expected_version=second.version, ordinal=0)
    page = visible(history_of(client, staff, draft))
    moved = page.split('data-action="content_block.moved"')[1].split('data-action=')[0]
    assert "Home · Rich text #1: from position 2 to position 1" in moved
    added = page.split('data-action="content_block.created"')[1].split('data-action=')[0]  # the newest: second
    assert re.search(r"<th scope=\"row\">Position</th>.*?<td class=\"tc-new\">2</td>", added, flags=re.S)


def test_version_history__version_created__its_number_as_it_is_not_one_more(client, staff, draft):  # noqa: F811
    member = staff.principals["member"]
    second = services.version_create(principal=member, theme_id=draft.theme_id, from_version_id=draft.pk)
    created = visible(history_of(client, staff, second)).split('data-action="version.created"')[1].split("</li>")[0]
    row = created.split('<th scope="row">Number</th>')[1].split("</tr>")[0]  # no "position" made of it
    assert re.findall(r'<td class="tc-new">([^<]*)</td>', row) == [str(second.ordinal)], row


def test_theme_history__recorded_ids_moments_and_codes__named_as_people_read_them(client, staff, theme):  # noqa: F811
    """Issue 20 items 2 and 3, as the demo's trail showed them: "from_version_id thv_…", "theme_id thm_…",
    "active_publication_id thp_… → thp_…", "expires_at 2026-12-08T02:59:52.437660+00:00", "draft → preview_ready"."""
    owner, member = staff.principals["owner"], staff.principals["member"]
    first = publish_new_version(owner, staff.tenant, theme, "one")
    publish_new_version(owner, staff.tenant, theme, "two")
    with tenant_context(staff.tenant.id):
        first_version = PublishJob.objects.get(pk=first.pk).theme_version_id
    copy = services.version_create(principal=member, theme_id=theme.pk, from_version_id=first_version)
    services.version_mark_preview_ready(principal=owner, version_id=copy.pk, expected_version=copy.version)
    preview_token_create(principal=member, version_id=copy.pk, expires_in_days=3, note="Sales review")
    sign_in(client, staff, "viewer")
    page = visible(client.get(f"{THEMES}{theme.pk}/history/").content.decode())
    words = re.sub(r"<[^>]+>", " ", page)
    assert not re.search(r"\b(thm|thv|thp|pvw)_[0-9A-Za-z]{22}", words), re.search(r"\b(thm|thv|thp)_\w+", words)
    assert not re.search(r"from_version_id|active_publication_id|expires_at|preview_ready", words)

    def entry(action: str) -> str:  # the newest row of that event
        return page.split(f'data-action="{action}"')[1].split("</li>")[0]

    assert re.search(r'Live version</th>.*?"tc-old">version 1</td>\s*<td class="tc-new">version 2</td>',
                     entry("theme.published"), flags=re.S)
    created = entry("version.created")
    assert re.search(r'Made from</th>.*?"tc-new">version 1</td>', created, flags=re.S) and "Theme id" not in created
    assert re.search(r'Status</th>.*?"tc-old">Draft</td>\s*<td class="tc-new">Ready for preview</td>',
                     entry("version.preview_ready"), flags=re.S)
    expires = re.search(r'Expires</th>.*?"tc-new">([^<]*)</td>', entry("preview_token.created"), flags=re.S)[1]
    assert "UTC" in expires and not re.search(r"T\d{2}:|\.\d{3,}|\+00:00", expires), expires
