"""Hostile: rate limits and the admin sign-in lockout, two tenants, under committed transactions.

Public paths (resolve/, preview) are limited per client address (IPv4-mapped addresses as IPv4, no
address as one "unknown" caller), the API per key and per signed-in user, and API requests without a
valid principal (the 401s) per client address (429 problem+json `MELMASTOON.REQUEST.RATE_LIMITED` with
`Retry-After`), counted in Redis across processes; a forged X-Forwarded-For buys nothing; with Redis gone a real server fails open (no 5xx).
The tenant admin and /platform/ lock a username and, separately, an address after repeated failed
sign-ins (django-axes), and axes' own commands unlock them.
"""
from __future__ import annotations

import http.client

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from publishing.models import PreviewToken
from publishing.services import publish
from tests.factories.admin_staff import make_staff, sign_in
from tests.factories.tenancy import UserFactory
from tests.hostile.test_public_endpoints import published_tenant
from tests.live_app import app_environment, start_gunicorn
from tests.redis_server import redis_server
from themeconfig.models import ApiClient
from themeconfig.platform import throttling
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.platform.throttling import Rate, WindowCounter

pytestmark = pytest.mark.usefixtures("committed_db")
RATE_LIMITED = "MELMASTOON.REQUEST.RATE_LIMITED"
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def fresh_counts():
    """No counts from an earlier test (user ids restart with each test's tables): this process's are
    dropped, and so are this test database's counters in Redis."""

    def forget():
        throttling.COUNTER.forget()
        client = throttling._redis()
        keys = list(client.scan_iter(match=f"{throttling._namespace()}:*"))
        if keys:
            client.delete(*keys)

    forget()
    yield
    forget()


@pytest.fixture
def tenants(monkeypatch):
    monkeypatch.setattr(publish, "enqueue_publish_job", lambda **kwargs: None)
    return published_tenant("Alpha", "alpha.example"), published_tenant("Beta", "beta.example")


def limited(settings, **rates: str) -> None:
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, **rates}


def assert_rate_limited(response, *, public: bool = True) -> None:
    assert response.status_code == 429, (response.status_code, response.content[:200])
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == RATE_LIMITED
    assert 1 <= int(response["Retry-After"]) <= 60
    if public:
        assert "cookie" not in response.get("Vary", "").lower()


# --- public paths, per client address -----------------------------------------------------------

def test_resolve__past_the_limit__429_per_address_whatever_the_host_or_credentials(tenants, settings):
    alpha, beta = tenants
    limited(settings, resolve="3/min")
    attacker = {"REMOTE_ADDR": "198.51.100.7"}
    hosts = [alpha["host"], beta["host"], "nobody.example"]
    answers = [Client().get(f"/api/v1/resolve/?host={host}", **attacker).status_code for host in hosts]
    assert answers == [200, 200, 404]
    # A fourth: refused, whichever tenant's host, key or session comes along.
    assert_rate_limited(Client().get(f"/api/v1/resolve/?host={alpha['host']}", **attacker))
    assert_rate_limited(Client().get(f"/api/v1/resolve/?host={beta['host']}",
                                     HTTP_AUTHORIZATION=f"Bearer {beta['key'].secret}", **attacker))
    # Another address is not affected, nor the preview paths (their own limit).
    assert Client().get(f"/api/v1/resolve/?host={alpha['host']}", REMOTE_ADDR="198.51.100.8").status_code == 200
    assert Client().get(f"/api/v1/preview/{alpha['preview'].secret}/", **attacker).status_code == 200


def test_resolve__past_the_limit_cross_origin__the_429_and_its_retry_after_readable_by_the_front_end(tenants,
                                                                                                  settings):
    alpha, _ = tenants
    limited(settings, resolve="1/min")
    origin = {"REMOTE_ADDR": "198.51.100.9", "HTTP_ORIGIN": "https://www.alpha.example"}
    assert Client().get(f"/api/v1/resolve/?host={alpha['host']}", **origin).status_code == 200

    refused = Client().get(f"/api/v1/resolve/?host={alpha['host']}", **origin)

    assert_rate_limited(refused)
    assert refused["Access-Control-Allow-Origin"] == "*"
    assert "Retry-After" in refused["Access-Control-Expose-Headers"].split(", ")
    # The preview paths are not read cross-origin: their 429 says nothing to other origins.
    limited(settings, preview="1/min")
    preview = f"/api/v1/preview/{alpha['preview'].secret}/"
    assert Client().get(preview, **origin).status_code == 200
    refused = Client().get(preview, **origin)
    assert_rate_limited(refused)
    assert "Access-Control-Allow-Origin" not in refused


