"""How every app's management commands word a use case's refusal: message, code and each field's problem."""
from __future__ import annotations

from themeconfig.platform.errors import DomainError


def domain_error_message(error: DomainError) -> str:
    fields = "; ".join(f"{e.path.lstrip('/') or 'input'}: {e.message}" for e in error.errors)
    return f"{error.message} ({error.code}){' ' + fields if fields else ''}"
