"""Hosts through their doors: the API and the tenant admin show the DNS challenge token once; "verify now"
queues a check; operators verify by hand on /platform/ (audited). Committed: the check runs outside any
transaction, and /platform/ reads on another connection."""
from __future__ import annotations

import re

import pytest
from django.contrib.admin.utils import quote
from django.db import connection

from publishing.outbox import enqueue as outbox
from tests.dns_server import DnsServer
from tests.factories.admin_staff import make_staff, sign_in
from tests.factories.tenancy import TenantHostClaimFactory, TenantHostFactory, UserFactory
from themeconfig.models import HostListing, TenantHostClaim
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.services import host_verification as verification
from themeconfig.services.host_verification import host_verification_check
from themeconfig.services.tenancy import host_add

pytestmark = pytest.mark.usefixtures("committed_db")


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    enqueued = []
    monkeypatch.setattr(verification, "host_verification_enqueue", lambda **kwargs: enqueued.append(kwargs))
    monkeypatch.setattr(outbox, "wake_relay", lambda: None)
    return enqueued


def stored(tenant_id, host) -> HostListing:
    with tenant_context(tenant_id):
        return HostListing.objects.get(host=host)


def test_api_add_host__pending__token_once__replay_has_it_null(client, keyed_tenant_factory):
    owner = keyed_tenant_factory(role="admin")
    headers = {**owner.auth, "HTTP_IDEMPOTENCY_KEY": "add-1"}
    response = client.post("/api/v1/hosts/", {"host": "WWW.Lake.example.com."}, content_type="application/json",
                           **headers)
    body = response.json()
    assert response.status_code == 201 and response["Cache-Control"] == "no-store"
    assert body["host"] == "www.lake.example.com" and body["verification_status"] == "pending"
    assert (body["challenge_record_name"], body["challenge_record_type"]) == ("_theme-config.www.lake.example.com", "TXT")
    with tenant_context(owner.id):
        stored_hash = TenantHostClaim.objects.get(host=body["host"]).verification_token_hash
    assert stored_hash == verification.token_hash(body["challenge_token"])
    replay = client.post("/api/v1/hosts/", {"host": "WWW.Lake.example.com."}, content_type="application/json",
                         **headers)
    assert replay.json()["challenge_token"] is None and replay["Idempotent-Replayed"] == "true"
    listed = client.get("/api/v1/hosts/", **owner.auth).json()["results"]
    assert [row["host"] for row in listed] == ["www.lake.example.com"] and "challenge_token" not in listed[0]
    assert body["challenge_token"] not in client.get("/api/v1/audit-log/", **owner.auth).content.decode()


def test_api_verify_now__queued_202__verified_after_the_check__200(client, keyed_tenant_factory, no_broker, settings):
    owner = keyed_tenant_factory(role="admin")
    token = client.post("/api/v1/hosts/", {"host": "lake.example.com"}, content_type="application/json",
                        **owner.auth).json()["challenge_token"]
    queued = client.post("/api/v1/hosts/lake.example.com/verify/", **owner.auth)
    assert queued.status_code == 202 and queued.json()["verification_status"] == "pending"
    assert [(call["host"], call["tenant_id"]) for call in no_broker] == [("lake.example.com", owner.id)]
    with DnsServer({"_theme-config.lake.example.com": [token]}) as dns:
        settings.HOST_VERIFICATION_NAMESERVERS, settings.HOST_VERIFICATION_DNS_PORT = ["127.0.0.1"], dns.port
        principal = Principal.from_payload(no_broker[0]["principal"])
        assert host_verification_check(principal=principal, host="lake.example.com").is_verified
    done = client.post("/api/v1/hosts/lake.example.com/verify/", **owner.auth)
    assert done.status_code == 200 and done.json()["verification_status"] == "verified"
    renewed = client.post("/api/v1/hosts/lake.example.com/challenge/", **owner.auth)
    assert renewed.status_code == 409 and renewed.json()["code"] == "MELMASTOON.HOST.ALREADY_VERIFIED"


