"""Hostile webhook targets: IPv6 forms that embed an IPv4 address (NAT64, 6to4, IPv4-mapped,
-compatible, -translated, Teredo) are judged by what they embed, when the URL is set (over the API,
two tenants, nothing created, no 5xx) and again at delivery (a real receiver on loopback that a
refused target would reach gets nothing; the other tenant's delivery goes on)."""
from __future__ import annotations

import json

import pytest
from django.test import Client

from publishing import events, outbox, relay
from publishing.models import WebhookDelivery
from publishing.outbox import outbox_enqueue
from publishing.services import webhooks as webhook_services
from tests.webhook_receiver import webhook_receiver
from themeconfig.platform.errors import CoreErrorCode
from themeconfig.platform.principal import Principal
from themeconfig.platform.service_db import service_context
from themeconfig.platform.tenant_context import tenant_context

pytestmark = pytest.mark.usefixtures("committed_db")

# (form, IPv6 address) whose embedded IPv4 is loopback, link-local, private or shared space.
NON_PUBLIC = [
    ("nat64 well-known, loopback", "64:ff9b::7f00:1"),
    ("nat64 well-known, cloud metadata", "64:ff9b::a9fe:a9fe"),
    ("nat64 well-known, 10/8", "64:ff9b::a00:1"),
    ("nat64 local-use, loopback", "64:ff9b:1::7f00:1"),
    ("6to4, loopback", "2002:7f00:1::1"),
    ("6to4, 192.168/16", "2002:c0a8:101::1"),
    ("6to4, cloud metadata", "2002:a9fe:a9fe::1"),
    ("ipv4-compatible, loopback", "::7f00:1"),
    ("ipv4-compatible, 172.16/12", "::ac10:1"),
    ("ipv4-compatible, 100.64/10", "::6440:1"),
    ("ipv4-translated, loopback", "::ffff:0:7f00:1"),
    ("ipv4-translated, cloud metadata", "::ffff:0:a9fe:a9fe"),
    ("ipv4-mapped, loopback", "::ffff:7f00:1"),
    ("teredo, client loopback", "2001:0:808:808::80ff:fffe"),
    ("teredo, client cloud metadata", "2001:0:808:808::5601:5601"),
    ("teredo, server 10/8", "2001:0:a00:1::f7f7:f7f7"),
]
# The same forms around 8.8.8.8: the judged ones are accepted (DNS64 hands out 64:ff9b::/96 for
# every IPv4-only endpoint on an IPv6-only host); Teredo and local-use NAT64 never are.
PUBLIC_EMBEDDED = [
    ("nat64 well-known", "64:ff9b::808:808", 201),
    ("6to4", "2002:808:808::1", 201),
    ("ipv4-compatible", "::808:808", 201),
    ("ipv4-translated", "::ffff:0:808:808", 201),
    ("ipv4-mapped", "::ffff:808:808", 201),
    ("nat64 local-use", "64:ff9b:1::808:808", 422),
    ("teredo", "2001:0:808:808::f7f7:f7f7", 422),
]


@pytest.fixture(autouse=True)
def no_broker(monkeypatch, settings):
    monkeypatch.setattr(outbox, "wake_relay", lambda: None)
    monkeypatch.setattr(outbox, "wake_relay_in", lambda seconds: None)
    settings.WEBHOOK_ALLOWED_PRIVATE_TARGETS = []


def post(client, url, body, auth):
    return client.post(url, json.dumps(body), content_type="application/json", **auth)


