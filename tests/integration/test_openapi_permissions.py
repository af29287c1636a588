"""The OpenAPI document says, for every tenant operation, the permission and API-key scope it needs."""
from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db

PUBLIC = {"/api/v1/health/", "/api/v1/health/worker/", "/api/v1/ready/", "/api/v1/resolve/", "/api/v1/preview/{token}/",
          "/api/v1/preview/{token}/css/"}


def test_every_tenant_operation__documents_its_permission_and_scope():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    missing = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items() if path not in PUBLIC
        for method, operation in operations.items()
        if "Needs the permission `" not in operation.get("description", "")
    ]
    assert len(schema["paths"]) > 20
    assert not missing, missing


def test_the_documented_permission__is_the_one_enforced(client, keyed_tenant_factory):
    """A viewer key is refused exactly the operations documented as needing more than reading."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    theme_post = schema["paths"]["/api/v1/themes/"]["post"]["description"]
    assert "`themes.edit`" in theme_post and "`themes:write`" in theme_post
    viewer = keyed_tenant_factory(role="viewer")
    response = client.post("/api/v1/themes/", "{}", content_type="application/json", **viewer.auth)
    assert response.status_code == 403 and response.json()["missing_permission"] == "themes.edit"


def test_hosts_schema__post_documents_201_created_and_200_already_there__one_host_get():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    post = schema["paths"]["/api/v1/hosts/"]["post"]["responses"]
    assert {"200", "201"} <= set(post)
    assert "get" in schema["paths"]["/api/v1/hosts/{host}/"]
