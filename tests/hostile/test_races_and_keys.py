"""Hostile: limits under real concurrency (AI drafts, webhooks) and keys that belong to their caller.

Every test has two tenants and committed transactions on several connections; each asserts that
the limit admits exactly its number, that no answer is a 5xx and that nothing crosses tenants.
"""
from __future__ import annotations

import json
import threading

import pytest
from django.db import connections
from django.test import Client

from ai_workspace.models import ContentDraft, GenerationJob, PaletteSuggestion
from ai_workspace.services import generation
from publishing.models import WebhookSubscription
from publishing.services import webhooks as webhook_services
from tests.celery_worker import celery_worker
from tests.conftest import admin_connect
from tests.eventually import eventually
from tests.lock_queue import queued_on_a_held_lock
from themeconfig import services as theme_services
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.usefixtures("committed_db")
COLORS = [{"name": "Harbour", "value": "#1f4e79", "role": "primary"}]
FONTS = [{"name": "Body", "family": "Inter", "role": "body"}]


def post(url, body, headers, **extra):
    return Client().post(url, json.dumps(body), content_type="application/json", **headers, **extra)


def at_once(count, call):
    """`call(i)` in `count` threads released together, each on its own connection; their results."""
    barrier, results = threading.Barrier(count), [None] * count

    def run(i):
        try:
            barrier.wait()
            results[i] = call(i)
        except Exception as exc:  # noqa: BLE001 - the caller's assertion shows it
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def ai_tenant(keyed_tenant_factory):
    keyed = keyed_tenant_factory(role="member")
    owner = Principal.operator("test", tenant_id=keyed.id)
    theme_services.brand_kit_create(principal=owner, name="House", colors=COLORS, fonts=FONTS, is_default=True)
    theme = theme_services.theme_create(principal=owner, name="Lake")
    theme_services.version_create(principal=owner, theme_id=theme.pk)
    return keyed, f"/api/v1/themes/{theme.pk}/palette-suggestions/"


def waiting_count(tenant_id):
    with tenant_context(tenant_id):
        return (PaletteSuggestion.objects.filter(status="pending").count()
                + GenerationJob.objects.exclude(status__in=generation.FINISHED).count())


# --- AI limits ------------------------------------------------------------------------------------

def _backend_waits(watch, database, wait_event, query_part):
    return watch.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock' "
        "AND wait_event = %s AND query ILIKE %s", [database, wait_event, f"%{query_part}%"]).fetchone()[0] > 0


def test_ai_pending_limit__a_worker_finishes_a_job_between_the_counts__still_429(
        keyed_tenant_factory, django_db_setup, settings, monkeypatch):
    """The exact interleaving of issue 16: the asker has counted pending drafts (none) when the worker
    turns the one unfinished job into a pending draft and commits; the asker must not then count the
    job as finished and the draft as absent. Holding content_drafts' table lock from a third connection
    stops the asker in the middle of its counting, so the worker's commit lands exactly there."""
    monkeypatch.setattr(generation, "enqueue_generation_job", lambda **kwargs: None)  # this test is the worker
    settings.AI_MAX_PENDING_DRAFTS = 1
    keyed, url = ai_tenant(keyed_tenant_factory)
    other, other_url = ai_tenant(keyed_tenant_factory)
    queued = post(url, {"mood": "calm"}, keyed.auth)
    assert queued.status_code == 202, queued.content
    answers, finished = {}, {}
    with admin_connect(django_db_setup) as gate, admin_connect(django_db_setup) as watch:
        gate.execute("BEGIN")
        gate.execute("LOCK TABLE theme_config.content_drafts IN ACCESS EXCLUSIVE MODE")
        asker = threading.Thread(target=lambda: (answers.update(r=post(url, {"mood": "vibrant"}, keyed.auth)),
                                                 connections.close_all()))
        asker.start()
        eventually(lambda: _backend_waits(watch, django_db_setup, "relation", "content_drafts"),
                   what="the asker is counting and waits for the content drafts", timeout=20, interval=0.02)
        worker = threading.Thread(target=lambda: (finished.update(job=generation.generation_job_run(
            job_id=queued.json()["id"], tenant_id=keyed.id)), connections.close_all()))
        worker.start()
        eventually(lambda: not worker.is_alive() or _backend_waits(watch, django_db_setup, "advisory", ""),
                   what="the worker has committed its draft or waits for the asker's lock", timeout=20, interval=0.02)
        gate.execute("COMMIT")
        asker.join(timeout=30)
        worker.join(timeout=30)
    assert finished["job"].status == "succeeded"
    response = answers["r"]
    assert response.status_code == 429, response.content
    assert response.json()["code"] == "MELMASTOON.AI.PENDING_LIMIT"
    assert waiting_count(keyed.id) == 1
    assert post(other_url, {"mood": "calm"}, other.auth).status_code == 202  # the other tenant's own limit


