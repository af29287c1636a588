"""Drill: the resolve cache's Redis goes away while a publication flips, and comes back holding the
pre-flip answer (issue 17, item 2). Resolve must never answer the superseded sha256 once the flip is
seen, must never 5xx during the outage (PostgreSQL answers), and never show one tenant's bundle for
another's host. A Redis server of the drill's own is the cache of this process and of the app served
by gunicorn from another process (which did not make the change: it learns of it only as any other
process would)."""
from __future__ import annotations

import json
import time

import pytest
import redis

from publishing.resolve import cache as resolve_cache
from publishing.services import publish
from tests.factories.publishing import publish_new_version
from tests.live_app import app_environment, get, gunicorn
from tests.redis_server import RedisServer, redis_server
from themeconfig import services
from themeconfig.platform.principal import Principal

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("committed_db")]
HOSTS = {"a": "outage-a.example.com", "b": "outage-b.example.com"}


@pytest.fixture
def own_redis(settings):
    """This process's cache on the drill's own Redis (its data survives a restart as an RDB file);
    stopped at the end, whatever happened."""
    try:
        with redis_server(persistence="rdb") as server:
            settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": server.url()}}
            settings.RESOLVE_CACHE_SECONDS = 30
            forget_the_cache()
            yield server
    finally:
        forget_the_cache()


def forget_the_cache() -> None:
    resolve_cache._redis.cache_clear()
    resolve_cache._fill.cache_clear()
    resolve_cache._skip_until = 0.0
    resolve_cache._NEAR._copies.clear()


@pytest.fixture
def app_server(own_redis, django_db_setup, tmp_path):
    """gunicorn (one sync worker) serving the app on the test database, its cache on the drill's Redis."""
    env = app_environment(django_db_setup, TEST_REDIS_URL=own_redis.url(), RESOLVE_CACHE_SECONDS="30", FAILPOINTS="")
    with gunicorn(env, tmp_path / "server.log", workers=1) as port:
        yield port


@pytest.fixture
def two_tenants(tenant_factory, monkeypatch):
    """Two tenants, each with a theme on its own host, each published once."""
    monkeypatch.setattr(publish, "enqueue_publish_job", lambda **kwargs: None)
    world = {}
    for name, host in HOSTS.items():
        tenant = tenant_factory()
        admin = Principal.for_user(tenant_id=tenant.id, user_id=1, role="admin")
        theme = services.theme_create(principal=admin, name=f"Theme {name}")
        services.host_add(principal=Principal.operator("t", tenant_id=tenant.id), host=host)
        first = publish_new_version(admin, tenant, theme, f"{name} one")
        world[name] = (tenant, admin, theme, first.bundle_sha256)
    return world


def served(port: int, host: str) -> str:
    """The sha256 the app server answers for the host; a 5xx (or any non-200) fails the drill."""
    status, body = get(port, f"/api/v1/resolve/?host={host}")
    assert status == 200, (status, body[:300])
    answer = json.loads(body)
    assert answer["host"] == host
    return answer["bundle_sha256"]


def held_by_redis(server: RedisServer, host: str) -> str | None:
    """The sha256 of the answer the drill's Redis holds for the host, read without the app's code."""
    client = redis.Redis.from_url(server.url())
    for key in client.scan_iter(match=f"*:resolve:*{host}*"):
        value = client.get(key)
        if value and b"\n" in value and b'"bundle_sha256"' in value:
            return json.loads(value[value.index(b"{"):])["bundle_sha256"]
    return None


def this_process(client, host: str) -> str:
    response = client.get(f"/api/v1/resolve/?host={host}")
    assert response.status_code == 200, response.content[:300]
    return response.json()["bundle_sha256"]


def never_the_old_answer(port, client, server, *, host, old, new, other_host, other_sha) -> None:
    """Resolves until the app server has read Redis again and stored the new answer there (after its
    back-off), checking every answer, here and there: never `old`, never another tenant's bundle."""
    deadline = time.monotonic() + resolve_cache.BACKOFF_SECONDS + 10
    answers = 0
    while True:
        assert served(port, host) != old, f"the app server answered the superseded {old} after {answers} answers"
        resolve_cache._NEAR._copies.clear()  # as a process without a copy: from Redis
        assert this_process(client, host) != old
        assert served(port, other_host) == other_sha
        answers += 1
        if held_by_redis(server, host) == new and answers >= 20:
            break
        assert time.monotonic() < deadline, f"Redis still holds {held_by_redis(server, host)} for {host}"
        time.sleep(0.05)
    assert served(port, host) == this_process(client, host) == new


def test_flip_while_redis_is_down__redis_returns_with_the_old_answer__never_served(
        two_tenants, own_redis, app_server, client):
    port = app_server
    tenant, admin, theme, first = two_tenants["a"]
    other = two_tenants["b"][3]
    assert first != other
    assert served(port, HOSTS["a"]) == served(port, HOSTS["a"]) == first  # cached there, and in Redis
    assert served(port, HOSTS["b"]) == other
    assert this_process(client, HOSTS["a"]) == first
    assert held_by_redis(own_redis, HOSTS["a"]) == first

    own_redis.stop_keeping_a_snapshot()  # the outage: Redis gone, its pre-flip data on disk
    resolve_cache._NEAR._copies.clear()
    assert this_process(client, HOSTS["a"]) == first  # no 5xx: PostgreSQL answers
    second = publish_new_version(admin, tenant, theme, "a two").bundle_sha256  # commits during the outage
    deadline = time.monotonic() + 5
    while served(port, HOSTS["a"]) != second:  # the other process learns of the commit
        assert time.monotonic() < deadline, "the app server never answered the new bundle during the outage"
    assert get(port, "/api/v1/resolve/?host=never-cached.example.com")[0] == 404  # a fresh lookup: no 5xx
    assert this_process(client, HOSTS["a"]) == second

    own_redis.start()  # back, holding the answer from before the flip
    assert held_by_redis(own_redis, HOSTS["a"]) == first
    resolve_cache._skip_until = 0.0  # this process's back-off over (the app server waits out its own)
    never_the_old_answer(port, client, own_redis, host=HOSTS["a"], old=first, new=second,
                         other_host=HOSTS["b"], other_sha=other)


def test_flip_while_redis_is_paused__resumes_with_the_old_answer__never_served(
        two_tenants, own_redis, app_server, client):
    port = app_server
    tenant, admin, theme, first = two_tenants["a"]
    other = two_tenants["b"][3]
    assert served(port, HOSTS["a"]) == served(port, HOSTS["a"]) == first
    assert this_process(client, HOSTS["a"]) == first
    assert held_by_redis(own_redis, HOSTS["a"]) == first

    with own_redis.paused():  # hung, connections open, its data in memory
        second = publish_new_version(admin, tenant, theme, "a two").bundle_sha256
        deadline = time.monotonic() + 5
        while served(port, HOSTS["a"]) != second:
            assert time.monotonic() < deadline, "the app server never answered the new bundle during the pause"
        assert this_process(client, HOSTS["a"]) == second
    assert held_by_redis(own_redis, HOSTS["a"]) == first
    resolve_cache._skip_until = 0.0
    never_the_old_answer(port, client, own_redis, host=HOSTS["a"], old=first, new=second,
                         other_host=HOSTS["b"], other_sha=other)
