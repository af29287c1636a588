"""Members and their roles: no escalation, no foreign users, the last owner stays, joining by invitation."""
from __future__ import annotations

import pytest

from tests.factories.tenancy import MembershipFactory, UserFactory
from themeconfig import services
from themeconfig.models import ApiClient, Invitation, Membership
from themeconfig.platform.encryption import lookup_hashes
from themeconfig.platform.errors import DomainError
from themeconfig.platform.middleware import SESSION_TENANT_KEY
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(tenant_factory):
    tenant = tenant_factory()
    with tenant_context(tenant.id):
        owner = MembershipFactory(role="owner")
        admin = MembershipFactory(role="admin")
        member = MembershipFactory(role="member")
    return tenant, owner, admin, member


def as_(membership) -> Principal:
    return Principal.for_user(tenant_id=membership.tenant_id, user_id=membership.user_id, role=membership.role)


def _refused(code: str, call):
    with pytest.raises(DomainError) as info:
        call()
    assert info.value.code == code, info.value
    return info.value


def _roles(tenant) -> dict:
    with tenant_context(tenant.id):
        return dict(Membership.objects.values_list("user_id", "role"))


def test_admin__makes_self_owner__refused_nothing_written(team):
    tenant, _, admin, _ = team
    before = _roles(tenant)
    _refused("MELMASTOON.MEMBERS.OWNER_REQUIRED",
             lambda: services.membership_change_role(principal=as_(admin), membership_id=admin.pk, role="owner"))
    assert _roles(tenant) == before


def test_admin__invites_an_owner_or_issues_an_owner_key__refused(team):
    tenant, _, admin, _ = team
    _refused("MELMASTOON.MEMBERS.ROLE_ESCALATION",
             lambda: services.membership_invite(principal=as_(admin), email="boss@example.com", role="owner"))
    _refused("MELMASTOON.MEMBERS.ROLE_ESCALATION",
             lambda: services.api_key_create(principal=as_(admin), name="root", role="owner"))
    with tenant_context(tenant.id):
        assert not Invitation.objects.exists() and not ApiClient.objects.exists()


def test_admin__demotes_or_removes_an_owner__refused(team):
    tenant, owner, admin, _ = team
    before = _roles(tenant)
    _refused("MELMASTOON.MEMBERS.OWNER_REQUIRED",
             lambda: services.membership_change_role(principal=as_(admin), membership_id=owner.pk, role="viewer"))
    _refused("MELMASTOON.MEMBERS.OWNER_REQUIRED",
             lambda: services.membership_remove(principal=as_(admin), membership_id=owner.pk))
    assert _roles(tenant) == before


def test_member__makes_self_admin__refused(team):
    tenant, _, _, member = team
    before = _roles(tenant)
    error = _refused("MELMASTOON.AUTH.PERMISSION_DENIED",
                     lambda: services.membership_change_role(principal=as_(member), membership_id=member.pk,
                                                             role="admin"))
    assert error.http_status == 403 and error.extra["missing_permission"] == "members.manage"
    assert _roles(tenant) == before


def test_api_key_with_admin_role__cannot_grant_owner(team):
    tenant, owner, _, member = team
    key = Principal.for_api_key(tenant_id=tenant.id, api_client_id="apk_x", role="admin", scopes=None)
    _refused("MELMASTOON.MEMBERS.OWNER_REQUIRED",
             lambda: services.membership_change_role(principal=key, membership_id=member.pk, role="owner"))


def test_last_owner__demoted_or_removed__refused_with_409(team):
    tenant, owner, _, _ = team
    error = _refused("MELMASTOON.MEMBERS.LAST_OWNER",
                     lambda: services.membership_change_role(principal=as_(owner), membership_id=owner.pk,
                                                             role="admin"))
    assert error.http_status == 409
    _refused("MELMASTOON.MEMBERS.LAST_OWNER",
             lambda: services.membership_remove(principal=as_(owner), membership_id=owner.pk))
    assert _roles(tenant)[owner.user_id] == "owner"


def test_owner__with_a_second_owner__may_step_down(team):
    tenant, owner, admin, _ = team
    services.membership_change_role(principal=as_(owner), membership_id=admin.pk, role="owner")
    services.membership_change_role(principal=as_(owner), membership_id=owner.pk, role="admin")
    assert _roles(tenant)[owner.user_id] == "admin" and _roles(tenant)[admin.user_id] == "owner"


def test_foreign_user__cannot_be_attached__only_invited_addresses_join(team, tenant_factory):
    """Finding 1: admin attached users of other tenants by raw user id."""
    tenant, _, admin, _ = team
    other = tenant_factory()
    with tenant_context(other.id):
        foreigner = MembershipFactory(role="owner").user
    # No use case adds a user by id for tenant staff: only operators may.
    _refused("MELMASTOON.AUTH.PERMISSION_DENIED",
             lambda: services.membership_grant(principal=as_(admin), user_id=foreigner.pk, role="viewer"))
    # An invitation to someone else's address cannot be accepted by the foreigner.
    _, link = services.membership_invite(principal=as_(admin), email="invited@example.com", role="viewer")
    _refused("MELMASTOON.MEMBERS.INVITATION_EMAIL_MISMATCH",
             lambda: services.invitation_accept(token=link, user_id=foreigner.pk))
    assert foreigner.pk not in _roles(tenant)


