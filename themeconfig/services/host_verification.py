"""Use cases of host verification: a host a tenant adds is a *claim* (`TenantHostClaim`), served only once
the DNS TXT record at `_theme-config.<host>` holds the challenge token shown when it was made (or an
operator verified it). Claims reserve nothing: several tenants may claim one name; the first to prove it
takes it (`host_claim_promote`), and the others' claims go, audited in their own logs.

A check claims the claim with a lease (one short transaction), commits, asks DNS outside any
transaction, then records the outcome in another: no row lock is held across the network call, and
two checks of one claim never run at once. A failed check is retried by beat with exponential backoff.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from themeconfig.errors import TenancyErrorCode
from themeconfig.models import HostVerificationMethod, HostVerificationStatus, TenantHost, TenantHostClaim
from themeconfig.platform.enqueue import task_send
from themeconfig.platform.errors import CoreErrorCode, DomainError, violated_constraint
from themeconfig.platform.hostnames import host_normalize
from themeconfig.platform.permissions import Permission
from themeconfig.platform.principal import Principal, use_case
from themeconfig.platform.service_db import service_context
from themeconfig.platform.txt_records import LookupFailed, txt_values
from themeconfig.services.audit import audit_record
from themeconfig.signals import host_resolution_changed_on_commit

TOKEN_PREFIX = "tcv_"
CHECK_TASK = "themeconfig.check_host_verification_task"
# A claimed check not recorded within this long (a lost worker) may be claimed again.
LEASE = timedelta(minutes=2)
DISPLACING_ACTOR = "operator:host_verification"
# "Verify now" more often than this answers the current state without another look-up.
MIN_INTERVAL = timedelta(seconds=10)


def challenge_new() -> tuple[str, str]:
    """A fresh challenge token (shown once) and the sha256 kept to check it."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def challenge_values(token_hash_: str) -> dict[str, Any]:
    """A claim's verification columns for a fresh challenge: checked by beat from now on, from the
    first backoff step (an earlier challenge's failed checks say nothing about this one)."""
    return {"verification_token_hash": token_hash_, "verification_next_check_at": timezone.now(),
            "verification_leased_until": None, "verification_attempts": 0, "verification_checked_at": None,
            "verification_last_error": None}


def retry_delay(attempts: int) -> timedelta:
    """After the n-th failed check: base·2^(n-1) seconds, at most the max."""
    base = settings.HOST_VERIFICATION_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), settings.HOST_VERIFICATION_RETRY_MAX_SECONDS))


def name_lock(host: str) -> None:
    """Serialises every writer of one name (claim, promotion) until the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('tenant_host:' || %s))", [host])


def host_served_elsewhere(host: str) -> bool:
    """Whether another tenant serves (has verified) `host`; never says anything about claims."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tenant_service.host_served_elsewhere(%s)", [host])
        return bool(cursor.fetchone()[0])


def host_taken() -> DomainError:
    return DomainError(CoreErrorCode.HOST_TAKEN, "This host is already served by another tenant.", http_status=409)


def host_claim_promote(*, principal: Principal, host: str, property_id: str | None, method: str) -> TenantHost:
    """Inside a use case: `host` becomes the principal's tenant's served host (HOST_TAKEN if another
    tenant serves it); the tenant's own claim and every other tenant's claim to it are deleted, the
    latter audited in those tenants' logs."""
    name_lock(host)
    try:
        with transaction.atomic():
            created = TenantHost.objects.create(
                host=host, tenant_id=principal.bound_tenant_id, property_id=property_id,
                verification_status=HostVerificationStatus.VERIFIED, verified_at=timezone.now(),
                verified_by=principal.actor, verification_method=method)
    except IntegrityError as error:
        if violated_constraint(error) == "tenant_hosts_pkey":
            raise host_taken() from error
        raise
    TenantHostClaim.objects.filter(host=host).delete()
    with connection.cursor() as cursor:
        # The displaced tenants' audit rows name no actor of the winning tenant (its users and keys
        # are none of their business): the name was taken by verification.
        cursor.execute("SELECT tenant_service.host_claims_displace(%s, %s)", [host, DISPLACING_ACTOR])
        displaced = len(cursor.fetchall())
    audit_record(principal=principal, action="host.verified", entity_type="host", entity_id=host,
                 old={"verification_status": HostVerificationStatus.PENDING},
                 new={"verification_status": HostVerificationStatus.VERIFIED, "method": method,
                      **({"other_claims_removed": displaced} if displaced else {})})
    host_resolution_changed_on_commit([host])  # "unknown host" may be cached for it
    return created


