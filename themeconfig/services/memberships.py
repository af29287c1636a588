"""Use cases of memberships: invite by e-mail, accept, change a role, remove.

The rules hold whatever door calls them: nobody grants a role that can do more than they can;
only owners make, change or remove owners; the last owner can be neither demoted nor removed;
people join by accepting an invitation sent to their address, never by an admin picking a user.
"""
from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from themeconfig.errors import TenancyErrorCode
from themeconfig.models import Invitation, InvitationRole, Membership, Role
from themeconfig.platform import api_key_secrets as secrets
from themeconfig.platform import encryption
from themeconfig.platform.errors import (
    CoreErrorCode,
    DomainError,
    FieldError,
    constraint_violations,
    validation_error,
)
from themeconfig.platform.permissions import Permission
from themeconfig.platform.principal import Principal, use_case
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.services.audit import audit_record
from themeconfig.services.rules import check_grant, choice_errors

INVITATION_LIFETIME = timedelta(days=7)


def _normalize_email(email: str) -> str:
    value = email.strip().lower() if isinstance(email, str) else ""
    local, _, domain = value.partition("@")
    if not local or "." not in domain or len(value) > 254 or any(c.isspace() for c in value) or "@" in domain:
        raise validation_error([FieldError("/email", "invalid_email", f"{email!r} is not an e-mail address.")])
    return value


def masked_email(address: str) -> str:
    """What the audit log keeps of an invited address (the address itself is encrypted): its first
    letter and its domain, enough to tell invitations apart, not enough to write to anyone."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}…@{domain}"


def _require_owner_for(principal: Principal, what: str) -> None:
    if principal.role != Role.OWNER:
        raise DomainError(TenancyErrorCode.OWNER_REQUIRED, f"Only an owner may {what}.", http_status=403)


def _lock_owners() -> list[Membership]:
    # Every change that could leave a tenant ownerless locks its owners first, in primary-key order.
    return list(Membership.objects.select_for_update().filter(role=Role.OWNER).order_by("pk"))


def membership_invite(*, principal: Principal, email: str, role: str) -> tuple[Invitation, str]:
    """An invitation for `email` to join with `role`; returns it and its one-time link secret.

    A new invitation to the same address replaces the open one.
    """
    address = _normalize_email(email)
    if errors := choice_errors("role", role, InvitationRole.values):
        raise validation_error(errors)
    with use_case(principal, Permission.MEMBERS_MANAGE):
        check_grant(principal, role)
        if role == Role.OWNER:
            _require_owner_for(principal, "invite an owner")
        if Membership.objects.filter(user__email__iexact=address).exists():
            raise DomainError(
                TenancyErrorCode.ALREADY_MEMBER, f"{address} is already a member of this tenant.", http_status=409,
                errors=[FieldError("/email", "already_member", "Already a member.")],
            )
        now = timezone.now()
        replaced = Invitation.objects.filter(email_hash__in=encryption.lookup_hashes(address),
                                             accepted_at__isnull=True, revoked_at__isnull=True)
        replaced_ids = sorted(replaced.values_list("pk", flat=True))
        replaced.update(revoked_at=now)
        for replaced_id in replaced_ids:
            audit_record(principal=principal, action="invitation.revoked", entity_type="invitation",
                         entity_id=replaced_id, old={"revoked_at": None}, new={"revoked_at": now})
        secret = secrets.generate_secret(principal.bound_tenant_id, prefix=secrets.INVITATION_PREFIX)
        invitation = Invitation.objects.create(
            tenant_id=principal.bound_tenant_id, email=address, email_hash=encryption.lookup_hash(address), role=role,
            token_hash=secrets.hash_secret(secret),
            invited_by=principal.actor, expires_at=now + INVITATION_LIFETIME,
        )
        audit_record(principal=principal, action="invitation.created", entity_type="invitation",
                     entity_id=invitation.pk,
                     new={"email": masked_email(address), "role": invitation.role,
                          "expires_at": invitation.expires_at})
    return invitation, secret


def invitation_revoke(*, principal: Principal, invitation_id: str) -> Invitation:
    with use_case(principal, Permission.MEMBERS_MANAGE):
        invitation = Invitation.objects.select_for_update().filter(pk=invitation_id).first()
        if invitation is None:
            raise DomainError(CoreErrorCode.NOT_FOUND, "No such invitation.", http_status=404)
        if invitation.accepted_at is None and invitation.revoked_at is None:
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
            audit_record(principal=principal, action="invitation.revoked", entity_type="invitation",
                         entity_id=invitation.pk, old={"revoked_at": None}, new={"revoked_at": invitation.revoked_at})
        return invitation


def _invalid_invitation() -> DomainError:
    return DomainError(
        TenancyErrorCode.INVITATION_INVALID, "This invitation link is unknown, used, revoked or expired.",
        http_status=404,
    )


def invitation_lookup(*, token: str) -> Invitation:
    """The open invitation this link's secret belongs to, with its tenant (no principal: the link is the key)."""
    parsed = secrets.parse_secret(token, prefix=secrets.INVITATION_PREFIX)
    if parsed is None:
        raise _invalid_invitation()
    with tenant_context(parsed.tenant_id):
        invitation = Invitation.objects.select_related("tenant").filter(token_hash=parsed.hash).first()
    if invitation is None or not invitation.is_open:
        raise _invalid_invitation()
    return invitation


