"""API key secrets: `tck.<tenant id>.<random>`; only their sha256 is stored.

The tenant id is in clear inside the key so that the lookup itself can run under row level
security, in a transaction already bound to that tenant.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from themeconfig.ids import is_valid_id

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
