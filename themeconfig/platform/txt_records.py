"""DNS TXT look-ups for host verification, through dnspython with a configurable resolver
(HOST_VERIFICATION_NAMESERVERS / _DNS_PORT; the system's resolver when none is set)."""
from __future__ import annotations

import dns.exception
import dns.resolver
from django.conf import settings


class LookupFailed(Exception):
    """The name could not be looked up (timeout, SERVFAIL, no resolver): try again later."""


def _resolver() -> dns.resolver.Resolver:
    nameservers = settings.HOST_VERIFICATION_NAMESERVERS
    try:
        resolver = dns.resolver.Resolver(configure=not nameservers)
    except dns.resolver.NoResolverConfiguration as exc:
        raise LookupFailed("no DNS resolver is configured") from exc
    if nameservers:
        resolver.nameservers = list(nameservers)
        resolver.port = settings.HOST_VERIFICATION_DNS_PORT
    resolver.timeout = resolver.lifetime = settings.HOST_VERIFICATION_DNS_TIMEOUT_SECONDS
    return resolver


def txt_values(name: str) -> list[str]:
    """Each TXT record at `name` as one string (its character-strings joined); [] when there is none."""
    try:
        answer = _resolver().resolve(name, "TXT", search=False, raise_on_no_answer=False)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except dns.exception.DNSException as exc:
        raise LookupFailed(f"{type(exc).__name__} looking up TXT {name}") from exc
    if answer.rrset is None:
        return []
    return [b"".join(record.strings).decode("utf-8", "replace") for record in answer.rrset]
