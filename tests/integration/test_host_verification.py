"""Hosts are proven before they are served (issue 16): a tenant's new host is pending until the DNS TXT
record at `_theme-config.<host>` holds its challenge token, checked against a real DNS server on loopback."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from publishing.services import publish
from tests.dns_server import DnsServer
from themeconfig import services
from themeconfig.models import AuditLogEntry, HostListing, TenantHostClaim, Theme
from themeconfig.platform.errors import DomainError
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.selectors.operators import tenant_by_slug
from themeconfig.services import host_verification as verification
from themeconfig.services.host_verification import (
    host_challenge_renew,
    host_verification_check,
    host_verification_request,
    host_verify_by_operator,
)
from themeconfig.tasks import verify_pending_hosts_task

pytestmark = pytest.mark.usefixtures("committed_db")
HOST = "www.lake.example.com"
CHALLENGE = f"_theme-config.{HOST}"


@pytest.fixture(autouse=True)
def quiet(resolve_cache_on, monkeypatch):
    """Cache on (a stale "unknown host" would show), no broker: enqueued checks are recorded."""
    monkeypatch.setattr(publish, "enqueue_publish_job", lambda **kwargs: None)
    enqueued = []
    monkeypatch.setattr(verification, "host_verification_enqueue", lambda **kwargs: enqueued.append(kwargs))
    return enqueued


@pytest.fixture
def dns(settings):
    with DnsServer() as server:
        settings.HOST_VERIFICATION_NAMESERVERS = ["127.0.0.1"]
        settings.HOST_VERIFICATION_DNS_PORT = server.port
        settings.HOST_VERIFICATION_DNS_TIMEOUT_SECONDS = 1.0
        yield server


@pytest.fixture
def world(tenant_factory):
    """A tenant with a published tenant-wide theme; `admin` is a tenant admin (not an operator)."""
    tenant = tenant_factory()
    admin = Principal.for_user(tenant_id=tenant.id, user_id=1, role="admin")
    theme = services.theme_create(principal=admin, name="Lake")
    version = services.version_create(principal=admin, theme_id=theme.pk)
    services.locale_pack_put(principal=admin, version_id=version.pk, locale="en", entries={"a.b": "hi"})
    job = publish.version_publish(principal=admin, version_id=version.pk, expected_theme_version=1)
    assert publish.publish_job_run(job_id=job.pk, tenant_id=tenant.id).status == "succeeded"
    return tenant, admin


def resolves(client, host=HOST) -> bool:
    response = client.get(f"/api/v1/resolve/?host={host}")
    assert response.status_code in (200, 404)
    return response.status_code == 200


def row(tenant, host=HOST) -> HostListing:
    with tenant_context(tenant.id):
        return HostListing.objects.get(host=host)


def claim(tenant, host=HOST) -> TenantHostClaim:
    with tenant_context(tenant.id):
        return TenantHostClaim.objects.get(host=host)


def make_due(tenant, host=HOST):
    with tenant_context(tenant.id):
        TenantHostClaim.objects.filter(host=host).update(verification_next_check_at=timezone.now())


def test_tenant_added_host__pending__not_served_until_its_dns_challenge_is_met(world, client, dns):
    tenant, admin = world
    added, _ = services.host_add(principal=admin, host=HOST)
    assert added.verification_status == "pending" and added.verification_token.startswith("tcv_")
    assert not resolves(client)  # a squatted or unproven name is never served (now cached as unknown)

    dns.records[CHALLENGE] = ["v=something-else", added.verification_token]
    checked = host_verification_check(principal=admin, host=HOST)
    assert checked.verification_status == "verified" and checked.verified_by == admin.actor
    assert dns.queries == [CHALLENGE]
    assert resolves(client)  # at once: the cached "unknown" went at the commit
    with tenant_context(tenant.id):
        audit = AuditLogEntry.objects.filter(entity_id=HOST, action="host.verified").get()
    assert audit.new_values == {"verification_status": "verified", "method": "dns"}


def test_token__shown_once__only_its_sha256_stored__never_audited(world, dns):
    tenant, admin = world
    token = services.host_add(principal=admin, host=HOST)[0].verification_token
    stored = claim(tenant)
    assert stored.verification_token_hash == verification.token_hash(token) and token not in str(stored.__dict__)
    again, created = services.host_add(principal=admin, host=HOST)  # adding it again is a no-op: no token
    assert not created and again.verification_token is None
    with tenant_context(tenant.id):
        logged = str(list(AuditLogEntry.objects.values_list("old_values", "new_values")))
    assert token not in logged and stored.verification_token_hash not in logged


def test_wrong_record_or_none__stays_pending__next_check_backs_off(world, client, dns, settings):
    tenant, admin = world
    services.host_add(principal=admin, host=HOST)
    dns.records[CHALLENGE] = ["tcv_not-the-token"]
    delays = []
    for attempt in range(1, 4):
        make_due(tenant)
        before = timezone.now()
        checked = host_verification_check(principal=admin, host=HOST)
        assert checked.verification_status == "pending" and checked.verification_attempts == attempt
        assert "none holding the token" in checked.verification_last_error
        delays.append((checked.verification_next_check_at - before).total_seconds())
    base = settings.HOST_VERIFICATION_RETRY_BASE_SECONDS
    assert [round(d / base) for d in delays] == [1, 2, 4]
    assert host_verification_check(principal=admin, host=HOST) is None  # not due: no look-up
    assert len(dns.queries) == 3 and not resolves(client)


def test_dns_failure__stays_pending__error_recorded(world, settings):
    tenant, admin = world
    services.host_add(principal=admin, host=HOST)
    with DnsServer(servfail=True) as failing:
        settings.HOST_VERIFICATION_NAMESERVERS = ["127.0.0.1"]
        settings.HOST_VERIFICATION_DNS_PORT = failing.port
        settings.HOST_VERIFICATION_DNS_TIMEOUT_SECONDS = 0.5
        checked = host_verification_check(principal=admin, host=HOST)
    assert checked.verification_status == "pending" and checked.verification_last_error
    assert checked.verification_attempts == 1


def test_check__refused_inside_a_transaction(world, dns):
    tenant, admin = world
    services.host_add(principal=admin, host=HOST)
    with transaction.atomic(), pytest.raises(RuntimeError):
        host_verification_check(principal=admin, host=HOST)


def test_verify_now__queues_one_check__not_again_within_the_interval(world, quiet, dns):
    tenant, admin = world
    services.host_add(principal=admin, host=HOST)
    with tenant_context(tenant.id):  # as beat would have it: next check far ahead after failures
        TenantHostClaim.objects.filter(host=HOST).update(verification_next_check_at=timezone.now() + timedelta(hours=1))
    host_verification_request(principal=admin, host=HOST)
    assert [call["host"] for call in quiet] == [HOST]
    assert row(tenant).verification_next_check_at <= timezone.now()  # due now, for the worker
    with tenant_context(tenant.id):  # the worker has claimed it and is asking DNS
        TenantHostClaim.objects.filter(host=HOST).update(verification_leased_until=timezone.now() + timedelta(minutes=1))
    host_verification_request(principal=admin, host=HOST)  # a check in flight: not another one
    assert host_verification_check(principal=admin, host=HOST) is None  # nor a second worker's
    with tenant_context(tenant.id):
        TenantHostClaim.objects.filter(host=HOST).update(verification_leased_until=None)
    host_verification_check(principal=admin, host=HOST)  # the worker's run (no record: fails)
    host_verification_request(principal=admin, host=HOST)  # right after a check: no new look-up
    assert len(quiet) == 1 and claim(tenant).verification_leased_until is None
    with pytest.raises(DomainError) as refused:
        host_verification_request(principal=Principal.for_user(tenant_id=tenant.id, user_id=2, role="member"),
                                  host=HOST)
    assert refused.value.code == "MELMASTOON.AUTH.PERMISSION_DENIED"


def test_renewed_challenge__old_token_no_longer_counts(world, client, dns):
    tenant, admin = world
    old = services.host_add(principal=admin, host=HOST)[0].verification_token
    _, new = host_challenge_renew(principal=admin, host=HOST)
    dns.records[CHALLENGE] = [old]
    make_due(tenant)
    assert host_verification_check(principal=admin, host=HOST).verification_status == "pending"
    dns.records[CHALLENGE] = [new]
    make_due(tenant)
    assert host_verification_check(principal=admin, host=HOST).verification_status == "verified"
    with pytest.raises(DomainError) as refused:
        host_challenge_renew(principal=admin, host=HOST)
    assert refused.value.code == "MELMASTOON.HOST.ALREADY_VERIFIED"
    assert resolves(client)


def test_operator_hosts__verified_by_the_operator__audited__served(world, client, capsys):
    tenant, admin = world
    operator = Principal.operator("support", tenant_id=tenant.id)
    assert services.host_add(principal=operator, host="ops.example.com")[0].verified_by == "operator:support"
    assert resolves(client, "ops.example.com")
    services.host_add(principal=admin, host=HOST)
    verified = host_verify_by_operator(principal=operator, host=HOST)
    assert verified.verification_status == "verified" and resolves(client)
    with tenant_context(tenant.id):
        audit = AuditLogEntry.objects.filter(entity_id=HOST, action="host.verified").get()
    assert (audit.actor, audit.new_values["method"]) == ("operator:support", "operator")
    with pytest.raises(DomainError):
        host_verify_by_operator(principal=admin, host="ops.example.com")

    call_command("create_tenant", slug="cli", name="Cli", host=["cli.example.com"])
    cli = tenant_by_slug(slug="cli")
    assert row(cli, "cli.example.com").verification_status == "verified"


def test_beat__checks_due_claims__deletes_claims_pending_too_long(world, quiet, dns, settings):
    tenant, admin = world
    services.host_add(principal=admin, host=HOST)
    services.host_add(principal=admin, host="old.example.com")
    with tenant_context(tenant.id):
        TenantHostClaim.objects.filter(host="old.example.com").update(
            created_at=timezone.now() - timedelta(days=settings.HOST_VERIFICATION_EXPIRY_DAYS + 1))
        Theme.objects.count()
    assert verify_pending_hosts_task() == {"checks": 1, "expired": 1}
    assert [call["host"] for call in quiet] == [HOST]
    with tenant_context(tenant.id):
        assert not TenantHostClaim.objects.filter(host="old.example.com").exists()
        assert AuditLogEntry.objects.filter(entity_id="old.example.com", action="host.claim_expired").exists()


def test_squatted_name__owner_adds_and_verifies_it__served_to_the_owner__squatters_claim_gone_audited(
        world, client, dns, tenant_factory):
    """A claim reserves nothing: the squatter claims the name first; the owner still adds it (no
    HOST_TAKEN), proves it, is served; the squatter's claim is gone and its own log says why."""
    owner, owner_admin = world
    squatter = tenant_factory()
    squatter_admin = Principal.for_user(tenant_id=squatter.id, user_id=7, role="admin")
    squatted, _ = services.host_add(principal=squatter_admin, host=HOST)
    assert squatted.verification_status == "pending"

    added, _ = services.host_add(principal=owner_admin, host=HOST)  # before: 409 HOST_TAKEN
    assert added.verification_status == "pending" and added.verification_token != squatted.verification_token
    dns.records[CHALLENGE] = [squatted.verification_token]  # the squatter's token proves nothing for the owner
    assert host_verification_check(principal=owner_admin, host=HOST).verification_status == "pending"
    assert not resolves(client)

    dns.records[CHALLENGE] = [added.verification_token]
    make_due(owner)
    assert host_verification_check(principal=owner_admin, host=HOST).verification_status == "verified"
    assert resolves(client)
    with tenant_context(squatter.id):
        assert not HostListing.objects.filter(host=HOST).exists()
        displaced = AuditLogEntry.objects.get(entity_id=HOST, action="host.claim_displaced")
    assert displaced.actor == "operator:host_verification"  # nothing about who in the other tenant
    assert displaced.old_values == {"verification_status": "pending"}
    with tenant_context(owner.id):
        verified = AuditLogEntry.objects.get(entity_id=HOST, action="host.verified")
    assert verified.new_values["other_claims_removed"] == 1

    # Now that the owner serves it, a claim to it is refused (HOST_TAKEN), and nobody can take it over.
    with pytest.raises(DomainError) as refused:
        services.host_add(principal=squatter_admin, host=HOST)
    assert refused.value.code == "MELMASTOON.TENANT.HOST_TAKEN"