def invitation_accept(*, token: str, user_id: int) -> Membership:
    """The signed-in user whose e-mail address the invitation was sent to joins with its role."""
    parsed = secrets.parse_secret(token, prefix=secrets.INVITATION_PREFIX)
    if parsed is None:
        raise _invalid_invitation()
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    with constraint_violations(), tenant_context(parsed.tenant_id):
        invitation = Invitation.objects.select_for_update().filter(token_hash=parsed.hash).first()
        if invitation is None or not invitation.is_open:
            raise _invalid_invitation()
        if user is None or (user.email or "").strip().lower() != invitation.email:
            raise DomainError(
                TenancyErrorCode.INVITATION_EMAIL_MISMATCH,
                f"This invitation was sent to {invitation.email}; sign in with that address to accept it.",
                http_status=403,
            )
        if Membership.objects.filter(user_id=user.pk).exists():
            raise DomainError(TenancyErrorCode.ALREADY_MEMBER, "You are already a member of this tenant.", http_status=409)
        membership = Membership.objects.create(tenant_id=parsed.tenant_id, user_id=user.pk, role=invitation.role)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by_user_id = user.pk
        invitation.save(update_fields=["accepted_at", "accepted_by_user"])
        if not user.is_staff:
            # Members work in the admin, which admits staff users only.
            get_user_model().objects.filter(pk=user.pk).update(is_staff=True)
        # The accepting user acts here (the link was their key): they joined, nobody added them.
        joiner = Principal.for_user(tenant_id=parsed.tenant_id, user_id=user.pk, role=invitation.role)
        audit_record(principal=joiner, action="invitation.accepted", entity_type="invitation", entity_id=invitation.pk,
                     old={"accepted_at": None, "accepted_by_user_id": None},
                     new={"accepted_at": invitation.accepted_at, "accepted_by_user_id": user.pk})
        audit_record(principal=joiner, action="membership.created", entity_type="membership", entity_id=membership.pk,
                     new={"user_id": user.pk, "role": membership.role, "invitation_id": invitation.pk})
        return membership


