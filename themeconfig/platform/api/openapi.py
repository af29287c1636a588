"""OpenAPI: drf-spectacular's extensions resolved at start-up, and every operation's problem+json errors.

drf-spectacular keeps each extension's `target_class` as a dotted string and imports it lazily, in
`OpenApiGeneratorExtension._matches`, the first time a schema is generated. That is not thread
safe: for a target whose app is not installed (most of its contrib extensions), two threads both
fail the import; the first sets `target_class = None`, the second, still in its ImportError
handler, calls `cls.target_class.startswith(...)` on that None: AttributeError, a 500 for
concurrent first requests to /api/schema/ (seen under gunicorn with threads). Resolving every
target here, in one thread at start-up, leaves nothing for requests to race on.

`postprocess_problem_responses` (a POSTPROCESSING_HOOK) documents the RFC 9457 problems each
operation can answer, with one `Problem` schema.
"""
from __future__ import annotations

from typing import Any

from drf_spectacular import extensions
from drf_spectacular.plumbing import OpenApiGeneratorExtension

from themeconfig.platform.errors import CoreErrorCode

_Extension = type[OpenApiGeneratorExtension[Any]]


def extension_bases() -> tuple[_Extension, ...]:
    return (
        extensions.OpenApiAuthenticationExtension,
        extensions.OpenApiSerializerExtension,
        extensions.OpenApiSerializerFieldExtension,
        extensions.OpenApiViewExtension,
        extensions.OpenApiFilterExtension,
    )


def unresolved_extensions() -> list[_Extension]:
    """Registered extensions whose target is still a dotted string (left for a request to import)."""
    return [ext for base in extension_bases() for ext in base._registry if isinstance(ext.target_class, str)]


def load_extension_targets() -> None:
    """Registers every extension (drf-spectacular's contrib ones, ours) and imports its target now."""
    import drf_spectacular.openapi  # noqa: F401  (imports drf_spectacular.contrib: its extensions)

    import themeconfig.platform.api.authentication  # noqa: F401  (our authentication extensions)

    for extension in unresolved_extensions():
        # What `_matches` would do on a request's first schema, done once here; targets of apps
        # that are not installed become None, as drf-spectacular itself leaves them.
        extension._load_class()  # type: ignore[no-untyped-call]  # drf-spectacular's loader is unannotated


# --- Problem responses ---------------------------------------------------------------------------
# Every error the API answers is an RFC 9457 problem (themeconfig.platform.api.exceptions); the
# hook below documents them on every operation that needs a caller, so clients (and schemathesis)
# know each status an operation can answer and its body.

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

PROBLEM_SCHEMAS = {
    "Problem": {
        "type": "object",
        "description": "RFC 9457 problem details. `code` is stable; some problems add members "
                       "(`current_version`, `missing_permission`, `required_scope`, …).",
        "properties": {
            "type": {"type": "string", "description": "A URI naming the problem type."},
            "title": {"type": "string"},
            "status": {"type": "integer", "description": "The HTTP status code."},
            "code": {"type": "string", "example": str(CoreErrorCode.VALIDATION_FAILED)},
            "detail": {"type": "string"},
            "instance": {"type": "string", "description": "The request path."},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ProblemFieldError"}},
        },
        "required": ["type", "title", "status", "code", "detail"],
        "additionalProperties": True,
    },
    "ProblemFieldError": {
        "type": "object",
        "properties": {
            "path": {"type": "string", "description": "A JSON pointer into the request (`/name`, `/If-Match`)."},
            "code": {"type": "string"},
            "message": {"type": "string"},
        },
        "required": ["path", "code", "message"],
    },
}

PROBLEM_DESCRIPTIONS = {
    400: "Malformed: a body that is not JSON, a bad If-Match or Idempotency-Key, a NUL character, no tenant.",
    401: "No credentials, or an API key that is malformed, unknown, revoked or expired.",
    403: "The caller's role or key scopes lack the permission (`missing_permission`, `required_scope`).",
    404: "No such resource in this tenant (or a cursor this API did not make).",
    409: "A conflict: a stale version (`current_version`), an immutable version, a taken slot, a repeated "
         "Idempotency-Key whose first request is still running.",
    413: "The body is larger than the API accepts.",
    415: "The body is not of a media type the operation documents (application/json; merge-patch+json where listed).",
    422: "Invalid input: every problem in `errors[]` with its JSON-pointer path.",
    428: "Neither If-Match nor `version` in the body says which version you edited.",
    429: "Too many requests: past the rate limit of the API key or signed-in user (public paths: of the "
         "client address); `Retry-After` says in how many seconds to try again.",
}
_UNSAFE_METHODS = {"post", "put", "patch", "delete"}


def _is_public(operation: dict[str, Any]) -> bool:
    """Anonymous callers allowed (`{}` among the security requirements): health and readiness."""
    return {} in operation.get("security", [{}])


def _request_schema(operation: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    content = operation.get("requestBody", {}).get("content", {})
    media: dict[str, Any] = next(iter(content.values()), {})
    schema: dict[str, Any] = media.get("schema", {})
    ref = schema.get("$ref", "")
    resolved: dict[str, Any] = schemas.get(ref.rsplit("/", 1)[-1], {}) if ref else schema
    return resolved


def problem_statuses(method: str, operation: dict[str, Any], schemas: dict[str, Any]) -> list[int]:
    """The problem statuses an operation of the workspace API can answer."""
    parameters = operation.get("parameters", [])
    statuses = [400, 401, 403]
    if any(p["in"] == "path" or p["name"] == "cursor" for p in parameters):
        statuses.append(404)
    if method in _UNSAFE_METHODS:
        statuses += [409, 413]
        if "requestBody" in operation:
            statuses.append(415)
        statuses.append(422)
        # OCC: PUT/PATCH/DELETE always, a POST when its body can carry the `version` it acted on.
        if method != "post" or "version" in _request_schema(operation, schemas).get("properties", {}):
            statuses.append(428)
    elif any(p["in"] == "query" or "enum" in p.get("schema", {}) for p in parameters):
        statuses.append(422)  # a query parameter, or a path segment that must be one of a few words
    statuses.append(429)  # the rate limit per API key or signed-in user
    return statuses


def postprocess_problem_responses(result: dict[str, Any], generator: object, request: object,
                                  public: bool) -> dict[str, Any]:
    """drf-spectacular POSTPROCESSING_HOOK: the Problem schema, and its responses on every operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(PROBLEM_SCHEMAS)
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in _UNSAFE_METHODS | {"get"}:
                continue
            if _is_public(operation):
                # A public lookup (resolve/?host=): a malformed or unknown key is a problem too.
                looks_up = any(p["in"] == "query" and p.get("required") for p in operation.get("parameters", []))
                statuses = [400, 404, 429] if looks_up else []  # 429: the limit per client address
            else:
                statuses = problem_statuses(method, operation, schemas)
            responses = operation.setdefault("responses", {})
            for status in statuses:
                responses.setdefault(str(status), {
                    "description": PROBLEM_DESCRIPTIONS[status],
                    "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}},
                })
    return result
