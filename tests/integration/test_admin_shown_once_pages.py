"""The tenant admin's "shown once" pages (a new API key's secret, an invitation link, a host's DNS
challenge token, a preview link's URL): one heading, and the breadcrumbs of the page they came from."""
from __future__ import annotations

import re

import pytest
from django.contrib.admin.utils import quote

from tests.factories.admin_staff import make_staff, sign_in
from themeconfig import services

pytestmark = pytest.mark.django_db


def headings(page: str) -> list[str]:
    return re.findall(r"<h1[^>]*>(.*?)</h1>", page, flags=re.S)


def breadcrumbs(page: str) -> list[tuple[str | None, str]]:
    """The trail as (href or None for the current page, text)."""
    trail = page.split('<div class="breadcrumbs">', 1)[1].split("</div>", 1)[0]
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', trail)
    return [*links, (None, re.sub(r"\s+", " ", trail.rsplit("&rsaquo;", 1)[1]).strip())]


def shown_once(client, staff):
    """Each page that shows a secret once, as the admin draws it after its POST: (title, response, trail)."""
    theme = services.theme_create(principal=staff.principals["owner"], name="Lake", enabled_locales=["en"])
    version = services.version_create(principal=staff.principals["owner"], theme_id=theme.pk)
    version_url = f"/admin/themeconfig/themeversion/{quote(version.pk)}/"
    home, app = ("/admin/", "Home"), ("/admin/themeconfig/", "Theme configuration")
    yield ("API key frontend", client.post("/admin/themeconfig/apiclient/add/", {"name": "frontend", "role": "api"}),
           [home, app, ("/admin/themeconfig/apiclient/", "API keys")])
    yield ("Invitation for guest@example.com",
           client.post("/admin/themeconfig/invitation/add/", {"email": "guest@example.com", "role": "member"}),
           [home, app, ("/admin/themeconfig/invitation/", "Invitations")])
    yield ("Prove you control lake.example.com",
           client.post("/admin/themeconfig/hostlisting/add/", {"host": "lake.example.com", "property": ""}),
           [home, app, ("/admin/themeconfig/hostlisting/", "Tenant hosts")])
    yield (f"Preview link of version {version.ordinal}",
           client.post(f"{version_url}preview/", {"action": "create", "expires_in_days": 7, "note": "Sales"}),
           [home, app, ("/admin/themeconfig/themeversion/", "Theme versions"),
            (f"{version_url}change/", f"Lake, version {version.ordinal}"), (f"{version_url}preview/", "Preview")])


def test_shown_once_pages__after_their_post__one_heading_and_the_breadcrumbs_of_where_they_came_from(client):
    staff = make_staff("Lakeside Hotels")
    sign_in(client, staff, "owner")
    pages = list(shown_once(client, staff))
    assert len(pages) == 4
    for title, response, trail in pages:
        page = response.content.decode()
        assert response.status_code == 200 and 'id="secret"' in page, title
        assert headings(page) == [title], title
        assert breadcrumbs(page) == [*trail, (None, title)], title
