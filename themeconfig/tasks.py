"""Celery tasks of the core app (autodiscovered by config.celery)."""
from __future__ import annotations

from celery import shared_task

from themeconfig.platform.jobs.dispatch import jobs_redispatch
from themeconfig.services.audit import audit_partitions_ensure


@shared_task(name="themeconfig.ensure_audit_partitions_task")
def ensure_audit_partitions_task(*, months_ahead: int = 3) -> list[str]:
    """Daily (CELERY_BEAT_SCHEDULE): the audit log's monthly partitions exist `months_ahead` ahead.

    Cross-tenant upkeep, so no tenant context: it runs on the service connection.
    """
    return audit_partitions_ensure(months_ahead=months_ahead)


@shared_task(name="themeconfig.redispatch_jobs_task", ignore_result=True)
def redispatch_jobs_task() -> int:
    """Every JOB_REDISPATCH_SECONDS (CELERY_BEAT_SCHEDULE): jobs of every kind whose enqueue failed
    (the broker was down when they were asked for) are sent now that the broker answers."""
    return jobs_redispatch()


@shared_task(name="themeconfig.check_host_verification_task", ignore_result=True)
def check_host_verification_task(*, host: str, tenant_id: str, principal: dict | None = None) -> str:
    """One host's DNS challenge checked ("verify now", or due by beat); not in a transaction (a DNS call)."""
    from themeconfig.platform.principal import Principal
    from themeconfig.services.host_verification import host_verification_check

    asked_by = Principal.from_payload(principal) if principal else Principal.operator("verify_hosts", tenant_id=tenant_id)
    if asked_by.tenant_id != tenant_id:
        raise ValueError("the principal belongs to another tenant")
    checked = host_verification_check(principal=asked_by, host=host)
    return "not due" if checked is None else checked.verification_status


@shared_task(name="themeconfig.verify_pending_hosts_task", ignore_result=True)
def verify_pending_hosts_task(*, limit: int = 100) -> dict:
    """Beat: every pending claim whose next check is due gets one (backoff between checks), and claims
    older than HOST_VERIFICATION_EXPIRY_DAYS are deleted (host_claims_expire)."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from themeconfig.selectors.operators import hosts_due_for_verification
    from themeconfig.services.host_verification import host_claims_expire, host_verification_enqueue

    expired = host_claims_expire(before=timezone.now() - timedelta(days=settings.HOST_VERIFICATION_EXPIRY_DAYS))
    due = hosts_due_for_verification(limit=limit)
    for host, tenant_id in due:
        host_verification_enqueue(host=host, tenant_id=tenant_id)
    return {"checks": len(due), "expired": expired}
