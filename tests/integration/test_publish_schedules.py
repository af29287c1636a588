"""Publish schedules on frozen time, run in-process (the scan and the job's code path without a worker):
a schedule starts once at T, its revert at T2 restores the prior publication, cancel, move (OCC),
conflicts named, and a version edited after scheduling failing with its code, an e-mail and an event."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from publishing.models import OutboxEvent, PublishJob, PublishSchedule, ThemePublication
from publishing.services import publish, rollouts, schedules
from tests.factories.tenancy import MembershipFactory
from themeconfig import services
from themeconfig.models import AuditLogEntry, Membership, Theme, ThemeVersion
from themeconfig.platform.errors import DomainError
from themeconfig.platform.principal import Principal
from themeconfig.platform.service_db import service_context
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.usefixtures("committed_db", "no_publish_broker")


@pytest.fixture
def world(tenant_factory, user_factory):
    tenant = tenant_factory()
    user = user_factory()
    with tenant_context(tenant.id):
        MembershipFactory(user=user, role="admin")
    admin = Principal.for_user(tenant_id=tenant.id, user_id=user.pk, role="admin")
    theme = services.theme_create(principal=admin, name="Lake")
    return tenant, admin, theme, user


def ready_version(admin, tenant, theme, text):
    version = services.version_create(principal=admin, theme_id=theme.pk)
    services.locale_pack_put(principal=admin, version_id=version.pk, locale="en", entries={"a.b": text})
    with tenant_context(tenant.id):
        current = ThemeVersion.objects.get(pk=version.pk).version
    return services.version_mark_preview_ready(principal=admin, version_id=version.pk, expected_version=current)


def publish_now(admin, tenant, theme, text) -> ThemePublication:
    version = ready_version(admin, tenant, theme, text)
    with tenant_context(tenant.id):
        expected = Theme.objects.get(pk=theme.pk).version
    job = publish.version_publish(principal=admin, version_id=version.pk, expected_theme_version=expected)
    assert publish.publish_job_run(job_id=job.pk, tenant_id=tenant.id).status == "succeeded"
    with tenant_context(tenant.id):
        return ThemePublication.objects.get(is_active=True, theme_id=theme.pk)


def scan_at(moment):
    with time_machine.travel(moment, tick=False):
        return schedules.publish_schedules_run_due()


def run_job_of(tenant, schedule_id, moment):
    with tenant_context(tenant.id):
        job_id = PublishSchedule.objects.get(pk=schedule_id).publish_job_id
    with time_machine.travel(moment, tick=False):
        return publish.publish_job_run(job_id=job_id, tenant_id=tenant.id)


def get(tenant, schedule_id) -> PublishSchedule:
    with tenant_context(tenant.id):
        return PublishSchedule.objects.get(pk=schedule_id)


def revert_of(tenant, schedule_id) -> PublishSchedule:
    with tenant_context(tenant.id):
        return PublishSchedule.objects.get(reverts_id=schedule_id)


def events(tenant_id, event_type):
    with service_context() as alias:
        return [e.envelope["data"] for e in OutboxEvent.objects.using(alias).filter(
            tenant_id=tenant_id, event_type=event_type).order_by("id")]


def test_schedule__starts_once_at_T__revert_at_T2_restores_exactly_the_prior_publication(world):
    tenant, admin, theme, user = world
    prior = publish_now(admin, tenant, theme, "before")
    campaign = ready_version(admin, tenant, theme, "campaign")
    t = timezone.now() + timedelta(hours=1)
    t2 = t + timedelta(hours=2)
    schedule = schedules.publish_schedule_create(principal=admin, version_id=campaign.pk, run_at=t, revert_at=t2)
    revert = revert_of(tenant, schedule.pk)
    assert [e["schedule_id"] for e in events(tenant.id, "theme.scheduled.v1")] == [schedule.pk, revert.pk]

    assert scan_at(t - timedelta(seconds=30)).started == []  # not before T
    assert scan_at(t + timedelta(seconds=5)).started == [schedule.pk]
    assert scan_at(t + timedelta(seconds=10)).started == []  # once: the next scan finds it running
    with tenant_context(tenant.id):
        assert PublishJob.objects.filter(theme_id=theme.pk, kind="publish").count() == 2  # the manual one and this
    done = run_job_of(tenant, schedule.pk, t + timedelta(seconds=12))
    assert done.status == "succeeded"
    ran = get(tenant, schedule.pk)
    assert ran.status == "succeeded" and ran.previous_publication_id == prior.pk
    with tenant_context(tenant.id):
        live = ThemePublication.objects.get(is_active=True, theme_id=theme.pk)
        assert live.pk == ran.publication_id and live.theme_version_id == campaign.pk
        assert live.published_by is None  # system-initiated (seed 000)
        audit = AuditLogEntry.objects.get(action="theme.published", new_values__active_publication_id=live.pk)
        assert audit.actor == "operator:scheduler"
        assert audit.new_values["schedule_id"] == schedule.pk and audit.new_values["schedule_created_by"] == admin.actor

    assert scan_at(t2 - timedelta(seconds=30)).started == []
    assert scan_at(t2 + timedelta(seconds=5)).started == [revert.pk]
    assert run_job_of(tenant, revert.pk, t2 + timedelta(seconds=8)).status == "succeeded"
    with tenant_context(tenant.id):
        restored = ThemePublication.objects.get(is_active=True, theme_id=theme.pk)
        job = PublishJob.objects.get(pk=get(tenant, revert.pk).publish_job_id)
    assert job.kind == "rollback" and job.target_publication_id == prior.pk
    assert (restored.theme_version_id, restored.bundle_sha256, restored.bundle_url) == (
        prior.theme_version_id, prior.bundle_sha256, prior.bundle_url)
    assert restored.published_by is None and get(tenant, revert.pk).status == "succeeded"
    assert scan_at(t2 + timedelta(minutes=5)).started == []


def test_cancel__stale_version_refused__cancels_its_revert__nothing_starts(world):
    tenant, admin, theme, user = world
    publish_now(admin, tenant, theme, "before")
    campaign = ready_version(admin, tenant, theme, "campaign")
    t = timezone.now() + timedelta(hours=1)
    schedule = schedules.publish_schedule_create(principal=admin, version_id=campaign.pk, run_at=t,
                                                 revert_at=t + timedelta(hours=1))
    with pytest.raises(DomainError) as stale:
        schedules.publish_schedule_cancel(principal=admin, schedule_id=schedule.pk, expected_version=7)
    assert stale.value.code == "MELMASTOON.THEME.VERSION_CONFLICT"
    cancelled = schedules.publish_schedule_cancel(principal=admin, schedule_id=schedule.pk, expected_version=1)
    assert cancelled.status == "cancelled" and cancelled.cancelled_by == admin.actor
    revert = revert_of(tenant, schedule.pk)
    assert revert.status == "cancelled"
    assert len(events(tenant.id, "theme.schedule_cancelled.v1")) == 2
    assert scan_at(t + timedelta(hours=3)).started == []
    with pytest.raises(DomainError) as started:
        schedules.publish_schedule_cancel(principal=admin, schedule_id=schedule.pk, expected_version=2)
    assert started.value.code == "MELMASTOON.SCHEDULE.ALREADY_STARTED"


def test_move__stale_occ_refused__runs_at_the_new_time_only(world):
    tenant, admin, theme, user = world
    campaign = ready_version(admin, tenant, theme, "campaign")
    t = timezone.now() + timedelta(hours=1)
    schedule = schedules.publish_schedule_create(principal=admin, version_id=campaign.pk, run_at=t)
    later = t + timedelta(hours=1)
    moved = schedules.publish_schedule_move(principal=admin, schedule_id=schedule.pk, expected_version=1, run_at=later)
    assert moved.version == 2 and moved.run_at == later
    with pytest.raises(DomainError) as stale:  # a second page still holding version 1
        schedules.publish_schedule_move(principal=admin, schedule_id=schedule.pk, expected_version=1,
                                        run_at=t + timedelta(minutes=10))
    assert stale.value.code == "MELMASTOON.THEME.VERSION_CONFLICT"
    assert get(tenant, schedule.pk).run_at == later
    assert scan_at(t + timedelta(seconds=5)).started == []  # the old time: nothing
    assert scan_at(later + timedelta(seconds=5)).started == [schedule.pk]
    with pytest.raises(DomainError) as started:
        schedules.publish_schedule_move(principal=admin, schedule_id=schedule.pk, expected_version=3,
                                        run_at=later + timedelta(hours=1))
    assert started.value.code == "MELMASTOON.SCHEDULE.ALREADY_STARTED"


def test_conflicting_schedule__refused_naming_the_conflict(world):
    tenant, admin, theme, user = world
    publish_now(admin, tenant, theme, "before")
    first, second = ready_version(admin, tenant, theme, "one"), ready_version(admin, tenant, theme, "two")
    t = timezone.now() + timedelta(hours=1)
    campaign = schedules.publish_schedule_create(principal=admin, version_id=first.pk, run_at=t,
                                                 revert_at=t + timedelta(hours=4))
    with pytest.raises(DomainError) as inside:  # a publish inside the campaign's window
        schedules.publish_schedule_create(principal=admin, version_id=second.pk, run_at=t + timedelta(hours=2))
    assert inside.value.code == "MELMASTOON.SCHEDULE.CONFLICT" and inside.value.http_status == 409
    assert inside.value.extra["conflicting_schedule_id"] == campaign.pk and campaign.pk in inside.value.message
    with pytest.raises(DomainError) as same_version:
        schedules.publish_schedule_create(principal=admin, version_id=first.pk, run_at=t + timedelta(days=2))
    assert same_version.value.code == "MELMASTOON.SCHEDULE.CONFLICT"
    after = schedules.publish_schedule_create(principal=admin, version_id=second.pk, run_at=t + timedelta(hours=5))
    assert after.status == "scheduled"  # after the revert: no conflict
    with pytest.raises(DomainError) as moved_into:
        schedules.publish_schedule_move(principal=admin, schedule_id=after.pk, expected_version=1,
                                        run_at=t + timedelta(hours=3))
    assert moved_into.value.code == "MELMASTOON.SCHEDULE.CONFLICT"


def test_version_edited_after_scheduling__fails_before_T_with_code_email_and_event(world, mailoutbox):
    tenant, admin, theme, user = world
    campaign = ready_version(admin, tenant, theme, "campaign")
    t = timezone.now() + timedelta(hours=1)
    schedule = schedules.publish_schedule_create(principal=admin, version_id=campaign.pk, run_at=t)
    with tenant_context(tenant.id):
        current = ThemeVersion.objects.get(pk=campaign.pk).version
    services.version_update(principal=admin, version_id=campaign.pk, expected_version=current, release_notes="late")
    result = scan_at(t - timedelta(minutes=30))  # well before T
    assert result.failed == [schedule.pk] and result.started == []
    failed = get(tenant, schedule.pk)
    assert failed.status == "failed" and failed.error_code == "MELMASTOON.SCHEDULE.VERSION_CHANGED"
    [event] = events(tenant.id, "theme.schedule_failed.v1")
    assert event["schedule_id"] == schedule.pk and event["error_code"] == "MELMASTOON.SCHEDULE.VERSION_CHANGED"
    [mail] = mailoutbox
    assert mail.to == [user.email] and "MELMASTOON.SCHEDULE.VERSION_CHANGED" in mail.body and "Lake" in mail.subject
    assert scan_at(t + timedelta(seconds=5)).started == []  # and it never runs
    assert len(mailoutbox) == 1


def test_armed_false__waits_for_approval_then_arm_makes_it_run(world):
    tenant, admin, theme, user = world
    campaign = ready_version(admin, tenant, theme, "campaign")
    t = timezone.now() + timedelta(hours=1)
    held = schedules.publish_schedule_create(principal=admin, version_id=campaign.pk, run_at=t, armed=False)
    assert held.status == "pending_approval" and events(tenant.id, "theme.scheduled.v1") == []
    assert scan_at(t + timedelta(seconds=5)).started == []
    armed = schedules.publish_schedule_arm(principal=admin, schedule_id=held.pk, expected_version=1)
    assert armed.status == "scheduled" and len(events(tenant.id, "theme.scheduled.v1")) == 1
    assert scan_at(t + timedelta(seconds=5)).started == [held.pk]


def test_member_may_not_schedule__past_time_refused(world):
    tenant, admin, theme, user = world
    campaign = ready_version(admin, tenant, theme, "campaign")
    member = Principal.for_user(tenant_id=tenant.id, user_id=user.pk, role="member")
    with pytest.raises(DomainError) as denied:
        schedules.publish_schedule_create(principal=member, version_id=campaign.pk,
                                          run_at=timezone.now() + timedelta(hours=1))
    assert denied.value.http_status == 403
    with pytest.raises(DomainError) as past:
        schedules.publish_schedule_create(principal=admin, version_id=campaign.pk,
                                          run_at=timezone.now() - timedelta(minutes=1))
    assert past.value.errors[0].code == "in_past"


def test_creator_demoted_after_scheduling__fails_at_T_and_nothing_is_published(world, mailoutbox):
    tenant, admin, theme, user = world
    campaign = ready_version(admin, tenant, theme, "campaign")
    t = timezone.now() + timedelta(hours=1)
    schedule = schedules.publish_schedule_create(principal=admin, version_id=campaign.pk, run_at=t)
    with tenant_context(tenant.id):
        Membership.objects.filter(user_id=user.pk).update(role="member")
    result = scan_at(t + timedelta(seconds=5))
    assert result.failed == [schedule.pk] and result.started == []
    assert get(tenant, schedule.pk).error_code == "MELMASTOON.SCHEDULE.CREATOR_NOT_ALLOWED"
    with tenant_context(tenant.id):
        assert PublishJob.objects.count() == 0 and ThemePublication.objects.count() == 0
    assert [mail.to for mail in mailoutbox] == [[user.email]]


def test_job_of_a_started_schedule_fails__next_scan_fails_the_schedule_with_the_jobs_code(world, mailoutbox):
    tenant, admin, theme, user = world
    campaign = ready_version(admin, tenant, theme, "campaign")
    t = timezone.now() + timedelta(hours=1)
    schedule = schedules.publish_schedule_create(principal=admin, version_id=campaign.pk, run_at=t)
    assert scan_at(t + timedelta(seconds=5)).started == [schedule.pk]
    with tenant_context(tenant.id):  # edited between the start and the job's run
        current = ThemeVersion.objects.get(pk=campaign.pk).version
    services.version_update(principal=admin, version_id=campaign.pk, expected_version=current, release_notes="late")
    assert run_job_of(tenant, schedule.pk, t + timedelta(seconds=6)).status == "failed"
    assert get(tenant, schedule.pk).status == "running"
    assert scan_at(t + timedelta(seconds=25)).failed == [schedule.pk]
    failed = get(tenant, schedule.pk)
    assert failed.status == "failed" and failed.error_code == "MELMASTOON.PUBLISH.VERSION_CHANGED"
    assert [e["error_code"] for e in events(tenant.id, "theme.schedule_failed.v1")] == [
        "MELMASTOON.PUBLISH.VERSION_CHANGED"]
    assert [mail.to for mail in mailoutbox] == [[user.email]]


def test_theme_deleted_after_scheduling__fails_at_T_with_a_code(world):
    tenant, admin, theme, user = world
    campaign = ready_version(admin, tenant, theme, "campaign")
    t = timezone.now() + timedelta(hours=1)
    schedule = schedules.publish_schedule_create(principal=admin, version_id=campaign.pk, run_at=t)
    owner = Principal.for_user(tenant_id=tenant.id, user_id=user.pk, role="owner")
    with tenant_context(tenant.id):
        expected = Theme.objects.get(pk=theme.pk).version
    services.theme_delete(principal=owner, theme_id=theme.pk, expected_version=expected)
    assert scan_at(t + timedelta(seconds=5)).failed == [schedule.pk]
    assert get(tenant, schedule.pk).error_code == "MELMASTOON.RESOURCE.NOT_FOUND"


def test_schedule_due_while_a_rollout_is_open__fails_with_rollout_running_and_tells_its_creator(world, mailoutbox):
    tenant, admin, theme, user = world
    publish_now(admin, tenant, theme, "live")
    campaign = ready_version(admin, tenant, theme, "campaign")
    t = timezone.now() + timedelta(hours=1)
    schedule = schedules.publish_schedule_create(principal=admin, version_id=campaign.pk, run_at=t)
    canary = ready_version(admin, tenant, theme, "canary")
    with tenant_context(tenant.id):
        expected = Theme.objects.get(pk=theme.pk).version
    rollouts.rollout_start(principal=admin, theme_id=theme.pk, version_id=canary.pk, expected_theme_version=expected,
                           percentage=5, reason="canary first")
    result = scan_at(t + timedelta(seconds=5))
    assert result.failed == [schedule.pk] and result.started == []
    assert get(tenant, schedule.pk).error_code == "MELMASTOON.ROLLOUT.RUNNING"
    [mail] = mailoutbox
    assert mail.to == [user.email] and "MELMASTOON.ROLLOUT.RUNNING" in mail.body
