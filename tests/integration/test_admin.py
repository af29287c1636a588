"""Django admin for tenant staff: pick a tenant, see only its rows, act within the membership role;
the header, favicon, "View site", single-line names, invitations and once-shown secrets."""
from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import override_settings

from themeconfig.models import ApiClient, Invitation, Membership, TenantHost
from themeconfig.platform import api_key_secrets
from themeconfig.platform.encryption import lookup_hashes
from themeconfig.platform.middleware import SESSION_TENANT_KEY
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.django_db

ROLES = ("owner", "admin", "member", "viewer")


@pytest.fixture
def staff(tenant_factory, membership_factory, property_factory, user_factory):
    mine, theirs = tenant_factory(name="Mine Hotels"), tenant_factory(name="Their Hotels")
    user = user_factory()
    with tenant_context(mine.id):
        membership_factory(user=user, role="admin")
        property_factory(name="Mine Seaside")
    with tenant_context(theirs.id):
        property_factory(name="Their Mountain Lodge")
    return user, mine, theirs


def sign_in(client, user, tenant) -> None:
    client.force_login(user)
    session = client.session
    session[SESSION_TENANT_KEY] = tenant.id
    session.save()


@pytest.fixture
def member_of(tenant_factory, membership_factory):
    """member_of(role) -> (user, tenant): a user with that role in a tenant of their own."""

    def make(role: str, **tenant_fields):
        tenant = tenant_factory(**tenant_fields)
        with tenant_context(tenant.id):
            membership = membership_factory(role=role)
        return membership.user, tenant

    return make


# --- the tenant picker ---------------------------------------------------------------------------

def test_admin__no_tenant_picked__redirected_to_picker(client, staff):
    user, _, _ = staff
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/select-tenant/")


def test_admin_picker__member_of_two__lists_only_own_tenants_and_picks(client, staff, tenant_factory,
                                                                      membership_factory):
    user, mine, theirs = staff
    second = tenant_factory(name="Second Hotels")
    with tenant_context(second.id):
        membership_factory(user=user, role="viewer")
    client.force_login(user)
    page = client.get("/admin/select-tenant/").content.decode()
    assert "Mine Hotels" in page and "Second Hotels" in page and "Their Hotels" not in page
    response = client.post("/admin/select-tenant/", {"tenant_id": mine.id, "next": "/admin/"})
    assert response.status_code == 302 and client.session[SESSION_TENANT_KEY] == mine.id


def test_admin_picker__exactly_one_tenant__picked_without_being_asked(client, staff):
    user, mine, _ = staff
    client.force_login(user)
    response = client.get("/admin/themeconfig/property/", follow=True)
    assert response.status_code == 200 and client.session[SESSION_TENANT_KEY] == mine.id
    assert response.redirect_chain[-1][0] == "/admin/themeconfig/property/"
    assert "Choose the tenant" not in response.content.decode() and "Mine Seaside" in response.content.decode()


def test_admin_picker__one_tenant_already_picked__list_shown_to_switch(client, staff):
    user, mine, _ = staff
    sign_in(client, user, mine)
    response = client.get("/admin/select-tenant/")
    assert response.status_code == 200 and "Mine Hotels" in response.content.decode()


def test_admin_picker__no_tenant__superuser_pointed_at_the_platform_site(client, user_factory):
    operator = user_factory(is_superuser=True)
    client.force_login(operator)
    page = client.get("/admin/select-tenant/").content.decode()
    assert "not a member of any tenant" in page and 'href="/platform/"' in page


def test_admin_picker__tenant_not_a_member_of__refused(client, staff):
    user, _, theirs = staff
    client.force_login(user)
    response = client.post("/admin/select-tenant/", {"tenant_id": theirs.id})
    assert response.status_code == 400 and SESSION_TENANT_KEY not in client.session


