"""DRF permissions: a tenant must be resolved, and the caller's role must allow the action."""
from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from themeconfig.platform.api_key_secrets import effective_scopes
from themeconfig.platform.errors import CoreErrorCode, DomainError
from themeconfig.platform.middleware import request_role

WRITE_ROLES = frozenset({"owner", "admin", "member", "api"})


class HasTenant(BasePermission):
    """Authenticated, and bound to a tenant; otherwise a clear problem, never data.

    A view may name the API-key scope it needs (`required_scope = "themes:read"`); a key whose
    permissions document does not grant it is refused.
    """

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            raise DomainError(
                CoreErrorCode.AUTHENTICATION_REQUIRED,
                "Send an API key as 'Authorization: Bearer <key>' or sign in.",
                http_status=401,
            )
        if getattr(request._request, "tenant_id", None) is None:
            raise DomainError(
                CoreErrorCode.TENANT_REQUIRED,
                "No tenant for this request: send 'X-Tenant-ID: <tnt_…>' for a tenant you belong to.",
                http_status=400,
            )
        if request.method not in SAFE_METHODS and request_role(request._request) not in WRITE_ROLES:
            raise DomainError(
                CoreErrorCode.PERMISSION_DENIED, "Your role in this tenant is read-only.", http_status=403
            )
        scope = getattr(view, "required_scope", None)
        client = getattr(request._request, "api_client", None)
        if scope and client is not None and scope not in effective_scopes(role=client.role, permissions=client.permissions):
            raise DomainError(
                CoreErrorCode.PERMISSION_DENIED, f"This API key lacks the scope {scope!r}.", http_status=403,
                extra={"required_scope": scope},
            )
        return True
