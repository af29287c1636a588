"""Staged rollouts (publishing/services/rollouts.py) through resolve/, under committed transactions: the
slice gets the candidate and everyone else the active publication, with ETag/304 and Vary, no query
for a cached answer; widen, pause, promote (a normal publish that closes the rollout) and abort (no
visitor gets the candidate once it commits, even a read that raced it); publish and rollback refused
while a rollout is open."""
from __future__ import annotations

import json

import pytest

from publishing.models import ThemePublication, ThemeRollout
from publishing.resolve import cache as resolve_cache
from publishing.resolve import rollout_stats
from publishing.resolve.slices import bucket
from publishing.services import emergency, publish, rollouts
from tests.factories.publishing import publish_new_version
from tests.factories.tenancy import ApiClientFactory
from themeconfig import services
from themeconfig.models import AuditLogEntry, Theme, ThemeVersion
from themeconfig.platform.errors import DomainError
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.usefixtures("committed_db")
HOST = "rollout.example.com"
OTHER_HOST = "canary.example.com"


@pytest.fixture(autouse=True)
def cache_on(resolve_cache_on, monkeypatch):
    monkeypatch.setattr(publish, "enqueue_publish_job", lambda **kwargs: None)


@pytest.fixture
def world(tenant_factory):
    tenant = tenant_factory()
    admin = Principal.for_user(tenant_id=tenant.id, user_id=1, role="admin")
    operator = Principal.operator("t", tenant_id=tenant.id)
    theme = services.theme_create(principal=admin, name="Lake")
    services.host_add(principal=operator, host=HOST)
    services.host_add(principal=operator, host=OTHER_HOST)
    active = publish_new_version(admin, tenant, theme, "live")
    return tenant, admin, theme, active


def theme_version(tenant, theme) -> int:
    with tenant_context(tenant.id):
        return Theme.objects.get(pk=theme.pk).version


def start(world, text="candidate", **slice_args):
    tenant, admin, theme, _ = world
    version = services.version_create(principal=admin, theme_id=theme.pk)
    services.locale_pack_put(principal=admin, version_id=version.pk, locale="en", entries={"a.b": text})
    return rollouts.rollout_start(principal=admin, theme_id=theme.pk, version_id=version.pk,
                                  expected_theme_version=theme_version(tenant, theme), reason="try it", **slice_args)


def sha(client, visitor=None, host=HOST, header=False):
    query = f"/api/v1/resolve/?host={host}"
    if visitor and not header:
        query += f"&visitor={visitor}"
    extra = {"HTTP_X_VISITOR_KEY": visitor} if visitor and header else {}
    response = client.get(query, **extra)
    assert response.status_code == 200, response.content
    return response.json()["bundle_sha256"]


def visitors_in(rollout, count, inside=True):
    keys = (f"guest-{n}" for n in range(100_000))
    return [key for key in keys if (bucket(rollout.pk, key) < rollout.basis_points) == inside][:count]