def test_admin_picker__next_outside_admin__goes_to_admin_index(client, staff):
    user, mine, _ = staff
    client.force_login(user)
    response = client.post("/admin/select-tenant/", {"tenant_id": mine.id, "next": "https://evil.example/"})
    assert response["Location"] == "/admin/"


def test_admin__stale_session_tenant__dropped_and_picker_shown(client, staff):
    user, _, theirs = staff
    client.force_login(user)
    session = client.session
    session[SESSION_TENANT_KEY] = theirs.id
    session.save()
    response = client.get("/admin/themeconfig/property/")
    assert response.status_code == 302 and "/admin/select-tenant/" in response["Location"]


# --- header, favicon, "View site" ----------------------------------------------------------------

def test_admin_header__tenant_picked__shows_its_name_and_the_switch_link(client, staff):
    user, mine, _ = staff
    sign_in(client, user, mine)
    page = client.get("/admin/").content.decode()
    assert 'id="current-tenant"' in page and "<strong>Mine Hotels</strong>" in page
    assert '<a href="/admin/select-tenant/">switch tenant</a>' in page
    assert "Their Hotels" not in page


def test_admin_pages__head__link_to_the_favicon(client, staff):
    user, mine, _ = staff
    sign_in(client, user, mine)
    for path in ("/admin/", "/admin/themeconfig/property/", "/admin/themeconfig/property/add/", "/admin/login/"):
        page = client.get(path, follow=True).content.decode()
        assert '<link rel="icon" href="/static/themeconfig/favicon.svg"' in page, path


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_favicon__asked_for_at_the_root__the_static_icon_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/themeconfig/favicon.ico"
    icon = client.get(response["Location"])
    assert icon.status_code == 200 and b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_favicon__svg_the_pages_link__served(client):
    response = client.get("/static/themeconfig/favicon.svg")
    assert response.status_code == 200 and b"<svg" in b"".join(response.streaming_content)


def test_admin_view_site__tenant_with_hosts__points_at_its_tenant_wide_host(client, staff, tenant_host_factory,
                                                                           property_factory):
    user, mine, _ = staff
    with tenant_context(mine.id):
        hotel = property_factory(name="Annex")
        tenant_host_factory(host="aaa-annex.example.com", property=hotel)
        tenant_host_factory(host="book.mine.example.com")
    sign_in(client, user, mine)
    response = client.get("/admin/")
    assert response.context["site_url"] == "http://book.mine.example.com/"
    assert '<a href="http://book.mine.example.com/">View site</a>' in response.content.decode()


def test_admin_view_site__tenant_without_host__no_link(client, staff):
    user, mine, _ = staff
    sign_in(client, user, mine)
    response = client.get("/admin/")
    assert response.context["site_url"] is None and "View site" not in response.content.decode()


# --- pages by role ---------------------------------------------------------------------------------

