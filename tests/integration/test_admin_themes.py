"""Tenant staff's admin of themes and versions: pages and object actions by role, every one through a
use case; a stale theme save keeps the input and names who saved since; preview-ready problems listed."""
from __future__ import annotations

import pytest
from django.contrib.admin.utils import quote
from django.utils import timezone

from tests.factories.admin_staff import ROLES, Staff, make_staff, sign_in
from tests.unit.themeconfig.validators import samples
from themeconfig import services
from themeconfig.models import Theme, ThemeVersion
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.django_db

THEMES = "/admin/themeconfig/theme/"
VERSIONS = "/admin/themeconfig/themeversion/"


@pytest.fixture
def staff() -> Staff:
    return make_staff("Workspace Hotels")


@pytest.fixture
def theme(staff) -> Theme:
    return services.theme_create(principal=staff.principals["owner"], name="Seaside", enabled_locales=["en"],
                                 fallback_chain=["en"])


@pytest.fixture
def draft(staff, theme) -> ThemeVersion:
    return services.version_create(principal=staff.principals["member"], theme_id=theme.pk)


def reload(model, pk, tenant):
    with tenant_context(tenant.id):
        return model.objects.get(pk=pk)


def versions_of(theme) -> list[ThemeVersion]:
    with tenant_context(theme.tenant_id):
        return list(ThemeVersion.objects.filter(theme_id=theme.pk).order_by("ordinal"))


# --- pages by role ---------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_theme_and_version_pages__role__everyone_reads_editors_add(client, staff, theme, draft, role):
    sign_in(client, staff, role)
    for path in (THEMES, f"{THEMES}{theme.pk}/change/", VERSIONS, f"{VERSIONS}{draft.pk}/change/"):
        assert client.get(path).status_code == 200, (path, role)
    assert client.get(f"{THEMES}add/").status_code == (403 if role == "viewer" else 200)
    assert client.get(f"{VERSIONS}add/").status_code == 403  # drafts come from "New draft" only


def test_theme_changelist__columns__locales_status_publication_and_who(client, staff, theme):
    sign_in(client, staff, "viewer")
    page = client.get(THEMES).content.decode()
    assert "Seaside" in page and "owner_person" in page and "—" in page  # no active publication yet
    assert 'class="field-locales">en<' in page


def test_theme_changelist__search_and_status_filter__narrow_the_list(client, staff, theme, property_factory):
    with tenant_context(staff.tenant.id):
        lodge = property_factory(name="Lodge")
    services.theme_create(principal=staff.principals["owner"], name="Mountain", scope="property", property_id=lodge.pk)
    sign_in(client, staff, "viewer")
    assert [t.name for t in client.get(THEMES, {"q": "Mount"}).context["cl"].result_list] == ["Mountain"]
    assert {t.name for t in client.get(THEMES, {"scope__exact": "tenant"}).context["cl"].result_list} == {"Seaside"}


def test_theme_change_page__viewer__read_only_and_no_draft_button(client, staff, theme, draft):
    sign_in(client, staff, "viewer")
    page = client.get(f"{THEMES}{theme.pk}/change/").content.decode()
    assert 'name="_save"' not in page and 'name="name"' not in page
    assert "New blank draft" not in page
    assert f'{VERSIONS}{quote(draft.pk)}/change/' in page  # the versions table still links to the version


def test_theme_change_page__versions_table__ordinal_badge_with_text_who_and_link(client, staff, theme, draft):
    sign_in(client, staff, "member")
    page = client.get(f"{THEMES}{theme.pk}/change/").content.decode()
    assert 'id="theme-versions"' in page
    assert '<span class="tc-badge tc-badge--draft">Draft</span>' in page
    assert "member_person" in page and f'href="{VERSIONS}{quote(draft.pk)}/change/"' in page
    assert "New blank draft" in page and "themeconfig/admin/workspace.css" in page


# --- theme add and change through the use cases ----------------------------------------------------

