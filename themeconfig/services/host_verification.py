"""Use cases of host verification: a host a tenant adds is served only once the DNS TXT record at
`_theme-config.<host>` holds the challenge token shown when it was added (or an operator verified it).

A check claims the host with a lease (one short transaction), commits, asks DNS outside any
transaction, then records the outcome in another: no row lock is held across the network call, and
two checks of one host never run at once. A failed check is retried by beat with exponential backoff.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from themeconfig.errors import TenancyErrorCode
from themeconfig.models import HostVerificationStatus, TenantHost
from themeconfig.platform.errors import CoreErrorCode, DomainError
from themeconfig.platform.permissions import Permission
from themeconfig.platform.principal import Principal, use_case
from themeconfig.platform.tasks import send_or_leave_to
from themeconfig.platform.txt_records import LookupFailed, txt_values
from themeconfig.services.audit import audit_record
from themeconfig.signals import host_resolution_changed_on_commit

TOKEN_PREFIX = "tcv_"
CHECK_TASK = "themeconfig.check_host_verification_task"
# A claimed check not recorded within this long (a lost worker) may be claimed again.
LEASE = timedelta(minutes=2)
# "Verify now" more often than this answers the current state without another look-up.
MIN_INTERVAL = timedelta(seconds=10)


def challenge_new() -> tuple[str, str]:
    """A fresh challenge token (shown once) and the sha256 kept to check it."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def pending_values(token_hash_: str) -> dict:
    """A new host's verification columns: pending, checked by beat from now on."""
    return {"verification_status": HostVerificationStatus.PENDING, "verification_token_hash": token_hash_,
            "verification_next_check_at": timezone.now(), "verification_leased_until": None}


def verified_values(principal: Principal) -> dict:
    return {"verification_status": HostVerificationStatus.VERIFIED, "verification_token_hash": None,
            "verified_at": timezone.now(), "verified_by": principal.actor, "verification_next_check_at": None,
            "verification_leased_until": None, "verification_last_error": None}


def retry_delay(attempts: int) -> timedelta:
    """After the n-th failed check: base·2^(n-1) seconds, at most the max."""
    base = settings.HOST_VERIFICATION_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), settings.HOST_VERIFICATION_RETRY_MAX_SECONDS))


def _host(host: str, *, lock: bool = False) -> TenantHost:
    hosts = TenantHost.objects.select_for_update() if lock else TenantHost.objects
    found = hosts.filter(host=host.strip().rstrip(".").lower()).first() if isinstance(host, str) else None
    if found is None:
        raise DomainError(CoreErrorCode.NOT_FOUND, "No such host in this tenant.", http_status=404)
    return found


def host_verification_request(*, principal: Principal, host: str) -> TenantHost:
    """"Verify now": the host's check runs at once on a worker (the answer is the host as it is; poll it)."""
    with use_case(principal, Permission.TENANT_MANAGE):
        found = _host(host, lock=True)
        if found.is_verified:
            return found
        now = timezone.now()
        in_flight = found.verification_leased_until is not None and found.verification_leased_until > now
        recent = found.verification_checked_at is not None and found.verification_checked_at > now - MIN_INTERVAL
        if in_flight or recent:
            return found
        TenantHost.objects.filter(host=found.host).update(verification_next_check_at=now)
        payload = principal.as_payload()
        transaction.on_commit(lambda: host_verification_enqueue(host=found.host, tenant_id=principal.tenant_id,
                                                                principal=payload))
        return TenantHost.objects.get(host=found.host)


def host_verification_enqueue(*, host: str, tenant_id: str, principal: dict | None = None) -> None:
    """Hands a check to a worker by task name; a lost message is harmless (beat checks due hosts)."""
    send_or_leave_to("the host verification beat", current_app.signature(CHECK_TASK),
                     kwargs={"host": host, "tenant_id": tenant_id, "principal": principal})