# page → the roles that may open it, from the product rules (README's permission table): everyone
# reads; owners and admins manage the tenant, members and keys; members also edit brand kits.
PAGES = {
    "/admin/": set(ROLES),
    "/admin/themeconfig/tenant/": set(ROLES),
    "/admin/themeconfig/property/": set(ROLES),
    "/admin/themeconfig/property/add/": {"owner", "admin"},
    "/admin/themeconfig/hostlisting/": set(ROLES),
    "/admin/themeconfig/hostlisting/add/": {"owner", "admin"},
    "/admin/themeconfig/membership/": set(ROLES),
    "/admin/themeconfig/invitation/": set(ROLES),
    "/admin/themeconfig/invitation/add/": {"owner", "admin"},
    "/admin/themeconfig/apiclient/": set(ROLES),
    "/admin/themeconfig/apiclient/add/": {"owner", "admin"},
    "/admin/themeconfig/brandkit/": set(ROLES),
    "/admin/themeconfig/brandkit/add/": {"owner", "admin", "member"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", sorted(PAGES))
def test_admin_page__role__opens_or_403(client, member_of, path, role):
    user, tenant = member_of(role)
    sign_in(client, user, tenant)
    response = client.get(path)
    assert response.status_code == (200 if role in PAGES[path] else 403), (path, role)


@pytest.mark.parametrize("path", ["/admin/themeconfig/tenant/add/", "/admin/themeconfig/membership/add/"])
def test_admin_page__add_pages_nobody_has__403_for_owners_too(client, member_of, path):
    user, tenant = member_of("owner")
    sign_in(client, user, tenant)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ["/admin/auth/user/", "/admin/auth/group/"])
def test_admin__global_accounts__not_on_the_tenant_site(client, member_of, user_factory, path):
    user, tenant = member_of("owner")
    user.is_superuser = True  # even a superuser working in a tenant
    user.save()
    sign_in(client, user, tenant)
    assert client.get(path).status_code == 404


def test_admin__viewer_role__cannot_add(client, tenant_factory, membership_factory):
    tenant = tenant_factory()
    with tenant_context(tenant.id):
        membership = membership_factory(role="viewer")
    client.force_login(membership.user)
    client.post("/admin/select-tenant/", {"tenant_id": tenant.id})
    assert client.get("/admin/themeconfig/property/").status_code == 200
    assert client.get("/admin/themeconfig/property/add/").status_code == 403


def test_admin__properties__only_current_tenants_rows(client, staff):
    user, mine, _ = staff
    client.force_login(user)
    client.post("/admin/select-tenant/", {"tenant_id": mine.id})
    page = client.get("/admin/themeconfig/property/").content.decode()
    assert "Mine Seaside" in page and "Their Mountain Lodge" not in page


# --- names on one line -------------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "field"), [
    ("/admin/themeconfig/property/add/", "name"),
    ("/admin/themeconfig/apiclient/add/", "name"),
    ("/admin/themeconfig/brandkit/add/", "name"),
    ("/admin/themeconfig/hostlisting/add/", "host"),
    ("/admin/themeconfig/invitation/add/", "email"),
])
def test_admin_form__name_like_field__single_line_input(client, member_of, path, field):
    user, tenant = member_of("owner")
    sign_in(client, user, tenant)
    page = client.get(path).content.decode()
    assert f'name="{field}"' in page and f'<textarea name="{field}"' not in page
    assert f'<input type="{"email" if field == "email" else "text"}" name="{field}"' in page


def test_admin_form__tenant_name__single_line_input(client, member_of):
    user, tenant = member_of("owner")
    sign_in(client, user, tenant)
    page = client.get(f"/admin/themeconfig/tenant/{tenant.pk}/change/").content.decode()
    assert '<input type="text" name="name"' in page and 'maxlength="200"' in page
    assert '<textarea name="name"' not in page


def test_admin_form__name_too_long__error_names_the_field_nothing_written(client, member_of):
    user, tenant = member_of("owner")
    sign_in(client, user, tenant)
    response = client.post("/admin/themeconfig/property/add/", {"name": "x" * 201})
    assert response.status_code == 200 and response.context["adminform"].form.errors["name"]
    with tenant_context(tenant.id):
        assert not tenant.properties.exists()


# --- members and invitations ---------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_admin_members__role__invite_link_only_for_who_may_invite(client, member_of, role):
    user, tenant = member_of(role)
    sign_in(client, user, tenant)
    page = client.get("/admin/themeconfig/membership/").content.decode()
    assert ('href="/admin/themeconfig/invitation/add/"' in page) is (role in {"owner", "admin"})
    assert "/admin/themeconfig/membership/add/" not in page  # no user lookup


def test_admin_members__no_user_lookup_door_left__autocomplete_403(client, member_of):
    user, tenant = member_of("owner")
    sign_in(client, user, tenant)
    response = client.get("/admin/autocomplete/", {"app_label": "themeconfig", "model_name": "membership",
                                                   "field_name": "user", "term": ""})
    assert response.status_code == 403


