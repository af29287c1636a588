"""Tenant staff for the admin tests: one signed-in-able user per role in a new tenant, and signing in."""
from __future__ import annotations

from dataclasses import dataclass

from tests.factories.tenancy import MembershipFactory, TenantFactory, UserFactory
from themeconfig.models import Tenant
from themeconfig.platform.middleware import SESSION_TENANT_KEY
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

ROLES = ("owner", "admin", "member", "viewer")


@dataclass
class Staff:
    tenant: Tenant
    users: dict  # role → user
    principals: dict  # role → Principal


def make_staff(tenant_name: str, *, username: str = "{role}_person") -> Staff:
    """Tenant `tenant_name` with a member of each role; usernames follow `username` ("{role}_person")."""
    tenant = TenantFactory(name=tenant_name)
    users, principals = {}, {}
    with tenant_context(tenant.id):
        for role in ROLES:
            user = UserFactory(username=username.format(role=role))
            MembershipFactory(user=user, role=role)
            users[role] = user
            principals[role] = Principal.for_user(tenant_id=tenant.id, user_id=user.pk, role=role)
    return Staff(tenant, users, principals)


def sign_in(client, staff: Staff, role: str) -> None:
    """The test client signed in as `staff`'s member of `role`, in `staff`'s tenant (no picker)."""
    client.force_login(staff.users[role])
    session = client.session
    session[SESSION_TENANT_KEY] = staff.tenant.id
    session.save()
