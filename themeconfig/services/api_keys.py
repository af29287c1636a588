"""Use cases of API keys: issue (the secret shown once), rotate, revoke, and the last-used stamp."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from themeconfig.errors import TenancyErrorCode
from themeconfig.models import ApiClient, Role
from themeconfig.platform import api_key_secrets as secrets
from themeconfig.platform.errors import CoreErrorCode, DomainError, FieldError, validation_error
from themeconfig.platform.ids import is_valid_id
from themeconfig.platform.permissions import Permission, permissions_document_errors, scopes_of_document
from themeconfig.platform.principal import Principal, use_case
from themeconfig.services.audit import audit_record
from themeconfig.services.rules import check_grant, choice_errors, name_errors

LAST_USED_RESOLUTION = timedelta(seconds=60)


def api_key_create(
    *,
    principal: Principal,
    name: str,
    role: str = Role.API,
    permissions: dict[str, Any] | None = None,
    expires_at: datetime | None = None,
    rotate: bool = False,
) -> tuple[ApiClient, str]:
    """A new API key for the principal's tenant; returns the client and its secret (shown once).

    A live key of the same name is an error unless `rotate`, which revokes it first. A key never
    gets a role that can do more than its issuer.
    """
    errors = name_errors(name) + choice_errors("role", role, Role.values)
    if expires_at is not None and expires_at <= timezone.now():
        errors.append(FieldError("/expires_at", "in_the_past", "The expiry must be in the future."))
    if permissions is not None:
        errors += [FieldError("/permissions" + path, code, message)
                   for path, code, message in permissions_document_errors(permissions)]
    if errors:
        raise validation_error(errors)
    name = name.strip()
    with use_case(principal, Permission.API_KEYS_MANAGE):
        check_grant(principal, role, scopes=scopes_of_document(permissions))
        live = ApiClient.objects.select_for_update().filter(name=name, revoked_at__isnull=True)
        live_ids = sorted(live.values_list("pk", flat=True))
        if live_ids:
            if not rotate:
                raise DomainError(
                    TenancyErrorCode.API_KEY_NAME_TAKEN,
                    f"A live API key named {name!r} exists; rotate it or pick another name.",
                    http_status=409, errors=[FieldError("/name", "taken", "A live key has this name.")],
                )
            revoked_at = timezone.now()
            live.update(revoked_at=revoked_at)
            for live_id in live_ids:
                audit_record(principal=principal, action="api_key.rotated", entity_type="api_key", entity_id=live_id,
                             old={"revoked_at": None}, new={"revoked_at": revoked_at})
        secret = secrets.generate_secret(principal.bound_tenant_id)
        client = ApiClient.objects.create(
            tenant_id=principal.bound_tenant_id, name=name, role=role, permissions=permissions or {},
            expires_at=expires_at, secret_hash=secrets.hash_secret(secret), secret_hint=secrets.hint(secret),
            created_by=principal.actor,
        )
        # Never the secret, its hash or its hint.
        audit_record(
            principal=principal, action="api_key.created", entity_type="api_key", entity_id=client.pk,
            new={"name": client.name, "role": client.role, "permissions": client.permissions,
                 "expires_at": client.expires_at},
        )
    return client, secret


def api_key_revoke(*, principal: Principal, api_client_id: str) -> ApiClient:
    with use_case(principal, Permission.API_KEYS_MANAGE):
        client = ApiClient.objects.select_for_update().filter(pk=api_client_id).first() \
            if is_valid_id(api_client_id, "apk") else None
        if client is None:
            raise DomainError(CoreErrorCode.NOT_FOUND, "No such API key.", http_status=404)
        # An admin cannot pull an owner's key; a scoped key can pull one as narrow as itself.
        check_grant(principal, client.role, scopes=scopes_of_document(client.permissions))
        if client.revoked_at is None:
            client.revoked_at = timezone.now()
            client.save(update_fields=["revoked_at"])
            audit_record(principal=principal, action="api_key.revoked", entity_type="api_key", entity_id=client.pk,
                         old={"revoked_at": None}, new={"revoked_at": client.revoked_at})
        return client


def api_key_rotate(*, principal: Principal, api_client_id: str) -> tuple[ApiClient, str]:
    """A new secret for a live key's name, role, scopes and expiry; the old key stops working at once.

    A key with `api_keys.manage` may rotate itself: the new key is as narrow as the old one."""
    with use_case(principal, Permission.API_KEYS_MANAGE):
        client = ApiClient.objects.filter(pk=api_client_id, revoked_at__isnull=True).first() \
            if is_valid_id(api_client_id, "apk") else None
        if client is None:
            raise DomainError(CoreErrorCode.NOT_FOUND, "No such live API key.", http_status=404)
        expires_at = client.expires_at if client.expires_at and client.expires_at > timezone.now() else None
        return api_key_create(principal=principal, name=client.name, role=client.role,
                              permissions=client.permissions or None, expires_at=expires_at, rotate=True)


def api_key_mark_used(*, api_client: ApiClient) -> None:
    """Stamps `last_used_at` at most once a minute per key (bounded write amplification).

    Called by the authenticating door inside the request's tenant transaction (one UPDATE, no
    savepoint of its own); no principal exists yet.
    """
    now = timezone.now()
    if api_client.last_used_at is None or api_client.last_used_at < now - LAST_USED_RESOLUTION:
        ApiClient.objects.filter(pk=api_client.pk).update(last_used_at=now)
        api_client.last_used_at = now
