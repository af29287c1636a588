"""Hostile tests of serving (issue 16), against the app served by gunicorn from another process: two
tenants, each with its own API key and published theme. A squatted host never resolves (whatever the
squatter does through the API and whatever DNS answers), a suspended or archived theme is not served,
no answer names the other tenant's rows, and nothing answers 5xx."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

import pytest
import urllib3
from django.db import connections

from publishing.resolve import cache as resolve_cache
from publishing.services import publish
from tests.conftest import restore_tenant_data, snapshot_tenant_data, truncate_tenant_data
from tests.dns_server import DnsServer
from tests.e2e.browser import app_server
from tests.factories.tenancy import TenantFactory
from themeconfig import services
from themeconfig.models import Theme
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.tasks import check_host_verification_task

pytestmark = [pytest.mark.usefixtures("committed_db"), pytest.mark.slow]
VICTIM_HOST = "alpha.example.com"
FUTURE_HOST = "www.alpha-next.example.com"  # the victim's next domain, nobody's yet
SQUATTER_HOST = "bravo.example.com"
# Every fixed host these tests add or ask about.
TOUCHED_HOSTS = [VICTIM_HOST, FUTURE_HOST, SQUATTER_HOST, "free.alpha.example.com", "shop.bravo.example.com",
                 "nobody.example.com"]


@dataclass
class Tenant:
    id: str
    key: str
    theme_id: str
    publication_id: str


@pytest.fixture(scope="module")
def dns():
    with DnsServer() as server:
        yield server


@pytest.fixture(scope="module")
def server(django_db_setup, tmp_path_factory, dns):
    """gunicorn on the test database, its checks pointed at the loopback DNS server."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOST_VERIFICATION_NAMESERVERS", "127.0.0.1")
        patch.setenv("HOST_VERIFICATION_DNS_PORT", str(dns.port))
        patch.setenv("RESOLVE_CACHE_SECONDS", "30")
        started = app_server.start(django_db_setup, tmp_path_factory.mktemp("serving-server"), workers=2)
    yield started
    started.stop()


@pytest.fixture(autouse=True)
def same_dns_here(settings, dns, monkeypatch):
    """This process runs the worker's check (check_host_verification_task) against the same DNS server."""
    settings.HOST_VERIFICATION_NAMESERVERS = ["127.0.0.1"]
    settings.HOST_VERIFICATION_DNS_PORT = dns.port
    settings.HOST_VERIFICATION_DNS_TIMEOUT_SECONDS = 1.0
    monkeypatch.setattr(publish, "enqueue_publish_job", lambda **kwargs: None)
    dns.records.clear()


