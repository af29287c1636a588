"""The resolve cache (publishing/resolve/cache.py) under committed transactions: hits, and no cached answer
used past a commit that moved its host, including a read that raced the commit."""
from __future__ import annotations

import copy
import socket
import threading
import time

import pytest
from psycopg.conninfo import conninfo_to_dict

from publishing import selectors
from publishing.models import ThemePublication
from publishing.resolve import cache as resolve_cache
from publishing.serializers import ResolutionSerializer
from publishing.services import publish
from tests.factories.publishing import publish_new_version
from tests.live_app import free_port
from themeconfig import services
from themeconfig.models import Theme
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.services.tenancy import host_remove

pytestmark = pytest.mark.usefixtures("committed_db")
HOST = "cache.example.com"


@pytest.fixture(autouse=True)
def cache_on(resolve_cache_on, monkeypatch):
    """The cache on, nothing cached from an earlier test, nothing sent to a broker."""
    monkeypatch.setattr(publish, "enqueue_publish_job", lambda **kwargs: None)


@pytest.fixture
def world(tenant_factory):
    tenant = tenant_factory()
    admin = Principal.for_user(tenant_id=tenant.id, user_id=1, role="admin")
    operator = Principal.operator("t", tenant_id=tenant.id)
    theme = services.theme_create(principal=admin, name="Lake")
    services.host_add(principal=operator, host=HOST)
    return tenant, admin, operator, theme


def resolved_sha(client, host=HOST):
    response = client.get(f"/api/v1/resolve/?host={host}")
    return response.json()["bundle_sha256"] if response.status_code == 200 else response.status_code


def stored(host=HOST) -> bytes | None:
    return resolve_cache._redis().get(resolve_cache._key(host))


def stored_sha(host=HOST) -> str | None:
    """The sha256 of the answer Redis holds for the host (None: nothing, '-': unknown host)."""
    value = stored(host)
    if value is None:
        return None
    found = resolve_cache._decode(value)[2]
    return "-" if found is None else found.sha256


def heard_by_this_process(host=HOST) -> int:
    """Waits (bounded) for this process's LISTEN session to hear the last commit that moved the host,
    as a process that did not make the change learns of it; returns the generation heard."""
    with resolve_cache.connection.cursor() as cursor:
        cursor.execute("SELECT generation FROM theme_config.resolve_generation")
        (committed,) = cursor.fetchone()
    deadline = time.monotonic() + 5
    while (floor := resolve_cache._NEAR.lookup(host)[0]) is None or floor < committed:
        assert time.monotonic() < deadline, f"generation {committed} not heard (floor {floor})"
        time.sleep(0.01)
    return floor


def test_second_read__answered_from_the_cache__no_query(world, client, django_assert_num_queries):
    tenant, admin, _, theme = world
    first = publish_new_version(admin, tenant, theme, "one")
    assert resolved_sha(client) == first.bundle_sha256
    assert stored_sha() == first.bundle_sha256
    with django_assert_num_queries(0):
        assert resolved_sha(client) == first.bundle_sha256  # this process's copy
    resolve_cache._NEAR._copies.clear()  # as another process would: from Redis
    with django_assert_num_queries(0):
        assert resolved_sha(client) == first.bundle_sha256


def test_answer__same_bytes_and_headers_as_documented(world, client):
    tenant, admin, _, theme = world
    publish_new_version(admin, tenant, theme, "one")
    for _ in range(2):  # the database's answer, then the cached one
        response = client.get(f"/api/v1/resolve/?host={HOST.upper()}.")
        assert response.status_code == 200 and response["Content-Type"] == "application/json"
        assert response.json() == ResolutionSerializer(selectors.resolve_host(HOST)).data
        assert response["ETag"] == f'"{response.json()["bundle_sha256"]}"'
        assert response["Cache-Control"] == "public, max-age=60"
    not_modified = client.get(f"/api/v1/resolve/?host={HOST}", HTTP_IF_NONE_MATCH=response["ETag"])
    assert not_modified.status_code == 304 and not_modified["ETag"] == response["ETag"]
    assert "Content-Type" not in not_modified and not_modified.content == b""
    assert client.head(f"/api/v1/resolve/?host={HOST}").status_code == 200
    refused = client.post(f"/api/v1/resolve/?host={HOST}")
    assert refused.status_code == 405 and refused["Content-Type"] == "application/problem+json"


