"""Who did it, as the tenant admin says it: a person by name (else e-mail), an API key by its name with
"API key" before it, never `user:42` or `api_key:apk_…` in the text; the recorded actor stays in the
title attribute and in the History's raw view. Every page that names an actor is visited."""
from __future__ import annotations

import re

import pytest
from django.contrib.admin.utils import quote

from publishing import services as publishing_services
from publishing.services import publish
from tests.factories.admin_staff import make_staff, sign_in
from themeconfig import services
from themeconfig.models import Theme, ThemeVersion
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_publish_broker")]


def text_of(page: str) -> str:
    """What a reader sees: no title attributes, no raw view, no hidden inputs, no tags."""
    page = re.sub(r'<details class="tc-history-raw">.*?</details>', "", page, flags=re.S)
    page = re.sub(r'\s(title|value|href|action|data-[a-z-]+)="[^"]*"', "", page)
    return re.sub(r"<[^>]+>", " ", page)


def test_admin_pages__actors__names_in_words_and_the_recorded_actor_in_the_title(client):
    staff = make_staff("Lakeside Hotels")
    owner, admin_user = staff.principals["owner"], staff.users["admin"]
    admin_user.first_name, admin_user.last_name = "Ada", "Lovelace"
    admin_user.save()
    key, _secret = services.api_key_create(principal=owner, name="CI deploy", role="admin")
    robot = Principal.for_api_key(tenant_id=staff.tenant.id, api_client_id=key.pk, role="admin", scopes=None)
    theme = services.theme_create(principal=staff.principals["admin"], name="Lake", enabled_locales=["en"])
    version = services.version_create(principal=robot, theme_id=theme.pk)
    services.content_block_create(principal=robot, version_id=version.pk, surface="home", kind="rich_text",
                                  meta={"kind": "rich_text"}, body={"en": {"format": "markdown", "value": "## Hello"}})
    services.locale_pack_put(principal=robot, version_id=version.pk, locale="en", entries={"site.nav.book": "Book"})
    with tenant_context(staff.tenant.id):
        current = ThemeVersion.objects.get(pk=version.pk).version
    services.version_mark_preview_ready(principal=robot, version_id=version.pk, expected_version=current)
    with tenant_context(staff.tenant.id):
        theme_version = Theme.objects.get(pk=theme.pk).version
    job = publish.version_publish(principal=robot, version_id=version.pk, expected_theme_version=theme_version)
    assert publish.publish_job_run(job_id=job.pk, tenant_id=staff.tenant.id, worker="test").status == "succeeded"
    publishing_services.preview_token_create(principal=robot, version_id=version.pk, expires_in_days=1, note=None)
    with tenant_context(staff.tenant.id):
        assert ThemeVersion.objects.get(pk=version.pk).created_by == f"api_key:{key.pk}"

    sign_in(client, staff, "owner")
    theme_url = f"/admin/themeconfig/theme/{quote(theme.pk)}/"
    version_url = f"/admin/themeconfig/themeversion/{quote(version.pk)}/"
    robot_html = f'<span class="tc-actor" title="api_key:{key.pk}">API key “CI deploy”</span>'
    ada_html = f'<span class="tc-actor" title="user:{admin_user.pk}">Ada Lovelace</span>'
    owner_html = f'<span class="tc-actor" title="user:{staff.users["owner"].pk}">owner_person@example.com</span>'
    expected = {  # page → what it must show
        "/admin/themeconfig/theme/": [robot_html],  # the publish changed it last
        "/admin/themeconfig/themeversion/": [robot_html],
        "/admin/themeconfig/apiclient/": [owner_html],
        f"{theme_url}change/": [robot_html],  # the versions table
        f"{theme_url}history/": [robot_html, ada_html],
        f"{theme_url}publications/": [robot_html],
        f"{theme_url}publications/?job={job.pk}": [robot_html],  # "Asked for by"
        f"{version_url}history/": [robot_html],
        f"{version_url}preview/": [robot_html],  # the preview link's maker
        f"{version_url}publish/": [robot_html],
    }
    for path, shown in expected.items():
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.content.decode()
        for html in shown:
            assert html in page, (path, html)
        visible = text_of(page)
        assert "api_key:" not in visible and not re.search(r"\buser:\d", visible), path
    history = client.get(f"{theme_url}history/").content.decode()
    assert f"<dt>Actor</dt><dd><code>api_key:{key.pk}</code></dd>" in history  # the raw view keeps it


def test_actor_label__unknown_another_tenants_key_removed_user_operator__said_so_without_a_lookup_error(client):
    from themeconfig.admin.actors import actor_label, actor_names

    lake, other = make_staff("Lakeside Hotels"), make_staff("Other Hotels", username="other_{role}")
    theirs, _ = services.api_key_create(principal=other.principals["owner"], name="Their key", role="api")
    with tenant_context(lake.tenant.id):
        names = actor_names([f"api_key:{theirs.pk}", "user:999999", "operator:seed_demo", "api_key:x\x00", "user:9" * 30])
        assert names[f"api_key:{theirs.pk}"] == f"API key {theirs.pk}"  # RLS hides another tenant's key name
        assert names["user:999999"] == "A removed user (999999)"
        assert names["operator:seed_demo"] == "Operator seed_demo"
        assert str(actor_label(None)) == "—" and actor_label(None).html == "—"
        assert actor_label("api_key:x\x00").raw == "api_key:x\x00"
