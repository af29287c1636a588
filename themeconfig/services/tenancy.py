"""Use cases of tenancy: tenants (operators only), their properties and hosts, staff users."""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from themeconfig.models import (
    HostVerificationMethod,
    Property,
    Tenant,
    TenantHost,
    TenantHostClaim,
    TenantPlan,
)
from themeconfig.platform.errors import (
    CoreErrorCode,
    DomainError,
    FieldError,
    constraint_violations,
    validation_error,
)
from themeconfig.platform.hostnames import host_normalize
from themeconfig.platform.ids import is_valid_id, new_id
from themeconfig.platform.permissions import Permission
from themeconfig.platform.principal import Principal, use_case
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.selectors.operators import tenant_by_slug
from themeconfig.services.audit import audit_record
from themeconfig.services.host_verification import (
    challenge_new,
    challenge_values,
    host_claim_promote,
    host_served_elsewhere,
    host_taken,
    name_lock,
)
from themeconfig.services.rules import choice_errors, name_errors
from themeconfig.signals import host_resolution_changed_on_commit
from themeconfig.validators.contrast import CONTRAST_POLICIES
from themeconfig.validators.time_zones import available_time_zones

SLUG_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


def normalize_host(host: str, *, path: str = "/hosts") -> str:
    """The stored form of a host name (platform.hostnames); raises a validation error naming `path`."""
    value = host_normalize(host)
    if value is None:
        raise validation_error([FieldError(path, "invalid_host", f"{host!r} is not a valid host name.")])
    return value


def _require_operator(principal: Principal) -> None:
    if not principal.is_operator:
        raise DomainError(
            CoreErrorCode.PERMISSION_DENIED, "Only operators create tenants (manage.py create_tenant).", http_status=403
        )


def _validate_tenant_fields(*, slug: str, name: str, plan: str) -> None:
    errors = []
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        errors.append(FieldError("/slug", "invalid_slug", "Use 1-63 lower-case letters, digits and inner hyphens."))
    errors += name_errors(name) + choice_errors("plan", plan, TenantPlan.values)
    if errors:
        raise validation_error(errors)


def tenant_create(
    *, principal: Principal, slug: str, name: str, plan: str = TenantPlan.FREE, hosts: Iterable[str] = ()
) -> Tenant:
    """A new tenant with its hosts, in one transaction bound to the new tenant's id (operators only)."""
    _require_operator(principal)
    _validate_tenant_fields(slug=slug, name=name, plan=plan)
    normalized_hosts = [normalize_host(h, path=f"/hosts/{i}") for i, h in enumerate(hosts)]
    tenant_id = new_id("tnt")
    with constraint_violations(), tenant_context(tenant_id):
        tenant = Tenant.objects.create(id=tenant_id, slug=slug, name=name.strip(), plan=plan)
        for host in normalized_hosts:
            _host_insert(principal=principal, tenant_id=tenant_id, host=host, property_id=None)
        audit_record(principal=principal.in_tenant(tenant_id), action="tenant.created", entity_type="tenant",
                     entity_id=tenant_id, new={"slug": slug, "name": tenant.name, "plan": plan, "hosts": normalized_hosts})
    return tenant


def tenant_ensure(
    *, principal: Principal, slug: str, name: str, plan: str = TenantPlan.FREE, hosts: Iterable[str] = ()
) -> tuple[Tenant, bool]:
    """The live tenant with this slug (its missing hosts added), or a new one: (tenant, created)."""
    _require_operator(principal)
    hosts = list(hosts)
    existing = tenant_by_slug(slug=slug)
    if existing is None:
        return tenant_create(principal=principal, slug=slug, name=name, plan=plan, hosts=hosts), True
    scoped = principal.in_tenant(existing.id)
    for index, host in enumerate(hosts):
        host_add(principal=scoped, host=host, path=f"/hosts/{index}")
    return existing, False


