"""Request id, and the one place a request's caller is worked out: the `Principal`.

Every tenant request runs in one RLS-bound transaction, and `request.principal` is the only
identity anything downstream (DRF views, admin, use cases) looks at.
"""
from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from django.db import transaction
from django.http import HttpRequest, HttpResponseBase
from django.urls import Resolver404, resolve

from themeconfig import selectors, services
from themeconfig.platform import read_replica
from themeconfig.platform.api.exceptions import problem_response
from themeconfig.platform.api.paths import is_api_path
from themeconfig.platform.api_key_secrets import parse_secret
from themeconfig.platform.client_address import address_bucket, client_address
from themeconfig.platform.errors import CoreErrorCode, DomainError
from themeconfig.platform.http import AppRequest
from themeconfig.platform.ids import is_valid_id
from themeconfig.platform.logging import request_id_var
from themeconfig.platform.permissions import scopes_of_document
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import request_scope, tenant_context
from themeconfig.platform.throttling import throttle, throttled_already

logger = logging.getLogger(__name__)
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
SESSION_TENANT_KEY = "theme_config_tenant_id"


class RequestIdMiddleware:
    """Takes a sane `X-Request-ID` or makes one; logs carry it; the response echoes it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: AppRequest) -> HttpResponseBase:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            with request_scope():
                response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class PublicEndpointMiddleware:
    """Public paths (`public_endpoint`) are answered as if no credentials came along, within a rate
    limit per client address (429 problem+json with `Retry-After` past it).

    Placed before SessionMiddleware: the cookie and `Authorization` headers are removed from the
    request, so no later middleware or view can read a session, a user or a key from them, and the
    route is remembered so TenantMiddleware does not resolve it again.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: AppRequest) -> HttpResponseBase:
        view = _view_of(request)
        request.route_is_tenant_free = getattr(view, "tenant_free", False)
        rate_scope = getattr(view, "public_endpoint", None)
        request.route_is_public = rate_scope is not None
        if rate_scope is None:
            return self.get_response(request)
        for header in _CREDENTIAL_HEADERS:
            request.META.pop(header, None)
        # `request.headers` is built from META once and cached (RequestIdMiddleware has read it
        # already): drop the cached copy, so it is rebuilt from the META without credentials.
        request.__dict__.pop("headers", None)
        request.COOKIES = {}
        wait = throttle(rate_scope, address_bucket(client_address(request)))
        if wait is not None:
            response = _rate_limited(request, wait)
            # A view readable cross-origin (publishing/cors.py) has its 429 readable too, Retry-After included.
            for header, value in getattr(view, "cross_origin_headers", {}).items():
                response[header] = value
            return response
        return self.get_response(request)


