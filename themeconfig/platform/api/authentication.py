"""DRF authentication that hands on what TenantMiddleware resolved: `request.auth` is the Principal."""
from __future__ import annotations

from dataclasses import dataclass

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, SessionAuthentication

from themeconfig.platform.principal import ActorKind, Principal


@dataclass(frozen=True)
class ApiKeyUser:
    """request.user for API-key requests (a key is not a Django user)."""

    principal: Principal
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_staff: bool = False
    is_superuser: bool = False

    @property
    def pk(self) -> str:
        return self.principal.actor_id

    def __str__(self) -> str:
        return self.principal.actor


class ApiKeyAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        principal = getattr(request._request, "principal", None)
        if principal is None or principal.actor_kind != ActorKind.API_KEY:
            return None
        return ApiKeyUser(principal), principal

    def authenticate_header(self, request):
        return 'Bearer realm="theme-config"'


class TenantSessionAuthentication(SessionAuthentication):
    """Session auth (with CSRF) for staff using the API from the browser or admin."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        return result[0], getattr(request._request, "principal", None)


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """OpenAPI: API keys are bearer tokens."""

    target_class = "themeconfig.platform.api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "tck.<tenant id>.<secret>"}


class TenantSessionAuthenticationScheme(OpenApiAuthenticationExtension):
    """OpenAPI: browser sessions pick the tenant with X-Tenant-ID."""

    target_class = "themeconfig.platform.api.authentication.TenantSessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