def tenant_update(*, principal: Principal, name: str, settings: dict[str, Any]) -> Tenant:
    """The tenant's display name and settings document (slug and plan are the operators').

    Known settings are checked: `contrast_policy` is one of validators.contrast.CONTRAST_POLICIES;
    `four_eyes_publish` (true/false, default false) makes every publish, rollback and re-publish a
    request another member approves (publishing/services/publish_requests.py);
    `time_zone` an IANA name (what schedules are shown and entered in; default UTC)."""
    errors = name_errors(name)
    if not isinstance(settings, dict):
        errors.append(FieldError("/settings", "invalid_type", "Settings must be a JSON object."))
    elif "contrast_policy" in settings and settings["contrast_policy"] not in CONTRAST_POLICIES:
        errors.append(FieldError("/settings/contrast_policy", "invalid_choice",
                                 f"contrast_policy must be one of {', '.join(CONTRAST_POLICIES)}."))
    if isinstance(settings, dict) and "time_zone" in settings and settings["time_zone"] not in available_time_zones():
        errors.append(FieldError("/settings/time_zone", "invalid_choice",
                                 "time_zone must be an IANA time zone name, e.g. Europe/Paris."))
    if isinstance(settings, dict) and "four_eyes_publish" in settings and not isinstance(settings["four_eyes_publish"], bool):
        errors.append(FieldError("/settings/four_eyes_publish", "invalid_type", "four_eyes_publish is true or false."))
    if errors:
        raise validation_error(errors)
    with use_case(principal, Permission.TENANT_MANAGE):
        before = Tenant.objects.select_for_update().get(pk=principal.tenant_id)
        Tenant.objects.filter(pk=principal.tenant_id).update(name=name.strip(), settings=settings,
                                                             updated_at=timezone.now())
        tenant = Tenant.objects.get(pk=principal.tenant_id)
        audit_record(
            principal=principal, action="tenant.updated", entity_type="tenant", entity_id=tenant.pk,
            old={"name": before.name, "settings": before.settings}, new={"name": tenant.name, "settings": tenant.settings},
        )
        return tenant


def _host_insert(*, principal: Principal, tenant_id: str, host: str,
                 property_id: str | None) -> TenantHost | TenantHostClaim:
    """The tenant's new host: served at once when an operator adds it (they vouch for it, audited),
    else a claim with a fresh challenge, whose token is on the returned object (`verification_token`)
    and nowhere else. HOST_TAKEN only if another tenant *serves* the name: claims reserve nothing."""
    if principal.is_operator:
        added = host_claim_promote(principal=principal.in_tenant(tenant_id), host=host, property_id=property_id,
                                   method=HostVerificationMethod.OPERATOR)
        added.verification_token = None  # type: ignore[attr-defined]  # the one-time token rides on the instance
        return added
    name_lock(host)
    if host_served_elsewhere(host):
        raise host_taken()
    token, hashed = challenge_new()
    created = TenantHostClaim.objects.create(host=host, tenant_id=tenant_id, property_id=property_id,
                                             **challenge_values(hashed))
    created.verification_token = token  # type: ignore[attr-defined]  # shown once, on the instance
    return created


def _property_errors(property_id: str | None, path: str = "/property_id") -> list[FieldError]:
    if property_id is None:
        return []
    if not is_valid_id(property_id, "prp") or not Property.objects.filter(pk=property_id, deleted_at__isnull=True).exists():
        return [FieldError(path, "unknown_property", "No such property in this tenant.")]
    return []


def host_add(*, principal: Principal, host: str, property_id: str | None = None,
             path: str = "/host") -> tuple[TenantHost | TenantHostClaim, bool]:
    """Adds a host to the principal's tenant: `(host, created)`. Adding a host it already has (served,
    or its own pending claim) changes nothing and answers `(that host, False)`, with no token.

    A tenant's new host is a pending claim until its DNS challenge is met (`verification_token` on
    the returned object, shown once; a lost one is renewed by `host_challenge_renew`); an operator's
    is verified at once."""
    value = normalize_host(host, path=path)
    with use_case(principal, Permission.TENANT_MANAGE):
        if errors := _property_errors(property_id):
            raise validation_error(errors)
        existing = TenantHost.objects.filter(host=value).first() or TenantHostClaim.objects.filter(host=value).first()
        if existing is not None:
            existing.verification_token = None  # type: ignore[union-attr]  # shown once, when it was added
            return existing, False
        added = _host_insert(principal=principal, tenant_id=principal.bound_tenant_id, host=value, property_id=property_id)
        audit_record(principal=principal, action="host.added", entity_type="host", entity_id=added.host,
                     new={"host": added.host, "property_id": added.property_id,
                          "verification_status": added.verification_status})
        return added, True