def host_verification_check(*, principal: Principal, host: str) -> TenantHost | None:
    """Checks a due pending host's TXT record and records the outcome; None if it was not due or is gone.

    Never inside a transaction: the DNS look-up must not run while a row lock is held."""
    if connection.in_atomic_block:
        raise RuntimeError("host_verification_check makes a network call: call it outside any transaction")
    now = timezone.now()
    with use_case(principal, Permission.TENANT_MANAGE):
        claimed = TenantHost.objects.filter(
            Q(verification_next_check_at__isnull=True) | Q(verification_next_check_at__lte=now),
            Q(verification_leased_until__isnull=True) | Q(verification_leased_until__lte=now),
            host=host, verification_status=HostVerificationStatus.PENDING,
        ).update(verification_leased_until=now + LEASE)
        if not claimed:
            return None
        expected = TenantHost.objects.values_list("verification_token_hash", flat=True).get(host=host)
    error = None
    try:
        values = txt_values(f"_theme-config.{host}")
        matched = any(hmac.compare_digest(token_hash(value.strip()), expected) for value in values)
        if not matched:
            error = (f"no TXT record at _theme-config.{host} holds the token" if not values else
                     f"{len(values)} TXT record(s) at _theme-config.{host}, none holding the token")
    except LookupFailed as exc:
        matched, error = False, str(exc)
    return _record(principal=principal, host=host, expected=expected, matched=matched, error=error)


def _record(*, principal: Principal, host: str, expected: str, matched: bool, error: str | None) -> TenantHost | None:
    with use_case(principal, Permission.TENANT_MANAGE):
        # Only the challenge that was checked: the host may have been removed or re-added meanwhile.
        row = TenantHost.objects.select_for_update().filter(
            host=host, verification_status=HostVerificationStatus.PENDING, verification_token_hash=expected).first()
        if row is None:
            return None
        now = timezone.now()
        attempts = row.verification_attempts + 1
        if matched:
            TenantHost.objects.filter(host=host).update(
                **verified_values(principal), verification_attempts=attempts, verification_checked_at=now)
            audit_record(principal=principal, action="host.verified", entity_type="host", entity_id=host,
                         old={"verification_status": HostVerificationStatus.PENDING},
                         new={"verification_status": HostVerificationStatus.VERIFIED, "method": "dns"})
            host_resolution_changed_on_commit([host])  # "unknown host" may be cached for it
        else:
            TenantHost.objects.filter(host=host).update(
                verification_attempts=attempts, verification_checked_at=now, verification_last_error=error[:500],
                verification_next_check_at=now + retry_delay(attempts), verification_leased_until=None)
        return TenantHost.objects.get(host=host)


def host_verify_by_operator(*, principal: Principal, host: str) -> TenantHost:
    """An operator vouches for the host (checked out of band): verified, audited as the operator."""
    if not principal.is_operator:
        raise DomainError(CoreErrorCode.PERMISSION_DENIED, "Only operators verify hosts by hand.", http_status=403)
    with use_case(principal, Permission.TENANT_MANAGE):
        found = _host(host, lock=True)
        if found.is_verified:
            return found
        TenantHost.objects.filter(host=found.host).update(**verified_values(principal))
        audit_record(principal=principal, action="host.verified", entity_type="host", entity_id=found.host,
                     old={"verification_status": HostVerificationStatus.PENDING},
                     new={"verification_status": HostVerificationStatus.VERIFIED, "method": "operator"})
        host_resolution_changed_on_commit([found.host])
        return TenantHost.objects.get(host=found.host)


def host_challenge_renew(*, principal: Principal, host: str) -> tuple[TenantHost, str]:
    """A new challenge token for a pending host (the old one stops counting); shown once."""
    with use_case(principal, Permission.TENANT_MANAGE):
        found = _host(host, lock=True)
        if found.is_verified:
            raise DomainError(TenancyErrorCode.HOST_ALREADY_VERIFIED, "The host is already verified.", http_status=409)
        token, hashed = challenge_new()
        TenantHost.objects.filter(host=found.host).update(**pending_values(hashed), verification_last_error=None)
        audit_record(principal=principal, action="host.challenge_renewed", entity_type="host", entity_id=found.host,
                     new={"verification_status": HostVerificationStatus.PENDING})
        return TenantHost.objects.get(host=found.host), token