def test_unknown_host__cached_404__a_name_no_host_can_have__no_lookup(world, client, django_assert_num_queries):
    unknown = client.get("/api/v1/resolve/?host=nobody.example.com")
    assert unknown.status_code == 404 and unknown["Content-Type"] == "application/problem+json"
    assert unknown.json()["code"] == "MELMASTOON.RESOURCE.NOT_FOUND"
    assert stored_sha("nobody.example.com") == "-"
    with django_assert_num_queries(0):
        assert resolved_sha(client, "nobody.example.com") == 404
        assert resolved_sha(client, "not_a host!") == 400  # not a host name: the request is wrong
        assert resolved_sha(client, "a" * 254) == 400
    assert stored("not_a host!") is None


@pytest.mark.parametrize(("query", "field_code"), [
    ("", "required"), ("?host=", "required"), ("?host=%20", "required"), ("?other=x", "required"),
    ("?host=not_a%20host!", "invalid_host"), ("?host=a..example.com", "invalid_host"), ("?host=" + "a" * 64, "invalid_host"),
])
def test_resolve__no_empty_or_invalid_host__400_problem_on_host__no_lookup(world, client, query, field_code,
                                                                           django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(f"/api/v1/resolve/{query}")
    body = response.json()
    assert (response.status_code, response["Content-Type"]) == (400, "application/problem+json")
    assert body["code"] == "MELMASTOON.RESOLVE.INVALID_HOST"
    assert [(e["path"], e["code"]) for e in body["errors"]] == [("/host", field_code)]
    valid_but_unserved = client.get("/api/v1/resolve/?host=nobody.example.com")
    assert valid_but_unserved.status_code == 404


def test_publish_and_rollback__drop_the_cached_answer_at_commit(world, client):
    tenant, admin, _, theme = world
    first = publish_new_version(admin, tenant, theme, "one")
    assert resolved_sha(client) == resolved_sha(client) == first.bundle_sha256
    second = publish_new_version(admin, tenant, theme, "two")
    assert stored_sha() == first.bundle_sha256  # still there, stamped before the flip: refused
    assert resolved_sha(client) == second.bundle_sha256
    assert stored_sha() == second.bundle_sha256  # and filled again by the next lookup
    with tenant_context(tenant.id):
        expected = Theme.objects.get(pk=theme.pk).version
    job = publish.theme_rollback(principal=admin, theme_id=theme.pk, expected_theme_version=expected)
    assert publish.publish_job_run(job_id=job.pk, tenant_id=tenant.id).status == "succeeded"
    with tenant_context(tenant.id):
        active = ThemePublication.objects.get(is_active=True)
    assert active.bundle_sha256 == first.bundle_sha256 and resolved_sha(client) == first.bundle_sha256


def test_a_read_that_raced_the_flip__never_outlives_its_commit(world, client, monkeypatch):
    """The read model is read before the flip commits and the answer stored after: neither Redis
    nor this process's copy may keep that stale answer."""
    tenant, admin, _, theme = world
    first = publish_new_version(admin, tenant, theme, "one")
    read_model = resolve_cache._read_model
    flips = []

    def read_then_flip(host):
        answer = read_model(host)  # the old publication
        if not flips:
            flips.append(publish_new_version(admin, tenant, theme, "two"))  # commits meanwhile
        return answer

    monkeypatch.setattr(resolve_cache, "_read_model", read_then_flip)
    assert resolved_sha(client) == first.bundle_sha256  # answered before the commit was seen
    second = flips[0]
    assert HOST not in resolve_cache._NEAR._copies  # stamped before the flip: no copy kept
    resolve_cache._NEAR._copies.clear()  # and another process, hearing the flip, refuses the Redis entry
    assert resolved_sha(client) == resolved_sha(client) == second.bundle_sha256
    assert stored_sha() == second.bundle_sha256  # the newer stamp replaced it


def test_another_process_commit__heard_through_listen__drops_this_process_copy(world, client, monkeypatch):
    tenant, admin, _, theme = world
    first = publish_new_version(admin, tenant, theme, "one")
    assert resolved_sha(client) == first.bundle_sha256
    assert HOST in resolve_cache._NEAR._copies
    with monkeypatch.context() as other_process:  # no on-commit hook here: only the commit's notification
        other_process.setattr(resolve_cache, "invalidate", lambda hosts: None)
        second = publish_new_version(admin, tenant, theme, "two")
    heard_by_this_process()
    assert HOST not in resolve_cache._NEAR._copies
    assert resolved_sha(client) == second.bundle_sha256


def test_host_removed__resolves_to_nothing_at_commit(world, client):
    tenant, admin, operator, theme = world
    publish_new_version(admin, tenant, theme, "one")
    assert resolved_sha(client) == resolved_sha(client) != 404
    host_remove(principal=operator, host=HOST)
    assert resolved_sha(client) == 404


def test_host_added_after_a_cached_404__resolves_at_once(world, client):
    tenant, admin, operator, theme = world
    first = publish_new_version(admin, tenant, theme, "one")
    assert resolved_sha(client, "www.cache.example.com") == 404
    assert stored_sha("www.cache.example.com") == "-"
    services.host_add(principal=operator, host="www.cache.example.com")
    assert resolved_sha(client, "www.cache.example.com") == first.bundle_sha256


def test_host_moved_to_a_property__resolves_to_its_theme_at_commit(world, client):
    tenant, admin, operator, theme = world
    publish_new_version(admin, tenant, theme, "tenant-wide")
    lakeside = services.property_create(principal=operator, name="Lakeside")
    property_theme = services.theme_create(principal=admin, name="Lakeside", scope="property",
                                           property_id=lakeside.pk)
    on_property = publish_new_version(admin, tenant, property_theme, "lakeside")
    assert resolved_sha(client) != on_property.bundle_sha256
    services.host_update(principal=operator, host=HOST, property_id=lakeside.pk)
    assert resolved_sha(client) == on_property.bundle_sha256


def test_theme_soft_deleted_then_restored__at_each_commit(world, client):
    tenant, admin, _, theme = world
    first = publish_new_version(admin, tenant, theme, "one")
    assert resolved_sha(client) == resolved_sha(client) == first.bundle_sha256
    owner = Principal.for_user(tenant_id=tenant.id, user_id=9, role="owner")
    with tenant_context(tenant.id):
        version = Theme.objects.get(pk=theme.pk).version
    services.theme_delete(principal=owner, theme_id=theme.pk, expected_version=version)
    assert resolved_sha(client) == 404
    services.theme_restore(principal=owner, theme_id=theme.pk)
    assert resolved_sha(client) == first.bundle_sha256


def test_a_rolled_back_change__leaves_the_cache_alone(world, client):
    tenant, admin, operator, theme = world
    first = publish_new_version(admin, tenant, theme, "one")
    assert resolved_sha(client) == first.bundle_sha256
    with pytest.raises(RuntimeError), tenant_context(tenant.id):
        host_remove(principal=operator, host=HOST)
        raise RuntimeError("the caller's transaction fails after the removal")
    assert stored_sha() == resolved_sha(client) == first.bundle_sha256


def test_redis_unreachable__the_database_answers(world, client, monkeypatch):
    tenant, admin, _, theme = world
    first = publish_new_version(admin, tenant, theme, "one")

    class Down:
        def __getattr__(self, name):
            raise ConnectionError("redis is down")

    monkeypatch.setattr(resolve_cache, "_redis", lambda: Down())
    resolve_cache._NEAR._copies.clear()
    assert resolved_sha(client) == first.bundle_sha256
    publish_new_version(admin, tenant, theme, "two")  # its invalidation fails quietly: the flip stands


def test_cache_off__nothing_stored(world, client, settings):
    tenant, admin, _, theme = world
    settings.RESOLVE_CACHE_SECONDS = 0
    first = publish_new_version(admin, tenant, theme, "one")
    assert resolved_sha(client) == resolved_sha(client) == first.bundle_sha256
    assert stored() is None and HOST not in resolve_cache._NEAR._copies


def test_a_process_copy__never_outlives_the_redis_entry(world, client, settings, django_assert_num_queries):
    tenant, admin, _, theme = world
    settings.RESOLVE_CACHE_SECONDS = 1
    first = publish_new_version(admin, tenant, theme, "one")
    assert resolved_sha(client) == first.bundle_sha256
    with django_assert_num_queries(0):
        assert resolved_sha(client) == first.bundle_sha256
    time.sleep(1.1)
    assert stored() is None
    with django_assert_num_queries(1):  # both expired: the read model answers
        assert resolved_sha(client) == first.bundle_sha256


def test_no_listen_session__nothing_cached_is_trusted__the_read_model_answers(world, client, settings,
                                                                              django_assert_num_queries):
    """A process that cannot hear commits (PostgreSQL's LISTEN unreachable, or a pooler that loses
    notifications) could miss one: it uses neither its copies nor Redis, and never errs."""
    tenant, admin, _, theme = world
    first = publish_new_version(admin, tenant, theme, "one")
    assert resolved_sha(client) == first.bundle_sha256 == stored_sha()
    settings.RESOLVE_LISTEN_DATABASE_URL = f"postgres://theme_config_app@127.0.0.1:{free_port()}/nothing"
    try:
        resolve_cache._NEAR._stop()  # the session broke; the next attempt fails
        resolve_cache._NEAR._retry_at = 0.0
        for _ in range(2):
            with django_assert_num_queries(1):
                assert resolved_sha(client) == first.bundle_sha256
        assert resolve_cache._NEAR.lookup(HOST)[0] is None and stored_sha() == first.bundle_sha256
    finally:
        resolve_cache._NEAR._stop()
        resolve_cache._NEAR._retry_at = 0.0  # the next test listens again, on the test database


@pytest.fixture
def listen_again():
    """The test breaks this process's LISTEN session; the next test listens again, on the test database."""
    resolve_cache._NEAR._stop()
    resolve_cache._NEAR._retry_at = 0.0
    yield
    resolve_cache._NEAR._stop()
    resolve_cache._NEAR._retry_at = 0.0


@pytest.mark.parametrize("url, options, expected", [
    # The request role's OPTIONS reach the session, less those that are not libpq parameters.
    ("", {"sslmode": "require", "sslrootcert": "/etc/ca.pem", "prepare_threshold": None, "connect_timeout": 5},
     {"sslmode": "require", "sslrootcert": "/etc/ca.pem", "connect_timeout": "5"}),
    ("", {"sslmode": "verify-full", "prepare_threshold": 0, "isolation_level": 1},
     {"sslmode": "verify-full"}),
    # A URL of its own: the OPTIONS apply where it says nothing; what it says wins.
    ("postgres://u@db.example:5433/themes", {"sslmode": "require", "sslrootcert": "/etc/ca.pem"},
     {"sslmode": "require", "sslrootcert": "/etc/ca.pem", "host": "db.example", "port": "5433", "dbname": "themes"}),
    ("postgres://u@db.example/themes?sslmode=verify-full", {"sslmode": "require"},
     {"sslmode": "verify-full", "host": "db.example", "dbname": "themes"}),
])
def test_listen_conninfo__database_options__passed_on_but_not_djangos_own(settings, url, options, expected):
    databases = copy.deepcopy(settings.DATABASES)
    databases["default"]["OPTIONS"] = options
    settings.DATABASES = databases
    settings.RESOLVE_LISTEN_DATABASE_URL = url
    conninfo = conninfo_to_dict(resolve_cache._listen_conninfo())
    assert {name: conninfo.get(name) for name in expected} == expected
    assert not {"prepare_threshold", "isolation_level"} & set(conninfo)


def test_listen_session__database_requires_tls__never_opened_without_it(world, client, settings, listen_again,
                                                                       django_assert_num_queries):
    """The test server has no TLS: a session that kept sslmode=require cannot open, so the read model
    answers (one that dropped it would listen in plaintext)."""
    tenant, admin, _, theme = world
    first = publish_new_version(admin, tenant, theme, "one")
    databases = copy.deepcopy(settings.DATABASES)
    databases["default"]["OPTIONS"]["sslmode"] = "require"
    settings.DATABASES = databases
    for _ in range(2):
        with django_assert_num_queries(1):
            assert resolved_sha(client) == first.bundle_sha256
    assert resolve_cache._NEAR.lookup(HOST)[0] is None


def test_listen_session__database_hangs__other_lookups_do_not_wait_for_the_connect(world, client, settings,
                                                                                 listen_again):
    """A database that accepts connections and never answers (an outage): one thread waits out the
    connect timeout; a lookup in another thread meanwhile goes to the read model at once."""
    tenant, admin, _, theme = world
    first = publish_new_version(admin, tenant, theme, "one")
    blackhole = socket.socket()
    blackhole.bind(("127.0.0.1", 0))
    blackhole.listen(8)
    blackhole.settimeout(10)
    settings.RESOLVE_LISTEN_DATABASE_URL = f"postgres://theme_config_app@127.0.0.1:{blackhole.getsockname()[1]}/x"
    connecting = threading.Thread(target=resolve_cache._NEAR.lookup, args=(HOST,))
    try:
        connecting.start()
        accepted, _ = blackhole.accept()  # that thread's connect has reached the database, which never answers
        try:
            assert resolved_sha(client) == first.bundle_sha256
            assert resolve_cache._NEAR.lookup(HOST)[0] is None
            assert connecting.is_alive()  # answered while the connect was still waiting
        finally:
            connecting.join(timeout=10)
            accepted.close()
    finally:
        blackhole.close()
    assert not connecting.is_alive()
    assert resolve_cache._NEAR._session is None and not resolve_cache._NEAR._connecting
