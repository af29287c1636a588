"""Colour pairs below WCAG AA at preview-ready: problems or warnings as the tenant's `contrast_policy`
setting says (default: text pairs block, interface pairs warn), over HTTP and on the admin page."""
from __future__ import annotations

import json

import pytest
from django.contrib.admin.utils import quote

from tests.factories.admin_staff import make_staff, sign_in
from tests.unit.themeconfig.validators import samples
from themeconfig import services
from themeconfig.models import Tenant, ThemeVersion
from themeconfig.platform.errors import DomainError
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.django_db

# Every pair of validators/contrast.py passes on this palette (the demo theme's).
PASSING = {"primary": "#0b3d91", "on_primary": "#ffffff", "secondary": "#0e6b6b", "on_secondary": "#ffffff",
           "accent": "#b8432e", "on_accent": "#ffffff", "background": "#fbf6ee", "surface": "#ffffff",
           "text": "#1c2430", "text_muted": "#4f5b66", "link": "#0b4fa8", "border": "#8c7b68"}
CORAL_ACCENT = {"accent": "#ff6f59", "on_accent": "#1c2430"}  # the old demo's accent: under 3:1 (a UI pair)
PALE_MUTED_TEXT = {"text_muted": "#a0a8b0"}  # 2.4:1 on the background (a text pair)


def set_policy(tenant_id: str, policy: str | None) -> None:
    owner = Principal.for_user(tenant_id=tenant_id, user_id=1, role="owner")
    services.tenant_update(principal=owner, name="Seaside Hotels",
                           settings={} if policy is None else {"contrast_policy": policy})


def post_json(client, path, body, auth):
    return client.post(path, json.dumps(body), content_type="application/json", **auth)


@pytest.fixture
def keyed(keyed_tenant_factory):
    return keyed_tenant_factory(role="admin")


def draft_with_colors(keyed, colors: dict) -> ThemeVersion:
    member = Principal.for_user(tenant_id=keyed.id, user_id=2, role="member")
    theme = services.theme_create(principal=member, name="Seaside", enabled_locales=["en"], fallback_chain=["en"])
    draft = services.version_create(principal=member, theme_id=theme.pk)
    services.version_update(principal=member, version_id=draft.pk, expected_version=draft.version,
                            tokens=samples.valid_tokens(color={**PASSING, **colors}))
    services.locale_pack_put(principal=member, version_id=draft.pk, locale="en", entries=samples.valid_default_entries())
    with tenant_context(keyed.id):
        return ThemeVersion.objects.get(pk=draft.pk)


def paths(findings) -> set[str]:
    return {f["path"] for f in findings}


@pytest.mark.parametrize("policy, colors, status, problems, warnings", [
    (None, CORAL_ACCENT, 200, set(), {"/tokens/color/accent"}),
    ("text_block_ui_warn", CORAL_ACCENT, 200, set(), {"/tokens/color/accent"}),
    (None, {**CORAL_ACCENT, **PALE_MUTED_TEXT}, 422, {"/tokens/color/text_muted"}, {"/tokens/color/accent"}),
    ("all_block", CORAL_ACCENT, 422, {"/tokens/color/accent"}, set()),
    ("warn_only", {**CORAL_ACCENT, **PALE_MUTED_TEXT}, 200, set(), {"/tokens/color/accent", "/tokens/color/text_muted"}),
    ("all_block", {}, 200, set(), set()),
])
def test_preview_ready__failing_contrast__blocks_or_warns_per_tenant_policy(
        client, keyed, policy, colors, status, problems, warnings):
    set_policy(keyed.id, policy)
    draft = draft_with_colors(keyed, colors)
    response = post_json(client, f"/api/v1/versions/{draft.pk}/preview-ready/", {"version": draft.version}, keyed.auth)
    body = response.json()
    assert response.status_code == status, body
    if status == 422:
        assert body["code"] == "MELMASTOON.THEME.NOT_PREVIEW_READY"
        assert paths(body["errors"]) == problems and paths(body["warnings"]) == warnings
        assert {e["code"] for e in body["errors"]} == {"low_contrast"}
    else:
        assert body["status"] == "preview_ready" and paths(body["warnings"]) == warnings
    assert {w["code"] for w in body["warnings"]} <= {"low_contrast"}
    with tenant_context(keyed.id):
        assert ThemeVersion.objects.get(pk=draft.pk).status == ("draft" if status == 422 else "preview_ready")


