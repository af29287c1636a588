"""Retrying dead letters is one use case (`outbox_event_retry`) behind both doors: the operators'
admin action (tests/integration/test_operator_admin.py) and `manage.py relay_outbox --retry`. Both
lock, retry and audit; two callers racing for one dead letter retry and audit it once.

The outbox is read on the service connection, another session, so these tests commit.
"""
from __future__ import annotations

import io
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from publishing.models import OutboxEvent
from publishing.outbox import enqueue as outbox
from publishing.outbox.enqueue import outbox_enqueue
from publishing.services import outbox_events
from publishing.services.outbox_events import outbox_event_retry
from tests.eventually import eventually
from themeconfig.platform.errors import DomainError
from themeconfig.platform.principal import Principal
from themeconfig.platform.service_db import service_context
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.usefixtures("committed_db")
WAIT_SECONDS = 10


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    monkeypatch.setattr(outbox, "wake_relay", lambda: None)


@pytest.fixture
def tenant(tenant_factory):
    return tenant_factory()


def enqueue(tenant_id: str, key: str, *, dead: bool) -> str:
    with tenant_context(tenant_id):
        event_id = outbox_enqueue(tenant_id=tenant_id, event_type="test.happened.v1", subject=key,
                                  partition_key=key, data={"key": key})
    if dead:
        now = timezone.now()
        with service_context() as alias:
            OutboxEvent.objects.using(alias).filter(event_id=event_id).update(
                dead_lettered_at=now, attempt_count=10, last_error="endpoint answered 503",
                next_attempt_at=now + timedelta(hours=1))
    return event_id


def row(event_id: str) -> OutboxEvent:
    with service_context() as alias:
        return OutboxEvent.objects.using(alias).get(event_id=event_id)


def retry_audits(tenant_id: str) -> list[tuple]:
    with tenant_context(tenant_id), connection.cursor() as cursor:
        cursor.execute("SELECT entity_id, actor FROM theme_config.audit_log WHERE action = 'outbox_event.retried' "
                       "ORDER BY occurred_at, id")
        return cursor.fetchall()


def run_command(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("relay_outbox", *args, "--stats", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_relay_outbox_retry__dead_letter__due_again_and_audited_as_the_command(tenant):
    dead, pending = enqueue(tenant.id, "thm_D", dead=True), enqueue(tenant.id, "thm_P", dead=False)
    out, err = run_command("--retry", dead, "--retry", pending, "--retry", "evt_unknown")
    assert "1 dead letter(s) due again" in out
    assert pending in err and "evt_unknown" in err and dead not in err
    retried = row(dead)
    assert retried.dead_lettered_at is None and retried.attempt_count == 0 and retried.next_attempt_at <= timezone.now()
    assert retry_audits(tenant.id) == [(dead, "operator:relay_outbox")]


def test_relay_outbox_retry_all_dead__every_tenants_dead_letters__each_audited_in_its_tenant(tenant, tenant_factory):
    other = tenant_factory()
    ours, theirs = enqueue(tenant.id, "thm_A", dead=True), enqueue(other.id, "thm_B", dead=True)
    out, err = run_command("--retry-all-dead")
    assert "2 dead letter(s) due again" in out and not err
    assert retry_audits(tenant.id) == [(ours, "operator:relay_outbox")]
    assert retry_audits(other.id) == [(theirs, "operator:relay_outbox")]


def test_outbox_event_retry__a_tenant_member__refused_403_nothing_retried(tenant):
    dead = enqueue(tenant.id, "thm_D", dead=True)
    member = Principal.for_user(tenant_id=tenant.id, user_id=1, role="owner")
    with pytest.raises(DomainError) as refused:
        outbox_event_retry(principal=member, event_ids=[dead])
    assert refused.value.code == "MELMASTOON.AUTH.PERMISSION_DENIED" and refused.value.http_status == 403
    assert row(dead).dead_lettered_at is not None and retry_audits(tenant.id) == []


def test_outbox_event_retry__two_callers_race_for_one_dead_letter__retried_and_audited_once(
        tenant, monkeypatch, admin_sql, django_db_setup):
    """The first caller holds the dead letter's lock (stopped at its audit); the second must wait on
    that lock and then find no dead letter, rather than retry and audit it a second time."""
    dead = enqueue(tenant.id, "thm_D", dead=True)
    holding, release = threading.Event(), threading.Event()
    real_audit_record = outbox_events.audit_record

    def audit_then_hold(**kwargs):
        real_audit_record(**kwargs)
        if not holding.is_set():
            holding.set()
            release.wait(WAIT_SECONDS)

    monkeypatch.setattr(outbox_events, "audit_record", audit_then_hold)
    outcomes: dict[str, object] = {}

    def caller(name: str):
        def run():
            try:
                outcomes[name] = outbox_event_retry(principal=Principal.operator(name), event_ids=[dead])
            except Exception as exc:  # noqa: BLE001 - the test asserts on it
                outcomes[name] = exc
            finally:
                connections.close_all()
        thread = threading.Thread(target=run)
        thread.start()
        return thread

    first = caller("first")
    try:
        assert holding.wait(WAIT_SECONDS), outcomes
        second = caller("second")
        eventually(lambda: admin_sql.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock' "
            "AND query LIKE %s", [django_db_setup, "%FOR UPDATE%"]).fetchone()[0],
            timeout=WAIT_SECONDS, what="the second caller waiting on the dead letter's lock")
    finally:
        release.set()
        first.join()
    second.join()
    assert outcomes == {"first": [dead], "second": []}
    assert retry_audits(tenant.id) == [(dead, "operator:first")]
    assert row(dead).dead_lettered_at is None
