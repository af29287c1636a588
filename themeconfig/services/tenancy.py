"""Use cases of tenancy: tenants, their hosts and properties, staff users."""
from __future__ import annotations

import re
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction

from themeconfig.models import Property, Tenant, TenantHost, TenantPlan
from themeconfig.platform.errors import (
    CoreErrorCode,
    DomainError,
    FieldError,
    constraint_errors,
    validation_error,
)
from themeconfig.platform.ids import new_id
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.services.rules import choice_errors, name_errors, require_tenant

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


def _validate_tenant_fields(*, slug: str, name: str, plan: str) -> None:
    errors = []
    if not SLUG_RE.match(slug or ""):
        errors.append(FieldError("/slug", "invalid_slug", "Use 1-63 lower-case letters, digits and inner hyphens."))
    errors += name_errors(name) + choice_errors("plan", plan, TenantPlan.values)
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
    tenant_id = require_tenant()
    value = normalize_host(host, path="/host")
    with transaction.atomic():
        existing = TenantHost.objects.filter(host=value).first()
        if existing is not None:
            return existing
        return _host_insert(tenant_id=tenant_id, host=value, property_id=property_id)


def property_create(*, name: str, actor: str) -> Property:
    tenant_id = require_tenant()
    if errors := name_errors(name):
        raise validation_error(errors)
    with transaction.atomic():
        return Property.objects.create(tenant_id=tenant_id, name=name.strip())


def staff_user_ensure(*, username: str, password: str, email: str = "") -> tuple[object, bool]:
    """A staff (non-superuser) Django user; an existing one keeps its password."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=username, defaults={"email": email, "is_staff": True})
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    return user, created