def theme_form(**overrides) -> dict:
    return {"name": "Harbour", "scope": "tenant", "property_id": "", "default_locale": "en",
            "enabled_locales": "en,fr", "fallback_chain": "fr,en", **overrides}


def test_theme_add__member__created_by_theme_create_with_its_actor(client, staff):
    sign_in(client, staff, "member")
    response = client.post(f"{THEMES}add/", theme_form())
    assert response.status_code == 302
    with tenant_context(staff.tenant.id):
        theme = Theme.objects.get(name="Harbour")
    assert theme.created_by == f"user:{staff.users['member'].pk}" and theme.enabled_locales == ["en", "fr"]


def test_theme_add__slot_taken__error_beside_the_property_field_and_input_kept(client, staff, theme):
    sign_in(client, staff, "member")
    response = client.post(f"{THEMES}add/", theme_form(name="Second"))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "property_id" in form.errors and form.data["name"] == "Second"
    with tenant_context(staff.tenant.id):
        assert not Theme.objects.filter(name="Second").exists()


def test_theme_add__viewer__403_nothing_created(client, staff):
    sign_in(client, staff, "viewer")
    assert client.post(f"{THEMES}add/", theme_form()).status_code == 403
    with tenant_context(staff.tenant.id):
        assert not Theme.objects.exists()


def change_form(theme, **overrides) -> dict:
    return {"name": theme.name, "default_locale": theme.default_locale, "enabled_locales": ",".join(theme.enabled_locales),
            "fallback_chain": ",".join(theme.fallback_chain), "status": theme.status,
            "expected_version": theme.version, **overrides}


def test_theme_change__member__name_saved_through_theme_update(client, staff, theme):
    sign_in(client, staff, "member")
    page = client.get(f"{THEMES}{theme.pk}/change/").content.decode()
    assert '<input type="text" name="name"' in page  # a single line, not a textarea
    assert '<input type="text" name="default_locale"' in page
    response = client.post(f"{THEMES}{theme.pk}/change/", change_form(theme, name="Seaside Deluxe"))
    assert response.status_code == 302
    saved = reload(Theme, theme.pk, staff.tenant)
    assert saved.name == "Seaside Deluxe" and saved.version == theme.version + 1
    assert saved.updated_by == f"user:{staff.users['member'].pk}"


def test_theme_change__stale_version__conflict_names_who_and_when_keeps_input(client, staff, theme):
    services.theme_update(principal=staff.principals["admin"], theme_id=theme.pk, expected_version=theme.version,
                          name="Their name")
    sign_in(client, staff, "member")
    response = client.post(f"{THEMES}{theme.pk}/change/", change_form(theme, name="My name"))
    assert response.status_code == 200
    page = response.content.decode()
    current = reload(Theme, theme.pk, staff.tenant)
    assert "admin_person@example.com changed this theme at" in page and "now version 2" in page and "Their name" in page
    assert 'value="My name"' in page  # the user's input is kept
    assert current.name == "Their name"
    assert response.context["adminform"].form.data["expected_version"] == "2"
    # Saving again is a deliberate overwrite.
    again = client.post(f"{THEMES}{theme.pk}/change/", change_form(theme, name="My name", expected_version=2))
    assert again.status_code == 302 and reload(Theme, theme.pk, staff.tenant).name == "My name"


def test_theme_change__member__status_read_only_only_publishers_change_it(client, staff, theme):
    sign_in(client, staff, "member")
    client.post(f"{THEMES}{theme.pk}/change/", change_form(theme, status="suspended"))
    theme = reload(Theme, theme.pk, staff.tenant)
    assert theme.status == "active"
    sign_in(client, staff, "admin")
    response = client.post(f"{THEMES}{theme.pk}/change/", change_form(theme, status="suspended"))
    assert response.status_code == 302 and reload(Theme, theme.pk, staff.tenant).status == "suspended"


# --- soft delete and restore -----------------------------------------------------------------------

def act(client, action: str, theme, **params):
    return client.post(THEMES + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""),
                       {"action": action, "_selected_action": [theme.pk], "index": "0"})