def _tenant_host(host: str) -> TenantHost | TenantHostClaim:
    """The tenant's served host or claim named `host`, locked; NOT_FOUND otherwise."""
    value = host_normalize(host)
    found = value and (TenantHost.objects.select_for_update().filter(host=value).first()
                       or TenantHostClaim.objects.select_for_update().filter(host=value).first())
    if not found:
        raise DomainError(CoreErrorCode.NOT_FOUND, "No such host in this tenant.", http_status=404)
    return found


def host_update(*, principal: Principal, host: str, property_id: str | None) -> TenantHost | TenantHostClaim:
    """Points a host of the tenant (served or claimed) at one of its properties (or at the whole tenant: None)."""
    with use_case(principal, Permission.TENANT_MANAGE):
        if errors := _property_errors(property_id):
            raise validation_error(errors)
        before = _tenant_host(host)
        type(before).objects.filter(host=before.host).update(property_id=property_id)
        updated = type(before).objects.get(host=before.host)
        audit_record(principal=principal, action="host.updated", entity_type="host", entity_id=updated.host,
                     old={"property_id": before.property_id}, new={"property_id": updated.property_id})
        host_resolution_changed_on_commit([updated.host])
        return updated


def host_remove(*, principal: Principal, host: str) -> None:
    """Removes a host of the tenant (served or claimed): it resolves to nothing from the commit on."""
    with use_case(principal, Permission.TENANT_MANAGE):
        before = _tenant_host(host)
        type(before).objects.filter(host=before.host).delete()
        audit_record(principal=principal, action="host.removed", entity_type="host", entity_id=before.host,
                     old={"host": before.host, "property_id": before.property_id,
                          "verification_status": before.verification_status})
        host_resolution_changed_on_commit([before.host])


def property_create(*, principal: Principal, name: str) -> Property:
    if errors := name_errors(name):
        raise validation_error(errors)
    with use_case(principal, Permission.TENANT_MANAGE):
        created = Property.objects.create(tenant_id=principal.bound_tenant_id, name=name.strip())
        audit_record(principal=principal, action="property.created", entity_type="property", entity_id=created.pk,
                     new={"name": created.name})
        return created


def property_ensure(*, principal: Principal, name: str) -> Property:
    """The tenant's first live property, or a new one named `name` (seed data)."""
    with use_case(principal, Permission.TENANT_MANAGE):
        existing = Property.objects.filter(deleted_at__isnull=True).order_by("id").first()
        return existing or property_create(principal=principal, name=name)


def property_rename(*, principal: Principal, property_id: str, name: str) -> Property:
    if errors := name_errors(name):
        raise validation_error(errors)
    with use_case(principal, Permission.TENANT_MANAGE):
        before = Property.objects.select_for_update().filter(pk=property_id, deleted_at__isnull=True).first()
        updated = Property.objects.filter(pk=property_id, deleted_at__isnull=True).update(
            name=name.strip(), updated_at=timezone.now()
        )
        if not updated:
            raise DomainError(CoreErrorCode.NOT_FOUND, "No such property.", http_status=404)
        assert before is not None  # updated: it was there, locked
        renamed = Property.objects.get(pk=property_id)
        audit_record(principal=principal, action="property.renamed", entity_type="property", entity_id=renamed.pk,
                     old={"name": before.name}, new={"name": renamed.name})
        return renamed


def staff_user_ensure(*, principal: Principal, username: str, password: str, email: str = "") -> tuple[object, bool]:
    """A staff (non-superuser) Django user, for operators' seed data; an existing one keeps its password."""
    _require_operator(principal)
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=username, defaults={"email": email, "is_staff": True})
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    return user, created
