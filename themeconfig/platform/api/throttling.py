"""DRF throttles of the API: per API key and per signed-in user, counted by platform/throttling.py.

Past the limit DRF raises `Throttled`, which the exception handler answers as
`429 MELMASTOON.REQUEST.RATE_LIMITED` problem+json with `Retry-After`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from themeconfig.platform.principal import ActorKind, Principal
from themeconfig.platform.throttling import throttle

if TYPE_CHECKING:  # rest_framework.views imports the API settings' classes: no import at run time
    from rest_framework.views import APIView

_SCOPE_OF = {ActorKind.API_KEY: "api_key", ActorKind.USER: "user"}


class PrincipalRateThrottle(BaseThrottle):
    """THROTTLE_RATES["api_key"] per key, ["user"] per signed-in user (across their tenants).

    A request without a principal is limited per client address by TenantMiddleware (scope
    `anonymous`, counted before the view: a bad key's 401 is answered there), and the public views
    per address by PublicEndpointMiddleware.
    """

    def allow_request(self, request: Request, view: APIView) -> bool:
        principal: Principal | None = getattr(request._request, "principal", None)
        scope = _SCOPE_OF.get(principal.actor_kind) if principal is not None else None
        if scope is None or principal is None:
            return True
        self._wait = throttle(scope, principal.actor_id)
        return self._wait is None

    def wait(self) -> float | None:
        return getattr(self, "_wait", None)
