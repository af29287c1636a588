"""Brand kits through the use cases and the admin: validated contracts, one default, OCC."""
from __future__ import annotations

import json

import pytest

from themeconfig import services
from themeconfig.models import BrandKit
from themeconfig.platform.errors import DomainError
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.django_db

COLORS = [{"name": "Blue", "value": "#0b3d91", "role": "primary"}, {"name": "Sand", "value": "#f4e9d8"}]
FONTS = [{"name": "Body", "family": "Inter", "role": "body"}]


@pytest.fixture
def tenant(tenant_factory):
    return tenant_factory()


def _member(tenant) -> Principal:
    return Principal.for_user(tenant_id=tenant.id, user_id=1, role="member")


def test_brand_kit_create__invalid_contract__422_every_path_and_nothing_written(tenant):
    with tenant_context(tenant.id):
        with pytest.raises(DomainError) as info:
            services.brand_kit_create(name=" ", colors=[{"name": "x", "value": "nope"}], fonts=[{}], principal=_member(tenant))
        assert info.value.http_status == 422
        assert {(e.path, e.code) for e in info.value.errors} == {
            ("/name", "invalid_name"), ("/colors/0/value", "invalid_color"),
            ("/fonts/0/name", "required"), ("/fonts/0/family", "required"),
        }
        assert not BrandKit.objects.exists()


def test_brand_kit_default__moves_to_the_new_default(tenant):
    with tenant_context(tenant.id):
        first = services.brand_kit_create(name="A", colors=COLORS, fonts=FONTS, is_default=True, principal=_member(tenant))
        second = services.brand_kit_create(name="B", colors=COLORS, fonts=FONTS, is_default=True, principal=_member(tenant))
        assert list(BrandKit.objects.filter(is_default=True).values_list("pk", flat=True)) == [second.pk]
        first.refresh_from_db()
        assert first.version == 2


def test_brand_kit_update__stale_version__409_with_current_version(tenant):
    with tenant_context(tenant.id):
        kit = services.brand_kit_create(name="A", colors=COLORS, fonts=FONTS, principal=_member(tenant))
        services.brand_kit_update(brand_kit_id=kit.pk, expected_version=1, name="A2", colors=COLORS, fonts=FONTS,
                                  principal=_member(tenant))
        with pytest.raises(DomainError) as info:
            services.brand_kit_update(brand_kit_id=kit.pk, expected_version=1, name="A3", colors=COLORS,
                                      fonts=FONTS, principal=_member(tenant))
        assert info.value.code == "MELMASTOON.BRAND_KIT.VERSION_CONFLICT" and info.value.extra["current_version"] == 2
        assert BrandKit.objects.get().name == "A2"


def test_brand_kit_delete__soft_and_frees_the_default(tenant):
    with tenant_context(tenant.id):
        kit = services.brand_kit_create(name="A", colors=COLORS, fonts=FONTS, is_default=True, principal=_member(tenant))
        services.brand_kit_delete(brand_kit_id=kit.pk, principal=_member(tenant))
        services.brand_kit_create(name="B", colors=COLORS, fonts=FONTS, is_default=True, principal=_member(tenant))
        kit.refresh_from_db()
        assert kit.deleted_at is not None and not kit.is_default


@pytest.fixture
def admin_client(client, tenant, membership_factory):
    with tenant_context(tenant.id):
        membership = membership_factory(role="admin")
    client.force_login(membership.user)
    client.post("/admin/select-tenant/", {"tenant_id": tenant.id})
    return client


def _form(**overrides):
    data = {"name": "Coastal", "colors": json.dumps(COLORS), "fonts": json.dumps(FONTS), "logos": "null",
            "style_preferences": "null", "is_default": "on"}
    data.update(overrides)
    return data


def test_admin_brand_kit__bad_colour__error_on_the_field_with_its_path(admin_client, tenant):
    bad = json.dumps([{"name": "Blue", "value": "bluish"}])
    response = admin_client.post("/admin/themeconfig/brandkit/add/", _form(colors=bad))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "colors" in errors and errors["colors"][0].startswith("0/value:")
    with tenant_context(tenant.id):
        assert not BrandKit.objects.exists()


def test_admin_brand_kit__created_then_stale_edit_refused(admin_client, tenant):
    response = admin_client.post("/admin/themeconfig/brandkit/add/", _form())
    assert response.status_code == 302
    with tenant_context(tenant.id):
        kit = BrandKit.objects.get()
        assert kit.created_by.startswith("user:") and kit.is_default
        services.brand_kit_update(brand_kit_id=kit.pk, expected_version=1, name="Other", colors=COLORS,
                                  fonts=FONTS, principal=_member(tenant))
    response = admin_client.post(
        f"/admin/themeconfig/brandkit/{kit.pk}/change/", _form(name="Mine", expected_version="1"), follow=True
    )
    assert "changed since version 1" in response.content.decode()
    with tenant_context(tenant.id):
        assert BrandKit.objects.get().name == "Other"
