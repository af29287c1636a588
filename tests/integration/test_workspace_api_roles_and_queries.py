"""The workspace API by role (API keys and signed-in members alike), and list endpoints whose query
count does not grow with the number of rows."""
from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.tenancy import ApiClientFactory, MembershipFactory, TenantFactory
from tests.shared_rows import shared_rows
from themeconfig import services
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.django_db
ROLES = ("owner", "admin", "member", "api", "viewer")

# action → roles allowed (the product rules, written out by hand)
ALLOWED = {
    "list_themes": set(ROLES),
    "create_theme": {"owner", "admin", "member", "api"},
    "new_draft": {"owner", "admin", "member", "api"},
    "edit_draft": {"owner", "admin", "member", "api"},
    "preview_link": {"owner", "admin", "member", "api"},
    "preview_ready": {"owner", "admin", "api"},
    "suspend_theme": {"owner", "admin", "api"},
    "delete_theme": {"owner"},
    "list_api_keys": set(ROLES),
    "issue_api_key": {"owner", "admin"},
    "read_audit_log": set(ROLES),
}


def _make_world():
    """A tenant with a theme and a draft of it, made through the use cases."""
    tenant = TenantFactory()
    operator = Principal.operator("test", tenant_id=tenant.id)
    theme = services.theme_create(principal=operator, name="Lake")
    version = services.version_create(principal=operator, theme_id=theme.pk)
    return tenant, theme, version


@pytest.fixture
def world():
    return _make_world()


def _requests(theme, version):
    return {
        "list_themes": ("get", "/api/v1/themes/", None),
        "create_theme": ("post", "/api/v1/themes/", {"name": "Other", "scope": "property",
                                                     "property_id": "prp_01M84PX9M9SYNQ39P6SWS9"}),
        "new_draft": ("post", f"/api/v1/themes/{theme.pk}/versions/", {}),
        "edit_draft": ("patch", f"/api/v1/versions/{version.pk}/", {"release_notes": "x", "version": 1}),
        "preview_link": ("post", f"/api/v1/versions/{version.pk}/preview-tokens/", {}),
        "preview_ready": ("post", f"/api/v1/versions/{version.pk}/preview-ready/", {"version": 1}),
        "suspend_theme": ("patch", f"/api/v1/themes/{theme.pk}/", {"status": "suspended", "version": 1}),
        "delete_theme": ("delete", f"/api/v1/themes/{theme.pk}/", None),
        "list_api_keys": ("get", "/api/v1/api-keys/", None),
        "issue_api_key": ("post", "/api/v1/api-keys/", {"name": "k", "role": "viewer"}),
        "read_audit_log": ("get", "/api/v1/audit-log/", None),
    }


def _call(client, method, path, body, headers):
    if body is None:
        return getattr(client, method)(path, HTTP_IF_MATCH='"1"', **headers)
    return getattr(client, method)(path, json.dumps(body), content_type="application/json", **headers)


@pytest.mark.parametrize("door", ["api_key", "member"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_role_x_action__allowed_or_403_naming_the_permission(client, world, action, role, door):
    tenant, theme, version = world
    with tenant_context(tenant.id):
        if door == "api_key":
            headers = {"HTTP_AUTHORIZATION": f"Bearer {ApiClientFactory(role=role).secret}"}
        else:
            client.force_login(MembershipFactory(role=role).user)
            headers = {"HTTP_X_TENANT_ID": tenant.id}
    method, path, body = _requests(theme, version)[action]
    response = _call(client, method, path, body, headers)
    if role in ALLOWED[action]:
        # Allowed: whatever the use case then says about the input, it is never a 403.
        assert response.status_code != 403, (action, role, response.content[:300])
        assert response.status_code < 500
    else:
        assert response.status_code == 403, (action, role, response.status_code, response.content[:300])
        assert response.json()["missing_permission"]


LISTS = [
    "/api/v1/themes/?deleted=include", "/api/v1/themes/{theme}/versions/", "/api/v1/versions/{version}/content-blocks/",
    "/api/v1/versions/{version}/locales/", "/api/v1/versions/{version}/preview-tokens/", "/api/v1/api-keys/",
    "/api/v1/audit-log/", "/api/v1/properties/",
]


def _grow(tenant, theme, version, n):
    """n more rows behind every list endpoint."""
    from publishing.services import preview_token_create
    from tests.factories.tenancy import PropertyFactory
    from themeconfig.models import Theme

    operator = Principal.operator("test", tenant_id=tenant.id)
    for index in range(n):
        with tenant_context(tenant.id):
            Theme.objects.create(tenant_id=tenant.id, name=f"T{index}", scope="tenant", default_locale="en",
                                 enabled_locales=["en"], fallback_chain=["en"], status="active", created_by="t",
                                 updated_by="t", deleted_at="2026-01-01T00:00:00Z")
            PropertyFactory()
            ApiClientFactory()
        services.version_create(principal=operator, theme_id=theme.pk)
        services.content_block_create(principal=operator, version_id=version.pk, surface="home", kind="rich_text",
                                      body={"en": {"format": "markdown", "value": f"{index}"}}, meta={"kind": "rich_text"})
        preview_token_create(principal=operator, version_id=version.pk)
    from themeconfig.models import LocalePack

    with tenant_context(tenant.id):
        has_pack = LocalePack.objects.filter(theme_version_id=version.pk).exists()
    if not has_pack:
        services.locale_pack_put(principal=operator, version_id=version.pk, locale="en", entries={"a.b": "x"})


def _few_and_many():
    """Two tenants, each with a theme and a draft: `few` with one more row behind every list endpoint,
    `many` with fifty (built through the use cases, as a tenant's rows come to be)."""
    worlds = {}
    for name, rows in (("few", 1), ("many", 50)):
        tenant, theme, version = _make_world()
        with tenant_context(tenant.id):
            key = ApiClientFactory(role="owner")
        _grow(tenant, theme, version, rows)
        worlds[name] = (theme, version, key.secret)
    return worlds


@pytest.fixture(scope="class")
def few_and_many(django_db_setup, django_db_blocker):
    """Built once for the eight endpoints (tests/shared_rows.py), each of which reads both tenants."""
    yield from shared_rows(django_db_blocker, _few_and_many)


@pytest.mark.slow
class TestListQueryCounts:
    @pytest.mark.parametrize("template", LISTS)
    def test_list_endpoint__same_query_count_for_1_and_50_rows(self, client, few_and_many, template):
        def cost(world):
            theme, version, secret = world
            path = template.format(theme=theme.pk, version=version.pk)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path + ("&" if "?" in path else "?") + "page_size=100",
                                      HTTP_AUTHORIZATION=f"Bearer {secret}")
            assert response.status_code == 200, response.content[:300]
            return len(ctx.captured_queries), len(response.json()["results"])

        # Each key's last-used stamp is written once a minute: out of the way before measuring.
        cost(few_and_many["few"])
        cost(few_and_many["many"])
        few_queries, few_rows = cost(few_and_many["few"])
        many_queries, many_rows = cost(few_and_many["many"])
        assert many_rows > few_rows or "locales" in template  # one pack per locale: the row count cannot grow
        assert many_queries == few_queries, (template, few_queries, many_queries)