@pytest.mark.slow
def test_ai_pending_limit__16_asks_at_once_while_a_real_worker_finishes_jobs__exactly_the_limit(
        keyed_tenant_factory, django_db_setup, settings):
    settings.AI_MAX_PENDING_DRAFTS = 8
    keyed, url = ai_tenant(keyed_tenant_factory)
    other, other_url = ai_tenant(keyed_tenant_factory)
    with celery_worker(django_db_setup, pool="prefork", concurrency=2):
        early = [post(url, {"mood": mood}, keyed.auth) for mood in ("calm", "vibrant", "luxurious")]
        assert [r.status_code for r in early] == [202] * 3
        # The worker is finishing those three while the sixteen (and the other tenant's eight) arrive.
        answers = at_once(24, lambda i: post(url, {"mood": "calm"}, keyed.auth) if i < 16
                          else post(other_url, {"mood": "calm"}, other.auth))
        assert not [a for a in answers if isinstance(a, Exception)], answers
        ours, theirs = [a.status_code for a in answers[:16]], [a.status_code for a in answers[16:]]
        assert sorted(ours) == [202] * 5 + [429] * 11, ours
        assert theirs == [202] * 8
        assert {a.json()["code"] for a in answers[:16] if a.status_code == 429} == {"MELMASTOON.AI.PENDING_LIMIT"}
        eventually(lambda: _all_finished(keyed.id, other.id), what="the worker finished every job",
                   timeout=20, interval=0.02)
    assert waiting_count(keyed.id) == waiting_count(other.id) == 8


def _all_finished(*tenant_ids):
    for tenant_id in tenant_ids:
        with tenant_context(tenant_id):
            if GenerationJob.objects.exclude(status__in=generation.FINISHED).exists():
                return False
    return True


def test_ai_daily_limit__16_asks_at_once__exactly_the_limit(keyed_tenant_factory, settings, monkeypatch):
    monkeypatch.setattr(generation, "enqueue_generation_job", lambda **kwargs: None)
    settings.AI_MAX_GENERATIONS_PER_DAY = 6
    keyed, url = ai_tenant(keyed_tenant_factory)
    other, other_url = ai_tenant(keyed_tenant_factory)
    answers = at_once(20, lambda i: post(url, {"mood": "calm"}, keyed.auth) if i < 16
                      else post(other_url, {"mood": "calm"}, other.auth))
    ours = [a.status_code for a in answers[:16]]
    assert sorted(ours) == [202] * 6 + [429] * 10, ours
    assert {a.json()["code"] for a in answers[:16] if a.status_code == 429} == {"MELMASTOON.AI.DAILY_LIMIT"}
    assert [a.status_code for a in answers[16:]] == [202] * 4
    with tenant_context(keyed.id):
        assert GenerationJob.objects.count() == 6


# --- webhooks cap ---------------------------------------------------------------------------------

def test_webhook_cap__16_creates_at_once__exactly_the_cap(keyed_tenant_factory, settings, monkeypatch):
    settings.WEBHOOK_ALLOWED_PRIVATE_TARGETS = ["127.0.0.1"]
    monkeypatch.setattr(webhook_services, "MAX_SUBSCRIPTIONS_PER_TENANT", 4)
    keyed, other = keyed_tenant_factory(role="admin"), keyed_tenant_factory(role="admin")
    assert post("/api/v1/webhooks/", {"url": "http://127.0.0.1:8999/first"}, keyed.auth).status_code == 201
    answers = at_once(20, lambda i: post("/api/v1/webhooks/", {"url": f"http://127.0.0.1:8999/h{i}"},
                                         (keyed if i < 16 else other).auth))
    ours = [a.status_code for a in answers[:16]]
    assert sorted(ours) == [201] * 3 + [422] * 13, ours
    assert all(e["code"] == "limit" for a in answers[:16] if a.status_code == 422 for e in a.json()["errors"])
    assert [a.status_code for a in answers[16:]] == [201] * 4
    for tenant, count in ((keyed, 4), (other, 4)):
        with tenant_context(tenant.id):
            assert WebhookSubscription.objects.count() == count


