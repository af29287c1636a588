"""DRF authentication that hands on what TenantMiddleware resolved: `request.auth` is the Principal."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.request import Request

from themeconfig.platform.principal import ActorKind, Principal

if TYPE_CHECKING:  # drf_spectacular.openapi imports the authentication classes: no import at run time
    from drf_spectacular.openapi import AutoSchema


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

    def authenticate(self, request: Request) -> tuple[ApiKeyUser, Principal] | None:
        principal = getattr(request._request, "principal", None)
        if principal is None or principal.actor_kind != ActorKind.API_KEY:
            return None
        return ApiKeyUser(principal), principal

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="theme-config"'


class TenantSessionAuthentication(SessionAuthentication):
    """Session auth (with CSRF) for staff using the API from the browser or admin."""

    def authenticate(self, request: Request) -> tuple[Any, Principal | None] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        return result[0], getattr(request._request, "principal", None)


# drf-spectacular registers an extension in its unannotated __init_subclass__.
class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """OpenAPI: API keys are bearer tokens."""

    target_class = "themeconfig.platform.api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "tck.<tenant id>.<secret>"}


class TenantSessionAuthenticationScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """OpenAPI: browser sessions pick the tenant with X-Tenant-ID."""

    target_class = "themeconfig.platform.api.authentication.TenantSessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