def test_name_claimed_by_others__add_answers_like_a_free_name__no_hint_of_their_claim(world, tenant_factory):
    """A 409 (or any difference at all) would tell a tenant which names other tenants have pending."""
    owner, owner_admin = world
    other = tenant_factory()
    other_admin = Principal.for_user(tenant_id=other.id, user_id=8, role="admin")
    services.host_add(principal=other_admin, host="claimed.example.com")
    claimed, _ = services.host_add(principal=owner_admin, host="claimed.example.com")
    free, _ = services.host_add(principal=owner_admin, host="free.example.com")
    assert (claimed.verification_status, claimed.verification_attempts) == (free.verification_status, 0)
    assert claimed.verification_token is not None and free.verification_token is not None


def test_verification_of_two_claims_at_once__one_tenant_serves_the_name__the_other_claim_gone(world, tenant_factory):
    """Two tenants proving one name (a transfer mid-way): the first to commit takes it, the second's
    promotion is refused and it is no longer a claim (deleted by the first)."""
    owner, owner_admin = world
    other = tenant_factory()
    other_admin = Principal.for_user(tenant_id=other.id, user_id=9, role="admin")
    services.host_add(principal=owner_admin, host=HOST)
    services.host_add(principal=other_admin, host=HOST)
    operator = Principal.operator("support", tenant_id=owner.id)
    host_verify_by_operator(principal=operator, host=HOST)
    with pytest.raises(DomainError) as refused:
        host_verify_by_operator(principal=operator.in_tenant(other.id), host=HOST)
    assert refused.value.code == "MELMASTOON.RESOURCE.NOT_FOUND"