def test_preview_ready__failing_text_pair__publish_refused_too(keyed):
    from publishing.services import publish

    draft = draft_with_colors(keyed, PALE_MUTED_TEXT)
    admin = Principal.for_user(tenant_id=keyed.id, user_id=3, role="admin")
    with pytest.raises(DomainError) as refused:
        publish.version_publish(principal=admin, version_id=draft.pk, expected_theme_version=1)
    assert refused.value.code == "MELMASTOON.THEME.NOT_PREVIEW_READY"
    assert paths(e.as_dict() for e in refused.value.errors) == {"/tokens/color/text_muted"}


@pytest.mark.parametrize("value", ["block_everything", 3, None, ["all_block"]])
def test_tenant_settings__unknown_contrast_policy__refused_with_its_path(keyed, value):
    with pytest.raises(DomainError) as refused:
        services.tenant_update(principal=Principal.for_user(tenant_id=keyed.id, user_id=1, role="owner"),
                               name="Seaside Hotels", settings={"contrast_policy": value})
    assert refused.value.code == "MELMASTOON.VALIDATION.FAILED"
    assert [(e.path, e.code) for e in refused.value.errors] == [("/settings/contrast_policy", "invalid_choice")]


def test_admin_mark_preview_ready__ui_pair_fails__ready_and_warning_listed_apart_from_problems(client):
    staff = make_staff("Seaside Hotels")
    member = staff.principals["member"]
    theme = services.theme_create(principal=member, name="Seaside", enabled_locales=["en"], fallback_chain=["en"])
    draft = services.version_create(principal=member, theme_id=theme.pk)
    services.version_update(principal=member, version_id=draft.pk, expected_version=draft.version,
                            tokens=samples.valid_tokens(color={**PASSING, **CORAL_ACCENT}))
    services.locale_pack_put(principal=member, version_id=draft.pk, locale="en", entries=samples.valid_default_entries())
    with tenant_context(staff.tenant.id):
        current = ThemeVersion.objects.get(pk=draft.pk)
    sign_in(client, staff, "admin")
    response = client.post(f"/admin/themeconfig/themeversion/{quote(draft.pk)}/mark-preview-ready/",
                           {"expected_version": current.version}, follow=True)
    assert response.redirect_chain[-1][0].endswith("/change/?problems=1")
    assert response.context["problems"] == []
    assert [w["path"] for w in response.context["warnings"]] == ["/tokens/color/accent"] * 2
    page = response.content.decode()
    warnings_section = page[page.index('id="preview-warnings"'):]
    assert "2 warnings" in warnings_section and "<code>/tokens/color/accent</code>" in warnings_section
    assert "<code>/tokens/color/accent</code>" not in page[page.index('id="preview-problems"'):page.index(
        'id="preview-warnings"')]
    with tenant_context(staff.tenant.id):
        assert ThemeVersion.objects.get(pk=draft.pk).status == "preview_ready"


def test_admin_tenant_page__settings__contrast_policy_explained_and_a_bad_one_refused(client):
    staff = make_staff("Seaside Hotels")
    sign_in(client, staff, "owner")
    url = f"/admin/themeconfig/tenant/{staff.tenant.id}/change/"
    assert "text_block_ui_warn | all_block | warn_only" in client.get(url).content.decode()
    refused = client.post(url, {"name": "Seaside Hotels", "settings": '{"contrast_policy": "lenient"}'}, follow=True)
    assert '<li class="error">' in refused.content.decode() and "settings/contrast_policy" in refused.content.decode()
    with tenant_context(staff.tenant.id):
        assert Tenant.objects.get(pk=staff.tenant.id).settings == {}
    client.post(url, {"name": "Seaside Hotels", "settings": '{"contrast_policy": "warn_only"}'})
    with tenant_context(staff.tenant.id):
        assert Tenant.objects.get(pk=staff.tenant.id).settings == {"contrast_policy": "warn_only"}