# --- idempotency keys belong to their caller ------------------------------------------------------

def _second_key(tenant, role="admin"):
    from tests.factories.tenancy import ApiClientFactory

    with tenant_context(tenant.id):
        return {"HTTP_AUTHORIZATION": f"Bearer {ApiClientFactory(role=role).secret}"}


def _theme_versions_url(tenant):
    owner = Principal.operator("test", tenant_id=tenant.id)
    return f"/api/v1/themes/{theme_services.theme_create(principal=owner, name='Lake').pk}/versions/"


def _version_ids(tenant):
    from themeconfig.models import ThemeVersion

    with tenant_context(tenant.id):
        return set(ThemeVersion.objects.values_list("id", flat=True))


def test_idempotency_key__a_second_caller_same_key_and_body__its_own_request_runs(keyed_tenant_factory):
    keyed, other = keyed_tenant_factory(role="admin"), keyed_tenant_factory(role="admin")
    url, other_url, second = _theme_versions_url(keyed), _theme_versions_url(other), _second_key(keyed)
    key = {"HTTP_IDEMPOTENCY_KEY": "draft-1"}
    first = post(url, {}, keyed.auth, **key)
    theirs = post(url, {}, second, **key)
    elsewhere = post(other_url, {}, other.auth, **key)
    replay = post(url, {}, keyed.auth, **key)
    for response in (first, theirs, elsewhere):
        assert response.status_code == 201 and response.get("Idempotent-Replayed") is None, response.content
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == first.json()["id"] != theirs.json()["id"]
    own_replay = post(url, {}, second, **key)
    assert own_replay["Idempotent-Replayed"] == "true" and own_replay.json()["id"] == theirs.json()["id"]
    assert _version_ids(keyed) == {first.json()["id"], theirs.json()["id"]}
    assert _version_ids(other) == {elsewhere.json()["id"]}


def test_idempotency_key__two_callers_same_key_at_once__one_version_each(keyed_tenant_factory):
    keyed = keyed_tenant_factory(role="admin")
    url, callers = _theme_versions_url(keyed), [keyed.auth, _second_key(keyed)]
    answers = at_once(8, lambda i: post(url, {}, callers[i % 2], HTTP_IDEMPOTENCY_KEY="same"))
    assert all(not isinstance(a, Exception) and a.status_code in (201, 409) for a in answers), answers
    executed = [a.json()["id"] for a in answers if a.status_code == 201 and a.get("Idempotent-Replayed") is None]
    assert len(executed) == 2 and set(executed) == _version_ids(keyed)


def test_idempotency_key__row_stored_before_callers__replayed_to_nobody(keyed_tenant_factory, django_db_setup):
    keyed = keyed_tenant_factory(role="admin")
    with admin_connect(django_db_setup) as admin:  # a row as the code before publishing 0012 stored it
        admin.execute(
            "INSERT INTO theme_config.idempotency_keys (key, tenant_id, endpoint, request_hash, status_code, response, "
            "expires_at) VALUES ('old', %s, 'POST /api/v1/themes/', 'x', 201, '{\"body\": {\"id\": \"thm_x\"}, "
            "\"headers\": {}}', now() + interval '1 hour')", [keyed.id])
    response = post("/api/v1/themes/", {"name": "Lake"}, keyed.auth, HTTP_IDEMPOTENCY_KEY="old")
    assert response.status_code == 201 and response.get("Idempotent-Replayed") is None
    assert response.json()["id"] != "thm_x"


# --- API keys: rotating oneself, who created a key, a member's keys after removal or demotion ----------

SCOPED = {"scopes": ["tenant:manage", "tenant:read"]}


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _key(principal, name, role="admin", permissions=None):
    from themeconfig import services

    return services.api_key_create(principal=principal, name=name, role=role, permissions=permissions)