@pytest.mark.parametrize(("form", "address"), NON_PUBLIC, ids=[form for form, _ in NON_PUBLIC])
def test_webhook_target__ipv6_embedding_a_non_public_ipv4__refused_when_set(keyed_tenant_factory, settings, form,
                                                                           address):
    mallory, other = keyed_tenant_factory(role="admin"), keyed_tenant_factory(role="admin")
    client = Client()
    created = post(client, "/api/v1/webhooks/", {"url": f"https://[{address}]/hooks"}, mallory.auth)
    assert created.status_code == 422, (form, created.content)
    problem = created.json()
    assert problem["code"] == CoreErrorCode.VALIDATION_FAILED
    assert [(e["path"], e["code"]) for e in problem["errors"]] == [("/url", "refused")]
    # An existing subscription cannot be pointed there either.
    settings.WEBHOOK_ALLOWED_PRIVATE_TARGETS = ["127.0.0.1"]
    existing = post(client, "/api/v1/webhooks/", {"url": "http://127.0.0.1:9/h"}, mallory.auth).json()
    settings.WEBHOOK_ALLOWED_PRIVATE_TARGETS = []
    changed = client.patch(f"/api/v1/webhooks/{existing['id']}/",
                           json.dumps({"url": f"https://[{address}]:8443/x", "version": 1}),
                           content_type="application/json", **mallory.auth)
    assert changed.status_code == 422 and changed.json()["errors"][0]["code"] == "refused"
    listed = client.get("/api/v1/webhooks/", **mallory.auth).json()["results"]
    assert [(s["url"], s["version"]) for s in listed] == [("http://127.0.0.1:9/h", 1)]
    assert client.get("/api/v1/webhooks/", **other.auth).json()["results"] == []


@pytest.mark.parametrize(("form", "address", "status"), PUBLIC_EMBEDDED, ids=[form for form, *_ in PUBLIC_EMBEDDED])
def test_webhook_target__ipv6_embedding_a_public_ipv4__judged_by_it(keyed_tenant_factory, form, address, status):
    tenant = keyed_tenant_factory(role="admin")
    created = post(Client(), "/api/v1/webhooks/", {"url": f"https://[{address}]/hooks"}, tenant.auth)
    assert created.status_code == status, (form, created.content)


@pytest.mark.parametrize(("form", "address"), NON_PUBLIC, ids=[form for form, _ in NON_PUBLIC])
def test_webhook_delivery__ipv6_embedding_a_non_public_ipv4__refused_before_connecting(
        keyed_tenant_factory, settings, monkeypatch, form, address):
    monkeypatch.setitem(events.HANDLERS, "test.happened.v1", [])
    settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS = 0.5  # a connection attempt (the bug) fails fast, differently
    mallory, other = keyed_tenant_factory(role="admin"), keyed_tenant_factory(role="admin")
    with webhook_receiver() as receiver:
        port = receiver.url.split(":")[2].split("/")[0]
        # Set while an operator allow-listed it; the allow-list changes, and delivery checks again.
        settings.WEBHOOK_ALLOWED_PRIVATE_TARGETS = [address, "127.0.0.1"]
        hostile, _ = webhook_services.webhook_subscription_create(
            principal=Principal.operator("t", tenant_id=mallory.id), url=f"http://[{address}]:{port}/hooks/theme-config")
        settings.WEBHOOK_ALLOWED_PRIVATE_TARGETS = ["127.0.0.1"]
        webhook_services.webhook_subscription_create(principal=Principal.operator("t", tenant_id=other.id),
                                                     url=receiver.url)
        for tenant in (mallory, other):
            with tenant_context(tenant.id):
                outbox_enqueue(tenant_id=tenant.id, event_type="test.happened.v1", subject="thm_A",
                               partition_key=f"thm_{tenant.id}", data={})
        result = relay.relay_outbox()
    assert result.published == 1 and result.retried == 1
    # The receiver on loopback (where the IPv4-mapped form really leads) saw the other tenant only.
    assert [json.loads(r.body)["data"]["tenant_id"] for r in receiver.requests] == [other.id]
    with service_context() as alias:
        refused = WebhookDelivery.objects.using(alias).get(subscription_id=hostile.pk)
    assert refused.delivered_at is None and refused.last_status is None
    assert refused.last_error.startswith("refused target:") and "private or reserved" in refused.last_error, form
    with tenant_context(other.id):
        assert list(WebhookDelivery.objects.values_list("tenant_id", flat=True)) == [other.id]