def test_theme_soft_delete_and_restore__owner__hidden_then_listed_under_deleted_then_back(client, staff, theme):
    sign_in(client, staff, "owner")
    assert act(client, "soft_delete", theme).status_code == 302
    assert reload(Theme, theme.pk, staff.tenant).deleted_at is not None
    assert list(client.get(THEMES).context["cl"].result_list) == []
    assert [t.pk for t in client.get(THEMES, {"deleted": "yes"}).context["cl"].result_list] == [theme.pk]
    page = client.get(f"{THEMES}{theme.pk}/change/").content.decode()
    assert 'name="_save"' not in page and "New blank draft" not in page  # a deleted theme is read-only
    assert act(client, "restore", theme, deleted="yes").status_code == 302
    assert reload(Theme, theme.pk, staff.tenant).deleted_at is None


@pytest.mark.parametrize("role", ["admin", "member", "viewer"])
def test_theme_soft_delete__role_without_themes_delete__not_offered_nothing_deleted(client, staff, theme, role):
    sign_in(client, staff, role)
    action_form = client.get(THEMES).context["action_form"]
    actions = dict(action_form.fields["action"].choices) if action_form else {}
    assert "soft_delete" not in actions and "restore" not in actions
    act(client, "soft_delete", theme)
    assert reload(Theme, theme.pk, staff.tenant).deleted_at is None


# --- version pages and object actions --------------------------------------------------------------

def test_version_changelist__columns_and_filters__badge_and_theme(client, staff, theme, draft):
    sign_in(client, staff, "viewer")
    page = client.get(VERSIONS, {"status__exact": "draft", "theme__id__exact": theme.pk}).content.decode()
    assert '<span class="tc-badge tc-badge--draft">Draft</span>' in page and "member_person" in page
    assert client.get(VERSIONS, {"status__exact": "published"}).context["cl"].result_list.count() == 0


@pytest.mark.parametrize("role,buttons", [
    ("owner", {"New draft from this version", "Mark preview-ready", "Archive"}),
    ("admin", {"New draft from this version", "Mark preview-ready", "Archive"}),
    ("member", {"New draft from this version"}),
    ("viewer", set()),
])
def test_version_change_page__role__only_the_actions_it_may_take(client, staff, draft, role, buttons):
    sign_in(client, staff, role)
    page = client.get(f"{VERSIONS}{draft.pk}/change/").content.decode()
    shown = {b for b in ("New draft from this version", "Mark preview-ready", "Archive") if f">{b}</button>" in page}
    assert shown == buttons
    assert 'id="tokens-color"' in page  # every role sees the tokens (read-only)


def test_version_change_page__tokens_and_layout__shown_read_only_pretty_printed(client, staff, draft):
    sign_in(client, staff, "member")
    page = client.get(f"{VERSIONS}{draft.pk}/change/").content.decode()
    assert 'name="tokens"' not in page and 'name="layout_selections"' not in page
    assert '<pre class="tc-json">{\n' in page and 'id="layout_selections"' in page


@pytest.mark.parametrize("role,allowed", [("owner", True), ("member", True), ("viewer", False)])
def test_version_new_draft_from__role__copy_made_by_version_create_or_403(client, staff, theme, draft, role, allowed):
    sign_in(client, staff, role)
    response = client.post(f"{VERSIONS}{draft.pk}/new-draft/")
    versions = versions_of(theme)
    if not allowed:
        assert response.status_code == 403 and len(versions) == 1
        return
    assert len(versions) == 2
    copy = versions[-1]
    assert response.status_code == 302 and response["Location"] == f"{VERSIONS}{quote(copy.pk)}/change/"
    assert copy.ordinal == 2 and copy.status == "draft" and copy.tokens == draft.tokens


