"""DRF authentication that reuses what TenantMiddleware already resolved in the tenant transaction."""
from __future__ import annotations

from dataclasses import dataclass

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, SessionAuthentication

from themeconfig.models import ApiClient


@dataclass
class ApiKeyPrincipal:
    """request.user for API-key requests."""

    api_client: ApiClient
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_staff: bool = False
    is_superuser: bool = False

    @property
    def pk(self) -> str:
        return self.api_client.pk

    @property
    def role(self) -> str:
        return self.api_client.role

    @property
    def actor(self) -> str:
        return self.api_client.pk

    def __str__(self) -> str:
        return f"api-key:{self.api_client.pk}"


class ApiKeyAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        client = getattr(request._request, "api_client", None)
        if client is None:
            return None
        return ApiKeyPrincipal(client), client

    def authenticate_header(self, request):
        return 'Bearer realm="theme-config"'


class TenantSessionAuthentication(SessionAuthentication):
    """Session auth (with CSRF) for staff using the API from the browser or admin."""


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
