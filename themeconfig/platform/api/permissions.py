"""DRF permission: a tenant-bound principal whose role (and key scopes) allow the view's permission.

A view names what it needs (`required_permission = Permission.THEMES_READ`, or a dict by HTTP
method) from the one table in themeconfig.platform.permissions; the use cases it calls check
the same table again, so the door only answers early and documents the scope.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from themeconfig.platform.errors import CoreErrorCode, DomainError
from themeconfig.platform.permissions import Permission
from themeconfig.platform.principal import authorize

if TYPE_CHECKING:  # rest_framework.views imports the API settings' classes: no import at run time
    from rest_framework.views import APIView


class HasTenant(BasePermission):
    """Authenticated, bound to a tenant, and allowed the view's permission; otherwise a clear problem."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not (request.user and request.user.is_authenticated):
            raise DomainError(
                CoreErrorCode.AUTHENTICATION_REQUIRED,
                "Send an API key as 'Authorization: Bearer <key>' or sign in.",
                http_status=401,
            )
        principal = getattr(request._request, "principal", None)
        if principal is None:
            raise DomainError(
                CoreErrorCode.TENANT_REQUIRED,
                "No tenant for this request: send 'X-Tenant-ID: <tnt_…>' for a tenant you belong to.",
                http_status=400,
            )
        permission = required_permission(view, request.method or "GET")
        if permission is None:
            # Every tenant view names its permission; an unnamed one is a programming error, closed.
            raise DomainError(CoreErrorCode.PERMISSION_DENIED, "This view declares no permission.", http_status=403)
        authorize(principal, permission)
        return True


def required_permission(view: APIView, method: str) -> Permission | None:
    """The permission a view needs for `method` (HEAD and OPTIONS as GET)."""
    needed = getattr(view, "required_permission", None)
    if isinstance(needed, dict):
        return needed.get("GET" if method in ("HEAD", "OPTIONS") else method)
    return needed