def test_claims_expire__claim_verified_after_the_expiry_listed_it__stays_served(world, client, settings, monkeypatch):
    """Expiry lists old claims, then deletes each: one verified in between is no longer a claim and
    must stay served (the task used to remove it by name, whatever its state)."""
    tenant, admin = world
    services.host_add(principal=admin, host=HOST)
    services.host_add(principal=admin, host="old.example.com")
    long_ago = timezone.now() - timedelta(days=settings.HOST_VERIFICATION_EXPIRY_DAYS + 1)
    with tenant_context(tenant.id):
        TenantHostClaim.objects.update(created_at=long_ago)
    listed = verification.claims_made_before

    def verified_meanwhile(before):
        snapshot = listed(before)
        host_verify_by_operator(principal=Principal.operator("support", tenant_id=tenant.id), host=HOST)
        return snapshot

    monkeypatch.setattr(verification, "claims_made_before", verified_meanwhile)
    assert verify_pending_hosts_task() == {"checks": 0, "expired": 1}
    assert resolves(client) and row(tenant).verification_status == "verified"
    with tenant_context(tenant.id):
        assert not TenantHostClaim.objects.exists()
        assert list(AuditLogEntry.objects.filter(action__in=["host.claim_expired", "host.removed"])
                    .values_list("entity_id", flat=True)) == ["old.example.com"]


