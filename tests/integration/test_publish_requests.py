"""Four-eyes approval (issue 21), at the use cases: with the tenant setting on, publish, rollback and
re-publish become requests; another member who may publish approves (the job is asked for) or
rejects; self-approval, members without publish, an edited version, a second decision and another
tenant are refused; operators' emergency rollback goes around it, audited; each step is in the
outbox and the e-mails go out (locmem backend)."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connections
from django.utils import timezone

from publishing.errors import PublishingErrorCode
from publishing.models import OutboxEvent, PublishJob, PublishRequest, PublishSchedule, ThemeRollout
from publishing.services import emergency, publish, publish_requests, rollouts, schedules
from tests.factories.tenancy import ApiClientFactory, MembershipFactory, UserFactory
from themeconfig import services
from themeconfig.models import Tenant, Theme, ThemeVersion
from themeconfig.models.audit import AuditLogEntry as AuditLog
from themeconfig.platform.errors import DomainError
from themeconfig.platform.principal import Principal
from themeconfig.platform.service_db import service_context
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.usefixtures("committed_db", "no_publish_broker")


class World:
    def __init__(self, tenant, people, theme):
        self.tenant, self.theme = tenant, theme
        self.alice, self.bob, self.carol, self.mallory = people  # admin, admin, owner, member (no publish)


def _member(tenant, role: str, name: str) -> Principal:
    with tenant_context(tenant.id):
        membership = MembershipFactory(role=role, user=UserFactory(username=f"{name}-{tenant.slug}"))
    return Principal.for_user(tenant_id=tenant.id, user_id=membership.user_id, role=role)


def _four_eyes(principal: Principal, on: bool = True) -> None:
    with tenant_context(principal.bound_tenant_id):
        name = Tenant.objects.values_list("name", flat=True).get()
    services.tenant_update(principal=principal, name=name, settings={"four_eyes_publish": on})


@pytest.fixture
def world(tenant_factory):
    tenant = tenant_factory()
    people = (_member(tenant, "admin", "alice"), _member(tenant, "admin", "bob"), _member(tenant, "owner", "carol"),
              _member(tenant, "member", "mallory"))
    theme = services.theme_create(principal=people[0], name="Lake")
    _four_eyes(people[2])
    mail.outbox.clear()
    return World(tenant, people, theme)


def draft(principal, theme, text="hello"):
    version = services.version_create(principal=principal, theme_id=theme.pk)
    services.locale_pack_put(principal=principal, version_id=version.pk, locale="en", entries={"a.b": text})
    return version


def theme_version(world) -> int:
    with tenant_context(world.tenant.id):
        return Theme.objects.get(pk=world.theme.pk).version


def events(tenant_id) -> list[tuple[str, dict]]:
    with service_context() as alias:
        return [(e.event_type, e.envelope["data"]) for e in
                OutboxEvent.objects.using(alias).filter(tenant_id=tenant_id).order_by("id")]


def audit_actions(tenant_id) -> list[str]:
    with tenant_context(tenant_id):
        return list(AuditLog.objects.order_by("occurred_at").values_list("action", flat=True))


def code_of(call) -> str:
    with pytest.raises(DomainError) as caught:
        call()
    return str(caught.value.code)


def test_publish_with_four_eyes__is_a_request__approved_by_another__job_runs(world):
    version = draft(world.alice, world.theme)
    asked = publish.version_publish(principal=world.alice, version_id=version.pk,
                                    expected_theme_version=theme_version(world), note="Autumn campaign")
    assert isinstance(asked, PublishRequest) and asked.status == "pending" and asked.created_by == world.alice.actor
    with tenant_context(world.tenant.id):
        assert not PublishJob.objects.exists()
    # The approvers are mailed, one message each, never the one who asked.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([f"bob-{world.tenant.slug}@example.com",
                                                            f"carol-{world.tenant.slug}@example.com"])
    assert all(len(m.to) == 1 and asked.pk in m.body and "Autumn campaign" in m.body for m in mail.outbox)
    mail.outbox.clear()

    decided = publish_requests.publish_request_approve(principal=world.bob, request_id=asked.pk,
                                                       expected_version=asked.version, note="Looks right")
    assert (decided.status, decided.decision, decided.decided_by) == ("decided", "approved", world.bob.actor)
    job = publish.publish_job_run(job_id=decided.publish_job_id, tenant_id=world.tenant.id, worker="test")
    assert job.status == "succeeded" and job.requested_by == world.bob.actor
    assert job.trace["publish_request_id"] == asked.pk
    with tenant_context(world.tenant.id):
        assert ThemeVersion.objects.get(pk=version.pk).status == "published"
    # The requester is told, and webhooks see each step.
    assert [m.to for m in mail.outbox] == [[f"alice-{world.tenant.slug}@example.com"]]
    assert "approved" in mail.outbox[0].subject.lower() and "Looks right" in mail.outbox[0].body
    types = [t for t, _ in events(world.tenant.id)]
    assert types == ["theme.publish_requested.v1", "theme.publish_approved.v1", "theme.published.v1"]
    approved = events(world.tenant.id)[1][1]
    assert approved["publish_request_id"] == asked.pk and approved["publish_job_id"] == job.pk
    actions = audit_actions(world.tenant.id)
    assert {"publish_request.opened", "publish_request.approved", "publish_job.publish_requested",
            "theme.published"} <= set(actions)


def test_webhooks__may_subscribe_to_the_approval_events(world, settings):
    from publishing.services import webhooks

    settings.WEBHOOK_ALLOWED_PRIVATE_TARGETS = ["127.0.0.1"]
    wanted = ["theme.publish_requested.v1", "theme.publish_approved.v1", "theme.publish_rejected.v1"]
    subscription, _ = webhooks.webhook_subscription_create(principal=world.carol, url="http://127.0.0.1:9/hook",
                                                           event_types=wanted)
    assert sorted(subscription.event_types) == sorted(wanted)


def test_reject__needs_a_note__requester_mailed__event_written__nothing_published(world):
    version = draft(world.alice, world.theme)
    asked = publish.version_publish(principal=world.alice, version_id=version.pk,
                                    expected_theme_version=theme_version(world))
    mail.outbox.clear()
    assert code_of(lambda: publish_requests.publish_request_reject(
        principal=world.bob, request_id=asked.pk, expected_version=1, note=" ")) == \
        PublishingErrorCode.REQUEST_NOTE_REQUIRED
    rejected = publish_requests.publish_request_reject(principal=world.bob, request_id=asked.pk, expected_version=1,
                                                       note="Wrong colours")
    assert (rejected.status, rejected.decision, rejected.decision_note) == ("decided", "rejected", "Wrong colours")
    assert [m.to for m in mail.outbox] == [[f"alice-{world.tenant.slug}@example.com"]]
    assert "Wrong colours" in mail.outbox[0].body
    assert [t for t, _ in events(world.tenant.id)][-1] == "theme.publish_rejected.v1"
    with tenant_context(world.tenant.id):
        assert not PublishJob.objects.exists()


def test_self_approval__refused__even_through_a_key_the_requester_made(world):
    version = draft(world.alice, world.theme)
    asked = publish.version_publish(principal=world.alice, version_id=version.pk,
                                    expected_theme_version=theme_version(world))
    assert code_of(lambda: publish_requests.publish_request_approve(
        principal=world.alice, request_id=asked.pk, expected_version=1)) == PublishingErrorCode.REQUEST_SELF_APPROVAL
    key, _ = services.api_key_create(principal=world.alice, name="Alice's CI")
    as_key = Principal.for_api_key(tenant_id=world.tenant.id, api_client_id=key.pk, role="api", scopes=None)
    assert code_of(lambda: publish_requests.publish_request_approve(
        principal=as_key, request_id=asked.pk, expected_version=1)) == PublishingErrorCode.REQUEST_SELF_APPROVAL
    assert code_of(lambda: publish_requests.publish_request_reject(
        principal=world.alice, request_id=asked.pk, expected_version=1, note="no")) == \
        PublishingErrorCode.REQUEST_SELF_APPROVAL
    with tenant_context(world.tenant.id):
        assert PublishRequest.objects.get(pk=asked.pk).status == "pending"


def test_member_without_publish__can_neither_ask_nor_decide(world):
    version = draft(world.alice, world.theme)
    assert code_of(lambda: publish.version_publish(principal=world.mallory, version_id=version.pk,
                                                   expected_theme_version=theme_version(world))) == \
        "MELMASTOON.AUTH.PERMISSION_DENIED"
    asked = publish.version_publish(principal=world.alice, version_id=version.pk,
                                    expected_theme_version=theme_version(world))
    assert code_of(lambda: publish_requests.publish_request_approve(
        principal=world.mallory, request_id=asked.pk, expected_version=1)) == "MELMASTOON.AUTH.PERMISSION_DENIED"


def test_edit_after_the_request__voids_it__approval_refused_with_its_code(world):
    version = draft(world.alice, world.theme)
    asked = publish.version_publish(principal=world.alice, version_id=version.pk,
                                    expected_theme_version=theme_version(world))
    with tenant_context(world.tenant.id):
        current = ThemeVersion.objects.get(pk=version.pk).version
    services.version_update(principal=world.carol, version_id=version.pk, expected_version=current,
                            release_notes="a late change")
    with tenant_context(world.tenant.id):
        stale = PublishRequest.objects.get(pk=asked.pk)
    assert (stale.status, stale.void_reason) == ("voided", "version_edited")
    with tenant_context(world.tenant.id):
        entry = AuditLog.objects.get(action="publish_request.voided")
    assert (entry.entity_id, entry.actor) == (asked.pk, world.carol.actor)
    assert code_of(lambda: publish_requests.publish_request_approve(
        principal=world.bob, request_id=asked.pk, expected_version=stale.version)) == \
        PublishingErrorCode.REQUEST_VOIDED_BY_EDIT
    with tenant_context(world.tenant.id):
        assert not PublishJob.objects.exists()


def test_two_approvers_at_once__one_wins__the_other_is_told_it_was_decided(world):
    version = draft(world.alice, world.theme)
    asked = publish.version_publish(principal=world.alice, version_id=version.pk,
                                    expected_theme_version=theme_version(world))
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def decide(name, principal):
        try:
            barrier.wait(timeout=10)
            outcomes[name] = publish_requests.publish_request_approve(principal=principal, request_id=asked.pk,
                                                                      expected_version=1)
        except DomainError as error:
            outcomes[name] = str(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(n, p)) for n, p in (("bob", world.bob), ("carol", world.carol))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    won = [o for o in outcomes.values() if isinstance(o, PublishRequest)]
    lost = [o for o in outcomes.values() if not isinstance(o, PublishRequest)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    # The loser waited on the row lock and then saw it decided (or, past the lock, a stale version).
    assert lost[0] in (PublishingErrorCode.REQUEST_NOT_PENDING, "MELMASTOON.THEME.VERSION_CONFLICT")
    with tenant_context(world.tenant.id):
        assert PublishJob.objects.count() == 1
    assert [t for t, _ in events(world.tenant.id)].count("theme.publish_approved.v1") == 1


def test_approval_racing_an_edit_of_its_version__edit_voids_it__approver_told__no_deadlock(world, django_db_setup):
    """An edit locks the version (and its theme), and its trigger voids the pending requests that
    would put it live; an approval used to lock the request first and the version only when its job
    (a foreign key to it) was inserted: the two deadlocked. Here the version is held from a third
    connection while the edit, then the approval queue for it; the edit goes first and voids."""
    from tests.lock_queue import queued_on_a_held_lock

    version = draft(world.alice, world.theme)
    asked = publish.version_publish(principal=world.alice, version_id=version.pk,
                                    expected_theme_version=theme_version(world))
    with tenant_context(world.tenant.id):
        current = ThemeVersion.objects.get(pk=version.pk).version
    outcomes = queued_on_a_held_lock(
        django_db_setup, "SELECT 1 FROM theme_config.theme_versions WHERE id = %s FOR UPDATE", [version.pk], {
            "edit": lambda: services.version_update(principal=world.alice, version_id=version.pk,
                                                    expected_version=current, release_notes="Edited"),
            "approve": lambda: publish_requests.publish_request_approve(principal=world.bob, request_id=asked.pk,
                                                                        expected_version=asked.version),
        })
    assert not isinstance(outcomes["edit"], Exception), outcomes
    approval = outcomes["approve"]
    assert isinstance(approval, DomainError) and approval.code == PublishingErrorCode.REQUEST_VOIDED_BY_EDIT, outcomes
    with tenant_context(world.tenant.id):
        assert PublishRequest.objects.get(pk=asked.pk).status == "voided"
        assert not PublishJob.objects.exists()


def test_other_tenants_request__not_found__and_untouched(world, tenant_factory):
    version = draft(world.alice, world.theme)
    asked = publish.version_publish(principal=world.alice, version_id=version.pk,
                                    expected_theme_version=theme_version(world))
    other = tenant_factory()
    stranger = _member(other, "owner", "eve")
    assert code_of(lambda: publish_requests.publish_request_approve(
        principal=stranger, request_id=asked.pk, expected_version=1)) == "MELMASTOON.RESOURCE.NOT_FOUND"
    with tenant_context(world.tenant.id):
        assert PublishRequest.objects.get(pk=asked.pk).status == "pending"


def test_rollback_and_republish__are_requests_too__emergency_rollback_bypasses_and_is_audited(world):
    _four_eyes(world.carol, on=False)
    first, second = draft(world.alice, world.theme, "one"), draft(world.alice, world.theme, "two")
    for version in (first, second):
        job = publish.version_publish(principal=world.alice, version_id=version.pk,
                                      expected_theme_version=theme_version(world))
        assert isinstance(job, PublishJob)
        publish.publish_job_run(job_id=job.pk, tenant_id=world.tenant.id)
    _four_eyes(world.carol, on=True)
    rollback = publish.theme_rollback(principal=world.alice, theme_id=world.theme.pk,
                                      expected_theme_version=theme_version(world))
    republish = publish.theme_republish(principal=world.alice, theme_id=world.theme.pk,
                                        expected_theme_version=theme_version(world))
    assert isinstance(rollback, PublishRequest) and rollback.action == "rollback" and rollback.target_publication_id
    assert isinstance(republish, PublishRequest) and republish.action == "re_publish"
    # A member may not call it an emergency; an operator may, and it does not wait.
    assert code_of(lambda: emergency.theme_emergency_rollback(
        principal=world.carol, theme_id=world.theme.pk, expected_theme_version=theme_version(world),
        reason="broken")) == PublishingErrorCode.EMERGENCY_OPERATORS_ONLY
    operator = Principal.operator("oncall").in_tenant(world.tenant.id)
    job = emergency.theme_emergency_rollback(principal=operator, theme_id=world.theme.pk,
                                           expected_theme_version=theme_version(world), reason="checkout broken")
    assert isinstance(job, PublishJob) and job.trace["emergency"] is True
    assert publish.publish_job_run(job_id=job.pk, tenant_id=world.tenant.id).status == "succeeded"
    with tenant_context(world.tenant.id):
        entry = AuditLog.objects.get(action="theme.emergency_rollback_requested")
        assert entry.actor == "operator:oncall" and entry.new_values["four_eyes_on"] is True
        assert entry.new_values["reason"] == "checkout broken"
    # The approved rollback request still runs against the theme as it is now.
    approved = publish_requests.publish_request_approve(principal=world.bob, request_id=rollback.pk,
                                                        expected_version=1)
    assert approved.publish_job_id


def test_setting_off__publish_is_a_job_at_once__and_the_setting_must_be_a_boolean(world):
    _four_eyes(world.carol, on=False)
    version = draft(world.alice, world.theme)
    assert isinstance(publish.version_publish(principal=world.alice, version_id=version.pk,
                                              expected_theme_version=theme_version(world)), PublishJob)
    with pytest.raises(DomainError) as caught:
        services.tenant_update(principal=world.carol, name="T", settings={"four_eyes_publish": "yes"})
    assert caught.value.errors[0].path == "/settings/four_eyes_publish"


def test_withdraw__only_by_the_requester(world):
    version = draft(world.alice, world.theme)
    asked = publish.version_publish(principal=world.alice, version_id=version.pk,
                                    expected_theme_version=theme_version(world))
    assert code_of(lambda: publish_requests.publish_request_withdraw(
        principal=world.bob, request_id=asked.pk, expected_version=1)) == PublishingErrorCode.REQUEST_NOT_REQUESTER
    withdrawn = publish_requests.publish_request_withdraw(principal=world.alice, request_id=asked.pk,
                                                          expected_version=1)
    assert withdrawn.status == "withdrawn"
    assert code_of(lambda: publish_requests.publish_request_approve(
        principal=world.bob, request_id=asked.pk, expected_version=2)) == PublishingErrorCode.REQUEST_NOT_PENDING


# --- the API door ------------------------------------------------------------------------------------

def _key(world, principal: Principal, role: str = "admin") -> dict:
    with tenant_context(world.tenant.id):
        client = ApiClientFactory(role=role, created_by=principal.actor)
    return {"HTTP_AUTHORIZATION": f"Bearer {client.secret}"}


def test_api__publish_answers_a_request__another_members_key_approves__self_and_other_tenant_refused(
        world, client, keyed_tenant_factory):
    version = draft(world.alice, world.theme)
    alice, bob = _key(world, world.alice), _key(world, world.bob)
    asked = client.post(f"/api/v1/versions/{version.pk}/publish/", {"version": theme_version(world), "note": "Go"},
                        content_type="application/json", **alice)
    assert asked.status_code == 202, asked.content
    body = asked.json()
    assert body["id"].startswith("pbr_") and body["status"] == "pending" and body["request_note"] == "Go"
    assert asked["Location"] == f"/api/v1/publish-requests/{body['id']}/" and asked["ETag"] == '"1"'
    waiting = client.get("/api/v1/publish-requests/?status=pending", **bob).json()["results"]
    assert [r["id"] for r in waiting] == [body["id"]]

    own = client.post(f"/api/v1/publish-requests/{body['id']}/approve/", {"version": 1},
                      content_type="application/json", **alice)
    assert own.status_code == 403 and own.json()["code"] == PublishingErrorCode.REQUEST_SELF_APPROVAL
    stranger = keyed_tenant_factory(role="admin")
    elsewhere = client.post(f"/api/v1/publish-requests/{body['id']}/approve/", {"version": 1},
                            content_type="application/json", **stranger.auth)
    assert elsewhere.status_code == 404
    approved = client.post(f"/api/v1/publish-requests/{body['id']}/approve/", {"version": 1, "note": "ok"},
                           content_type="application/json", **bob)
    assert approved.status_code == 202, approved.content
    assert approved.json()["decision"] == "approved" and approved.json()["publish_job_id"].startswith("pbj_")
    # The requester follows their request's state.
    assert client.get(f"/api/v1/publish-requests/{body['id']}/", **alice).json()["state"] == "Approved"
    again = client.post(f"/api/v1/publish-requests/{body['id']}/reject/", {"version": 2, "note": "late"},
                        content_type="application/json", **bob)
    assert again.status_code == 409 and again.json()["code"] == PublishingErrorCode.REQUEST_NOT_PENDING


def test_emergency_rollback_command__job_at_once_with_four_eyes_on__audited_with_the_operator(world):
    from django.core.management import call_command

    _four_eyes(world.carol, on=False)
    for text in ("one", "two"):
        job = publish.version_publish(principal=world.alice, version_id=draft(world.alice, world.theme, text).pk,
                                      expected_theme_version=theme_version(world))
        publish.publish_job_run(job_id=job.pk, tenant_id=world.tenant.id)
    _four_eyes(world.carol, on=True)
    call_command("emergency_rollback", tenant=world.tenant.slug, theme=world.theme.pk, reason="500s on checkout",
                 operator="oncall-jo")
    with tenant_context(world.tenant.id):
        job = PublishJob.objects.get(kind="rollback")
        entry = AuditLog.objects.get(action="theme.emergency_rollback_requested")
    assert job.requested_by == "operator:oncall-jo" and entry.new_values["publish_job_id"] == job.pk
    with tenant_context(world.tenant.id):
        assert not PublishRequest.objects.exists()


def _preview_ready(principal, theme, text):
    version = draft(principal, theme, text)
    with tenant_context(principal.bound_tenant_id):
        current = ThemeVersion.objects.get(pk=version.pk).version
    return services.version_mark_preview_ready(principal=principal, version_id=version.pk, expected_version=current)


def _live(world, text="live"):
    """Something published (with four-eyes off for a moment), as rollouts and reverts need."""
    _four_eyes(world.carol, on=False)
    version = draft(world.alice, world.theme, text)
    job = publish.version_publish(principal=world.alice, version_id=version.pk,
                                  expected_theme_version=theme_version(world))
    assert publish.publish_job_run(job_id=job.pk, tenant_id=world.tenant.id).status == "succeeded"
    _four_eyes(world.carol, on=True)


def test_scheduled_publish__waits_unarmed_for_approval__approval_arms_it__it_runs_at_T(world):
    campaign = _preview_ready(world.alice, world.theme, "campaign")
    t = timezone.now() + timedelta(hours=2)
    schedule = schedules.publish_schedule_create(principal=world.alice, version_id=campaign.pk, run_at=t,
                                                 note="Black Friday, midnight Paris")
    assert schedule.status == "pending_approval"
    with tenant_context(world.tenant.id):
        asked = PublishRequest.objects.get(schedule_id=schedule.pk)
    assert (asked.action, asked.run_at, asked.request_note) == ("schedule", t, "Black Friday, midnight Paris")
    assert [m.to for m in mail.outbox] and all("scheduled publish" in m.subject for m in mail.outbox)
    with time_machine.travel(t + timedelta(seconds=5), tick=False):
        assert schedules.publish_schedules_run_due().started == []  # unarmed: nothing runs without approval
    assert code_of(lambda: publish_requests.publish_request_approve(
        principal=world.alice, request_id=asked.pk, expected_version=1)) == PublishingErrorCode.REQUEST_SELF_APPROVAL
    approved = publish_requests.publish_request_approve(principal=world.bob, request_id=asked.pk, expected_version=1)
    assert approved.decision == "approved" and approved.publish_job_id is None  # the job comes at T
    with tenant_context(world.tenant.id):
        assert PublishSchedule.objects.get(pk=schedule.pk).status == "scheduled"
    with time_machine.travel(t + timedelta(seconds=5), tick=False):
        assert schedules.publish_schedules_run_due().started == [schedule.pk]


def test_scheduled_publish__rejected__its_schedule_is_cancelled__cancelled_schedule_voids_its_request(world):
    first = _preview_ready(world.alice, world.theme, "one")
    t = timezone.now() + timedelta(hours=2)
    rejected_one = schedules.publish_schedule_create(principal=world.alice, version_id=first.pk, run_at=t)
    with tenant_context(world.tenant.id):
        asked = PublishRequest.objects.get(schedule_id=rejected_one.pk)
    publish_requests.publish_request_reject(principal=world.bob, request_id=asked.pk, expected_version=1,
                                            note="Not before the price list is ready")
    with tenant_context(world.tenant.id):
        assert PublishSchedule.objects.get(pk=rejected_one.pk).status == "cancelled"
    second = _preview_ready(world.alice, world.theme, "two")
    dropped = schedules.publish_schedule_create(principal=world.alice, version_id=second.pk,
                                                run_at=t + timedelta(hours=5))
    schedules.publish_schedule_cancel(principal=world.alice, schedule_id=dropped.pk, expected_version=1)
    with tenant_context(world.tenant.id):
        waiting = PublishRequest.objects.get(schedule_id=dropped.pk)
    assert (waiting.status, waiting.void_reason) == ("voided", "schedule_cancelled")


def test_schedule_cancelled_while_its_request_is_rejected__one_of_them_decides__no_deadlock(world, django_db_setup):
    """A cancel holds the theme's schedule lock and then voids the waiting request; a rejection locked
    the request first and then (cancelling the held schedule) waited for that lock: they deadlocked.
    Here the schedule lock is held while the cancel, then the rejection queue for it."""
    from tests.lock_queue import queued_on_a_held_lock

    campaign = _preview_ready(world.alice, world.theme, "campaign")
    schedule = schedules.publish_schedule_create(principal=world.alice, version_id=campaign.pk,
                                                 run_at=timezone.now() + timedelta(hours=2))
    with tenant_context(world.tenant.id):
        asked = PublishRequest.objects.get(schedule_id=schedule.pk)
    outcomes = queued_on_a_held_lock(
        django_db_setup, "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
        [f"publish_schedules:{world.theme.pk}"], {
            "cancel": lambda: schedules.publish_schedule_cancel(principal=world.alice, schedule_id=schedule.pk,
                                                                expected_version=schedule.version),
            "reject": lambda: publish_requests.publish_request_reject(
                principal=world.bob, request_id=asked.pk, expected_version=asked.version, note="Not yet"),
        })
    assert getattr(outcomes["cancel"], "status", None) == "cancelled", outcomes
    rejection = outcomes["reject"]
    assert isinstance(rejection, DomainError) and rejection.code == PublishingErrorCode.REQUEST_NOT_PENDING, outcomes
    assert "schedule was cancelled" in rejection.message
    with tenant_context(world.tenant.id):
        assert (PublishRequest.objects.get(pk=asked.pk).status, PublishSchedule.objects.get(pk=schedule.pk).status) \
            == ("voided", "cancelled")


def test_rollout_promote__is_a_request__approval_asks_for_the_job_that_promotes_it(world):
    _live(world)
    candidate = _preview_ready(world.alice, world.theme, "candidate")
    rollout = rollouts.rollout_start(principal=world.alice, theme_id=world.theme.pk, version_id=candidate.pk,
                                     expected_theme_version=theme_version(world), percentage=10, reason="canary")
    asked = rollouts.rollout_promote(principal=world.alice, rollout_id=rollout.pk, expected_version=rollout.version,
                                     reason="Canary looked fine for a day")
    assert isinstance(asked, PublishRequest) and (asked.action, asked.rollout_id) == ("promote", rollout.pk)
    approved = publish_requests.publish_request_approve(principal=world.bob, request_id=asked.pk, expected_version=1)
    done = publish.publish_job_run(job_id=approved.publish_job_id, tenant_id=world.tenant.id)
    assert done.status == "succeeded" and done.trace["publish_request_id"] == asked.pk
    with tenant_context(world.tenant.id):
        assert ThemeRollout.objects.get(pk=rollout.pk).status == "promoted"
