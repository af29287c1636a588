"""Webhook delivery: secrets, signatures (Standard Webhooks), target checks and the HTTP POST itself.

Signing follows the Standard Webhooks scheme (https://www.standardwebhooks.com), which receivers
can verify with its libraries: headers `webhook-id` (the event id), `webhook-timestamp` (Unix
seconds) and `webhook-signature: v1,<base64 HMAC-SHA256>` over `{id}.{timestamp}.{body}`, keyed
with the base64 part of the `whsec_…` secret. The body is the CloudEvents 1.0 envelope in
structured mode (`application/cloudevents+json`).

Targets: https only, and never a private, loopback, link-local, multicast or otherwise
non-public address (an IPv6 form that embeds an IPv4 address, NAT64, 6to4, IPv4-mapped,
-compatible or -translated, is judged by the address it embeds; Teredo and local-use NAT64 are
refused) unless the host or address is in WEBHOOK_ALLOWED_PRIVATE_TARGETS (hosts, IP
addresses or networks; plain http is allowed only for those). The name is resolved once per
delivery and the connection goes to the address that was checked (no second lookup a DNS
rebinding could answer differently); TLS still verifies the certificate against the host name.
Redirects are not followed.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings

from themeconfig.platform import encryption

SECRET_PREFIX = "whsec_"
USER_AGENT = "theme-config-webhooks/1"
MAX_RESPONSE_BYTES = 16 * 1024


class WebhookTargetError(ValueError):
    """The URL may not receive webhooks (scheme, host or address refused); the message says why."""


@dataclass(frozen=True)
class DeliveryResult:
    ok: bool
    status: int | None
    error: str | None
    duration_ms: float


# --- secrets ------------------------------------------------------------------------------------

def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def encrypt_secret(secret: str) -> str:
    return encryption.encrypt(secret)


def decrypt_secret(token: str) -> str:
    try:
        return encryption.decrypt(token)
    except encryption.EncryptionKeyError as exc:  # a key was dropped too early: rotate-secret re-issues it
        raise WebhookTargetError("the signing secret cannot be decrypted with FIELD_ENCRYPTION_KEYS") from exc


def sign(secret: str, *, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signature_headers(secret: str, *, message_id: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id=message_id, timestamp=timestamp, body=body),
    }


# --- targets ------------------------------------------------------------------------------------

def _allowed_private(host: str, address: ipaddress._BaseAddress) -> bool:
    for entry in settings.WEBHOOK_ALLOWED_PRIVATE_TARGETS:
        entry = entry.strip().lower()
        if not entry:
            continue
        if entry == host:
            return True
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def _last_32_bits(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    return [ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)]


def _teredo(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    server, client = address.teredo
    return [server, client]


# IPv6 forms that carry an IPv4 address, which is where their packets end up (through the kernel, a
# NAT64 gateway, a 6to4 or Teredo relay): (prefix, the IPv4 addresses it carries, whether the form
# may be a target at all). The judged forms are targets only when every address they carry is
# public. The local-use NAT64 prefix is site-local by definition (RFC 8215) and where it puts the
# IPv4 address depends on the operator's prefix length; a Teredo address is a NATed client's end of
# a tunnel (RFC 4380), never a service's: both are refused whatever they carry. `::/96` also holds
# `::` and `::1`, which carry 0.0.0.0 and 0.0.0.1 and so are refused with the rest.
_EMBEDDING_FORMS: tuple[tuple[ipaddress.IPv6Network, Callable[[ipaddress.IPv6Address], list], bool], ...] = (
    (ipaddress.IPv6Network("::ffff:0:0/96"), _last_32_bits, True),      # IPv4-mapped (RFC 4291)
    (ipaddress.IPv6Network("::ffff:0:0:0/96"), _last_32_bits, True),    # IPv4-translated (RFC 2765)
    (ipaddress.IPv6Network("::/96"), _last_32_bits, True),              # IPv4-compatible (RFC 4291, deprecated)
    (ipaddress.IPv6Network("64:ff9b::/96"), _last_32_bits, True),       # NAT64 well-known prefix (RFC 6052)
    (ipaddress.IPv6Network("64:ff9b:1::/48"), _last_32_bits, False),    # NAT64 local-use prefix (RFC 8215)
    (ipaddress.IPv6Network("2002::/16"), lambda a: [a.sixtofour], True),  # 6to4 (RFC 3056)
    (ipaddress.IPv6Network("2001::/32"), _teredo, False),               # Teredo (RFC 4380)
)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> tuple[list[ipaddress.IPv4Address], bool] | None:
    """(the IPv4 addresses an IPv6 form carries, whether the form may be a target), or None for an
    address that carries none."""
    for network, carried, may_target in _EMBEDDING_FORMS:
        if address in network:
            return carried(address), may_target
    return None


def _is_public(address: ipaddress._BaseAddress) -> bool:
    """A globally reachable unicast address; an IPv6 form that embeds IPv4 is judged by what it embeds
    (Python's `is_global` calls `64:ff9b::7f00:1` or `2002:7f00:1::` global, though they reach loopback)."""
    if isinstance(address, ipaddress.IPv6Address) and (embedded := _embedded_ipv4(address)) is not None:
        carried, may_target = embedded
        return may_target and all(_is_public(ipv4) for ipv4 in carried)
    return address.is_global and not address.is_multicast


def check_target(url: str, *, resolve: bool = True) -> tuple[str, str, int, str, str]:
    """(scheme, host, port, path, address to connect to) for a URL that may receive webhooks."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower().rstrip(".")
    if scheme not in ("http", "https"):
        raise WebhookTargetError("the URL must start with https://")
    if not host:
        raise WebhookTargetError("the URL has no host")
    if parts.username or parts.password:
        raise WebhookTargetError("the URL may not carry a user name or password; sign with the secret instead")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise WebhookTargetError("the URL's port is not a number from 1 to 65535") from exc
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if not resolve:
        return scheme, host, port, path, ""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise WebhookTargetError(f"the host {host!r} does not resolve") from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for text in addresses:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        if not _is_public(address) and not _allowed_private(host, address):
            raise WebhookTargetError(
                f"the host {host!r} resolves to {text}, a private or reserved address; allow it in "
                "WEBHOOK_ALLOWED_PRIVATE_TARGETS if that is intended")
    if scheme == "http" and not all(
            _allowed_private(host, ipaddress.ip_address(a.split("%", 1)[0])) for a in addresses):
        raise WebhookTargetError("the URL must start with https:// (plain http only for allow-listed targets)")
    return scheme, host, port, path, addresses[0]


# --- delivery -----------------------------------------------------------------------------------

def deliver(*, url: str, secret: str, envelope: dict) -> DeliveryResult:
    """POSTs the envelope once; ok when the endpoint answers 2xx within the timeouts."""
    started = time.perf_counter()

    def result(ok: bool, status: int | None, error: str | None) -> DeliveryResult:
        return DeliveryResult(ok, status, error, round((time.perf_counter() - started) * 1000, 1))

    try:
        scheme, host, port, path, address = check_target(url)
    except WebhookTargetError as exc:
        return result(False, None, f"refused target: {exc}")
    body = json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    default_port = 443 if scheme == "https" else 80
    headers = {
        "Host": host if port == default_port else f"{host}:{port}",
        "Content-Type": "application/cloudevents+json; charset=utf-8",
        "User-Agent": USER_AGENT,
        **signature_headers(secret, message_id=envelope["id"], body=body),
    }
    timeout = urllib3.Timeout(connect=settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS,
                              read=settings.WEBHOOK_READ_TIMEOUT_SECONDS)
    if scheme == "https":
        pool = urllib3.HTTPSConnectionPool(address, port, timeout=timeout, retries=False, maxsize=1,
                                           server_hostname=host, assert_hostname=host, cert_reqs="CERT_REQUIRED")
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False, maxsize=1)
    try:
        response = pool.urlopen("POST", path, body=body, headers=headers, redirect=False, preload_content=False,
                                assert_same_host=False)
        try:
            response.read(MAX_RESPONSE_BYTES)
        finally:
            response.release_conn()
    except urllib3.exceptions.HTTPError as exc:
        return result(False, None, f"{type(exc).__name__}: {exc}"[:500])
    finally:
        pool.close()
    if 200 <= response.status < 300:
        return result(True, response.status, None)
    return result(False, response.status, f"the endpoint answered {response.status}")
