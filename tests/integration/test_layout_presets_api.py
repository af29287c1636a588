"""GET /api/v1/layout-presets/: the seeded registry, and the validator fed from it."""
import pytest

from themeconfig import selectors
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.validators import ContractViolation, validate_layout_selections

pytestmark = pytest.mark.django_db


def test_layout_presets__listed_by_surface(client, keyed_tenant_factory, django_assert_num_queries):
    keyed = keyed_tenant_factory()
    # savepoint, set_config, key, last_used_at, the list, the outer GUC put back (test transaction), release
    with django_assert_num_queries(7):
        response = client.get("/api/v1/layout-presets/", **keyed.auth)
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) >= 10 and {r["surface"] for r in rows} == {"home", "detail", "search", "custom"}
    assert all(r["thumbnail_url"].startswith("/static/themeconfig/layout-presets/") for r in rows)
    home = client.get("/api/v1/layout-presets/?surface=home", **keyed.auth).json()
    assert home and {r["surface"] for r in home} == {"home"}


def test_layout_presets__bad_surface__422_naming_it(client, keyed_tenant_factory):
    keyed = keyed_tenant_factory()
    response = client.get("/api/v1/layout-presets/?surface=footer", **keyed.auth)
    assert response.status_code == 422 and response.json()["errors"][0]["path"] == "/surface"


def test_layout_presets__thumbnails_exist_as_static_files(client, keyed_tenant_factory):
    from django.contrib.staticfiles import finders

    keyed = keyed_tenant_factory()
    for row in client.get("/api/v1/layout-presets/", **keyed.auth).json():
        assert finders.find(row["thumbnail_url"].removeprefix("/static/")), row["thumbnail_url"]


def test_layout_selections__validated_against_the_seeded_registry(tenant_factory):
    tenant = tenant_factory()
    with tenant_context(tenant.id):
        presets = selectors.layout_presets_for_validation()
    home = next(p for p in presets.values() if p.surface == "home" and p.is_active)
    selection = {"home": {"preset": home.key, "variant": home.supported_variants[0]}}
    assert validate_layout_selections(selection, presets=presets)["home"]["preset"] == home.key
    with pytest.raises(ContractViolation) as info:
        validate_layout_selections({"home": {"preset": home.key, "variant": "no-such-variant"}}, presets=presets)
    assert [(i.path, i.code) for i in info.value.issues] == [("/home/variant", "unsupported_variant")]