def test_slice_gets_the_candidate__others_the_active__etag_304_vary__cached_without_query(
        world, client, django_assert_num_queries):
    tenant, admin, theme, active = world
    rollout = start(world, percentage=10, user_keys=["vip"])
    candidate = rollout.candidate_bundle_sha256
    inside, outside = visitors_in(rollout, 3), visitors_in(rollout, 3, inside=False)
    assert sha(client, "vip") == candidate
    with django_assert_num_queries(0):
        assert [sha(client, key) for key in inside] == [candidate] * 3
        assert [sha(client, key, header=True) for key in inside] == [candidate] * 3
        assert [sha(client, key) for key in outside] == [active.bundle_sha256] * 3
        assert sha(client) == active.bundle_sha256  # no visitor key: not in a percentage slice
    response = client.get(f"/api/v1/resolve/?host={HOST}&visitor={inside[0]}")
    body = response.json()
    assert (body["publication_id"], body["rollout_id"], body["theme_version_id"]) == (
        None, rollout.pk, rollout.candidate_version_id)
    assert response["ETag"] == f'"{candidate}"' and response["Vary"] == "X-Visitor-Key"
    again = client.get(f"/api/v1/resolve/?host={HOST}&visitor={inside[0]}", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    stale = client.get(f"/api/v1/resolve/?host={HOST}&visitor={outside[0]}", HTTP_IF_NONE_MATCH=response["ETag"])
    assert stale.status_code == 200 and stale.json()["bundle_sha256"] == active.bundle_sha256
    resolve_cache._NEAR._copies.clear()  # another process: the candidate and slice come back from Redis
    with django_assert_num_queries(0):
        assert sha(client, inside[1]) == candidate and sha(client, outside[1]) == active.bundle_sha256
    rollout_stats.flush()
    resolves, answered = rollout_stats.last_hour(rollout.pk)
    assert (resolves, answered) == (16, 10)


def test_named_host__every_visitor_of_it__widen_keeps_everyone_in(world, client):
    tenant, admin, theme, active = world
    rollout = start(world, hosts=[OTHER_HOST.upper()])
    assert sha(client, host=OTHER_HOST) == rollout.candidate_bundle_sha256
    assert sha(client, "anyone") == active.bundle_sha256  # the other host: 0 %
    rollout = rollouts.rollout_widen(principal=admin, rollout_id=rollout.pk, expected_version=rollout.version,
                                     percentage=5, reason="widen")
    inside = visitors_in(rollout, 5)
    assert {sha(client, key) for key in inside} == {rollout.candidate_bundle_sha256}
    rollout = rollouts.rollout_widen(principal=admin, rollout_id=rollout.pk, expected_version=rollout.version,
                                     percentage=50, reason="widen more")
    assert {sha(client, key) for key in inside} == {rollout.candidate_bundle_sha256}  # nobody flipped back
    with pytest.raises(DomainError) as narrowing:
        rollouts.rollout_widen(principal=admin, rollout_id=rollout.pk, expected_version=rollout.version,
                               percentage=25, reason="back")
    assert narrowing.value.code == "MELMASTOON.ROLLOUT.NARROWING"
    paused = rollouts.rollout_pause(principal=admin, rollout_id=rollout.pk, expected_version=rollout.version,
                                    reason="look at errors")
    assert {sha(client, key) for key in inside} | {sha(client, host=OTHER_HOST)} == {active.bundle_sha256}
    rollouts.rollout_resume(principal=admin, rollout_id=rollout.pk, expected_version=paused.version, reason="fine")
    assert {sha(client, key) for key in inside} == {rollout.candidate_bundle_sha256}


def test_publish_rollback_and_second_rollout__refused_while_open(world):
    tenant, admin, theme, active = world
    rollout = start(world, percentage=1)
    version = services.version_create(principal=admin, theme_id=theme.pk)
    expected = theme_version(tenant, theme)
    for attempt in (
        lambda: publish.version_publish(principal=admin, version_id=version.pk, expected_theme_version=expected),
        lambda: publish.theme_rollback(principal=admin, theme_id=theme.pk, expected_theme_version=expected),
        lambda: publish.theme_republish(principal=admin, theme_id=theme.pk, expected_theme_version=expected),
        lambda: rollouts.rollout_start(principal=admin, theme_id=theme.pk, version_id=version.pk,
                                       expected_theme_version=expected, reason="again"),
    ):
        with pytest.raises(DomainError) as refused:
            attempt()
        assert (refused.value.code, refused.value.http_status) == ("MELMASTOON.ROLLOUT.RUNNING", 409)
    assert rollout.pk in refused.value.message


def test_emergency_rollback__aborts_the_open_rollout_first__the_slice_gets_the_rollback_too(world, client):
    tenant, admin, theme, first = world
    second = publish_new_version(admin, tenant, theme, "broken")
    rollout = start(world, percentage=50)
    [inside] = visitors_in(rollout, 1)
    assert sha(client, inside) == rollout.candidate_bundle_sha256
    operator = Principal.operator("oncall", tenant_id=tenant.id)
    job = emergency.theme_emergency_rollback(principal=operator, theme_id=theme.pk,
                                             expected_theme_version=theme_version(tenant, theme), reason="checkout broken")
    with tenant_context(tenant.id):
        assert ThemeRollout.objects.get(pk=rollout.pk).status == "aborted"
        aborted = AuditLogEntry.objects.get(action="rollout.aborted")
        requested = AuditLogEntry.objects.get(action="theme.emergency_rollback_requested")
    assert aborted.actor == "operator:oncall" and "checkout broken" in json.dumps(aborted.new_values)
    assert requested.new_values["aborted_rollout_id"] == rollout.pk
    assert publish.publish_job_run(job_id=job.pk, tenant_id=tenant.id).status == "succeeded"
    with tenant_context(tenant.id):
        rolled_back = ThemePublication.objects.get(theme_id=theme.pk, is_active=True)
    assert rolled_back.theme_version_id == first.theme_version_id != second.theme_version_id
    assert sha(client, inside) == sha(client, "anyone-else") == rolled_back.bundle_sha256


def test_promote__a_publish_job_whose_flip_closes_the_rollout__everyone_gets_it(world, client):
    tenant, admin, theme, active = world
    rollout = start(world, percentage=1)
    job = rollouts.rollout_promote(principal=admin, rollout_id=rollout.pk, expected_version=rollout.version,
                                   reason="good numbers")
    done = publish.publish_job_run(job_id=job.pk, tenant_id=tenant.id)
    assert done.status == "succeeded", done.error_code
    assert done.bundle_sha256 == rollout.candidate_bundle_sha256  # the same deterministic bundle
    assert {sha(client, key) for key in ("guest-1", "guest-2", None)} == {rollout.candidate_bundle_sha256}
    with tenant_context(tenant.id):
        closed = ThemeRollout.objects.get(pk=rollout.pk)
        assert closed.status == "promoted" and closed.closed_at is not None
        assert ThemePublication.objects.get(is_active=True).theme_version_id == rollout.candidate_version_id
        actions = set(AuditLogEntry.objects.filter(entity_id=rollout.pk).values_list("action", flat=True))
    assert actions == {"rollout.started", "rollout.promote_requested", "rollout.promoted"}
    start(world, text="next")  # the theme takes a new rollout


def test_abort_while_a_promote_job_is_under_way__the_job_fails__nothing_published(world, client):
    tenant, admin, theme, active = world
    rollout = start(world, percentage=100)
    job = rollouts.rollout_promote(principal=admin, rollout_id=rollout.pk, expected_version=rollout.version,
                                   reason="ship")
    rollouts.rollout_abort(principal=admin, rollout_id=rollout.pk, reason="errors went up")
    assert publish.publish_job_run(job_id=job.pk, tenant_id=tenant.id).status == "failed"
    assert sha(client, "guest-1") == active.bundle_sha256
    with pytest.raises(DomainError) as closed:
        rollouts.rollout_widen(principal=admin, rollout_id=rollout.pk, expected_version=rollout.version + 2,
                               percentage=100, reason="x")
    assert closed.value.code == "MELMASTOON.ROLLOUT.CLOSED"


def test_abort_that_raced_a_read__no_visitor_gets_the_candidate_after_its_commit(world, client, monkeypatch):
    """As the flip's race test: the read model is read (slice and candidate) before the abort commits and
    the answer stored after; neither Redis nor this process's copy may serve the candidate again."""
    tenant, admin, theme, active = world
    rollout = start(world, percentage=100)
    read_model = resolve_cache._read_model
    aborted = []

    def read_then_abort(host):
        answer = read_model(host)  # with the candidate
        if not aborted:
            aborted.append(rollouts.rollout_abort(principal=admin, rollout_id=rollout.pk, reason="stop"))
        return answer

    monkeypatch.setattr(resolve_cache, "_read_model", read_then_abort)
    assert sha(client, "guest-1") == rollout.candidate_bundle_sha256  # answered before the commit was seen
    assert HOST not in resolve_cache._NEAR._copies  # stamped before the abort: no copy kept
    resolve_cache._NEAR._copies.clear()  # another process, hearing the abort, refuses the Redis entry
    keys = [f"guest-{n}" for n in range(200)]
    assert {sha(client, key) for key in keys} == {active.bundle_sha256}
    assert {sha(client, key, host=OTHER_HOST) for key in keys} == {active.bundle_sha256}
    with tenant_context(tenant.id):
        assert ThemeRollout.objects.get(pk=rollout.pk).status == "aborted"


def test_rollout_start_racing_an_edit_of_its_version__both_answered__no_deadlock(world, django_db_setup):
    """A rollout's start locks the theme and then references the version (its rollout row); an edit
    locked the version and then the theme: they deadlocked. Every writer now takes the theme first
    (editable_version). Here the theme is held while the start, then the edit queue for it."""
    from tests.lock_queue import queued_on_a_held_lock

    tenant, admin, theme, _ = world
    version = services.version_create(principal=admin, theme_id=theme.pk)
    services.locale_pack_put(principal=admin, version_id=version.pk, locale="en", entries={"a.b": "candidate"})
    expected = theme_version(tenant, theme)
    with tenant_context(tenant.id):
        current = ThemeVersion.objects.get(pk=version.pk).version
    outcomes = queued_on_a_held_lock(
        django_db_setup, "SELECT 1 FROM theme_config.themes WHERE id = %s FOR UPDATE", [theme.pk], {
            "start": lambda: rollouts.rollout_start(principal=admin, theme_id=theme.pk, version_id=version.pk,
                                                    expected_theme_version=expected, reason="try it"),
            "edit": lambda: services.version_update(principal=admin, version_id=version.pk,
                                                    expected_version=current, release_notes="Edited"),
        })
    assert isinstance(outcomes["start"], ThemeRollout), outcomes
    assert not isinstance(outcomes["edit"], Exception), outcomes


def test_rollout_use_cases__need_publish_permission_and_a_reason(world):
    tenant, admin, theme, _ = world
    member = Principal.for_user(tenant_id=tenant.id, user_id=2, role="member")
    version = services.version_create(principal=admin, theme_id=theme.pk)
    with pytest.raises(DomainError) as denied:
        rollouts.rollout_start(principal=member, theme_id=theme.pk, version_id=version.pk,
                               expected_theme_version=theme_version(tenant, theme), reason="x")
    assert denied.value.http_status == 403
    with pytest.raises(DomainError) as no_reason:
        rollouts.rollout_start(principal=admin, theme_id=theme.pk, version_id=version.pk,
                               expected_theme_version=theme_version(tenant, theme), reason="  ")
    assert [e.path for e in no_reason.value.errors] == ["/reason"]


def test_api__start_read_widen_abort__codes_documented(world, client, settings):
    """The doors call the same use cases: start (201), read with the last hour's share, widen, and the
    refusal codes of publish while open and of a stale version."""
    tenant, admin, theme, active = world
    with tenant_context(tenant.id):
        key = ApiClientFactory(role="api")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key.secret}"}
    version = services.version_create(principal=admin, theme_id=theme.pk)
    services.locale_pack_put(principal=admin, version_id=version.pk, locale="en", entries={"a.b": "api"})

    def post(path, body, **extra):
        return client.post(path, json.dumps(body), content_type="application/json", **auth, **extra)

    started = post(f"/api/v1/themes/{theme.pk}/rollouts/", {"version_id": version.pk, "percentage": "2.5",
                                                           "reason": "canary"},
                   HTTP_IF_MATCH=f'"{theme_version(tenant, theme)}"')
    assert started.status_code == 201, started.content
    rollout = started.json()
    assert (rollout["percentage"], rollout["status"], started["ETag"]) == (2.5, "running", '"1"')
    refused = post(f"/api/v1/versions/{version.pk}/publish/", {"version": theme_version(tenant, theme)})
    assert refused.status_code == 409 and refused.json()["code"] == "MELMASTOON.ROLLOUT.RUNNING"
    widened = post(f"/api/v1/rollouts/{rollout['id']}/widen/", {"percentage": 10, "reason": "more", "version": 1})
    assert widened.status_code == 200 and widened.json()["percentage"] == 10
    stale = post(f"/api/v1/rollouts/{rollout['id']}/pause/", {"reason": "x", "version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "MELMASTOON.THEME.VERSION_CONFLICT"
    aborted = post(f"/api/v1/rollouts/{rollout['id']}/abort/", {"reason": "stop"})
    assert aborted.status_code == 200 and aborted.json()["status"] == "aborted"
    read = client.get(f"/api/v1/rollouts/{rollout['id']}/", **auth).json()
    assert read["last_hour"] == {"resolves": 0, "candidate": 0, "candidate_share": None}
    listed = client.get(f"/api/v1/themes/{theme.pk}/rollouts/", **auth).json()["results"]
    assert [r["id"] for r in listed] == [rollout["id"]]


def test_cache_off__the_read_model_answers_the_slice_too(world, client, settings):
    tenant, admin, theme, active = world
    settings.RESOLVE_CACHE_SECONDS = 0
    rollout = start(world, percentage=50)
    inside, outside = visitors_in(rollout, 2), visitors_in(rollout, 2, inside=False)
    assert {sha(client, key) for key in inside} == {rollout.candidate_bundle_sha256}
    assert {sha(client, key) for key in outside} == {active.bundle_sha256}