def _served_or_claim(host: str) -> TenantHost | TenantHostClaim:
    """The tenant's served host of that name, else its claim locked for the check (404 when neither)."""
    value = host_normalize(host)
    served = TenantHost.objects.filter(host=value).first() if value else None
    return served if served is not None else _claim(host, lock=True)


def _claim(host: str, *, lock: bool = False) -> TenantHostClaim:
    value = host_normalize(host)
    claims = TenantHostClaim.objects.select_for_update() if lock else TenantHostClaim.objects
    found = claims.filter(host=value).first() if value else None
    if found is None:
        if value and TenantHost.objects.filter(host=value).exists():
            raise DomainError(TenancyErrorCode.HOST_ALREADY_VERIFIED, "The host is already verified.", http_status=409)
        raise DomainError(CoreErrorCode.NOT_FOUND, "No such host in this tenant.", http_status=404)
    return found


def host_verification_request(*, principal: Principal, host: str) -> TenantHost | TenantHostClaim:
    """"Verify now": the claim's check runs at once on a worker (the answer is the host as it is; poll it)."""
    with use_case(principal, Permission.TENANT_MANAGE):
        found = _served_or_claim(host)
        if isinstance(found, TenantHost):
            return found
        if verification_not_queued_reason(found) is not None:
            return found
        TenantHostClaim.objects.filter(host=found.host).update(verification_next_check_at=timezone.now())
        payload = principal.as_payload()
        transaction.on_commit(lambda: host_verification_enqueue(host=found.host, tenant_id=principal.bound_tenant_id,
                                                                principal=payload))
        return TenantHostClaim.objects.get(host=found.host)


def verification_not_queued_reason(claim: TenantHostClaim) -> str | None:
    """Why "Verify now" queues no check for this claim, in words; None when it does (or did)."""
    now = timezone.now()
    if claim.verification_token_hash is None:
        return "it has no challenge any more: ask for a new DNS challenge"
    if claim.verification_leased_until is not None and claim.verification_leased_until > now:
        return "a check is running now"
    if claim.verification_checked_at is not None and claim.verification_checked_at > now - MIN_INTERVAL:
        wait = (claim.verification_checked_at + MIN_INTERVAL - now).total_seconds()
        return f"it was checked a moment ago; try again in {max(1, round(wait))} s"
    return None


def host_verification_enqueue(*, host: str, tenant_id: str, principal: dict[str, Any] | None = None) -> None:
    """Hands a check to a worker by task name; a lost message is harmless (beat checks due claims)."""
    task_send(CHECK_TASK, fallback="the host verification beat",
              kwargs={"host": host, "tenant_id": tenant_id, "principal": principal})


def host_verification_check(*, principal: Principal, host: str) -> TenantHost | TenantHostClaim | None:
    """Checks a due claim's TXT record and records the outcome; None if it was not due or is gone.

    Never inside a transaction: the DNS look-up must not run while a row lock is held."""
    if connection.in_atomic_block:
        raise RuntimeError("host_verification_check makes a network call: call it outside any transaction")
    now = timezone.now()
    with use_case(principal, Permission.TENANT_MANAGE):
        claimed = TenantHostClaim.objects.filter(
            Q(verification_next_check_at__isnull=True) | Q(verification_next_check_at__lte=now),
            Q(verification_leased_until__isnull=True) | Q(verification_leased_until__lte=now),
            host=host, verification_token_hash__isnull=False,
        ).update(verification_leased_until=now + LEASE)
        if not claimed:
            return None
        expected = TenantHostClaim.objects.values_list("verification_token_hash", flat=True).get(host=host)
        assert expected is not None  # claimed only with verification_token_hash set
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