def test_admin_invitation__admin_invites__link_once_in_the_body_only_its_hash_stored(client, member_of):
    user, tenant = member_of("admin")
    sign_in(client, user, tenant)
    response = client.post("/admin/themeconfig/invitation/add/", {"email": "guest@example.com", "role": "member"})
    page = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    link = page.split('id="secret" type="text" readonly value="', 1)[1].split('"', 1)[0]
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert link == f"http://testserver/admin/invitations/{token}/"
    assert all(token not in morsel.value for morsel in response.cookies.values())
    assert all(token not in str(s.get_decoded()) for s in Session.objects.all())
    with tenant_context(tenant.id):
        stored = Invitation.objects.get(email_hash__in=lookup_hashes("guest@example.com"))
    assert stored.role == "member" and stored.token_hash == api_key_secrets.hash_secret(token)
    assert token not in client.get("/admin/themeconfig/invitation/").content.decode()


def test_admin_invitation__link_opened_by_the_invitee__joins_with_the_role(client, member_of):
    user, tenant = member_of("admin")
    sign_in(client, user, tenant)
    page = client.post("/admin/themeconfig/invitation/add/",
                       {"email": "newcomer@example.com", "role": "viewer"}).content.decode()
    link = page.split('id="secret" type="text" readonly value="', 1)[1].split('"', 1)[0]
    client.logout()
    client.get(link.removeprefix("http://testserver"))
    response = client.post("/admin/invitations/accept/", {"username": "newcomer", "password": "a long passphrase 42"})
    assert response.status_code == 302
    with tenant_context(tenant.id):
        joined = Membership.objects.get(user__username="newcomer")
    assert joined.role == "viewer"
    header = client.get("/admin/").content.decode()
    assert f"<strong>{tenant.name}</strong>" in header


def test_admin_invitation__member_role__cannot_invite(client, member_of):
    user, tenant = member_of("member")
    sign_in(client, user, tenant)
    response = client.post("/admin/themeconfig/invitation/add/", {"email": "x@example.com", "role": "viewer"})
    assert response.status_code == 403
    with tenant_context(tenant.id):
        assert not Invitation.objects.exists()


def test_admin_members__admin_sets_a_role__changed(client, member_of, membership_factory):
    user, tenant = member_of("admin")
    with tenant_context(tenant.id):
        other = membership_factory(role="viewer")
    sign_in(client, user, tenant)
    response = client.post(f"/admin/themeconfig/membership/{other.pk}/change/", {"role": "member"})
    assert response.status_code == 302
    with tenant_context(tenant.id):
        assert Membership.objects.get(pk=other.pk).role == "member"