@pytest.mark.parametrize("role,allowed", [("admin", True), ("member", True), ("viewer", False)])
def test_theme_new_blank_draft__role__draft_made_or_403(client, staff, theme, role, allowed):
    sign_in(client, staff, role)
    response = client.post(f"{THEMES}{theme.pk}/new-draft/")
    assert response.status_code == (302 if allowed else 403)
    assert len(versions_of(theme)) == (1 if allowed else 0)


def test_object_actions__get__405_nothing_done(client, staff, theme, draft):
    sign_in(client, staff, "owner")
    for url in (f"{THEMES}{theme.pk}/new-draft/", f"{VERSIONS}{draft.pk}/new-draft/",
                f"{VERSIONS}{draft.pk}/mark-preview-ready/", f"{VERSIONS}{draft.pk}/archive/"):
        assert client.get(url).status_code == 405, url
    assert [v.status for v in versions_of(theme)] == ["draft"]


def test_object_actions__without_csrf_token__refused(staff, theme, draft):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    sign_in(client, staff, "owner")
    assert client.post(f"{VERSIONS}{draft.pk}/archive/").status_code == 403
    assert reload(ThemeVersion, draft.pk, staff.tenant).status == "draft"


def test_mark_preview_ready__member__403_still_draft(client, staff, draft):
    sign_in(client, staff, "member")
    assert client.post(f"{VERSIONS}{draft.pk}/mark-preview-ready/").status_code == 403
    assert reload(ThemeVersion, draft.pk, staff.tenant).status == "draft"


def test_mark_preview_ready__problems__every_problem_listed_with_path_and_field_link(client, staff, draft):
    with tenant_context(staff.tenant.id):  # arranged behind the use cases' back: a broken token
        ThemeVersion.objects.filter(pk=draft.pk).update(tokens={**draft.tokens, "color": {"primary": "nope"}})
        problems = services.version_problems(ThemeVersion.objects.get(pk=draft.pk))
    assert any(p.path.startswith("/tokens/color") for p in problems) and any(
        p.path == "/locale_packs/en" for p in problems)
    sign_in(client, staff, "admin")
    response = client.post(f"{VERSIONS}{draft.pk}/mark-preview-ready/", {"expected_version": draft.version},
                           follow=True)
    assert response.redirect_chain[-1][0] == f"{VERSIONS}{quote(draft.pk)}/change/?problems=1"
    page = response.content.decode()
    assert f"{len(problems)} problem" in page and 'id="preview-problems"' in page
    listed = response.context["problems"]
    assert [(p["path"], p["message"]) for p in listed] == [(p.path, p.message) for p in problems]
    for problem in problems:
        assert f"<code>{problem.path}</code>" in page
    token_problem = next(p for p in listed if p["path"].startswith("/tokens/color"))
    assert token_problem["anchor"] == "#tokens-color" and 'id="tokens-color"' in page
    assert '<a href="#tokens-color">go to the field</a>' in page
    # A missing pack links to the Locales tab, on that locale's editor.
    assert next(p for p in listed if p["path"] == "/locale_packs/en")["anchor"] == (
        f"{VERSIONS}{quote(draft.pk)}/locales/?locale=en#editor")
    assert reload(ThemeVersion, draft.pk, staff.tenant).status == "draft"


def test_mark_preview_ready__valid_version__admin_makes_it_preview_ready(client, staff, draft):
    services.locale_pack_put(principal=staff.principals["member"], version_id=draft.pk, locale="en",
                             entries=samples.valid_default_entries())
    current = reload(ThemeVersion, draft.pk, staff.tenant)
    sign_in(client, staff, "admin")
    response = client.post(f"{VERSIONS}{draft.pk}/mark-preview-ready/", {"expected_version": current.version})
    assert response.status_code == 302 and response["Location"] == f"{VERSIONS}{quote(draft.pk)}/change/"
    assert reload(ThemeVersion, draft.pk, staff.tenant).status == "preview_ready"


