"""Every error becomes RFC 9457 problem+json with a stable code and JSON-pointer field paths."""
import json

from rest_framework import exceptions as drf

from themeconfig.platform.api.exceptions import (
    flatten_validation_detail,
    problem_exception_handler,
    to_domain_error,
)
from themeconfig.platform.errors import DomainError, FieldError
from themeconfig.validators import ContractViolation, validate_navigation_items


def _body(exc):
    response = problem_exception_handler(exc, {})
    return response.status_code, response["Content-Type"], json.loads(response.content)


def test_domain_error__rendered_with_code_and_errors():
    status, content_type, body = _body(
        DomainError("MELMASTOON.THEME.VERSION_CONFLICT", "Stale.", http_status=409,
                    errors=[FieldError("/version", "stale", "Reload.")], extra={"current_version": 4})
    )
    assert status == 409 and content_type == "application/problem+json"
    assert body["code"] == "MELMASTOON.THEME.VERSION_CONFLICT" and body["current_version"] == 4
    assert body["errors"] == [{"path": "/version", "code": "stale", "message": "Reload."}]
    assert body["title"] == "Conflict" and body["type"].endswith(body["code"])


def test_drf_validation_error__nested__json_pointer_paths():
    detail = {"name": ["Too long."], "items": [{}, {"label": {"en/GB": ["Blank."]}}], "non_field_errors": ["Bad."]}
    errors = flatten_validation_detail(drf.ValidationError(detail).detail)
    assert {e.path for e in errors} == {"/name", "/items/1/label/en~1GB", ""}


def test_contract_violation__422_with_every_issue():
    try:
        validate_navigation_items([{"id": "x", "kind": "url", "target": "javascript:alert(1)", "label": {}}],
                                  enabled_locales=["en"])
    except ContractViolation as violation:
        status, _, body = _body(violation)
    assert status == 422 and body["code"] == "MELMASTOON.VALIDATION.FAILED"
    codes = {(e["path"], e["code"]) for e in body["errors"]}
    assert ("/0/target", "unsafe_url") in codes


def test_unexpected_exception__500_problem_without_internals():
    status, _, body = _body(RuntimeError("password=hunter2"))
    assert status == 500 and body["code"] == "MELMASTOON.INTERNAL.ERROR" and "hunter2" not in json.dumps(body)


def test_parse_error__400_malformed():
    assert to_domain_error(drf.ParseError("JSON parse error")).code == "MELMASTOON.REQUEST.MALFORMED"