def test_invitation__accepted_once_by_the_invited_address(team):
    tenant, _, admin, _ = team
    invitation, link = services.membership_invite(principal=as_(admin), email="New.Person@Example.com",
                                                  role="member")
    assert invitation.email == "new.person@example.com" and link not in invitation.token_hash
    newcomer = UserFactory(email="new.person@example.com", is_staff=False)
    membership = services.invitation_accept(token=link, user_id=newcomer.pk)
    assert membership.role == "member" and _roles(tenant)[newcomer.pk] == "member"
    newcomer.refresh_from_db()
    assert newcomer.is_staff
    _refused("MELMASTOON.MEMBERS.INVITATION_INVALID", lambda: services.invitation_accept(token=link, user_id=newcomer.pk))


def test_invitation__revoked_or_tampered__invalid(team):
    tenant, _, admin, _ = team
    invitation, link = services.membership_invite(principal=as_(admin), email="a@example.com", role="viewer")
    services.invitation_revoke(principal=as_(admin), invitation_id=invitation.pk)
    user = UserFactory(email="a@example.com")
    for token in (link, link[:-2] + "xx", "inv.nonsense", ""):
        _refused("MELMASTOON.MEMBERS.INVITATION_INVALID", lambda t=token: services.invitation_accept(token=t, user_id=user.pk))


def test_invitation__existing_member_address__409(team):
    tenant, _, admin, member = team
    _refused("MELMASTOON.MEMBERS.ALREADY_MEMBER",
             lambda: services.membership_invite(principal=as_(admin), email=member.user.email, role="viewer"))


def test_admin_door__membership_add_page_gone_and_owner_role_refused(client, team):
    tenant, owner, admin, member = team
    client.force_login(admin.user)
    session = client.session
    session[SESSION_TENANT_KEY] = tenant.id
    session.save()
    assert client.get("/admin/themeconfig/membership/add/").status_code == 403
    response = client.post(f"/admin/themeconfig/membership/{admin.pk}/change/", {"role": "owner"}, follow=True)
    page = response.content.decode()
    # The 403 page says why (themeconfig/templates/403.html), not a bare "403 Forbidden".
    assert response.status_code == 403 and "<h1>Not allowed</h1>" in page and "Only an owner" in page
    assert _roles(tenant)[admin.user_id] == "admin"


def test_admin_door__invitation_link_shown_once_never_in_a_cookie(client, team):
    tenant, _, admin, _ = team
    client.force_login(admin.user)
    session = client.session
    session[SESSION_TENANT_KEY] = tenant.id
    session.save()
    response = client.post("/admin/themeconfig/invitation/add/", {"email": "guest@example.com", "role": "viewer"})
    page = response.content.decode()
    assert response.status_code == 200 and "/admin/invitations/inv." in page
    link = page.split('id="secret" type="text" readonly value="', 1)[1].split('"', 1)[0]
    assert all(link.rsplit("/", 2)[-2] not in morsel.value for morsel in response.cookies.values())
    with tenant_context(tenant.id):
        stored = Invitation.objects.get(email_hash__in=lookup_hashes("guest@example.com"))
    assert link.rsplit("/", 2)[-2] not in stored.token_hash
    assert link not in client.get("/admin/themeconfig/invitation/").content.decode()


def test_accept_page__new_account_created_for_the_invited_address(client, team):
    tenant, _, admin, _ = team
    _, link = services.membership_invite(principal=as_(admin), email="fresh@example.com", role="viewer")
    landing = client.get(f"/admin/invitations/{link}/")
    # The secret leaves the URL at once (address bar, Referer, later log lines).
    assert landing.status_code == 302 and landing["Location"] == "/admin/invitations/accept/"
    page = client.get("/admin/invitations/accept/")
    assert page.status_code == 200 and "fresh@example.com" in page.content.decode()
    assert link.split(".")[-1] not in page.content.decode()
    weak = client.post("/admin/invitations/accept/", {"username": "fresh", "password": "123"})
    assert weak.status_code == 422 and "/password" in weak.content.decode()
    assert 'value="fresh"' in weak.content.decode()  # the user name typed is kept
    response = client.post("/admin/invitations/accept/", {"username": "fresh", "password": "a long passphrase 42"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200  # signed in, in the tenant
    with tenant_context(tenant.id):
        joined = Membership.objects.select_related("user").get(user__username="fresh")
    assert joined.role == "viewer" and joined.user.email == "fresh@example.com"


def test_accept_page__bad_link__404_page_not_500(client):
    response = client.get("/admin/invitations/inv.tnt_01M84PX9M9SYNQ39P6SWS9.nope/", follow=True)
    assert response.status_code == 404 and "unknown" in response.content.decode()
    assert client.get("/admin/invitations/accept/").status_code == 404  # no link in the session
