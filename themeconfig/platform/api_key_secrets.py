"""Bearer secrets that name their tenant: `<prefix>.<tenant id>.<random>`; only their sha256 is stored.

API keys use `tck.`, invitation links `inv.`. The tenant id is in clear inside the secret so that
the lookup itself can run under row level security, in a transaction already bound to that tenant.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from themeconfig.platform.ids import is_valid_id

PREFIX = "tck"
INVITATION_PREFIX = "inv"


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


def generate_secret(tenant_id: str, *, prefix: str = PREFIX) -> str:
    return f"{prefix}.{tenant_id}.{secrets.token_urlsafe(32)}"


def parse_secret(secret: str, *, prefix: str = PREFIX) -> ParsedKey | None:
    if not isinstance(secret, str):
        return None
    parts = secret.split(".", 2)
    if len(parts) != 3 or parts[0] != prefix or not is_valid_id(parts[1], "tnt") or not 32 <= len(parts[2]) <= 128:
        return None
    return ParsedKey(tenant_id=parts[1], secret=secret)


def hint(secret: str) -> str:
    """What admin shows to tell keys apart: the tenant-free start of the random part."""
    return secret.rsplit(".", 1)[-1][:6]