def invitation_accept_as_new_user(*, token: str, username: str, password: str) -> Membership:
    """Creates the account for the invited address and accepts, in one transaction."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    invitation = invitation_lookup(token=token)
    user_model = get_user_model()
    errors = []
    if not isinstance(username, str) or not username.strip() or len(username) > 150:
        errors.append(FieldError("/username", "invalid_username", "Pick a user name of 1 to 150 characters."))
    elif user_model.objects.filter(username=username.strip()).exists():
        errors.append(FieldError("/username", "taken", "This user name is taken."))
    try:
        validate_password(password or "", user_model(username=username, email=invitation.email))
    except ValidationError as exc:
        errors += [FieldError("/password", "weak_password", message) for message in exc.messages]
    if errors:
        raise validation_error(errors)
    with transaction.atomic():
        user = user_model.objects.create_user(
            username=username.strip(), email=invitation.email, password=password, is_staff=True
        )
        return invitation_accept(token=token, user_id=user.pk)


def membership_change_role(*, principal: Principal, membership_id: str, role: str) -> Membership:
    if errors := choice_errors("role", role, InvitationRole.values):
        raise validation_error(errors)
    with use_case(principal, Permission.MEMBERS_MANAGE):
        owners = _lock_owners()
        membership = Membership.objects.select_for_update().filter(pk=membership_id).first()
        if membership is None:
            raise DomainError(CoreErrorCode.NOT_FOUND, "No such membership.", http_status=404)
        if membership.role == role:
            return membership
        if Role.OWNER in (membership.role, role):
            _require_owner_for(principal, "make or change an owner")
        check_grant(principal, role)
        check_grant(principal, membership.role)  # nobody re-roles someone above them
        if membership.role == Role.OWNER and len(owners) == 1:
            raise DomainError(
                TenancyErrorCode.LAST_OWNER, "This is the tenant's last owner; make another owner first.",
                http_status=409,
            )
        previous_role = membership.role
        membership.role = role
        membership.save(update_fields=["role", "updated_at"])
        audit_record(principal=principal, action="membership.updated", entity_type="membership",
                     entity_id=membership.pk, old={"role": previous_role}, new={"role": role})
        return membership


def membership_remove(*, principal: Principal, membership_id: str) -> None:
    with use_case(principal, Permission.MEMBERS_MANAGE):
        owners = _lock_owners()
        membership = Membership.objects.select_for_update().filter(pk=membership_id).first()
        if membership is None:
            raise DomainError(CoreErrorCode.NOT_FOUND, "No such membership.", http_status=404)
        if membership.role == Role.OWNER:
            _require_owner_for(principal, "remove an owner")
        check_grant(principal, membership.role)
        if membership.role == Role.OWNER:
            if len(owners) == 1:
                raise DomainError(
                    TenancyErrorCode.LAST_OWNER, "This is the tenant's last owner; make another owner first.",
                    http_status=409,
                )
        membership_id, removed = membership.pk, {"user_id": membership.user_id, "role": membership.role}
        membership.delete()
        audit_record(principal=principal, action="membership.deleted", entity_type="membership",
                     entity_id=membership_id, old=removed)


def membership_grant(*, principal: Principal, user_id: int, role: str) -> Membership:
    """Operators only (seed data, support): gives a user `role` directly, without an invitation."""
    if not principal.is_operator:
        raise DomainError(
            CoreErrorCode.PERMISSION_DENIED, "Members join by invitation; only operators add users directly.",
            http_status=403,
        )
    if errors := choice_errors("role", role, Role.values):
        raise validation_error(errors)
    with use_case(principal, Permission.MEMBERS_MANAGE):
        membership, created = Membership.objects.get_or_create(
            tenant_id=principal.tenant_id, user_id=user_id, defaults={"role": role}
        )
        if created:
            audit_record(principal=principal, action="membership.created", entity_type="membership",
                         entity_id=membership.pk, new={"user_id": membership.user_id, "role": role})
        elif membership.role != role:
            previous_role = membership.role
            membership.role = role
            membership.save(update_fields=["role", "updated_at"])
            audit_record(principal=principal, action="membership.updated", entity_type="membership",
                         entity_id=membership.pk, old={"role": previous_role}, new={"role": role})
        return membership
