"""How many SQL statements the main tenant admin pages cost: a ceiling per page, and the same count
whether the theme has 2 or 10 versions, each with 2 or 10 content blocks and locale packs (no N+1).

The counts are taken inside the test's transaction, so each request's tenant context is a savepoint
(SAVEPOINT and RELEASE are counted; BEGIN and COMMIT of a real request are not), and a request's
set_config of app.tenant_id is followed by one restoring the test's own (empty) values.
QUERY_TABLE=<file> writes the per-page table (statements by table) there."""
from __future__ import annotations

import os
import re
from collections import Counter

import pytest
from django.contrib.admin.utils import quote
from django.db import connection
from django.test.utils import CaptureQueriesContext

from publishing.models import PublishRequest
from publishing.services import publish
from tests.factories.admin_staff import make_staff, sign_in
from tests.integration.test_admin_publishing import make_version, reload
from themeconfig import services
from themeconfig.admin import workspace
from themeconfig.models import Theme, ThemeVersion
from themeconfig.platform.tenant_context import tenant_context

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_publish_broker")]
VERSIONS = "/admin/themeconfig/themeversion/"
THEMES = "/admin/themeconfig/theme/"
LOCALES = ["en", "ar", "fr", "de", "es", "it", "nl", "pt", "ja", "ko"]

# The most statements each page may cost (as measured in this test's setting, see above).
CEILINGS = {
    "theme list": 12, "theme change": 13, "theme publications": 13, "theme schedules": 12, "theme ai-palettes": 14, "theme history": 27,
    "version list": 13, "design": 11, "content": 11, "navigation": 12, "booking": 10, "email": 10, "locales": 11,
    "preview": 10, "publish": 20, "compare": 16, "ai-drafts": 13, "history": 24,
    "publish requests": 12, "publish request": 18, "hosts": 11, "api keys": 12,
}


def world(children: int, *, tenant: str):
    """A tenant with a theme in `children` locales and `children` versions, the first published, each
    with `children` content blocks and a pack per locale; four-eyes on, the last version waiting for approval."""
    staff = make_staff(tenant, username=f"{{role}}_{children}")
    owner, admin = staff.principals["owner"], staff.principals["admin"]
    locales = LOCALES[:children]
    theme = services.theme_create(principal=owner, name="Lake", enabled_locales=locales, fallback_chain=["en"])
    versions = []
    for index in range(children):
        version = make_version(admin, theme.pk, welcome=f"## Welcome {index}", ready=False)
        for block in range(children - 1):
            services.content_block_create(
                principal=admin, version_id=version.pk, surface="home", kind="rich_text", meta={"kind": "rich_text"},
                body={"en": {"format": "markdown", "value": f"Block {block}"}})
        for locale in locales[2:]:
            services.locale_pack_put(principal=admin, version_id=version.pk, locale=locale,
                                     entries={"site.nav.book": f"Book {locale}"})
        if index == 0:
            version = reload(ThemeVersion, version.pk, staff.tenant.id)
            services.version_mark_preview_ready(principal=admin, version_id=version.pk, expected_version=version.version)
            job = publish.version_publish(principal=admin, version_id=version.pk,
                                          expected_theme_version=reload(Theme, theme.pk, staff.tenant.id).version)
            publish.publish_job_run(job_id=job.pk, tenant_id=staff.tenant.id, worker="test")
        versions.append(reload(ThemeVersion, version.pk, staff.tenant.id))
    services.tenant_update(principal=owner, name=tenant, settings={"four_eyes_publish": True})
    last = versions[-1]
    services.version_mark_preview_ready(principal=admin, version_id=last.pk, expected_version=last.version)
    publish.version_publish(principal=admin, version_id=last.pk,
                            expected_theme_version=reload(Theme, theme.pk, staff.tenant.id).version)
    with tenant_context(staff.tenant.id):
        request = PublishRequest.objects.get()
    return staff, reload(Theme, theme.pk, staff.tenant.id), versions, request


def pages(theme, versions, request) -> dict[str, str]:
    published, draft = versions[0], versions[-1]
    urls = {"theme list": THEMES, "theme change": f"{THEMES}{quote(theme.pk)}/change/"}
    for page in workspace.pages("theme"):
        urls[f"theme {page.slug}"] = f"{THEMES}{quote(theme.pk)}/{page.slug}/"
    urls["version list"] = f"{VERSIONS}?theme__id__exact={quote(theme.pk)}"
    for label, version in (("draft", draft), ("published", published)):
        urls[f"{label} design"] = f"{VERSIONS}{quote(version.pk)}/change/"
        for page in workspace.pages("version"):
            if page.slug != "preview-site":  # the sandboxed frame's document, not an admin page
                urls[f"{label} {page.slug}"] = f"{VERSIONS}{quote(version.pk)}/{page.slug}/"
    urls["publish requests"] = "/admin/publishing/publishrequest/"
    urls["publish request"] = f"/admin/publishing/publishrequest/{quote(request.pk)}/change/"
    urls["hosts"] = "/admin/themeconfig/hostlisting/"
    urls["api keys"] = "/admin/themeconfig/apiclient/"
    return urls


def statements(client, url) -> tuple[int, Counter]:
    client.get(url)  # the first request of a page may fill process-wide caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    tables = Counter()
    for query in captured.captured_queries:
        sql = query["sql"]
        found = re.search(r'FROM "([a-z_]+)"(?:\."([a-z_]+)")?', sql)
        tables["set_config" if "set_config" in sql else (found.group(2) or found.group(1)) if found
               else sql.split()[0]] += 1
    return len(captured), tables


OTHER_PAGE_CEILING = 20  # a workspace page added since: give it its own entry above


def ceiling(label: str) -> int:
    return CEILINGS.get(label) or CEILINGS.get(label.split(" ", 1)[1], OTHER_PAGE_CEILING)


def test_admin_pages__statements_capped__same_for_2_and_10_versions_blocks_locales(client):
    counts = {}
    for children in (2, 10):
        staff, theme, versions, request = world(children, tenant=f"Lakeside {children}")
        sign_in(client, staff, "owner")
        counts[children] = {label: statements(client, url) for label, url in pages(theme, versions, request).items()}
    if os.environ.get("QUERY_TABLE"):
        with open(os.environ["QUERY_TABLE"], "w") as out:
            for label, (total, tables) in counts[2].items():
                out.write(f"{label:24} {total:4} {counts[10][label][0]:4}  {dict(tables.most_common())}\n")
    for label, (total, tables) in counts[2].items():
        if label == "theme history":  # one page of entries: with more versions it shows fewer kinds of rows
            assert counts[10][label][0] <= total, (label, tables, counts[10][label][1])
        else:
            assert counts[10][label][0] == total, (label, tables, counts[10][label][1])
        assert total <= ceiling(label), (label, total, tables)
