"""Hostile webhook targets: IPv6 forms that embed an IPv4 address (NAT64, 6to4, IPv4-mapped,
-compatible, -translated, Teredo) are judged by what they embed, when the URL is set (over the API,
two tenants, nothing created, no 5xx) and again at delivery (a real receiver on loopback that a
refused target would reach gets nothing; the other tenant's delivery goes on)."""
from __future__ import annotations

import json

import pytest
from django.test import Client

from publishing.models import WebhookDelivery
from publishing.outbox import enqueue as outbox
from publishing.outbox import events, relay
from publishing.outbox.enqueue import outbox_enqueue
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


def test_webhook_target__ipv6_embedding_a_non_public_ipv4__refused_when_set(keyed_tenant_factory, settings):
    """Every form of the table, over the API: 422 naming /url, nothing created or changed, for either tenant."""
    mallory, other = keyed_tenant_factory(role="admin"), keyed_tenant_factory(role="admin")
    client = Client()
    settings.WEBHOOK_ALLOWED_PRIVATE_TARGETS = ["127.0.0.1"]
    existing = post(client, "/api/v1/webhooks/", {"url": "http://127.0.0.1:9/h"}, mallory.auth).json()
    settings.WEBHOOK_ALLOWED_PRIVATE_TARGETS = []
    answers = {}
    for form, address in NON_PUBLIC:
        created = post(client, "/api/v1/webhooks/", {"url": f"https://[{address}]/hooks"}, mallory.auth)
        # An existing subscription cannot be pointed there either.
        changed = client.patch(f"/api/v1/webhooks/{existing['id']}/",
                               json.dumps({"url": f"https://[{address}]:8443/x", "version": 1}),
                               content_type="application/json", **mallory.auth)
        answers[form] = [(r.status_code, r.json().get("code"), [(e["path"], e["code"]) for e in r.json().get("errors", [])])
                         for r in (created, changed)]
    refused = (422, CoreErrorCode.VALIDATION_FAILED, [("/url", "refused")])
    assert {form: answer for form, answer in answers.items() if answer != [refused, refused]} == {}
    listed = client.get("/api/v1/webhooks/", **mallory.auth).json()["results"]
    assert [(s["url"], s["version"]) for s in listed] == [("http://127.0.0.1:9/h", 1)]
    assert client.get("/api/v1/webhooks/", **other.auth).json()["results"] == []


def test_webhook_target__ipv6_embedding_a_public_ipv4__judged_by_it(keyed_tenant_factory):
    tenant = keyed_tenant_factory(role="admin")
    client = Client()
    statuses = {form: post(client, "/api/v1/webhooks/", {"url": f"https://[{address}]/hooks"}, tenant.auth).status_code
                for form, address, _ in PUBLIC_EMBEDDED}
    assert statuses == {form: status for form, _, status in PUBLIC_EMBEDDED}


def test_webhook_delivery__ipv6_embedding_a_non_public_ipv4__refused_before_connecting(
        keyed_tenant_factory, settings, monkeypatch):
    """Subscriptions made while an operator allow-listed these addresses; the allow-list changes and
    delivery checks again: nothing reaches the loopback receiver (where the IPv4-mapped form really
    leads) but the other tenant's event."""
    monkeypatch.setitem(events.HANDLERS, "test.happened.v1", [])
    settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS = 0.5  # a connection attempt (the bug) fails fast, differently
    mallory, other = keyed_tenant_factory(role="admin"), keyed_tenant_factory(role="admin")
    with webhook_receiver() as receiver:
        port = receiver.url.split(":")[2].split("/")[0]
        settings.WEBHOOK_ALLOWED_PRIVATE_TARGETS = [address for _, address in NON_PUBLIC] + ["127.0.0.1"]
        forms = {}
        for form, address in NON_PUBLIC:
            subscription, _ = webhook_services.webhook_subscription_create(
                principal=Principal.operator("t", tenant_id=mallory.id),
                url=f"https://[{address}]:{port}/hooks/theme-config")
            forms[subscription.pk] = form
        webhook_services.webhook_subscription_create(principal=Principal.operator("t", tenant_id=other.id),
                                                     url=receiver.url)
        settings.WEBHOOK_ALLOWED_PRIVATE_TARGETS = ["127.0.0.1"]
        for tenant in (mallory, other):
            with tenant_context(tenant.id):
                outbox_enqueue(tenant_id=tenant.id, event_type="test.happened.v1", subject="thm_A",
                               partition_key=f"thm_{tenant.id}", data={})
        result = relay.relay_outbox()
    assert result.published == 1 and result.retried == 1 and result.webhooks_failed == len(NON_PUBLIC)
    assert [json.loads(r.body)["data"]["tenant_id"] for r in receiver.requests] == [other.id]
    with service_context() as alias:
        outcomes = {forms[d.subscription_id]: d for d in WebhookDelivery.objects.using(alias).filter(
            subscription_id__in=list(forms))}
    assert sorted(outcomes) == sorted(forms.values())
    not_refused = {form: d.last_error for form, d in outcomes.items()
                   if d.delivered_at is not None or d.last_status is not None
                   or not d.last_error.startswith("refused target:") or "private or reserved" not in d.last_error}
    assert not_refused == {}
    with tenant_context(other.id):
        assert list(WebhookDelivery.objects.values_list("tenant_id", flat=True)) == [other.id]
