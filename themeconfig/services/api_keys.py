"""Use cases of API keys: issue (once-shown secret), rotate, revoke."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from themeconfig.models import ApiClient, Role
from themeconfig.platform import api_key_secrets as api_keys
from themeconfig.platform.errors import (
    CoreErrorCode,
    DomainError,
    FieldError,
    validation_error,
)
from themeconfig.services.rules import choice_errors, name_errors, require_tenant


def api_key_create(
    *,
    name: str,
    role: str = Role.API,
    permissions: dict | None = None,
    expires_at=None,
    actor: str,
    rotate: bool = False,
) -> tuple[ApiClient, str]:
    """A new API key for the current tenant; returns the client and its secret (shown once).

    A live key of the same name is an error unless `rotate`, which revokes it first.
    """
    tenant_id = require_tenant()
    errors = name_errors(name) + choice_errors("role", role, Role.values)
    if expires_at is not None and expires_at <= timezone.now():
        errors.append(FieldError("/expires_at", "in_the_past", "The expiry must be in the future."))
    if permissions is not None:
        errors += [FieldError("/permissions" + path, code, message)
                   for path, code, message in api_keys.permissions_errors(permissions)]
    if errors:
        raise validation_error(errors)
    name = name.strip()
    with transaction.atomic():
        live = ApiClient.objects.select_for_update().filter(name=name, revoked_at__isnull=True)
        if live.exists():
            if not rotate:
                raise DomainError(
                    CoreErrorCode.CONFLICT, f"A live API key named {name!r} exists; rotate it or pick another name.",
                    http_status=409, errors=[FieldError("/name", "taken", "A live key has this name.")],
                )
            live.update(revoked_at=timezone.now())
        secret = api_keys.generate_secret(tenant_id)
        client = ApiClient.objects.create(
            tenant_id=tenant_id, name=name, role=role, permissions=permissions or {}, expires_at=expires_at,
            secret_hash=api_keys.hash_secret(secret), secret_hint=api_keys.hint(secret), created_by=actor,
        )
    return client, secret


def api_key_revoke(*, api_client_id: str, actor: str) -> ApiClient:
    require_tenant()
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=api_client_id)
        if client.revoked_at is None:
            client.revoked_at = timezone.now()
            client.save(update_fields=["revoked_at"])
        return client
