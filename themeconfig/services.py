"""Use cases of the core app: tenants, properties, hosts, memberships and API keys.

Each use case runs in one transaction bound to its tenant. Requests already run in one (see
TenantMiddleware), so use cases nest as a savepoint there instead of insisting on being
durable; called from a command or task they open the tenant context themselves.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from themeconfig import api_keys
from themeconfig.errors import (
    CoreErrorCode,
    DomainError,
    FieldError,
    constraint_errors,
    contract_error,
    validation_error,
)
from themeconfig.ids import new_id
from themeconfig.models import ApiClient, BrandKit, Membership, Property, Role, Tenant, TenantHost, TenantPlan
from themeconfig.tenant_context import current_tenant_id, tenant_context
from themeconfig.validators import ContractViolation, validate_brand_kit

SLUG_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
HOST_LABEL_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


def normalize_host(host: str, *, path: str = "/hosts") -> str:
    """Lower-case, no trailing dot, IDNA-encoded; raises a validation error naming `path`."""
    value = (host or "").strip().rstrip(".").lower()
    try:
        value = value.encode("idna").decode("ascii")
    except UnicodeError:
        value = ""
    if not value or len(value) > 253 or not all(HOST_LABEL_RE.match(label) for label in value.split(".")):
        raise validation_error([FieldError(path, "invalid_host", f"{host!r} is not a valid host name.")])
    return value


def _name_errors(name: str) -> list[FieldError]:
    if not (name or "").strip() or len(name.strip()) > 200:
        return [FieldError("/name", "invalid_name", "The name must have 1 to 200 characters.")]
    return []


def _choice_errors(field: str, value: str, choices: list[str]) -> list[FieldError]:
    if value not in choices:
        return [FieldError(f"/{field}", "invalid_choice", f"{field.capitalize()} must be one of {', '.join(choices)}.")]
    return []


def _validate_tenant_fields(*, slug: str, name: str, plan: str) -> None:
    errors = []
    if not SLUG_RE.match(slug or ""):
        errors.append(FieldError("/slug", "invalid_slug", "Use 1-63 lower-case letters, digits and inner hyphens."))
    errors += _name_errors(name) + _choice_errors("plan", plan, TenantPlan.values)
    if errors:
        raise validation_error(errors)


def tenant_create(
    *, slug: str, name: str, plan: str = TenantPlan.FREE, hosts: Iterable[str] = (), actor: str
) -> Tenant:
    """A new tenant with its hosts, in one transaction bound to the new tenant's id."""
    _validate_tenant_fields(slug=slug, name=name, plan=plan)
    normalized_hosts = [normalize_host(h, path=f"/hosts/{i}") for i, h in enumerate(hosts)]
    tenant_id = new_id("tnt")
    slug_taken = {
        "tenants_slug_uq": lambda: DomainError(
            CoreErrorCode.TENANT_SLUG_TAKEN, f"A tenant with slug {slug!r} already exists.", http_status=409,
            errors=[FieldError("/slug", "taken", "This slug is taken.")],
        )
    }
    with constraint_errors(slug_taken), tenant_context(tenant_id):
        tenant = Tenant.objects.create(id=tenant_id, slug=slug, name=name.strip(), plan=plan)
        for host in normalized_hosts:
            _host_insert(tenant_id=tenant_id, host=host, property_id=None)
    return tenant


def _host_insert(*, tenant_id: str, host: str, property_id: str | None) -> TenantHost:
    host_taken = {
        "tenant_hosts_pkey": lambda: DomainError(
            CoreErrorCode.HOST_TAKEN, f"The host {host!r} is already served by a tenant.", http_status=409,
            errors=[FieldError("/host", "taken", "This host is taken.")],
        )
    }
    with constraint_errors(host_taken), transaction.atomic():
        return TenantHost.objects.create(host=host, tenant_id=tenant_id, property_id=property_id)


def host_add(*, host: str, property_id: str | None = None, actor: str) -> TenantHost:
    """Adds a host to the current tenant; adding a host it already has is a no-op."""
    tenant_id = _require_tenant()
    value = normalize_host(host, path="/host")
    with transaction.atomic():
        existing = TenantHost.objects.filter(host=value).first()
        if existing is not None:
            return existing
        return _host_insert(tenant_id=tenant_id, host=value, property_id=property_id)


def property_create(*, name: str, actor: str) -> Property:
    tenant_id = _require_tenant()
    if errors := _name_errors(name):
        raise validation_error(errors)
    with transaction.atomic():
        return Property.objects.create(tenant_id=tenant_id, name=name.strip())


