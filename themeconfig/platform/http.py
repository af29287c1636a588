"""The request as the middleware leaves it, for the type checker: Django hands every view an
HttpRequest, and RequestIdMiddleware, PublicEndpointMiddleware and TenantMiddleware add these
attributes to it (themeconfig.platform.middleware)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from themeconfig.platform.api_key_secrets import ParsedKey
    from themeconfig.platform.principal import Principal


class AppRequest(HttpRequest):
    request_id: str
    route_is_public: bool
    route_is_tenant_free: bool
    principal: Principal | None
    tenant_name: str  # the principal's tenant's name, read with the membership or key (admin header)
    _parsed_api_key: ParsedKey