def test_api_hosts__other_tenants_host__404__viewer_cannot_add(client, keyed_tenant_factory):
    owner, other = keyed_tenant_factory(role="admin"), keyed_tenant_factory(role="viewer")
    client.post("/api/v1/hosts/", {"host": "lake.example.com"}, content_type="application/json", **owner.auth)
    for path in ("/api/v1/hosts/lake.example.com/verify/", "/api/v1/hosts/lake.example.com/challenge/"):
        assert client.post(path, **keyed_tenant_factory(role="admin").auth).status_code == 404
    assert client.get("/api/v1/hosts/", **other.auth).json()["results"] == []
    refused = client.post("/api/v1/hosts/", {"host": "mine.example.com"}, content_type="application/json", **other.auth)
    assert refused.status_code == 403 and refused.json()["code"] == "MELMASTOON.AUTH.PERMISSION_DENIED"


def test_admin_add_host__challenge_shown_once_in_the_body__not_in_a_cookie(client):
    staff = make_staff("Lake Hotels")
    tenant = staff.tenant
    sign_in(client, staff, "admin")
    response = client.post("/admin/themeconfig/hostlisting/add/", {"host": "lake.example.com", "property": ""})
    page = response.content.decode()
    assert response.status_code == 200 and "_theme-config.lake.example.com" in page
    row = stored(tenant.id, "lake.example.com")
    token = next(word for word in page.replace('"', " ").split() if word.startswith("tcv_"))
    with tenant_context(tenant.id):
        token_hash = TenantHostClaim.objects.get(host="lake.example.com").verification_token_hash
    assert row.verification_status == "pending" and token_hash == verification.token_hash(token)
    assert token not in str(response.cookies) and response["Cache-Control"].startswith("no-store")
    again = client.get(f"/admin/themeconfig/hostlisting/{quote(row.pk)}/change/")
    assert token not in again.content.decode() and "pending" in again.content.decode().lower()
    assert again.context["site_url"] is None  # "View site" never opens a host that is not served


