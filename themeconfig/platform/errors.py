"""The one domain error type and the core app's stable error codes (never renamed or reused)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError

if TYPE_CHECKING:
    from themeconfig.validators import ContractViolation


class CoreErrorCode(StrEnum):
    VALIDATION_FAILED = "MELMASTOON.VALIDATION.FAILED"
    MALFORMED_REQUEST = "MELMASTOON.REQUEST.MALFORMED"
    PAYLOAD_TOO_LARGE = "MELMASTOON.REQUEST.TOO_LARGE"
    UNSUPPORTED_MEDIA_TYPE = "MELMASTOON.REQUEST.UNSUPPORTED_MEDIA_TYPE"
    METHOD_NOT_ALLOWED = "MELMASTOON.REQUEST.METHOD_NOT_ALLOWED"
    NOT_ACCEPTABLE = "MELMASTOON.REQUEST.NOT_ACCEPTABLE"
    RATE_LIMITED = "MELMASTOON.REQUEST.RATE_LIMITED"
    NOT_FOUND = "MELMASTOON.RESOURCE.NOT_FOUND"
    AUTHENTICATION_REQUIRED = "MELMASTOON.AUTH.REQUIRED"
    INVALID_API_KEY = "MELMASTOON.AUTH.INVALID_API_KEY"
    PERMISSION_DENIED = "MELMASTOON.AUTH.PERMISSION_DENIED"
    TENANT_REQUIRED = "MELMASTOON.TENANT.REQUIRED"
    TENANT_NOT_FOUND = "MELMASTOON.TENANT.NOT_FOUND"
    TENANT_FORBIDDEN = "MELMASTOON.TENANT.FORBIDDEN"
    TENANT_CLOSED = "MELMASTOON.TENANT.CLOSED"
    TENANT_SLUG_TAKEN = "MELMASTOON.TENANT.SLUG_TAKEN"
    HOST_TAKEN = "MELMASTOON.TENANT.HOST_TAKEN"
    CONFLICT = "MELMASTOON.RESOURCE.CONFLICT"
    BRAND_KIT_VERSION_CONFLICT = "MELMASTOON.BRAND_KIT.VERSION_CONFLICT"
    INTERNAL = "MELMASTOON.INTERNAL.ERROR"
    UNAVAILABLE = "MELMASTOON.SERVICE.UNAVAILABLE"
    DATABASE_UNAVAILABLE = "MELMASTOON.DATABASE.UNAVAILABLE"
    DATABASE_TIMEOUT = "MELMASTOON.DATABASE.TIMEOUT"
    IDEMPOTENCY_KEY_REUSED = "MELMASTOON.IDEMPOTENCY.KEY_REUSED"
    IDEMPOTENCY_KEY_IN_USE = "MELMASTOON.IDEMPOTENCY.KEY_IN_USE"
    ENCRYPTION_KEY_UNAVAILABLE = "MELMASTOON.ENCRYPTION.KEY_UNAVAILABLE"


@dataclass(frozen=True)
class FieldError:
    path: str  # JSON pointer into the request body ("" = the body itself)
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "code": self.code, "message": self.message}


class DomainError(Exception):
    """An expected failure of a use case, rendered as RFC 9457 problem+json with a stable code."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        http_status: int = 400,
        errors: list[FieldError] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = str(code)
        self.message = message
        self.http_status = http_status
        self.errors = list(errors or [])
        self.extra = dict(extra or {})

    def __repr__(self) -> str:
        return f"DomainError({self.code!r}, {self.message!r}, http_status={self.http_status})"


def not_found(what: str) -> DomainError:
    """The 404 of a read or a use case that finds no such row (RLS hides another tenant's rows too)."""
    return DomainError(CoreErrorCode.NOT_FOUND, f"No such {what}.", http_status=404)


def validation_error(errors: list[FieldError], message: str = "The request has invalid fields.") -> DomainError:
    return DomainError(CoreErrorCode.VALIDATION_FAILED, message, http_status=422, errors=errors)


def contract_error(violation: ContractViolation, prefix: str = "") -> DomainError:
    """A validators.ContractViolation as the 422 DomainError, its paths under `prefix`."""
    return validation_error([FieldError(prefix + i.path, i.code, i.message) for i in violation.issues])


def violated_constraint(exc: Exception) -> str | None:
    """The constraint (or unique index) a database IntegrityError names, if any."""
    cause = exc.__cause__ if exc.__cause__ is not None else exc
    diag = getattr(cause, "diag", None)
    return getattr(diag, "constraint_name", None)


@dataclass(frozen=True)
class ConstraintRule:
    """What a violation of one named constraint (or unique index) means to the caller."""

    code: str
    http_status: int
    path: str  # JSON pointer of the field at fault
    message: str

    def error(self) -> DomainError:
        field_code = "taken" if self.http_status == 409 else "constraint"
        return DomainError(
            self.code, self.message, http_status=self.http_status,
            errors=[FieldError(self.path, field_code, self.message)],
        )


def invalid(path: str, message: str) -> ConstraintRule:
    """A CHECK the use case's own validation should have caught: 422 on the field."""
    return ConstraintRule(CoreErrorCode.VALIDATION_FAILED, 422, path, message)


def taken(code: str, path: str, message: str) -> ConstraintRule:
    """A uniqueness rule: 409 with the domain's code."""
    return ConstraintRule(code, 409, path, message)


def already_exists(path: str = "/id") -> ConstraintRule:
    return ConstraintRule(CoreErrorCode.CONFLICT, 409, path, "A row with this identity already exists.")


# The one registry: constraint name → rule. Each app's errors.py registers its tables' constraints;
# tests/rls/test_constraint_registry.py fails when a constraint of the catalog has no rule.
CONSTRAINT_RULES: dict[str, ConstraintRule] = {}


def register_constraints(rules: dict[str, ConstraintRule]) -> None:
    for name, rule in rules.items():
        existing = CONSTRAINT_RULES.get(name)
        if existing is not None and existing != rule:
            raise ValueError(f"constraint {name} is registered twice with different rules")
        CONSTRAINT_RULES[name] = rule


def integrity_error_to_domain_error(exc: Exception) -> DomainError | None:
    rule = CONSTRAINT_RULES.get(violated_constraint(exc) or "")
    return rule.error() if rule is not None else None


@contextmanager
def constraint_violations() -> Iterator[None]:
    """Turns a violation of a registered constraint into its DomainError (others propagate)."""
    try:
        yield
    except IntegrityError as exc:
        error = integrity_error_to_domain_error(exc)
        if error is None:
            raise
        raise error from exc
