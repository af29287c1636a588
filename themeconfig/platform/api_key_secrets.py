"""API key secrets: `tck.<tenant id>.<random>`; only their sha256 is stored.

The tenant id is in clear inside the key so that the lookup itself can run under row level
security, in a transaction already bound to that tenant.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from themeconfig.platform.ids import is_valid_id

PREFIX = "tck"


@dataclass(frozen=True)
class ParsedKey:
    tenant_id: str
    secret: str

    @property
    def hash(self) -> str:
        return hash_secret(self.secret)


def hash_secret(secret: str) -> str:
    # A 256-bit random secret needs no slow hash: sha256 cannot be brute-forced back.
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def generate_secret(tenant_id: str) -> str:
    return f"{PREFIX}.{tenant_id}.{secrets.token_urlsafe(32)}"


def parse_secret(secret: str) -> ParsedKey | None:
    parts = secret.split(".", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not is_valid_id(parts[1], "tnt") or len(parts[2]) < 32:
        return None
    return ParsedKey(tenant_id=parts[1], secret=secret)


def hint(secret: str) -> str:
    """What admin shows to tell keys apart: the tenant-free start of the random part."""
    return secret.rsplit(".", 1)[-1][:6]


# The permissions document of an API key: {"scopes": [...]}. A key acts with the scopes its
# document lists, intersected with what its role allows; no document means all its role allows.
SCOPES = (
    "tenant:read",
    "themes:read",
    "themes:write",
    "themes:publish",
    "previews:manage",
    "ai:review",
)
_READ_SCOPES = frozenset({"tenant:read", "themes:read"})
ROLE_SCOPES: dict[str, frozenset[str]] = {
    "owner": frozenset(SCOPES),
    "admin": frozenset(SCOPES),
    "member": frozenset(SCOPES),
    "api": frozenset(SCOPES) - {"ai:review"},
    "viewer": _READ_SCOPES,
}


def permissions_errors(document: object) -> list[tuple[str, str, str]]:
    """(JSON pointer, code, message) for each problem of a permissions document."""
    if not isinstance(document, dict):
        return [("", "invalid_type", "Permissions must be a JSON object.")]
    problems = [(f"/{key}", "unknown_key", "Only 'scopes' is allowed.") for key in document if key != "scopes"]
    scopes = document.get("scopes", [])
    if not isinstance(scopes, list):
        return problems + [("/scopes", "invalid_type", "Scopes must be a list of strings.")]
    for index, scope in enumerate(scopes):
        if scope not in SCOPES:
            problems.append((f"/scopes/{index}", "unknown_scope", f"{scope!r} is not one of {', '.join(SCOPES)}."))
    return problems


def effective_scopes(*, role: str, permissions: dict) -> frozenset[str]:
    allowed = ROLE_SCOPES.get(role, frozenset())
    if "scopes" in permissions:
        return allowed & frozenset(permissions["scopes"])
    return allowed