def test_admin_host_page__pending__verify_now_button_posts_the_apis_use_case__result_as_a_message(
        client, no_broker, settings):
    staff = make_staff("Lake Hotels")
    sign_in(client, staff, "admin")
    page = client.post("/admin/themeconfig/hostlisting/add/", {"host": "lake.example.com", "property": ""})
    token = next(word for word in page.content.decode().replace('"', " ").split() if word.startswith("tcv_"))
    row = stored(staff.tenant.id, "lake.example.com")
    change = f"/admin/themeconfig/hostlisting/{quote(row.pk)}/change/"
    verify = f"/admin/themeconfig/hostlisting/{quote(row.pk)}/verify-now/"
    shown = client.get(change).content.decode()
    assert f'<form method="post" action="{verify}"' in shown and ">Verify now</button>" in shown
    assert client.get(verify).status_code == 405

    response = client.post(verify, follow=True)
    assert response.redirect_chain == [(change, 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Checking the DNS record of lake.example.com now; reload this page in a few seconds to see the outcome."]
    assert [(call["host"], call["tenant_id"]) for call in no_broker] == [("lake.example.com", staff.tenant.id)]
    with DnsServer({"_theme-config.lake.example.com": [token]}) as dns:
        settings.HOST_VERIFICATION_NAMESERVERS, settings.HOST_VERIFICATION_DNS_PORT = ["127.0.0.1"], dns.port
        principal = Principal.from_payload(no_broker[0]["principal"])
        assert principal.user_id == staff.users["admin"].pk  # the check runs as the one who asked
        assert host_verification_check(principal=principal, host="lake.example.com").is_verified

    served = stored(staff.tenant.id, "lake.example.com")
    assert "Verify now</button>" not in client.get(f"/admin/themeconfig/hostlisting/{quote(served.pk)}/change/").content.decode()
    response = client.post(f"/admin/themeconfig/hostlisting/{quote(served.pk)}/verify-now/", follow=True)
    assert [str(m) for m in response.context["messages"]] == ["lake.example.com is verified: it is served."]


def test_admin_host_verify_now__checked_a_moment_ago__queues_nothing_and_says_why(client, no_broker, settings):
    staff = make_staff("Lake Hotels")
    sign_in(client, staff, "admin")
    client.post("/admin/themeconfig/hostlisting/add/", {"host": "lake.example.com", "property": ""})
    verify = f"/admin/themeconfig/hostlisting/{quote(stored(staff.tenant.id, 'lake.example.com').pk)}/verify-now/"
    client.post(verify)
    with DnsServer({}) as dns:  # the record is not there yet
        settings.HOST_VERIFICATION_NAMESERVERS, settings.HOST_VERIFICATION_DNS_PORT = ["127.0.0.1"], dns.port
        principal = Principal.from_payload(no_broker[0]["principal"])
        assert not host_verification_check(principal=principal, host="lake.example.com").is_verified
    response = client.post(verify, follow=True)
    message = [str(m) for m in response.context["messages"]][-1]  # after the first press's "Checking …"
    assert re.fullmatch(r"No new check of lake\.example\.com: it was checked a moment ago; try again in \d+ s\.",
                        message), message
    assert len(no_broker) == 1  # nothing more was queued


def test_admin_host_verify_now__member_403__another_tenants_or_unknown_host_404(client, no_broker):
    lake, other = make_staff("Lake Hotels"), make_staff("Other Hotels", username="other_{role}")
    sign_in(client, other, "admin")
    client.post("/admin/themeconfig/hostlisting/add/", {"host": "theirs.example.com", "property": ""})
    theirs = stored(other.tenant.id, "theirs.example.com")
    sign_in(client, lake, "admin")
    client.post("/admin/themeconfig/hostlisting/add/", {"host": "lake.example.com", "property": ""})
    mine = stored(lake.tenant.id, "lake.example.com")
    for pk in (theirs.pk, f"{lake.tenant.id}:nope.example.com", "x\x00"):
        assert client.post(f"/admin/themeconfig/hostlisting/{quote(pk)}/verify-now/").status_code == 404
    sign_in(client, lake, "member")
    assert "Verify now</button>" not in client.get(f"/admin/themeconfig/hostlisting/{quote(mine.pk)}/change/").content.decode()
    assert client.post(f"/admin/themeconfig/hostlisting/{quote(mine.pk)}/verify-now/").status_code == 403
    assert no_broker == []


def test_platform_verify_by_hand__verified__audited_as_the_operator(client, tenant_factory):
    tenant = tenant_factory()
    with tenant_context(tenant.id):
        TenantHostClaimFactory(host="pending.example.com")
    client.force_login(UserFactory(username="ops", is_superuser=True))
    response = client.post("/platform/themeconfig/hostlisting/", {
        "action": "verify_by_hand", "_selected_action": [f"{tenant.id}:pending.example.com"]})
    assert response.status_code == 302
    row = stored(tenant.id, "pending.example.com")
    assert (row.verification_status, row.verified_by) == ("verified", "operator:ops")
    with tenant_context(tenant.id), connection.cursor() as cursor:
        cursor.execute("SELECT actor, new_values->>'method' FROM theme_config.audit_log WHERE action = 'host.verified'")
        assert cursor.fetchall() == [("operator:ops", "operator")]


def test_operator_added_host__verified_at_once(tenant_factory):
    tenant = tenant_factory()
    added, created = host_add(principal=Principal.operator("create_tenant", tenant_id=tenant.id),
                              host="ops.example.com")
    assert created and added.is_verified and added.verification_token is None


def test_platform_verify_by_hand__one_name_served_by_another_tenant__message__the_others_verified(
        client, tenant_factory):
    """The use case refuses one host (HOST_TAKEN): the page says which and why (the admin's one helper),
    not a 500, and the other selected hosts are still verified."""
    alpha, bravo = tenant_factory(), tenant_factory()
    with tenant_context(alpha.id):
        TenantHostFactory(host="contested.example.com")
    with tenant_context(bravo.id):
        TenantHostClaimFactory(host="contested.example.com")  # e.g. a previous release's insert
        TenantHostClaimFactory(host="fine.example.com")
    client.force_login(UserFactory(username="ops", is_superuser=True))
    response = client.post("/platform/themeconfig/hostlisting/", {
        "action": "verify_by_hand",
        "_selected_action": [f"{bravo.id}:contested.example.com", f"{bravo.id}:fine.example.com"]}, follow=True)
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert any(m.startswith("contested.example.com: ") for m in shown), shown
    assert stored(bravo.id, "contested.example.com").verification_status == "pending"
    assert stored(bravo.id, "fine.example.com").verification_status == "verified"


def test_api_hosts__verified_by_an_operator__method_shown__operator_name_not(client, keyed_tenant_factory):
    owner = keyed_tenant_factory(role="viewer")
    with tenant_context(owner.tenant.id):
        TenantHostFactory(host="ops.example.com", verified_by="operator:alice.smith")
        TenantHostClaimFactory(host="pending.example.com")
    response = client.get("/api/v1/hosts/", **owner.auth)
    assert response.status_code == 200 and "alice" not in response.content.decode()
    listed = {h["host"]: h for h in response.json()["results"]}
    assert "verified_by" not in listed["ops.example.com"]
    assert (listed["ops.example.com"]["verification_status"], listed["ops.example.com"]["verification_method"]) == (
        "verified", "operator")
    assert (listed["pending.example.com"]["verification_status"],
            listed["pending.example.com"]["verification_method"]) == ("pending", None)


def _add(client, tenant, host, **headers):
    return client.post("/api/v1/hosts/", {"host": host}, content_type="application/json", **tenant.auth, **headers)


def test_api_add_host__already_has_it__200_the_host_as_it_is__nothing_created(client, keyed_tenant_factory):
    """Its own pending claim and a served host: 200, no token, the claim's challenge unchanged, one audit row
    each; a replay of the first 201 (Idempotency-Key) still answers that 201 with the token null."""
    owner = keyed_tenant_factory(role="admin")
    first = _add(client, owner, "lake.example.com", HTTP_IDEMPOTENCY_KEY="add-1")
    assert first.status_code == 201 and first["Location"] == "/api/v1/hosts/lake.example.com/"
    host_add(principal=Principal.operator("t", tenant_id=owner.id), host="served.example.com")
    with tenant_context(owner.id):
        token_hash = TenantHostClaim.objects.get(host="lake.example.com").verification_token_hash
    for host, status in (("LAKE.example.com.", "pending"), ("served.example.com", "verified")):
        again = _add(client, owner, host)
        body = again.json()
        assert again.status_code == 200, body
        assert again["Location"] == f"/api/v1/hosts/{host.lower().rstrip('.')}/"
        assert "challenge_token" not in body and body["verification_status"] == status
    with tenant_context(owner.id):
        assert TenantHostClaim.objects.get(host="lake.example.com").verification_token_hash == token_hash
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM theme_config.audit_log WHERE action = 'host.added'")
            assert cursor.fetchone() == (2,)
    replay = _add(client, owner, "lake.example.com", HTTP_IDEMPOTENCY_KEY="add-1")
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json()["challenge_token"] is None


def test_api_host_detail__the_added_location__own_hosts_only__others_404(client, keyed_tenant_factory):
    owner, other = keyed_tenant_factory(role="admin"), keyed_tenant_factory(role="viewer")
    added = _add(client, owner, "Straße.Lake.example.com.")
    one = client.get(added["Location"], **owner.auth)
    assert one.status_code == 200 and one.json()["host"] == added.json()["host"]
    assert one.json()["verification_status"] == "pending" and "challenge_token" not in one.json()
    assert client.get("/api/v1/hosts/STRAßE.lake.Example.com./", **owner.auth).status_code == 200
    with tenant_context(other.id):
        TenantHostFactory(host="theirs.example.com")
        TenantHostClaimFactory(host="claimed.example.com")
    for path in ("/api/v1/hosts/theirs.example.com/", "/api/v1/hosts/claimed.example.com/",
                 "/api/v1/hosts/unknown.example.com/", "/api/v1/hosts/not..a..host/"):
        missing = client.get(path, **owner.auth)
        assert (missing.status_code, missing.json()["code"]) == (404, "MELMASTOON.RESOURCE.NOT_FOUND"), path
    assert client.get("/api/v1/hosts/theirs.example.com/", **other.auth).status_code == 200
