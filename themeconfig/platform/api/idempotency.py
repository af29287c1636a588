"""`Idempotency-Key` on POST: the same key and body replay the stored response; another body is 422.

A key belongs to its caller: it is scoped by tenant, caller (the principal's actor: one API key,
one user), method and path (primary key `(tenant_id, caller, endpoint, key)` under RLS), so another
caller sending the same key runs its own request; stored in the request's own tenant transaction together with what the use case wrote, and kept
24 hours. Two requests racing with one key: the second waits on the first's row, then replays
its response (or gets 409 while the first is still running in another way).
"""
from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

from django.db import connection, transaction
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from themeconfig.platform.errors import CoreErrorCode, DomainError, FieldError
from themeconfig.platform.principal import Principal

HEADER = "Idempotency-Key"
LIFETIME = timedelta(hours=24)
_KEY_RE = re.compile(r"^[\x21-\x7e]{1,255}$")
REPLAYED_HEADERS = ("Location", "ETag", "Cache-Control")


_WHERE = "tenant_id = %s AND caller = %s AND endpoint = %s AND key = %s"


def _claim(scope: tuple[str | None, str, str, str], request_hash: str) -> tuple[Any, ...] | None:
    """Inserts the key, or returns the stored (request_hash, status_code, response) of an earlier use.

    `scope` is (tenant_id, caller, endpoint, key), the primary key."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM theme_config.idempotency_keys WHERE {_WHERE} AND expires_at <= now()", scope)
        cursor.execute(
            "INSERT INTO theme_config.idempotency_keys (tenant_id, caller, endpoint, key, request_hash, expires_at) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            [*scope, request_hash, timezone.now() + LIFETIME],
        )
        if cursor.rowcount == 1:
            return None
        cursor.execute(f"SELECT request_hash, status_code, response FROM theme_config.idempotency_keys WHERE {_WHERE}",
                       scope)
        row: tuple[Any, ...] | None = cursor.fetchone()
        return row


def _store(scope: tuple[str | None, str, str, str], status: int, body: object) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE theme_config.idempotency_keys SET status_code = %s, response = %s WHERE {_WHERE}",
                       [status, json.dumps(body), *scope])


_ViewMethod = Callable[..., Response]


def idempotent(view_method: _ViewMethod) -> _ViewMethod:
    """Wraps an APIView `post` so that it honours Idempotency-Key."""

    @functools.wraps(view_method)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return view_method(view, request, *args, **kwargs)
        if not _KEY_RE.match(key):
            raise DomainError(
                CoreErrorCode.MALFORMED_REQUEST, f"{HEADER} must be 1 to 255 visible ASCII characters.",
                http_status=400, errors=[FieldError(f"/{HEADER}", "invalid", "Not a usable key.")],
            )
        # TenantAuthentication's auth is the Principal; without it, TenantMiddleware's (AppRequest).
        principal = cast(Principal, request.auth if request.auth is not None
                         else request._request.principal)  # type: ignore[attr-defined]
        scope = (principal.tenant_id, principal.actor, f"{request.method} {request.path}", key)
        # Read before DRF parses it (Django keeps the bytes for the parser).
        request_hash = hashlib.sha256(request._request.body).hexdigest()
        with transaction.atomic():
            stored = _claim(scope, request_hash)
            if stored is not None:
                stored_hash, status, body = stored
                if isinstance(body, str):  # Django's psycopg adapter hands jsonb over as text
                    body = json.loads(body)
                if stored_hash != request_hash:
                    raise DomainError(
                        CoreErrorCode.IDEMPOTENCY_KEY_REUSED, f"This {HEADER} was used with another request body.", http_status=422,
                        errors=[FieldError(f"/{HEADER}", "reused", "Use a new key for a new request.")],
                    )
                if status is None:
                    raise DomainError(CoreErrorCode.IDEMPOTENCY_KEY_IN_USE, f"A request with this {HEADER} is still running.",
                                      http_status=409)
                response = Response(body["body"], status=status)
                for name, value in body["headers"].items():
                    response[name] = value
                response["Idempotent-Replayed"] = "true"
                return response
            response = view_method(view, request, *args, **kwargs)
            if response.status_code < 500:
                body = json.loads(JSONRenderer().render(response.data) or b"null")
                secret_fields = getattr(response, "secret_fields", ())
                if secret_fields and isinstance(body, dict):
                    # A secret is shown once: the stored reply (and so a replay) has it null.
                    body = {**body, **{field: None for field in secret_fields if field in body}}
                stored_body = {
                    "body": body,
                    "headers": {h: response[h] for h in REPLAYED_HEADERS if h in response},
                }
                _store(scope, response.status_code, stored_body)
            return response

    return wrapper