def test_admin_members__admin_removes_a_member__gone(client, member_of, membership_factory):
    user, tenant = member_of("admin")
    with tenant_context(tenant.id):
        other = membership_factory(role="viewer")
    sign_in(client, user, tenant)
    assert client.get(f"/admin/themeconfig/membership/{other.pk}/delete/").status_code == 200
    response = client.post(f"/admin/themeconfig/membership/{other.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    with tenant_context(tenant.id):
        assert not Membership.objects.filter(pk=other.pk).exists()


def test_admin_members__last_owner_removes_themself__refused_with_a_message(client, member_of):
    user, tenant = member_of("owner")
    with tenant_context(tenant.id):
        mine = Membership.objects.get(user=user)
    sign_in(client, user, tenant)
    response = client.post(f"/admin/themeconfig/membership/{mine.pk}/delete/", {"post": "yes"}, follow=True)
    assert "last owner" in response.content.decode()
    with tenant_context(tenant.id):
        assert Membership.objects.filter(pk=mine.pk).exists()


# --- API keys --------------------------------------------------------------------------------------

def test_admin__add_api_key__secret_shown_once_and_hash_stored(client, staff):
    user, mine, _ = staff
    sign_in(client, user, mine)
    response = client.post("/admin/themeconfig/apiclient/add/", {"name": "frontend", "role": "api"})
    text = response.content.decode()
    assert response.status_code == 200 and "not shown again" in text
    secret = text.split('id="secret" type="text" readonly value="', 1)[1].split('"', 1)[0]
    with tenant_context(mine.id):
        client_row = ApiClient.objects.get(name="frontend")
    assert client_row.created_by == f"user:{user.pk}"
    assert client_row.secret_hash == api_key_secrets.hash_secret(secret) and secret not in client_row.secret_hash
    assert secret not in client.get("/admin/themeconfig/apiclient/").content.decode()
    assert secret not in client.get(f"/admin/themeconfig/apiclient/{client_row.pk}/change/").content.decode()


def test_admin_api_key__secret__never_in_the_messages_cookie_or_the_session(client, staff):
    user, mine, _ = staff
    sign_in(client, user, mine)
    response = client.post("/admin/themeconfig/apiclient/add/", {"name": "ci", "role": "viewer"})
    secret = response.content.decode().split('id="secret" type="text" readonly value="', 1)[1].split('"', 1)[0]
    assert secret.startswith("tck.") and "no-store" in response["Cache-Control"]
    assert "messages" not in response.cookies  # no "added successfully" redirect message at all
    assert all(secret not in morsel.value for morsel in response.cookies.values())
    assert all(secret not in str(s.get_decoded()) for s in Session.objects.all())
    following = client.get("/admin/themeconfig/apiclient/")
    assert secret not in following.content.decode()
    assert all(secret not in morsel.value for morsel in following.cookies.values())


def test_admin__api_key_with_unknown_scope__error_shown_nothing_created(client, staff):
    user, mine, _ = staff
    client.force_login(user)
    client.post("/admin/select-tenant/", {"tenant_id": mine.id})
    response = client.post(
        "/admin/themeconfig/apiclient/add/", {"name": "bad", "role": "api", "permissions": '{"scopes": ["root"]}'},
        follow=True,
    )
    assert "permissions/scopes/0" in response.content.decode()
    with tenant_context(mine.id):
        assert not ApiClient.objects.filter(name="bad").exists()


# --- refusals --------------------------------------------------------------------------------------

def test_admin__host_taken_by_another_tenant__error_message_not_500(client, staff, tenant_host_factory):
    user, mine, theirs = staff
    with tenant_context(theirs.id):
        tenant_host_factory(host="taken.example.com")
    client.force_login(user)
    client.post("/admin/select-tenant/", {"tenant_id": mine.id})
    response = client.post("/admin/themeconfig/hostlisting/add/", {"host": "Taken.Example.com"}, follow=True)
    assert response.status_code == 200
    assert "already served" in response.content.decode()
    with tenant_context(mine.id):
        assert not TenantHost.objects.exists()


def test_admin_object__other_tenants_id__404(client, staff):
    user, mine, theirs = staff
    sign_in(client, user, mine)
    with tenant_context(theirs.id):
        their_property = theirs.properties.get()
    response = client.get(f"/admin/themeconfig/property/{their_property.pk}/change/")
    assert response.status_code == 404 and "Their Mountain Lodge" not in response.content.decode()


def test_admin_api_keys__index_list_and_add_pages__called_api_keys_never_api_clients(client, member_of):
    user, tenant = member_of("owner")
    sign_in(client, user, tenant)
    pages = {path: client.get(path).content.decode() for path in (
        "/admin/", "/admin/themeconfig/apiclient/", "/admin/themeconfig/apiclient/add/")}
    assert ">API keys</a>" in pages["/admin/"]
    assert "Select API key to " in pages["/admin/themeconfig/apiclient/"]
    assert "Add API key" in pages["/admin/themeconfig/apiclient/add/"]
    for path, page in pages.items():
        assert "api client" not in page.lower(), path
