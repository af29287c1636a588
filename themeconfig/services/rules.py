"""Input rules shared by the core use cases, and the grant rule of memberships and API keys."""
from __future__ import annotations

from themeconfig.errors import TenancyErrorCode
from themeconfig.platform.errors import DomainError, FieldError
from themeconfig.platform.permissions import scoped_permissions
from themeconfig.platform.principal import Principal


def name_errors(name: str, path: str = "/name") -> list[FieldError]:
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 200:
        return [FieldError(path, "invalid_name", "The name must have 1 to 200 characters.")]
    return []


def choice_errors(field: str, value: str, choices: list[str]) -> list[FieldError]:
    if value not in choices:
        return [FieldError(f"/{field}", "invalid_choice", f"{field.capitalize()} must be one of {', '.join(choices)}.")]
    return []


def check_grant(principal: Principal, role: str, *, scopes: frozenset[str] | None = None, path: str = "/role") -> None:
    """Nobody hands out a role (narrowed by an API key's `scopes`) that can do more than they can
    themselves: a scoped key may issue or rotate a key as narrow as itself, not its whole role."""
    beyond = scoped_permissions(role, scopes) - principal.permissions
    if beyond:
        raise DomainError(
            TenancyErrorCode.ROLE_ESCALATION,
            f"You cannot grant the role {role!r}: it can do more than you can ({', '.join(sorted(beyond))}).",
            http_status=403,
            errors=[FieldError(path, "above_own_role", "This role is above your own.")],
        )