def test_mark_preview_ready__stale_page__conflict_message_nothing_changed(client, staff, draft):
    services.version_update(principal=staff.principals["member"], version_id=draft.pk,
                            expected_version=draft.version, release_notes="newer")
    sign_in(client, staff, "admin")
    response = client.post(f"{VERSIONS}{draft.pk}/archive/", {"expected_version": draft.version}, follow=True)
    assert "changed since version 1" in response.content.decode()
    assert reload(ThemeVersion, draft.pk, staff.tenant).status == "draft"


@pytest.mark.parametrize("role,allowed", [("owner", True), ("admin", True), ("member", False), ("viewer", False)])
def test_version_archive__role__archived_by_publishers_only(client, staff, draft, role, allowed):
    sign_in(client, staff, role)
    response = client.post(f"{VERSIONS}{draft.pk}/archive/", {"expected_version": draft.version})
    assert response.status_code == (302 if allowed else 403)
    assert reload(ThemeVersion, draft.pk, staff.tenant).status == ("archived" if allowed else "draft")


def test_version_change_page__archived__read_only_only_new_draft_offered(client, staff, draft):
    services.version_archive(principal=staff.principals["admin"], version_id=draft.pk, expected_version=draft.version)
    sign_in(client, staff, "owner")
    page = client.get(f"{VERSIONS}{draft.pk}/change/").content.decode()
    assert 'name="_save"' not in page and 'name="release_notes"' not in page
    assert ">New draft from this version</button>" in page
    assert ">Archive</button>" not in page and ">Mark preview-ready</button>" not in page
    assert '<span class="tc-badge tc-badge--archived">Archived</span>' in page
    assert client.post(f"{VERSIONS}{draft.pk}/change/", {"release_notes": "x"}).status_code == 403


def test_version_change__release_notes__saved_through_version_update(client, staff, draft):
    sign_in(client, staff, "member")
    response = client.post(f"{VERSIONS}{draft.pk}/change/", {"release_notes": "Summer look",
                                                            "expected_version": draft.version})
    assert response.status_code == 302
    saved = reload(ThemeVersion, draft.pk, staff.tenant)
    assert saved.release_notes == "Summer look" and saved.version == draft.version + 1


def colour_rows(version: ThemeVersion, **changes) -> dict:
    return {f"colors__{name}": value for name, value in {**version.tokens["color"], **changes}.items()}


def test_version_change__colour_editor__swatches_and_contrast_shown_primary_saved_in_the_tokens(client, staff, draft):
    sign_in(client, staff, "member")
    page = client.get(f"{VERSIONS}{draft.pk}/change/").content.decode()
    assert 'name="colors__primary"' in page and 'type="color"' in page and "token-editor.js" in page
    assert "PASS" in page or "FAIL" in page  # the server-side contrast badges
    response = client.post(f"{VERSIONS}{draft.pk}/change/", {
        "release_notes": "", "expected_version": draft.version, **colour_rows(draft, primary="#123456")})
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = reload(ThemeVersion, draft.pk, staff.tenant)
    assert saved.tokens["color"]["primary"] == "#123456" and saved.version == draft.version + 1
    assert saved.tokens["typography"] == draft.tokens["typography"]  # the rest of the set kept


def test_version_change__colour_not_css__error_names_the_token_nothing_saved(client, staff, draft):
    sign_in(client, staff, "member")
    response = client.post(f"{VERSIONS}{draft.pk}/change/", {
        "release_notes": "", "expected_version": draft.version, **colour_rows(draft, primary="javascript:x")})
    assert response.status_code == 200 and "primary" in response.content.decode()
    assert reload(ThemeVersion, draft.pk, staff.tenant).version == draft.version


def test_version_change__published__no_colour_editor(client, staff, draft):
    with tenant_context(staff.tenant.id):
        ThemeVersion.objects.filter(pk=draft.pk).update(status="archived", archived_at=timezone.now(),
                                                        archived_reason="superseded")
    sign_in(client, staff, "owner")
    page = client.get(f"{VERSIONS}{draft.pk}/change/").content.decode()
    assert 'name="colors__primary"' not in page and "tokens-color" in page
