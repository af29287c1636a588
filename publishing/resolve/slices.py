"""Who is in a rollout's slice: a pure function of the slice and the visitor key, so every process and
every call agrees, and widening only adds visitors (a key's bucket never changes; the slice is
bucket < basis_points, so a larger percentage keeps every key a smaller one had).

A key's bucket is the first 8 bytes of sha256(rollout id, NUL, key) modulo 10,000 (hundredths of a
percent): the rollout's id salts it, so one rollout's first 1 % is not every rollout's first 1 %.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

BUCKETS = 10_000  # basis points
VISITOR_KEY_MAX_LENGTH = 200  # longer keys are not keys (treated as none)
VISITOR_PARAMETER = "visitor"  # resolve/?host=…&visitor=…
VISITOR_HEADER = "X-Visitor-Key"


def bucket(rollout_id: str, visitor_key: str) -> int:
    digest = hashlib.sha256(f"{rollout_id}\0{visitor_key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


@dataclass(frozen=True)
class Slice:
    """A running rollout's slice as the read model holds it for one host."""

    rollout_id: str
    everyone: bool  # the host is one of the rollout's named hosts
    basis_points: int
    user_keys: frozenset[str]

    def includes(self, visitor_key: str | None) -> bool:
        if self.everyone:
            return True
        if not visitor_key or len(visitor_key) > VISITOR_KEY_MAX_LENGTH:
            return False
        if visitor_key in self.user_keys:
            return True
        return self.basis_points > 0 and bucket(self.rollout_id, visitor_key) < self.basis_points
