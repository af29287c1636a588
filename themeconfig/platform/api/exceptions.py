"""Turns every error into RFC 9457 `application/problem+json` with a stable `code`."""
from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import IntegrityError, connections
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf

from themeconfig.platform.database_faults import database_fault, database_fault_error, mark
from themeconfig.platform.errors import (
    CoreErrorCode,
    DomainError,
    FieldError,
    contract_error,
    integrity_error_to_domain_error,
)
from themeconfig.validators import ContractViolation

logger = logging.getLogger(__name__)
PROBLEM_CONTENT_TYPE = "application/problem+json"
_TITLES = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    406: "Not Acceptable", 409: "Conflict", 412: "Precondition Failed", 413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content", 428: "Precondition Required", 429: "Too Many Requests", 500: "Internal Server Error",
    503: "Service Unavailable",
}


def problem_body(error: DomainError, *, instance: str | None = None) -> dict[str, Any]:
    body = {
        "type": f"https://errors.theme-config.dev/{error.code}",
        "title": _TITLES.get(error.http_status, "Error"),
        "status": error.http_status,
        "code": error.code,
        "detail": error.message,
    }
    if instance:
        body["instance"] = instance
    if error.errors:
        body["errors"] = [e.as_dict() for e in error.errors]
    # Extras add to a problem; they never replace its standard members.
    body.update({key: value for key, value in error.extra.items() if key not in body and key != "errors"})
    return body


def problem_response(error: DomainError, *, instance: str | None = None) -> JsonResponse:
    response = JsonResponse(problem_body(error, instance=instance), status=error.http_status)
    response["Content-Type"] = PROBLEM_CONTENT_TYPE
    if error.http_status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="theme-config"'
    retry_after = error.extra.get("retry_after_seconds")
    if error.http_status in (429, 503) and isinstance(retry_after, int) and retry_after > 0:
        response["Retry-After"] = str(retry_after)
    return response


def json_pointer(parts: Iterable[object]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def flatten_validation_detail(detail: object, prefix: tuple[object, ...] = ()) -> list[FieldError]:
    """DRF's nested ValidationError detail → [{path (JSON pointer), code, message}]."""
    out: list[FieldError] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            path = prefix if key in ("non_field_errors", "__all__") else (*prefix, key)
            out.extend(flatten_validation_detail(value, path))
    elif isinstance(detail, list):
        if all(isinstance(item, drf.ErrorDetail) or isinstance(item, str) for item in detail):
            for item in detail:
                out.extend(flatten_validation_detail(item, prefix))
        else:
            for index, item in enumerate(detail):
                if item:
                    out.extend(flatten_validation_detail(item, (*prefix, index)))
    else:
        code = getattr(detail, "code", None) or "invalid"
        out.append(FieldError(path=json_pointer(prefix), code=str(code), message=str(detail)))
    return out


def to_domain_error(exc: Exception) -> DomainError | None:
    if isinstance(exc, DomainError):
        return exc
    if isinstance(exc, ContractViolation):
        return contract_error(exc)
    if isinstance(exc, IntegrityError):
        return integrity_error_to_domain_error(exc)
    if isinstance(exc, RequestDataTooBig):
        return DomainError(
            CoreErrorCode.PAYLOAD_TOO_LARGE,
            f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.", http_status=413,
        )
    if isinstance(exc, drf.ValidationError):
        return DomainError(
            CoreErrorCode.VALIDATION_FAILED, "The request has invalid fields.", http_status=422,
            errors=flatten_validation_detail(exc.detail),
        )
    if isinstance(exc, drf.ParseError):
        return DomainError(CoreErrorCode.MALFORMED_REQUEST, str(exc.detail), http_status=400)
    if isinstance(exc, drf.NotAuthenticated):
        return DomainError(CoreErrorCode.AUTHENTICATION_REQUIRED, str(exc.detail), http_status=401)
    if isinstance(exc, drf.AuthenticationFailed):
        return DomainError(CoreErrorCode.INVALID_API_KEY, str(exc.detail), http_status=401)
    if isinstance(exc, (drf.PermissionDenied, PermissionDenied)):
        message = str(getattr(exc, "detail", "")) or "You do not have permission to do this."
        return DomainError(CoreErrorCode.PERMISSION_DENIED, message, http_status=403)
    if isinstance(exc, (drf.NotFound, Http404)):
        return DomainError(CoreErrorCode.NOT_FOUND, "Not found.", http_status=404)
    if isinstance(exc, drf.MethodNotAllowed):
        return DomainError(CoreErrorCode.METHOD_NOT_ALLOWED, str(exc.detail), http_status=405)
    if isinstance(exc, drf.NotAcceptable):
        return DomainError(CoreErrorCode.NOT_ACCEPTABLE, str(exc.detail), http_status=406)
    if isinstance(exc, drf.UnsupportedMediaType):
        return DomainError(CoreErrorCode.UNSUPPORTED_MEDIA_TYPE, str(exc.detail), http_status=415)
    if isinstance(exc, drf.Throttled):
        wait: float | None = exc.wait  # type: ignore[attr-defined]  # DRF sets it; its stubs miss it
        extra = {"retry_after_seconds": max(1, math.ceil(wait))} if wait is not None else {}
        return DomainError(CoreErrorCode.RATE_LIMITED, "Too many requests; try again later.", http_status=429,
                           extra=extra)
    if isinstance(exc, drf.APIException):
        return DomainError(CoreErrorCode.MALFORMED_REQUEST, str(exc.detail), http_status=exc.status_code)
    return None


def _rollback_open_transactions() -> None:
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:
            connection.set_rollback(True)


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> JsonResponse:
    """DRF EXCEPTION_HANDLER: nothing half-written survives an error response."""
    request = context.get("request")
    instance = request.path if request is not None else None
    _rollback_open_transactions()
    if fault := database_fault(exc):
        logger.warning("database %s in API view: %s", fault, exc)
        return mark(problem_response(database_fault_error(fault), instance=instance), fault)
    error = to_domain_error(exc)
    if error is None:
        logger.exception("unhandled error in API view", exc_info=exc)
        error = DomainError(CoreErrorCode.INTERNAL, "An unexpected error occurred.", http_status=500)
    return problem_response(error, instance=instance)