class TenantMiddleware:
    """Builds `request.principal` and wraps the rest of the request in its tenant context.

    API key (`Authorization: Bearer tck.…`) → the key's tenant, role and scopes. A signed-in user
    → the tenant named by `X-Tenant-ID` (API) or picked in admin (session), with their
    membership's role. No tenant → `request.principal` is None and no tenant context is opened;
    views that need one answer with a problem+json error, never with data.

    An API request that ends without a principal (no credentials, a malformed, unknown or revoked
    key, a tenant the user may not use) is counted per client address in THROTTLE_RATES["anonymous"],
    the 401s included; past it the answer is 429. An address past it gets its 429 before a key it
    sends is even looked up, so key guessing learns nothing from it, a right guess included.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: AppRequest) -> HttpResponseBase:
        request.principal = None
        if _is_tenant_free(request):
            return self.get_response(request)
        try:
            candidate = self._candidate(request)
        except DomainError as error:
            return _anonymous_refusal(request) or problem_response(error, instance=request.path)
        if candidate is None:
            return _anonymous_refusal(request) or self.get_response(request)
        if getattr(request, "_parsed_api_key", None) is not None:
            refusal = _anonymous_refusal(request, count=False)
            if refusal is not None:
                return refusal
        tenant_id, user_id, from_session = candidate
        try:
            with tenant_context(tenant_id):
                request.principal = self._principal(request, tenant_id, user_id)
                response = self.get_response(request)
                if response.status_code >= 500:
                    transaction.set_rollback(True)
            if request.method not in read_replica.SAFE_METHODS and response.status_code < 400:
                # Committed: this caller's lag-tolerant reads stay on the primary until the replica has it.
                read_replica.caller_wrote(request.principal)
            return response
        except DomainError as error:
            unidentified, request.principal = request.principal is None, None
            refusal = _anonymous_refusal(request) if unidentified else None
            if refusal is not None:
                return refusal
            if from_session and error.code in (CoreErrorCode.TENANT_FORBIDDEN, CoreErrorCode.TENANT_CLOSED):
                # The tenant picked in admin is no longer allowed: drop it, admin asks again.
                return self.get_response(request)
            return problem_response(error, instance=request.path)

    def _candidate(self, request: AppRequest) -> tuple[str, int | None, bool] | None:
        authorization = request.headers.get("Authorization", "")
        if authorization:
            scheme, _, credentials = authorization.partition(" ")
            if scheme.lower() != "bearer":
                return None  # not ours (e.g. Basic for a proxy); DRF answers 401 where it matters
            parsed = parse_secret(credentials.strip())
            if parsed is None:
                raise DomainError(CoreErrorCode.INVALID_API_KEY, "The API key is malformed.", http_status=401)
            request._parsed_api_key = parsed
            return parsed.tenant_id, None, False
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        header_tenant = request.headers.get("X-Tenant-ID")
        tenant_id = header_tenant or request.session.get(SESSION_TENANT_KEY)
        if not tenant_id:
            return None
        if not is_valid_id(tenant_id, "tnt"):
            raise DomainError(
                CoreErrorCode.TENANT_NOT_FOUND, "X-Tenant-ID is not a tenant id.", http_status=400,
            )
        return tenant_id, user.pk, not header_tenant

    def _principal(self, request: AppRequest, tenant_id: str, user_id: int | None) -> Principal:
        parsed = getattr(request, "_parsed_api_key", None)
        if parsed is not None:
            client = selectors.api_client_by_secret_hash(secret_hash=parsed.hash)
            if client is None:
                raise DomainError(
                    CoreErrorCode.INVALID_API_KEY, "The API key is unknown, revoked or expired.", http_status=401
                )
            _refuse_closed(client.tenant)
            request.tenant_name = client.tenant.name
            services.api_key_mark_used(api_client=client)
            return Principal.for_api_key(
                tenant_id=tenant_id, api_client_id=client.pk, role=client.role,
                scopes=scopes_of_document(client.permissions), request_id=getattr(request, "request_id", None),
                ip=client_address(request) or None,
            )
        assert user_id is not None  # _candidate gives a signed-in user's id when there is no key
        membership = selectors.membership_for(user_id=user_id, tenant_id=tenant_id)
        if membership is None:
            request.session.pop(SESSION_TENANT_KEY, None)
            raise DomainError(
                CoreErrorCode.TENANT_FORBIDDEN, "You are not a member of this tenant.", http_status=403,
            )
        if membership.tenant.is_closed:
            request.session.pop(SESSION_TENANT_KEY, None)
            _refuse_closed(membership.tenant)
        request.tenant_name = membership.tenant.name  # read with the membership: the admin header needs no query
        return Principal.for_user(
            tenant_id=tenant_id, user_id=user_id, role=membership.role, request_id=getattr(request, "request_id", None),
            ip=client_address(request) or None,
        )


# What a caller could identify itself with (a proxy's Basic credentials among them).
_CREDENTIAL_HEADERS = ("HTTP_AUTHORIZATION", "HTTP_COOKIE", "HTTP_X_TENANT_ID")


class _TenantState(Protocol):
    erasure_due_at: datetime | None
    deleted_at: datetime | None


def _refuse_closed(tenant: _TenantState) -> None:
    """A deleted tenant, or one marked for erasure, is closed to its staff and keys alike (an operator
    can take the mark back: `erase_tenant SLUG --cancel`)."""
    if tenant.erasure_due_at is not None:
        raise DomainError(CoreErrorCode.TENANT_CLOSED,
                          f"This tenant is closed: it will be erased on {tenant.erasure_due_at:%Y-%m-%d}. "
                          "Ask an operator to take the erasure back.", http_status=403)
    if tenant.deleted_at is not None:
        raise DomainError(CoreErrorCode.TENANT_CLOSED, "This tenant is closed.", http_status=403)


def _rate_limited(request: HttpRequest, wait: int) -> HttpResponseBase:
    response = problem_response(DomainError(
        CoreErrorCode.RATE_LIMITED, "Too many requests from this address; try again later.",
        http_status=429, extra={"retry_after_seconds": wait},
    ), instance=request.path)
    response["Cache-Control"] = "no-store"
    return response


def _anonymous_refusal(request: HttpRequest, *, count: bool = True) -> HttpResponseBase | None:
    """For an API request without a valid principal: its 429 once the client address is past
    THROTTLE_RATES["anonymous"], else None. `count=False` only looks (before a key is checked)."""
    if not is_api_path(request.path_info):
        return None  # the admin's sign-in has its own lockout (django-axes)
    bucket = address_bucket(client_address(request))
    wait = throttle("anonymous", bucket) if count else throttled_already("anonymous", bucket)
    return None if wait is None else _rate_limited(request, wait)


def _view_of(request: HttpRequest) -> Callable[..., Any] | None:
    try:
        return resolve(request.path_info).func
    except Resolver404:
        return None


def _is_tenant_free(request: HttpRequest) -> bool:
    known: bool | None = getattr(request, "route_is_tenant_free", None)  # PublicEndpointMiddleware resolved it
    if known is not None:
        return known
    return getattr(_view_of(request), "tenant_free", False)