def _record(*, principal: Principal, host: str, expected: str, matched: bool,
            error: str | None) -> TenantHost | TenantHostClaim | None:
    with use_case(principal, Permission.TENANT_MANAGE):
        # Only the challenge that was checked: the claim may have been removed or renewed meanwhile.
        row = TenantHostClaim.objects.select_for_update().filter(host=host, verification_token_hash=expected).first()
        if row is None:
            return None
        if matched:
            try:
                with transaction.atomic():
                    return host_claim_promote(principal=principal, host=host, property_id=row.property_id,
                                              method=HostVerificationMethod.DNS)
            except DomainError:
                error = "another tenant serves this host"
        now = timezone.now()
        attempts = row.verification_attempts + 1
        assert error is not None  # not matched, or matched but refused: both say why
        TenantHostClaim.objects.filter(host=host).update(
            verification_attempts=attempts, verification_checked_at=now, verification_last_error=error[:500],
            verification_next_check_at=now + retry_delay(attempts), verification_leased_until=None)
        return TenantHostClaim.objects.get(host=host)


def host_verify_by_operator(*, principal: Principal, host: str) -> TenantHost:
    """An operator vouches for the claim (checked out of band): served, audited as the operator."""
    if not principal.is_operator:
        raise DomainError(CoreErrorCode.PERMISSION_DENIED, "Only operators verify hosts by hand.", http_status=403)
    with use_case(principal, Permission.TENANT_MANAGE):
        found = _served_or_claim(host)
        if isinstance(found, TenantHost):
            return found
        return host_claim_promote(principal=principal, host=found.host, property_id=found.property_id,
                                  method=HostVerificationMethod.OPERATOR)


def host_challenge_renew(*, principal: Principal, host: str) -> tuple[TenantHostClaim, str]:
    """A new challenge token for a claim (the old one stops counting, the backoff starts over); shown once."""
    with use_case(principal, Permission.TENANT_MANAGE):
        found = _claim(host, lock=True)
        token, hashed = challenge_new()
        TenantHostClaim.objects.filter(host=found.host).update(**challenge_values(hashed))
        audit_record(principal=principal, action="host.challenge_renewed", entity_type="host", entity_id=found.host,
                     new={"verification_status": HostVerificationStatus.PENDING})
        return TenantHostClaim.objects.get(host=found.host), token


def claims_made_before(before: datetime) -> list[tuple[str, str]]:
    """(tenant_id, host) of the claims made before `before`, every tenant's (a snapshot: each may be
    verified or removed before it is expired)."""
    with service_context() as alias:
        return list(TenantHostClaim.objects.using(alias).filter(created_at__lt=before).values_list("tenant_id", "host"))


def host_claims_expire(*, before: datetime) -> int:
    """Deletes the claims made before `before` that are still unproven (every tenant), each audited in
    its tenant's log; a claim verified meanwhile is no longer a claim and stays served. Returns how many."""
    expired = 0
    for tenant_id, host in claims_made_before(before):
        principal = Principal.operator("verify_hosts", tenant_id=tenant_id)
        with use_case(principal, Permission.TENANT_MANAGE):
            # Conditional: only if it is still an unproven claim older than `before` now.
            gone = TenantHostClaim.objects.filter(host=host, created_at__lt=before).delete()[0]
            if gone:
                audit_record(principal=principal, action="host.claim_expired", entity_type="host", entity_id=host,
                             old={"verification_status": HostVerificationStatus.PENDING})
                expired += 1
    return expired