def test_preview_paths__past_the_limit__429_for_api_css_and_page_alike(tenants, settings):
    alpha, beta = tenants
    limited(settings, preview="3/min")
    attacker = {"REMOTE_ADDR": "2001:db8::7"}
    secret_a, secret_b = alpha["preview"].secret, beta["preview"].secret
    paths = [f"/api/v1/preview/{secret_a}/", f"/api/v1/preview/{secret_b}/css/", f"/preview/{secret_a}/"]
    assert [Client().get(path, **attacker).status_code for path in paths] == [200, 200, 200]
    for path in [*paths, "/api/v1/preview/pvw_" + "x" * 40 + "/"]:
        assert_rate_limited(Client().get(path, **attacker))
    # Another address of the same IPv6 /64 is the same caller; the next /64 is another.
    assert_rate_limited(Client().get(paths[0], REMOTE_ADDR="2001:db8::8:8"))
    assert Client().get(paths[0], REMOTE_ADDR="2001:db8:0:1::7").status_code == 200
    # A refused preview is not counted as an access of the link (alpha's was answered three times).
    with tenant_context(alpha["staff"].tenant.id):
        assert PreviewToken.objects.get(pk=alpha["preview"].token.pk).access_count == 3


def test_public_paths__forged_x_forwarded_for__no_escape(tenants, settings):
    alpha, _ = tenants
    limited(settings, resolve="2/min")
    path = f"/api/v1/resolve/?host={alpha['host']}"
    settings.TRUSTED_PROXY_COUNT = 0  # no proxy: X-Forwarded-For is the client's own words
    statuses = [Client().get(path, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
                for n in range(4)]
    assert statuses == [200, 200, 429, 429]
    settings.TRUSTED_PROXY_COUNT = 1  # one proxy: its entry (the last) is the client, earlier ones are forged
    proxy = {"REMOTE_ADDR": "10.9.9.9"}
    statuses = [Client().get(path, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.10", **proxy).status_code
                for n in range(4)]
    assert statuses == [200, 200, 429, 429]
    assert Client().get(path, HTTP_X_FORWARDED_FOR="203.0.113.11", **proxy).status_code == 200


@pytest.mark.parametrize("first, second, same_caller", [
    # A dual-stack listener's IPv4 clients: each is counted alone, as the IPv4 address it is.
    ("::ffff:198.51.100.21", "::ffff:198.51.100.22", False),
    ("::ffff:198.51.100.23", "198.51.100.23", True),
    # No usable address (a Unix socket, garbage): counted together as "unknown", never unlimited.
    ("/run/gunicorn.sock", "", True),
])
def test_public_paths__odd_client_addresses__counted_per_client_never_skipped(
        tenants, settings, first, second, same_caller):
    alpha, _ = tenants
    limited(settings, resolve="2/min")
    path = f"/api/v1/resolve/?host={alpha['host']}"
    assert [Client().get(path, REMOTE_ADDR=first).status_code for _ in range(2)] == [200, 200]
    assert_rate_limited(Client().get(path, REMOTE_ADDR=first))
    answer = Client().get(path, REMOTE_ADDR=second)
    if same_caller:
        assert_rate_limited(answer)
    else:
        assert answer.status_code == 200


# --- the API, per key and per signed-in user ----------------------------------------------------

def test_api__past_the_key_limit__429_for_that_key_only(tenants, settings):
    alpha, beta = tenants
    limited(settings, api_key="3/min")
    auth_a = {"HTTP_AUTHORIZATION": f"Bearer {alpha['key'].secret}"}
    auth_b = {"HTTP_AUTHORIZATION": f"Bearer {beta['key'].secret}"}
    assert [Client().get("/api/v1/themes/", **auth_a).status_code for _ in range(3)] == [200, 200, 200]
    refused = Client().get("/api/v1/themes/", **auth_a)
    assert_rate_limited(refused)
    assert "Alpha" not in refused.content.decode() and "Beta" not in refused.content.decode()
    # From another address too: the key is what is counted.
    assert_rate_limited(Client().get("/api/v1/layout-presets/", REMOTE_ADDR="198.51.100.50", **auth_a))
    body = Client().get("/api/v1/themes/", **auth_b)
    assert body.status_code == 200
    assert {theme["name"] for theme in body.json()["results"]} == {"Lake"}


def test_api__past_the_user_limit__429_for_that_user_only(tenants, settings):
    alpha, beta = tenants
    limited(settings, user="2/min")
    owner, other = Client(), Client()
    sign_in(owner, alpha["staff"], "owner")
    sign_in(other, beta["staff"], "owner")
    assert [owner.get("/api/v1/themes/").status_code for _ in range(2)] == [200, 200]
    assert_rate_limited(owner.get("/api/v1/themes/"), public=False)
    assert other.get("/api/v1/themes/").status_code == 200


def test_api__without_a_valid_principal__limited_per_address_401s_included(tenants, settings):
    alpha, beta = tenants
    limited(settings, anonymous="4/min")
    attacker = {"REMOTE_ADDR": "198.51.100.60"}
    unknown_key = alpha["key"].secret[:-4] + ("AAAA" if not alpha["key"].secret.endswith("AAAA") else "BBBB")
    guesses = [{"HTTP_AUTHORIZATION": "Bearer not-a-key"}, {"HTTP_AUTHORIZATION": f"Bearer {unknown_key}"},
               {}, {"HTTP_X_TENANT_ID": beta["staff"].tenant.id}]
    answers = [Client().get("/api/v1/themes/", **guess, **attacker) for guess in guesses]
    assert [answer.status_code for answer in answers] == [401, 401, 401, 401], [a.content[:200] for a in answers]
    # Past the limit: 429 whatever comes along, a malformed key, another unknown one, or none.
    for guess in guesses:
        assert_rate_limited(Client().get("/api/v1/themes/", **guess, **attacker), public=False)
    # Nor is a right guess told apart from a wrong one: that address's keys are not even looked up.
    refused = Client().get("/api/v1/themes/", HTTP_AUTHORIZATION=f"Bearer {alpha['key'].secret}", **attacker)
    assert_rate_limited(refused, public=False)
    assert b"Lake" not in refused.content and b"Alpha" not in refused.content
    with tenant_context(alpha["staff"].tenant.id):
        assert ApiClient.objects.get(pk=alpha["key"].pk).last_used_at is None
    # Another address: its own count; the keys themselves work there, and signed-in staff are not counted.
    other = {"REMOTE_ADDR": "198.51.100.61"}
    assert Client().get("/api/v1/themes/", HTTP_AUTHORIZATION="Bearer not-a-key", **other).status_code == 401
    assert Client().get("/api/v1/themes/", HTTP_AUTHORIZATION=f"Bearer {alpha['key'].secret}", **other).status_code == 200
    staff = Client()
    sign_in(staff, beta["staff"], "owner")
    assert [staff.get("/api/v1/themes/", **attacker).status_code for _ in range(3)] == [200, 200, 200]
    # The public paths keep their own limit: resolve still answers that address.
    assert Client().get(f"/api/v1/resolve/?host={alpha['host']}", **attacker).status_code == 200


def test_window_counter__two_processes__share_one_limit():
    """Two processes (two counters, one Redis): exact when every hit is synced (batch 1), and past
    the limit by at most a batch per process when they batch."""
    rate = Rate(limit=10, period=60)
    first, second = WindowCounter(), WindowCounter()
    allowed = sum((first if n % 2 else second).hit("test", "caller-exact", rate) is None for n in range(30))
    assert allowed == 10
    rate = Rate(limit=1000, period=60)  # batches of 20
    allowed = sum((first if n % 2 else second).hit("test", "caller-batched", rate) is None for n in range(1500))
    assert 1000 <= allowed <= 1000 + 2 * rate.batch


# --- Redis gone: a real server fails open ------------------------------------------------------

def _get(port: int, path: str, headers: dict | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        return conn.getresponse().status
    finally:
        conn.close()


@pytest.fixture
def own_redis():
    with redis_server(persistence="rdb") as server:
        yield server


@pytest.fixture
def live_server_on(django_db_setup, tmp_path):
    """start(redis_port, **env) → port of gunicorn (2 workers) on the test database and that Redis."""
    servers = []

    def start(redis_port: int, **extra: str) -> int:
        env = app_environment(django_db_setup, drop=("THROTTLE_",),
                              TEST_REDIS_URL=f"redis://127.0.0.1:{redis_port}/0", FAILPOINTS="", **extra)
        servers.append(start_gunicorn(env, tmp_path / f"server-{len(servers)}.log", workers=2))
        return servers[-1].port

    yield start
    for server in servers:
        server.stop()


@pytest.mark.slow
def test_public_and_api__redis_gone__real_server_fails_open_without_5xx(tenants, own_redis, live_server_on):
    alpha, beta = tenants
    port = live_server_on(own_redis.port, TRUSTED_PROXY_COUNT="1", THROTTLE_RESOLVE_RATE="2/min",
                          THROTTLE_PREVIEW_RATE="2/min", THROTTLE_API_KEY_RATE="2/min")
    resolve = f"/api/v1/resolve/?host={alpha['host']}"
    # Counted in this Redis, across both workers: the third from one address is refused.
    first = {"X-Forwarded-For": "198.51.100.1"}
    assert sorted(_get(port, resolve, first) for _ in range(3)) == [200, 200, 429]
    own_redis.kill()
    # Redis gone: nothing can be counted, so everything is let through (six times a limit of two),
    # on every public path and the API, credentials or not; never a 5xx.
    caller = {"X-Forwarded-For": "198.51.100.2", "X-Tenant-ID": beta["staff"].tenant.id, "Cookie": "sessionid=forged"}
    statuses = []
    for _ in range(6):
        statuses += [_get(port, resolve, caller), _get(port, f"/api/v1/resolve/?host={beta['host']}", caller),
                     _get(port, f"/api/v1/preview/{beta['preview'].secret}/", caller),
                     _get(port, f"/preview/{alpha['preview'].secret}/", caller),
                     _get(port, "/api/v1/themes/", {"Authorization": f"Bearer {beta['key'].secret}"})]
    assert statuses == [200] * len(statuses), statuses


# --- admin sign-in lockout (django-axes) ---------------------------------------------------------

def sign_in_post(path: str, username: str, password: str, address: str):
    return Client().post(path, {"username": username, "password": password, "next": path.replace("login/", "")},
                         REMOTE_ADDR=address)


def signed_in(response) -> bool:
    return response.status_code == 302 and "login" not in response["Location"]


@pytest.fixture
def staff():
    alpha = make_staff("Alpha", username="alpha_{role}")
    beta = make_staff("Beta", username="beta_{role}")
    for user in (*alpha.users.values(), *beta.users.values()):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    operator = UserFactory(username="ops", is_superuser=True, is_staff=True)
    operator.set_password(PASSWORD)
    operator.save(update_fields=["password"])
    return alpha, beta


@pytest.mark.parametrize("site, username", [("/admin/login/", "alpha_owner"), ("/platform/login/", "ops")])
def test_sign_in__repeated_failures_for_a_user__locked_from_any_address_until_reset(staff, site, username):
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [sign_in_post(site, username, "wrong", f"198.51.100.{n + 1}").status_code for n in range(limit)]
    assert statuses == [200] * (limit - 1) + [429]  # the limit-th failure locks
    locked = sign_in_post(site, username, PASSWORD, "203.0.113.200")
    assert locked.status_code == 429 and not signed_in(locked)
    # The admin's own page: how long, and the way back to that site's sign-in page.
    page = locked.content.decode()
    minutes = round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    assert "<h1>Sign-in locked</h1>" in page and f"for {minutes} minutes" in page and f'href="{site}"' in page
    assert int(locked["Retry-After"]) == int(settings.AXES_COOLOFF_TIME.total_seconds())
    if site == "/admin/login/":  # the other tenant's staff sign in from that address meanwhile
        assert signed_in(sign_in_post(site, "beta_owner", PASSWORD, "203.0.113.200"))
    call_command("axes_reset_username", username)
    assert signed_in(sign_in_post(site, username, PASSWORD, "203.0.113.200"))


@pytest.mark.parametrize("site", ["/admin/login/", "/platform/login/"])
def test_sign_in__repeated_failures_from_an_address__address_locked_until_reset(staff, site):
    address = "198.51.100.66"
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [sign_in_post(site, f"guess{n}", "wrong", address).status_code for n in range(limit)]
    assert statuses == [200] * (limit - 1) + [429]
    username = "alpha_owner" if site == "/admin/login/" else "ops"
    assert sign_in_post(site, username, PASSWORD, address).status_code == 429
    assert signed_in(sign_in_post(site, username, PASSWORD, "198.51.100.67"))
    call_command("axes_reset_ip", address)
    assert signed_in(sign_in_post(site, username, PASSWORD, address))


def test_sign_in__lockout_records__not_on_the_tenant_admin_and_rls_check_passes(staff):
    alpha, _ = staff
    for _ in range(2):
        sign_in_post("/admin/login/", "beta_owner", "wrong", "198.51.100.90")
    client = Client()
    sign_in(client, alpha, "owner")
    assert client.get("/admin/axes/accessattempt/").status_code == 404
    assert b"beta_owner" not in client.get("/admin/").content
    call_command("check_rls")  # the axes tables hold no tenant data; the app role stays as it was


def test_openapi__rate_limited_operations__document_their_429():
    schema = Client().get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for path, method in (("/api/v1/resolve/", "get"), ("/api/v1/preview/{token}/", "get"),
                         ("/api/v1/preview/{token}/css/", "get"), ("/api/v1/themes/", "get"),
                         ("/api/v1/themes/", "post")):
        problem = paths[path][method]["responses"]["429"]["content"]["application/problem+json"]
        assert problem["schema"] == {"$ref": "#/components/schemas/Problem"}, path