def membership_set(*, user_id: int, role: str, actor: str) -> Membership:
    """Gives a user `role` in the current tenant (creates or updates the membership)."""
    tenant_id = _require_tenant()
    if errors := _choice_errors("role", role, Role.values):
        raise validation_error(errors)
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            tenant_id=tenant_id, user_id=user_id, defaults={"role": role}
        )
        if not created and membership.role != role:
            membership.role = role
            membership.save(update_fields=["role", "updated_at"])
        return membership


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
    tenant_id = _require_tenant()
    errors = _name_errors(name) + _choice_errors("role", role, Role.values)
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
    _require_tenant()
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=api_client_id)
        if client.revoked_at is None:
            client.revoked_at = timezone.now()
            client.save(update_fields=["revoked_at"])
        return client


def _brand_kit_fields(*, name, colors, fonts, logos, style_preferences) -> dict:
    errors = _name_errors(name)
    try:
        colors, fonts, logos, style_preferences = validate_brand_kit(
            colors=colors, fonts=fonts, logos=logos, style_preferences=style_preferences
        )
    except ContractViolation as violation:
        errors += contract_error(violation).errors
    if errors:
        raise validation_error(errors)
    return {"name": name.strip(), "colors": colors, "fonts": fonts, "logos": logos,
            "style_preferences": style_preferences}


def _clear_default_brand_kit(*, keep_id: str | None) -> None:
    # Lock the current default(s) in primary-key order before moving the flag.
    others = BrandKit.objects.select_for_update().filter(is_default=True, deleted_at__isnull=True).order_by("pk")
    for kit in others:
        if kit.pk != keep_id:
            BrandKit.objects.filter(pk=kit.pk).update(is_default=False, version=F("version") + 1)


def brand_kit_create(
    *, name: str, colors, fonts, logos=None, style_preferences=None, is_default: bool = False, actor: str
) -> BrandKit:
    """A brand kit of the current tenant; `is_default` moves the tenant's default to it."""
    tenant_id = _require_tenant()
    fields = _brand_kit_fields(name=name, colors=colors, fonts=fonts, logos=logos, style_preferences=style_preferences)
    with transaction.atomic():
        if is_default:
            _clear_default_brand_kit(keep_id=None)
        return BrandKit.objects.create(
            tenant_id=tenant_id, is_default=is_default, created_by=actor, updated_by=actor, **fields
        )


def brand_kit_update(
    *,
    brand_kit_id: str,
    expected_version: int,
    name: str,
    colors,
    fonts,
    logos=None,
    style_preferences=None,
    is_default: bool = False,
    actor: str,
) -> BrandKit:
    """Replaces a brand kit's contents if nobody changed it since `expected_version` (409 otherwise)."""
    _require_tenant()
    fields = _brand_kit_fields(name=name, colors=colors, fonts=fonts, logos=logos, style_preferences=style_preferences)
    with transaction.atomic():
        if is_default:
            _clear_default_brand_kit(keep_id=brand_kit_id)
        updated = BrandKit.objects.filter(
            pk=brand_kit_id, version=expected_version, deleted_at__isnull=True
        ).update(
            **fields, is_default=is_default, version=F("version") + 1, updated_by=actor, updated_at=timezone.now()
        )
        if updated == 0:
            current = BrandKit.objects.filter(pk=brand_kit_id, deleted_at__isnull=True).values_list("version", flat=True).first()
            if current is None:
                raise DomainError(CoreErrorCode.NOT_FOUND, "No such brand kit.", http_status=404)
            raise DomainError(
                CoreErrorCode.BRAND_KIT_VERSION_CONFLICT,
                f"The brand kit changed since version {expected_version}; it is at version {current}.",
                http_status=409, extra={"current_version": current},
            )
        return BrandKit.objects.get(pk=brand_kit_id)


def brand_kit_delete(*, brand_kit_id: str, actor: str) -> None:
    """Soft delete (seed 000 §2): the row stays for the retention window; a default frees its slot."""
    _require_tenant()
    with transaction.atomic():
        BrandKit.objects.filter(pk=brand_kit_id, deleted_at__isnull=True).update(
            deleted_at=timezone.now(), is_default=False, version=F("version") + 1, updated_by=actor,
            updated_at=timezone.now(),
        )


def staff_user_ensure(*, username: str, password: str, email: str = "") -> tuple[object, bool]:
    """A staff (non-superuser) Django user; an existing one keeps its password."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=username, defaults={"email": email, "is_staff": True})
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    return user, created


def _require_tenant() -> str:
    tenant_id = current_tenant_id()
    if tenant_id is None:
        raise DomainError(CoreErrorCode.TENANT_REQUIRED, "This use case needs a tenant context.", http_status=400)
    return tenant_id
