"""The address a request came from, as rate limits, login lockouts and the audit log see it.

`REMOTE_ADDR` by default. Behind N reverse proxies that each append the address they received the
request from to `X-Forwarded-For` (nginx `$proxy_add_x_forwarded_for`, most load balancers), set
TRUSTED_PROXY_COUNT=N: the client is then the N-th entry from the right, the one the outermost
trusted proxy saw. Entries further left were written by the client and are never believed, and no
other header (X-Real-IP, Forwarded, CF-Connecting-IP) is read. With N > 0 the app must only be
reachable through those proxies, or a client can name any address it likes.
"""
from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's IP address in its canonical text form ("" when the server gave none)."""
    remote = _canonical(request.META.get("REMOTE_ADDR", "")) or ""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if not forwarded:
        return remote
    # Fewer entries than proxies: it skipped the outer ones, and the first entry is what the first
    # proxy it did pass saw.
    return _canonical(forwarded[-min(hops, len(forwarded))]) or remote


# What a per-address limit counts for a request whose address is unknown (a Unix socket, an
# unparseable peer): one shared, limited caller, never an unlimited one.
UNKNOWN_ADDRESS_BUCKET = "unknown"


@lru_cache(maxsize=4096)
def _canonical(value: str) -> str | None:
    """One text form per client: IPv6's canonical form, and an IPv4-mapped IPv6 address (a dual-stack
    listener or proxy writes `::ffff:198.51.100.7`) as the IPv4 address it stands for."""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    return str(getattr(address, "ipv4_mapped", None) or address)


@lru_cache(maxsize=4096)
def address_bucket(address: str) -> str:
    """What a per-address rate limit counts: an IPv4 address, or the /64 an IPv6 address is in (one
    subscriber's usual allocation, which a client could otherwise walk through address by address);
    UNKNOWN_ADDRESS_BUCKET for no address or not one."""
    canonical = _canonical(address.strip())
    if canonical is None:
        return UNKNOWN_ADDRESS_BUCKET
    if ":" not in canonical:
        return canonical
    return str(ipaddress.ip_network(f"{canonical}/64", strict=False))