def _keys(tenant_id, **filters):
    from themeconfig.models import ApiClient

    with tenant_context(tenant_id):
        return {row.name: row for row in ApiClient.objects.filter(**filters)}


def test_scoped_key__rotates_itself__201_as_narrow_as_before__the_old_secret_dead():
    from tests.factories.admin_staff import make_staff

    a, b = make_staff("Harbour"), make_staff("Orchard", username="{role}_orchard")
    key, secret = _key(a.principals["admin"], "deploy", permissions=SCOPED)
    theirs, _ = _key(b.principals["admin"], "deploy", permissions=SCOPED)
    assert post(f"/api/v1/api-keys/{theirs.pk}/rotate/", {}, bearer(secret)).status_code == 404  # not ours
    rotated = post(f"/api/v1/api-keys/{key.pk}/rotate/", {}, bearer(secret))
    assert rotated.status_code == 201, rotated.content
    body = rotated.json()
    assert (body["role"], body["permissions"], body["created_by"]) == ("admin", SCOPED, f"api_key:{key.pk}")
    assert Client().get("/api/v1/api-keys/", **bearer(secret)).status_code == 401
    assert Client().get("/api/v1/api-keys/", **bearer(body["secret"])).status_code == 200
    # As narrow as itself, never its whole role.
    wider = post("/api/v1/api-keys/", {"name": "wide", "role": "admin"}, bearer(body["secret"]))
    assert wider.status_code == 403 and wider.json()["code"] == "MELMASTOON.MEMBERS.ROLE_ESCALATION"
    assert _keys(b.tenant.id, revoked_at__isnull=True)["deploy"].pk == theirs.pk


def test_member_removed__api_lists_the_keys_they_created_with_rotations__revoked_through_the_api():
    from tests.factories.admin_staff import make_staff
    from tests.factories.tenancy import MembershipFactory
    from themeconfig import services
    from themeconfig.models import Membership

    a, b = make_staff("Harbour"), make_staff("Orchard", username="{role}_orchard")
    leaving = a.users["admin"]
    with tenant_context(b.tenant.id):  # the same person is a member elsewhere too, with a key there
        MembershipFactory(user=leaving, role="admin")
    _key(Principal.for_user(tenant_id=b.tenant.id, user_id=leaving.pk, role="admin"), "theirs-elsewhere")
    scoped, scoped_secret = _key(a.principals["admin"], "deploy", permissions=SCOPED)
    _key(a.principals["admin"], "ci", role="api")
    old, _ = _key(a.principals["admin"], "old", role="viewer")
    services.api_key_revoke(principal=a.principals["owner"], api_client_id=old.pk)
    _key(a.principals["owner"], "owners")  # someone else's
    assert post(f"/api/v1/api-keys/{scoped.pk}/rotate/", {}, bearer(scoped_secret)).status_code == 201
    with tenant_context(a.tenant.id):
        membership = Membership.objects.get(user=leaving)
    services.membership_remove(principal=a.principals["owner"], membership_id=membership.pk)
    _, owner_secret = _key(Principal.operator("test", tenant_id=a.tenant.id), "root", role="owner")
    url = f"/api/v1/api-keys/?created_by_user={leaving.pk}&live=true"
    listed = Client().get(url, **bearer(owner_secret))
    assert listed.status_code == 200, listed.content
    items = listed.json()["results"]
    assert sorted(i["name"] for i in items) == ["ci", "deploy"]
    for item in items:
        assert post(f"/api/v1/api-keys/{item['id']}/revoke/", {}, bearer(owner_secret)).status_code == 200
    assert Client().get(url, **bearer(owner_secret)).json()["results"] == []
    everything = Client().get(f"/api/v1/api-keys/?created_by_user={leaving.pk}", **bearer(owner_secret)).json()
    names = sorted(i["name"] for i in everything["results"])
    assert names == ["ci", "deploy", "deploy", "old"]  # revoked ones too, never the other tenant's
    assert _keys(b.tenant.id)["theirs-elsewhere"].revoked_at is None
    bad = Client().get("/api/v1/api-keys/?created_by_user=x&live=maybe", **bearer(owner_secret))
    assert bad.status_code == 422 and {e["path"] for e in bad.json()["errors"]} == {"/created_by_user", "/live"}


