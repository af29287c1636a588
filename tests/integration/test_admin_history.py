"""The History tab of a theme and a version: the audit trail of it and its parts (a deleted content
block included), who and when, the changed fields old → new; read by every role, nothing to change;
another tenant's object 404 (also in the cross-tenant suite)."""
from __future__ import annotations

import re

import pytest

from tests.factories.admin_staff import ROLES, sign_in
from tests.integration.test_admin_themes import (  # noqa: F401  (draft, staff, theme: its fixtures, used here)
    THEMES,
    VERSIONS,
    draft,
    staff,
    theme,
)
from themeconfig import services
from themeconfig.admin.audit_history import PAGE_SIZE
from themeconfig.models import ThemeVersion
from themeconfig.platform.tenant_context import tenant_context

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
    assert "Home · rich text #1 (deleted)" in page and "English (en) locale pack" in page
    assert f"version {version.ordinal}" in page
    shown = re.sub(r"<[^>]*>", " ", page.split('id="content-main"')[1])
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
