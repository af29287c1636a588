"""Input rules and the tenant guard shared by the core use cases."""
from __future__ import annotations

from themeconfig.platform.errors import CoreErrorCode, DomainError, FieldError
from themeconfig.platform.tenant_context import current_tenant_id


def name_errors(name: str) -> list[FieldError]:
    if not (name or "").strip() or len(name.strip()) > 200:
        return [FieldError("/name", "invalid_name", "The name must have 1 to 200 characters.")]
    return []


def choice_errors(field: str, value: str, choices: list[str]) -> list[FieldError]:
    if value not in choices:
        return [FieldError(f"/{field}", "invalid_choice", f"{field.capitalize()} must be one of {', '.join(choices)}.")]
    return []


def require_tenant() -> str:
    tenant_id = current_tenant_id()
    if tenant_id is None:
        raise DomainError(CoreErrorCode.TENANT_REQUIRED, "This use case needs a tenant context.", http_status=400)
    return tenant_id
