"""Optimistic concurrency at the HTTP door: `ETag: "<version>"` out, `If-Match` (or `version` in
the body) in. The use case compares; the door only reads and writes the headers."""
from __future__ import annotations

import re
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponseBase

from themeconfig.platform.errors import CoreErrorCode, DomainError, FieldError

_ResponseT = TypeVar("_ResponseT", bound=HttpResponseBase)
_ETAG_RE = re.compile(r'^\s*(?:W/)?"(\d{1,9})"\s*$')


def expected_version(request: HttpRequest, body: dict[str, Any] | None = None) -> int | None:
    """The version the caller edited: If-Match wins, else `version` in the body, else None (→ 428)."""
    header = request.headers.get("If-Match")
    if header is not None:
        match = _ETAG_RE.match(header)
        if match is None:
            raise DomainError(
                CoreErrorCode.MALFORMED_REQUEST, 'If-Match must be an ETag this API sent, such as "3".',
                http_status=400, errors=[FieldError("/If-Match", "invalid", "Not an ETag of this API.")],
            )
        return int(match.group(1))
    value = (body or {}).get("version") if isinstance(body, dict) else None
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError(CoreErrorCode.VALIDATION_FAILED, "version must be an integer.", http_status=422,
                          errors=[FieldError("/version", "invalid_type", "An integer.")])
    return int(value)


def with_etag(response: _ResponseT, version: int) -> _ResponseT:
    response["ETag"] = f'"{version}"'
    return response