def _listed_rows(changelist_html: str) -> list[str]:
    import re

    return re.findall(r'name="_selected_action" value="([^"]+)"', changelist_html)


def test_admin_member_demoted_then_removed__lands_on_their_live_keys__revoked_by_the_action():
    from tests.factories.admin_staff import make_staff, sign_in
    from tests.factories.tenancy import MembershipFactory
    from themeconfig.models import Membership

    a, b = make_staff("Harbour"), make_staff("Orchard", username="{role}_orchard")
    leaving = a.users["admin"]
    with tenant_context(b.tenant.id):
        MembershipFactory(user=leaving, role="admin")
    _key(Principal.for_user(tenant_id=b.tenant.id, user_id=leaving.pk, role="admin"), "theirs-elsewhere")
    key, secret = _key(a.principals["admin"], "deploy", permissions=SCOPED)
    _key(a.principals["owner"], "owners")
    assert post(f"/api/v1/api-keys/{key.pk}/rotate/", {}, bearer(secret)).status_code == 201
    rotated = _keys(a.tenant.id, revoked_at__isnull=True)["deploy"]
    with tenant_context(a.tenant.id):
        membership = Membership.objects.get(user=leaving)
    client = Client()
    sign_in(client, a, "owner")
    demoted = client.post(f"/admin/themeconfig/membership/{membership.pk}/change/", {"role": "viewer"})
    assert demoted.status_code == 302
    assert demoted["Location"] == f"/admin/themeconfig/apiclient/?created_by_user={leaving.pk}&live=yes"
    page = client.get(demoted["Location"], follow=True)
    text = page.content.decode()
    assert page.status_code == 200 and "still work" in text
    assert _listed_rows(text) == [rotated.pk]  # the live one, never the owner's or the other tenant's
    revoked = client.post(demoted["Location"], {"action": "revoke", "_selected_action": [rotated.pk]})
    assert revoked.status_code == 302
    assert _keys(a.tenant.id, revoked_at__isnull=True).keys() == {"owners"}
    removed = client.post(f"/admin/themeconfig/membership/{membership.pk}/delete/", {"post": "yes"})
    assert removed.status_code == 302 and removed["Location"] == "/admin/themeconfig/membership/"  # none left
    assert _keys(b.tenant.id)["theirs-elsewhere"].revoked_at is None


def test_ai_content_ask__while_a_worker_finishes_a_draft_of_the_same_version__neither_deadlocks(
        keyed_tenant_factory, django_db_setup, settings, monkeypatch):
    """Seen under load: an ask for a content (or translation) draft of a version, while a worker turns
    a job of that same version into its draft, failed with `deadlock detected` (a 500). The worker takes
    the tenant's generation lock, then the version's row; the ask took the version's row first. Here the
    generation lock is held from a third connection while the worker, then the ask queue for it; when
    it is let go the worker is first, and needs the version."""
    monkeypatch.setattr(generation, "enqueue_generation_job", lambda **kwargs: None)  # this test is the worker
    settings.AI_MAX_PENDING_DRAFTS = 10
    keyed = keyed_tenant_factory(role="member")
    owner = Principal.operator("test", tenant_id=keyed.id)
    theme_services.brand_kit_create(principal=owner, name="House", colors=COLORS, fonts=FONTS, is_default=True)
    theme = theme_services.theme_create(principal=owner, name="Lake")
    version = theme_services.version_create(principal=owner, theme_id=theme.pk)
    queued = generation.content_generation_request(principal=owner, version_id=version.pk, surface="about",
                                                   kind="rich_text")
    outcomes = queued_on_a_held_lock(
        django_db_setup, "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"ai_generation:{keyed.id}"], {
            "worker": lambda: generation.generation_job_run(job_id=queued.pk, tenant_id=keyed.id),
            "ask": lambda: post(f"/api/v1/versions/{version.pk}/content-drafts/",
                                {"surface": "about", "kind": "rich_text"}, keyed.auth),
        })
    assert getattr(outcomes["worker"], "status", None) == "succeeded", outcomes
    response = outcomes["ask"]
    assert getattr(response, "status_code", None) == 202, outcomes
    with tenant_context(keyed.id):
        assert ContentDraft.objects.filter(theme_version_id=version.pk, status="pending").count() == 1
        assert GenerationJob.objects.filter(theme_version_id=version.pk).count() == 2
