"""Request id and tenant resolution: every tenant request runs in one RLS-bound transaction."""
from __future__ import annotations

import logging
import re
import uuid

from django.db import transaction

from themeconfig import selectors
from themeconfig.platform.api.exceptions import problem_response
from themeconfig.platform.api_key_secrets import parse_secret
from themeconfig.platform.errors import CoreErrorCode, DomainError
from themeconfig.platform.ids import is_valid_id
from themeconfig.platform.logging import request_id_var
from themeconfig.platform.tenant_context import tenant_context

logger = logging.getLogger(__name__)
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
SESSION_TENANT_KEY = "theme_config_tenant_id"


class RequestIdMiddleware:
    """Takes a sane `X-Request-ID` or makes one; logs carry it; the response echoes it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class TenantMiddleware:
    """Resolves the request's tenant and wraps the rest of the request in its tenant context.

    API key (`Authorization: Bearer tck.…`) → the key's tenant. A signed-in user → the tenant
    named by `X-Tenant-ID` (API) or picked in admin (session), if they are a member of it.
    No tenant → the request goes on without a tenant context; views that need one answer with
    a problem+json error (themeconfig.platform.api.permissions.HasTenant), never with data.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant_id = None
        request.api_client = None
        request.membership = None
        try:
            candidate = self._candidate(request)
        except DomainError as error:
            return _problem(request, error)
        if candidate is None:
            return self.get_response(request)
        tenant_id, user_id, from_session = candidate
        try:
            # Only the tenant GUC: app.user_id (member_read) is for the tenant picker, not for
            # tenant work, where a user sees exactly one tenant like everyone else.
            with tenant_context(tenant_id):
                self._authorize(request, tenant_id, user_id)
                response = self.get_response(request)
                if response.status_code >= 500:
                    transaction.set_rollback(True)
                return response
        except DomainError as error:
            if from_session and error.code == CoreErrorCode.TENANT_FORBIDDEN:
                # The tenant picked in admin is no longer allowed: drop it, admin asks again.
                request.tenant_id = None
                return self.get_response(request)
            return _problem(request, error)

    def _candidate(self, request) -> tuple[str, int | None, bool] | None:
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
                CoreErrorCode.TENANT_NOT_FOUND, f"{tenant_id!r} is not a tenant id.", http_status=400,
            )
        return tenant_id, user.pk, not header_tenant

    def _authorize(self, request, tenant_id: str, user_id: int | None) -> None:
        parsed = getattr(request, "_parsed_api_key", None)
        if parsed is not None:
            client = selectors.api_client_authenticate(secret_hash=parsed.hash)
            if client is None:
                raise DomainError(
                    CoreErrorCode.INVALID_API_KEY, "The API key is unknown, revoked or expired.", http_status=401
                )
            request.api_client = client
            request.tenant_id = tenant_id
            return
        membership = selectors.membership_for(user_id=user_id, tenant_id=tenant_id)
        if membership is None:
            request.session.pop(SESSION_TENANT_KEY, None)
            raise DomainError(
                CoreErrorCode.TENANT_FORBIDDEN, "You are not a member of this tenant.", http_status=403,
            )
        request.membership = membership
        request.tenant_id = tenant_id


def _problem(request, error: DomainError):
    return problem_response(error, instance=request.path)


def request_role(request) -> str | None:
    """The caller's role in the request's tenant: its membership's, or its API key's."""
    if request.membership is not None:
        return request.membership.role
    return request.api_client.role if request.api_client is not None else None