def test_one_normaliser__idn_host_added_verified_and_resolved_in_any_form(world, client):
    """What the tenant types, what "verify" names and what resolve is asked for meet in one form."""
    tenant, admin = world
    added, _ = services.host_add(principal=admin, host="Straße.Lake.example.com.")
    assert added.host == "xn--strae-oqa.lake.example.com"  # IDNA 2008 (not strasse.…)
    host_verify_by_operator(principal=Principal.operator("support", tenant_id=tenant.id), host="straße.lake.example.com")
    assert row(tenant, added.host).verification_status == "verified"
    for asked in ("xn--strae-oqa.lake.example.com", "STRASSE.lake.example.com"):
        assert resolves(client, asked) == (asked.lower() == added.host)
    from urllib.parse import quote
    assert resolves(client, quote("straße.lake.example.com.:443"))
    assert resolves(client, "xn--strae-oqa.lake.example.com.:443")


def test_renewed_challenge__after_failed_checks__backoff_starts_over(world, dns, settings):
    """A new token is a new challenge: the failures of the old one must not push its first check
    hours away (attempts and the next check reset)."""
    tenant, admin = world
    services.host_add(principal=admin, host=HOST)
    for _ in range(5):
        make_due(tenant)
        host_verification_check(principal=admin, host=HOST)
    failed = claim(tenant)
    assert failed.verification_attempts == 5
    assert failed.verification_next_check_at - failed.verification_checked_at == verification.retry_delay(5)
    before = timezone.now()
    renewed, _ = host_challenge_renew(principal=admin, host=HOST)
    assert renewed.verification_attempts == 0 and renewed.verification_last_error is None
    assert renewed.verification_next_check_at <= timezone.now() and renewed.verification_next_check_at >= before
    host_verification_check(principal=admin, host=HOST)  # due at once; fails (no record): the first step
    again = claim(tenant)
    assert again.verification_attempts == 1
    assert again.verification_next_check_at - again.verification_checked_at == verification.retry_delay(1)
