"""Who is calling: one immutable `Principal`, built once per request (or task, or command).

The middleware builds it from an API key or a signed-in member; admin, API views, Celery tasks
and management commands pass it to use cases, which authorize against it (`authorize`) and run
in its tenant (`use_case`). Nothing else works out identity again.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from themeconfig.platform.errors import CoreErrorCode, DomainError, constraint_violations
from themeconfig.platform.permissions import SCOPE_OF, Permission, scoped_permissions
from themeconfig.platform.tenant_context import tenant_context


class ActorKind(StrEnum):
    USER = "user"
    API_KEY = "api_key"
    OPERATOR = "operator"  # a management command or infrastructure job run by an operator


@dataclass(frozen=True)
class Principal:
    tenant_id: str | None
    actor_kind: ActorKind
    actor_id: str
    role: str | None
    scopes: frozenset[str] | None = None  # an API key's scopes; None = all the role allows
    request_id: str | None = None
    ip: str | None = None  # the client address the request came from (audit log)

    @classmethod
    def for_user(
        cls, *, tenant_id: str, user_id: int, role: str, request_id: str | None = None, ip: str | None = None
    ) -> Principal:
        return cls(tenant_id, ActorKind.USER, str(user_id), role, None, request_id, ip)

    @classmethod
    def for_api_key(
        cls, *, tenant_id: str, api_client_id: str, role: str, scopes: frozenset[str] | None,
        request_id: str | None = None, ip: str | None = None,
    ) -> Principal:
        return cls(tenant_id, ActorKind.API_KEY, api_client_id, role, scopes, request_id, ip)

    @classmethod
    def operator(cls, name: str, *, tenant_id: str | None = None) -> Principal:
        """An operator's command or job: every permission, in `tenant_id` if given."""
        return cls(tenant_id, ActorKind.OPERATOR, name, "owner", None, None)

    def in_tenant(self, tenant_id: str) -> Principal:
        """An operator principal bound to a tenant (members and keys are bound to theirs for good)."""
        if self.actor_kind != ActorKind.OPERATOR:
            raise DomainError(CoreErrorCode.PERMISSION_DENIED, "Only operators act across tenants.", http_status=403)
        return replace(self, tenant_id=tenant_id)

    @property
    def actor(self) -> str:
        """What audit columns record: `user:42`, `api_key:apk_…`, `operator:seed_demo`."""
        return f"{self.actor_kind}:{self.actor_id}"

    @property
    def user_id(self) -> int | None:
        return int(self.actor_id) if self.actor_kind == ActorKind.USER else None

    @property
    def is_operator(self) -> bool:
        return self.actor_kind == ActorKind.OPERATOR

    @property
    def permissions(self) -> frozenset[Permission]:
        return scoped_permissions(self.role, self.scopes)

    @property
    def bound_tenant_id(self) -> str:
        """The tenant of a tenant-bound principal (what `use_case` lets in): TENANT_REQUIRED without one."""
        if self.tenant_id is None:
            raise DomainError(CoreErrorCode.TENANT_REQUIRED, "This needs a tenant.", http_status=400)
        return self.tenant_id

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def as_payload(self) -> dict[str, Any]:
        """For a Celery task's kwargs: the task rebuilds the same principal (`from_payload`)."""
        return {
            "tenant_id": self.tenant_id, "actor_kind": str(self.actor_kind), "actor_id": self.actor_id,
            "role": self.role, "scopes": None if self.scopes is None else sorted(self.scopes),
            "request_id": self.request_id, "ip": self.ip,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Principal:
        scopes = payload.get("scopes")
        return cls(
            payload["tenant_id"], ActorKind(payload["actor_kind"]), payload["actor_id"], payload["role"],
            None if scopes is None else frozenset(scopes), payload.get("request_id"), payload.get("ip"),
        )


def permission_denied(permission: Permission, message: str | None = None) -> DomainError:
    return DomainError(
        CoreErrorCode.PERMISSION_DENIED,
        message or f"This needs the permission {permission!s} (API-key scope {SCOPE_OF[permission]}).",
        http_status=403,
        extra={"missing_permission": str(permission), "required_scope": SCOPE_OF[permission]},
    )


def authorize(principal: Principal | None, permission: Permission) -> Principal:
    """The check half of every use case: 403 problem naming what is missing."""
    if principal is None:
        raise DomainError(CoreErrorCode.AUTHENTICATION_REQUIRED, "This needs a signed-in caller.", http_status=401)
    if principal.tenant_id is None:
        raise DomainError(CoreErrorCode.TENANT_REQUIRED, "This needs a tenant.", http_status=400)
    if not principal.can(permission):
        raise permission_denied(permission)
    return principal


@contextmanager
def use_case(principal: Principal | None, permission: Permission) -> Iterator[Principal]:
    """Authorize, then run the block in one transaction bound to the principal's tenant.

    Inside a request this nests as a savepoint of the request's transaction (same tenant; another
    tenant is refused by tenant_context); from a command or task it is the transaction.
    """
    bound = authorize(principal, permission)
    assert bound.tenant_id is not None  # authorize refuses a principal without a tenant
    with constraint_violations(), tenant_context(bound.tenant_id):
        yield bound