class Http:
    """The real server through urllib3; remembers every status so a 5xx anywhere fails the test."""

    def __init__(self, url: str) -> None:
        self.url, self.pool, self.statuses = url, urllib3.PoolManager(retries=False, timeout=10), []

    def call(self, method: str, path: str, *, key: str | None = None, body: dict | None = None):
        headers = {"Content-Type": "application/json"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        response = self.pool.request(method, self.url + path, headers=headers,
                                     body=None if body is None else json.dumps(body))
        self.statuses.append((method, path, response.status))
        return response.status, (response.json() if response.data else None)

    def resolve(self, host: str):
        return self.call("GET", f"/api/v1/resolve/?host={host}")


def _tenant(name: str, host: str) -> Tenant:
    tenant = TenantFactory(name=name)
    operator = Principal.operator("hostile", tenant_id=tenant.id)
    _, key = services.api_key_create(principal=operator, name="admin", role="admin")
    admin = Principal.for_user(tenant_id=tenant.id, user_id=1, role="admin")
    theme = services.theme_create(principal=admin, name=name)
    version = services.version_create(principal=admin, theme_id=theme.pk)
    services.locale_pack_put(principal=admin, version_id=version.pk, locale="en", entries={"a.b": name})
    job = publish.version_publish(principal=admin, version_id=version.pk, expected_theme_version=1)
    done = publish.publish_job_run(job_id=job.pk, tenant_id=tenant.id)
    services.host_add(principal=operator, host=host)  # an operator's host: verified
    return Tenant(id=tenant.id, key=key, theme_id=theme.pk, publication_id=done.publication_id)


@pytest.fixture(scope="module")
def two_tenants(server, django_db_setup, django_db_blocker):
    """The victim and the squatter (each a publish), made once for the module, committed, and kept
    as a snapshot of their rows (tests/conftest.py); `world` puts them back before each test."""
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(publish, "enqueue_publish_job", lambda **kwargs: None)
        truncate_tenant_data(django_db_setup)
        try:
            victim, squatter = _tenant("Alpha", VICTIM_HOST), _tenant("Bravo", SQUATTER_HOST)
            rows = snapshot_tenant_data(django_db_setup)
        finally:
            for connection in connections.all():
                connection.close()
            truncate_tenant_data(django_db_setup)
    return victim, squatter, rows


@pytest.fixture
def world(server, two_tenants, django_db_setup):
    victim, squatter, rows = two_tenants
    restore_tenant_data(django_db_setup, rows)
    # Restored rows (and the truncation after the last test) move hosts without the commit hook that
    # drops the server's cached answers for them.
    resolve_cache.invalidate(TOUCHED_HOSTS)
    http = Http(server.url)
    yield http, victim, squatter
    assert [s for s in http.statuses if s[2] >= 500] == [] and server.log_errors() == ""


def run_worker_check(host: str, tenant: Tenant) -> None:
    """What the worker does with a "verify now" message (the same task function)."""
    check_host_verification_task(host=host, tenant_id=tenant.id)


def make_due(tenant: Tenant, host: str) -> None:
    from themeconfig.models import TenantHostClaim

    with tenant_context(tenant.id):
        TenantHostClaim.objects.filter(host=host).update(verification_next_check_at=None)


def test_squatted_host__never_resolves__whatever_the_squatter_does(world, dns):
    http, victim, squatter = world
    nobody = http.resolve("nobody.example.com")
    status, added = http.call("POST", "/api/v1/hosts/", key=squatter.key, body={"host": FUTURE_HOST})
    assert status == 201 and added["verification_status"] == "pending"
    assert http.resolve(FUTURE_HOST) == nobody  # exactly what a host nobody has answers

    assert http.call("POST", f"/api/v1/hosts/{FUTURE_HOST}/verify/", key=squatter.key)[0] == 202
    run_worker_check(FUTURE_HOST, squatter)  # no record at all
    dns.records[f"_theme-config.{FUTURE_HOST}"] = ["tcv_the-real-owners-own-token", "v=spf1 -all"]
    make_due(squatter, FUTURE_HOST)
    run_worker_check(FUTURE_HOST, squatter)  # records, none holding the squatter's token
    status, renewed = http.call("POST", f"/api/v1/hosts/{FUTURE_HOST}/challenge/", key=squatter.key)
    assert status == 201 and renewed["challenge_token"] != added["challenge_token"]
    make_due(squatter, FUTURE_HOST)
    run_worker_check(FUTURE_HOST, squatter)
    hosts = http.call("GET", "/api/v1/hosts/", key=squatter.key)[1]["results"]
    assert {h["host"]: h["verification_status"] for h in hosts} == {FUTURE_HOST: "pending", SQUATTER_HOST: "verified"}
    assert http.resolve(FUTURE_HOST) == nobody

    # The victim's own host: not the squatter's to take, see or verify; still the victim's theme.
    assert http.call("POST", "/api/v1/hosts/", key=squatter.key, body={"host": VICTIM_HOST})[0] == 409
    for path in (f"/api/v1/hosts/{VICTIM_HOST}/verify/", f"/api/v1/hosts/{VICTIM_HOST}/challenge/"):
        assert http.call("POST", path, key=squatter.key)[0] == 404
    status, answer = http.resolve(VICTIM_HOST)
    assert status == 200 and (answer["theme_id"], answer["publication_id"]) == (victim.theme_id, victim.publication_id)

    # The check is not vacuous: a host whose owner publishes the token is verified and served.
    status, own = http.call("POST", "/api/v1/hosts/", key=squatter.key, body={"host": "shop.bravo.example.com"})
    dns.records["_theme-config.shop.bravo.example.com"] = [own["challenge_token"]]
    assert http.resolve("shop.bravo.example.com") == nobody  # cached as unknown by the server
    run_worker_check("shop.bravo.example.com", squatter)
    status, answer = http.resolve("shop.bravo.example.com")
    assert status == 200 and answer["theme_id"] == squatter.theme_id


def test_squatters_claim__owner_adds_proves_and_is_served__squatter_learns_nothing_first__loses_its_claim(
        world, dns):
    """A claim reserves nothing: over the real server the owner adds the name the squatter claimed
    first (201, not 409, and nothing in its answers about the squatter), proves it, is served; the
    squatter's claim is gone (audited in its own log) and it can no longer claim the name (409)."""
    http, victim, squatter = world
    # A name of this run only: a served answer for it outlives the run in Redis, keyed by the test
    # database's name (the resolve generation starts over with the database).
    future_host = f"www.alpha-{uuid.uuid4().hex[:12]}.example.com"
    status, squatted = http.call("POST", "/api/v1/hosts/", key=squatter.key, body={"host": future_host})
    assert status == 201
    status, claimed = http.call("POST", "/api/v1/hosts/", key=victim.key, body={"host": future_host.upper() + "."})
    status_free, free = http.call("POST", "/api/v1/hosts/", key=victim.key, body={"host": "free.alpha.example.com"})
    assert (status, status_free) == (201, 201)
    assert set(claimed) == set(free) and claimed["verification_status"] == free["verification_status"] == "pending"
    assert squatter.id not in json.dumps(claimed) and squatted["challenge_token"] not in json.dumps(claimed)
    listed = http.call("GET", "/api/v1/hosts/", key=victim.key)[1]["results"]
    assert sorted(h["host"] for h in listed) == sorted([VICTIM_HOST, future_host, "free.alpha.example.com"])

    dns.records[f"_theme-config.{future_host}"] = [claimed["challenge_token"]]
    assert http.call("POST", f"/api/v1/hosts/{future_host}/verify/", key=victim.key)[0] == 202
    run_worker_check(future_host, victim)
    status, answer = http.resolve(future_host)
    assert status == 200 and answer["theme_id"] == victim.theme_id
    mine = {h["host"]: h for h in http.call("GET", "/api/v1/hosts/", key=victim.key)[1]["results"]}
    assert (mine[future_host]["verification_status"], mine[future_host]["verification_method"]) == ("verified", "dns")

    theirs = http.call("GET", "/api/v1/hosts/", key=squatter.key)[1]["results"]
    assert [h["host"] for h in theirs] == [SQUATTER_HOST]
    status, refused = http.call("POST", "/api/v1/hosts/", key=squatter.key, body={"host": future_host})
    assert status == 409 and refused["code"] == "MELMASTOON.TENANT.HOST_TAKEN" and victim.id not in json.dumps(refused)
    audit = http.call("GET", "/api/v1/audit-log/", key=squatter.key)[1]["results"]
    displaced = [row for row in audit if row["action"] == "host.claim_displaced"]
    assert [row["actor"] for row in displaced] == ["operator:host_verification"]
    assert victim.id not in json.dumps(audit)


def test_suspended_and_archived_themes__not_served__publishing_refused__other_tenant_untouched(world):
    http, victim, squatter = world
    nobody = http.resolve("nobody.example.com")
    assert http.resolve(VICTIM_HOST)[1]["publication_id"] == victim.publication_id  # cached by the server

    def theme_version() -> int:
        with tenant_context(victim.id):
            return Theme.objects.get(pk=victim.theme_id).version

    def set_status(status):
        code, body = http.call("PATCH", f"/api/v1/themes/{victim.theme_id}/", key=victim.key,
                               body={"status": status, "version": theme_version()})
        assert code == 200, body

    set_status("suspended")
    assert http.resolve(VICTIM_HOST) == nobody
    refused = http.call("POST", f"/api/v1/themes/{victim.theme_id}/republish/", key=victim.key,
                        body={"version": theme_version()})
    assert (refused[0], refused[1]["code"]) == (409, "MELMASTOON.THEME.SUSPENDED")
    assert http.resolve(SQUATTER_HOST)[1]["publication_id"] == squatter.publication_id

    set_status("active")
    assert http.resolve(VICTIM_HOST)[1]["publication_id"] == victim.publication_id  # at once, no re-publish

    set_status("archived")
    assert http.resolve(VICTIM_HOST) == nobody
    refused = http.call("POST", f"/api/v1/themes/{victim.theme_id}/rollback/", key=victim.key,
                        body={"version": theme_version()})
    assert (refused[0], refused[1]["code"]) == (409, "MELMASTOON.THEME.ARCHIVED")
    # The squatter cannot change the victim's theme at all.
    assert http.call("PATCH", f"/api/v1/themes/{victim.theme_id}/", key=squatter.key,
                     body={"status": "active", "version": theme_version()})[0] == 404
    assert http.resolve(VICTIM_HOST) == nobody
    assert http.resolve(SQUATTER_HOST)[1]["theme_id"] == squatter.theme_id


def test_preview_page__images_only_from_its_own_tenants_hosts__never_the_other_tenants(world):
    """The victim's content points at the squatter's (verified) host and a tracker: the victim's preview
    page loads neither, and its CSP names none of the squatter's hosts."""
    from publishing.services.preview_tokens import preview_token_create

    http, victim, squatter = world
    admin = Principal.for_user(tenant_id=victim.id, user_id=1, role="admin")
    version = services.version_create(principal=admin, theme_id=victim.theme_id)
    images = "".join(f'<img src="https://{host}/i.png" alt="{host}">'
                     for host in (VICTIM_HOST, SQUATTER_HOST, "tracker.example.net"))
    services.content_block_create(principal=admin, version_id=version.pk, surface="home", kind="rich_text",
                                  meta={"kind": "rich_text"}, body={"en": {"format": "html", "value": images}})
    _, secret = preview_token_create(principal=admin, version_id=version.pk)
    response = http.pool.request("GET", f"{http.url}/preview/{secret}/")
    http.statuses.append(("GET", "/preview/…/", response.status))
    page, csp = response.data.decode(), response.headers["Content-Security-Policy"]
    assert response.status == 200
    assert f'<img src="https://{VICTIM_HOST}/i.png"' in page and page.count('class="sample-image-blocked"') == 2
    assert f"https://{VICTIM_HOST}" in csp and SQUATTER_HOST not in csp and "tracker" not in csp
    assert f'src="https://{SQUATTER_HOST}' not in page
