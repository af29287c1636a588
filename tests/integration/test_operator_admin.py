"""The operators' admin site (/platform/): superusers only; every tenant's rows read on the service
connection (which only this site may open inside a request); writes through the use cases, each
audited as `operator:<username>`; outbox and publish jobs read-only, dead letters retried.

Rows written by the request connection are read by the service connection, another session, so
these tests commit (`committed_db`).
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.utils import quote
from django.db import connection
from django.utils import timezone

from publishing import outbox
from publishing.models import OutboxEvent, PublishJob
from publishing.outbox import outbox_enqueue
from tests.factories.tenancy import MembershipFactory, PropertyFactory, TenantHostFactory, UserFactory
from tests.factories.themes import ThemeVersionFactory
from themeconfig.models import Membership, Property, Tenant, TenantHost
from themeconfig.platform.middleware import SESSION_TENANT_KEY
from themeconfig.platform.service_db import ServiceContextError, operator_request, service_context
from themeconfig.platform.tenant_context import request_scope, tenant_context

pytestmark = pytest.mark.usefixtures("committed_db")


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    monkeypatch.setattr(outbox, "wake_relay", lambda: None)


@pytest.fixture
def operator(client):
    user = UserFactory(username="ops", is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def tenants(tenant_factory):
    alpha, bravo = tenant_factory(name="Alpha Hotels", slug="alpha"), tenant_factory(name="Bravo Inns", slug="bravo")
    with tenant_context(alpha.id):
        PropertyFactory(name="Alpha Seaside")
        TenantHostFactory(host="alpha.example.com")
    with tenant_context(bravo.id):
        PropertyFactory(name="Bravo Lodge")
        TenantHostFactory(host="bravo.example.com")
    return alpha, bravo


def audit_rows(tenant_id: str) -> list[tuple]:
    with tenant_context(tenant_id), connection.cursor() as cursor:
        cursor.execute("SELECT action, entity_type, entity_id, actor FROM theme_config.audit_log ORDER BY occurred_at, id")
        return cursor.fetchall()


def in_tenant(tenant_id: str, read):
    with tenant_context(tenant_id):
        return read()


# --- who gets in ---------------------------------------------------------------------------------

PLATFORM_PAGES = ["/platform/", "/platform/themeconfig/tenant/", "/platform/themeconfig/hostlisting/",
                  "/platform/themeconfig/membership/", "/platform/themeconfig/layoutpreset/",
                  "/platform/publishing/outboxevent/", "/platform/publishing/publishjob/"]


@pytest.mark.parametrize("path", PLATFORM_PAGES)
def test_platform_page__anonymous__sent_to_the_login_page(client, tenants, path):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/platform/login/")


@pytest.mark.parametrize("path", PLATFORM_PAGES)
def test_platform_page__tenant_staff_not_superuser__login_page_never_data(client, tenants, path):
    alpha, _ = tenants
    with tenant_context(alpha.id):
        staff = MembershipFactory(role="owner").user
    client.force_login(staff)
    response = client.get(path, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and response.redirect_chain[-1][0].startswith("/platform/login/")
    assert "not authorized to access this page" in page
    assert "Alpha Hotels" not in page and "Bravo Inns" not in page and "alpha.example.com" not in page


def test_platform_login__tenant_staff__refused_with_the_reason(client, tenants):
    UserFactory(username="staffer", is_staff=True)
    response = client.post("/platform/login/", {"username": "staffer", "password": "correct horse battery staple"})
    assert response.status_code == 200 and "for operators (superusers)" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_platform_login__superuser__signed_in_and_sees_the_site(client, tenants):
    UserFactory(username="root", is_superuser=True)
    response = client.post("/platform/login/", {"username": "root", "password": "correct horse battery staple",
                                                "next": "/platform/"}, follow=True)
    assert response.status_code == 200 and "Platform: every tenant" in response.content.decode()


@pytest.mark.parametrize("path", PLATFORM_PAGES)
def test_platform_page__superuser__opens(client, operator, tenants, path):
    assert client.get(path).status_code == 200


def test_platform_tenants__superuser__every_tenant_listed(client, operator, tenants):
    page = client.get("/platform/themeconfig/tenant/").content.decode()
    assert "Alpha Hotels" in page and "Bravo Inns" in page


def test_platform_hosts__superuser_with_a_session_tenant__still_every_tenants_rows(client, operator, tenants):
    """A superuser who also works in a tenant: /platform/ opens no tenant context for them."""
    alpha, _ = tenants
    with tenant_context(alpha.id):
        MembershipFactory(user=operator, role="owner")
    session = client.session
    session[SESSION_TENANT_KEY] = alpha.id
    session.save()
    page = client.get("/platform/themeconfig/hostlisting/").content.decode()
    assert "alpha.example.com" in page and "bravo.example.com" in page
    assert "Alpha Seaside" in client.get("/admin/themeconfig/property/").content.decode()  # /admin/ unchanged


def test_platform_header__operators_site__no_tenant_indicator(client, operator, tenants):
    page = client.get("/platform/").content.decode()
    assert "theme-config operators" in page and 'id="current-tenant"' not in page
    assert '<link rel="icon" href="/static/themeconfig/favicon.svg"' in page


# --- the service connection's door ---------------------------------------------------------------

def test_operator_request__outside_a_request__refused():
    with pytest.raises(ServiceContextError, match="operators' admin site"):
        with operator_request(UserFactory(is_superuser=True)):
            pass


def test_operator_request__staff_not_superuser__refused():
    with request_scope(), pytest.raises(ServiceContextError, match="superuser"):
        with operator_request(UserFactory(is_staff=True)):
            pass


def test_operator_request__superuser__service_context_opens_only_inside_it(tenants):
    with request_scope():
        with operator_request(UserFactory(is_superuser=True)), service_context() as alias:
            assert Tenant.objects.using(alias).filter(slug__in=["alpha", "bravo"]).count() == 2
        with pytest.raises(ServiceContextError, match="not for request code"):
            with service_context():
                pass


def test_operator_request__inside_a_tenant_context__refused(tenants):
    alpha, _ = tenants
    with request_scope(), tenant_context(alpha.id), pytest.raises(ServiceContextError, match="tenant context"):
        with operator_request(UserFactory(is_superuser=True)):
            pass


def test_tenant_admin_request__service_connection__still_refused(client, tenants, monkeypatch):
    """The operators' door is theirs only: a tenant admin view reaching for it gets an error, no rows."""
    from themeconfig.admin import tenancy

    alpha, _ = tenants
    with tenant_context(alpha.id):
        staff = MembershipFactory(user=UserFactory(is_superuser=True), role="owner").user
    client.force_login(staff)
    session = client.session
    session[SESSION_TENANT_KEY] = alpha.id
    session.save()

    def sneaky(self, request):
        with service_context() as alias:
            return Property.objects.using(alias).all()

    monkeypatch.setattr(tenancy.PropertyAdmin, "get_queryset", sneaky)
    with pytest.raises(ServiceContextError, match="not for request code"):
        client.get("/admin/themeconfig/property/")


# --- tenants -------------------------------------------------------------------------------------

def test_platform_tenant_create__superuser__created_with_its_hosts_audited_as_operator(client, operator):
    response = client.post("/platform/themeconfig/tenant/add/", {
        "slug": "charlie", "name": "Charlie Resorts", "plan": "starter", "hosts": "charlie.example.com, www.charlie.example.com"})
    assert response.status_code == 302
    with service_context() as alias:
        created = Tenant.objects.using(alias).get(slug="charlie")
    hosts = in_tenant(created.id, lambda: sorted(TenantHost.objects.values_list("host", flat=True)))
    assert (created.name, created.plan) == ("Charlie Resorts", "starter")
    assert hosts == ["charlie.example.com", "www.charlie.example.com"]
    assert sorted(audit_rows(created.id)) == [
        ("host.verified", "host", "charlie.example.com", "operator:ops"),
        ("host.verified", "host", "www.charlie.example.com", "operator:ops"),
        ("tenant.created", "tenant", created.id, "operator:ops")]


def test_platform_tenant_create__bad_slug__error_names_the_field_nothing_created(client, operator):
    response = client.post("/platform/themeconfig/tenant/add/", {"slug": "Not A Slug", "name": "X", "plan": "free"},
                           follow=True)
    assert "slug" in response.content.decode() and "lower-case letters" in response.content.decode()
    with service_context() as alias:
        assert not Tenant.objects.using(alias).filter(name="X").exists()


def test_platform_tenant_create__slug_taken__refused_with_a_message_nothing_created(client, operator, tenants):
    response = client.post("/platform/themeconfig/tenant/add/", {"slug": "alpha", "name": "Alpha Again", "plan": "free"},
                           follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert response.status_code == 200 and any("slug" in m for m in shown), shown
    with service_context() as alias:
        assert not Tenant.objects.using(alias).filter(name="Alpha Again").exists()


def test_platform_tenant_rename__superuser__renamed_and_audited(client, operator, tenants):
    _, bravo = tenants
    response = client.post(f"/platform/themeconfig/tenant/{bravo.pk}/change/",
                           {"name": "Bravo Grand Inns", "settings": '{"brand": "bravo"}'})
    assert response.status_code == 302
    renamed = in_tenant(bravo.id, lambda: Tenant.objects.get(pk=bravo.pk))
    assert (renamed.name, renamed.settings) == ("Bravo Grand Inns", {"brand": "bravo"})
    assert audit_rows(bravo.id)[-1] == ("tenant.updated", "tenant", bravo.id, "operator:ops")


def test_platform_tenant__slug_and_plan__read_only_after_creation(client, operator, tenants):
    _, bravo = tenants
    page = client.get(f"/platform/themeconfig/tenant/{bravo.pk}/change/").content.decode()
    assert 'name="name"' in page and 'name="slug"' not in page and 'name="plan"' not in page
    assert '<input type="text" name="name"' in page  # one line


def test_platform_tenant__delete__not_offered(client, operator, tenants):
    _, bravo = tenants
    assert client.post(f"/platform/themeconfig/tenant/{bravo.pk}/delete/", {"post": "yes"}).status_code == 403


# --- hosts ---------------------------------------------------------------------------------------

def test_platform_host_add__unknown_tenant_slug__error_names_the_field(client, operator, tenants):
    response = client.post("/platform/themeconfig/hostlisting/add/", {"tenant_slug": "nobody", "host": "x.example.com"})
    assert response.status_code == 200
    assert "No live tenant has the slug" in str(response.context["adminform"].form.errors["tenant_slug"])


def test_platform_host_add_then_remove__moved_to_another_tenant_audited(client, operator, tenants):
    alpha, bravo = tenants
    assert client.post(f"/platform/themeconfig/hostlisting/{quote(alpha.id + ':alpha.example.com')}/delete/", {"post": "yes"}).status_code == 302
    response = client.post("/platform/themeconfig/hostlisting/add/", {"tenant_slug": "bravo", "host": "Alpha.Example.com"})
    assert response.status_code == 302
    assert in_tenant(bravo.id, lambda: TenantHost.objects.filter(host="alpha.example.com").exists())
    assert not in_tenant(alpha.id, lambda: TenantHost.objects.filter(host="alpha.example.com").exists())
    assert ("host.removed", "host", "alpha.example.com", "operator:ops") in audit_rows(alpha.id)
    assert ("host.added", "host", "alpha.example.com", "operator:ops") in audit_rows(bravo.id)


def test_platform_host_add__host_of_another_tenant__refused_with_a_message(client, operator, tenants):
    alpha, _ = tenants
    response = client.post("/platform/themeconfig/hostlisting/add/", {"tenant_slug": "alpha", "host": "bravo.example.com"},
                           follow=True)
    assert "already served" in response.content.decode()
    assert not in_tenant(alpha.id, lambda: TenantHost.objects.filter(host="bravo.example.com").exists())


def test_platform_host_change__only_its_tenants_properties_offered(client, operator, tenants):
    alpha, _ = tenants
    page = client.get(f"/platform/themeconfig/hostlisting/{quote(alpha.id + ':alpha.example.com')}/change/").content.decode()
    assert "Alpha Seaside" in page and "Bravo Lodge" not in page
    their = in_tenant(tenants[1].id, lambda: Property.objects.get())
    response = client.post(f"/platform/themeconfig/hostlisting/{quote(alpha.id + ':alpha.example.com')}/change/", {"property": their.pk})
    assert response.status_code == 200 and response.context["adminform"].form.errors["property"]
    mine = in_tenant(alpha.id, lambda: Property.objects.get())
    assert client.post(f"/platform/themeconfig/hostlisting/{quote(alpha.id + ':alpha.example.com')}/change/",
                       {"property": mine.pk}).status_code == 302
    assert in_tenant(alpha.id, lambda: TenantHost.objects.get(host="alpha.example.com").property_id) == mine.pk
    assert audit_rows(alpha.id)[-1] == ("host.updated", "host", "alpha.example.com", "operator:ops")


# --- memberships ---------------------------------------------------------------------------------

def test_platform_membership_grant__direct__member_with_the_role_audited(client, operator, tenants):
    alpha, _ = tenants
    newcomer = UserFactory(username="newcomer")
    response = client.post("/platform/themeconfig/membership/add/",
                           {"tenant_slug": "alpha", "username": "newcomer", "role": "admin"})
    assert response.status_code == 302
    granted = in_tenant(alpha.id, lambda: Membership.objects.get(user=newcomer))
    assert granted.role == "admin"
    assert audit_rows(alpha.id)[-1] == ("membership.created", "membership", granted.pk, "operator:ops")


def test_platform_membership_grant__unknown_user__error_names_the_field(client, operator, tenants):
    response = client.post("/platform/themeconfig/membership/add/",
                           {"tenant_slug": "alpha", "username": "ghost", "role": "viewer"})
    assert response.status_code == 200 and "No active user" in str(response.context["adminform"].form.errors["username"])


def test_platform_membership__role_changed_then_removed__audited(client, operator, tenants):
    alpha, _ = tenants
    with tenant_context(alpha.id):
        MembershipFactory(role="owner")
        target = MembershipFactory(role="viewer")
    assert client.post(f"/platform/themeconfig/membership/{target.pk}/change/", {"role": "member"}).status_code == 302
    assert in_tenant(alpha.id, lambda: Membership.objects.get(pk=target.pk).role) == "member"
    assert client.post(f"/platform/themeconfig/membership/{target.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not in_tenant(alpha.id, lambda: Membership.objects.filter(pk=target.pk).exists())
    actions = [row[0] for row in audit_rows(alpha.id) if row[2] == target.pk]
    assert actions == ["membership.updated", "membership.deleted"]
    assert {row[3] for row in audit_rows(alpha.id) if row[2] == target.pk} == {"operator:ops"}


def test_platform_membership__last_owner_removed__refused_with_a_message(client, operator, tenants):
    alpha, _ = tenants
    with tenant_context(alpha.id):
        only_owner = MembershipFactory(role="owner")
    response = client.post(f"/platform/themeconfig/membership/{only_owner.pk}/delete/", {"post": "yes"}, follow=True)
    assert "last owner" in response.content.decode()
    assert in_tenant(alpha.id, lambda: Membership.objects.filter(pk=only_owner.pk).exists())


def test_platform_membership_list__every_tenants_members(client, operator, tenants):
    alpha, bravo = tenants
    with tenant_context(alpha.id):
        MembershipFactory(user=UserFactory(username="alpha_person"))
    with tenant_context(bravo.id):
        MembershipFactory(user=UserFactory(username="bravo_person"))
    page = client.get("/platform/themeconfig/membership/").content.decode()
    assert "alpha_person" in page and "bravo_person" in page


# --- layout presets: read-only -------------------------------------------------------------------

def test_platform_layout_presets__listed_read_only(client, operator):
    page = client.get("/platform/themeconfig/layoutpreset/").content.decode()
    assert "home.hero-split" in page
    assert client.get("/platform/themeconfig/layoutpreset/add/").status_code == 403
    with service_context() as alias:
        from themeconfig.models import LayoutPreset

        preset = LayoutPreset.objects.using(alias).get(key="home.hero-split")
    change = client.get(f"/platform/themeconfig/layoutpreset/{preset.pk}/change/")
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    assert client.post(f"/platform/themeconfig/layoutpreset/{preset.pk}/change/", {"key": "x"}).status_code == 403


# --- outbox ----------------------------------------------------------------------------------------

@pytest.fixture
def events(tenants):
    """One pending, one dead-lettered and one relayed event in alpha, one dead letter in bravo."""
    alpha, bravo = tenants

    def enqueue(tenant, key):
        with tenant_context(tenant.id):
            return outbox_enqueue(tenant_id=tenant.id, event_type="test.happened.v1", subject=key,
                                  partition_key=key, data={"key": key})

    ids = {"pending": enqueue(alpha, "thm_P"), "dead": enqueue(alpha, "thm_D"), "relayed": enqueue(alpha, "thm_R"),
           "bravo_dead": enqueue(bravo, "thm_B")}
    now = timezone.now()
    with service_context() as alias:
        OutboxEvent.objects.using(alias).filter(event_id__in=[ids["dead"], ids["bravo_dead"]]).update(
            dead_lettered_at=now, attempt_count=10, last_error="endpoint answered 503",
            next_attempt_at=now + timedelta(hours=1))
        OutboxEvent.objects.using(alias).filter(event_id=ids["relayed"]).update(published_at=now)
    return ids


def outbox_row(event_id: str) -> OutboxEvent:
    with service_context() as alias:
        return OutboxEvent.objects.using(alias).get(event_id=event_id)


@pytest.mark.parametrize(("state", "expected"), [
    ("pending", {"pending"}), ("dead", {"dead", "bravo_dead"}), ("relayed", {"relayed"}),
    (None, {"pending", "dead", "relayed", "bravo_dead"}),
])
def test_platform_outbox__state_filter__only_those_events(client, operator, events, state, expected):
    page = client.get("/platform/publishing/outboxevent/", {"state": state} if state else {}).content.decode()
    assert {name for name, event_id in events.items() if event_id in page} == expected


def test_platform_outbox__retry_dead_letters__due_again_and_audited_per_tenant(client, operator, events):
    selected = [outbox_row(events[name]).pk for name in ("dead", "bravo_dead", "pending")]
    response = client.post("/platform/publishing/outboxevent/",
                           {"action": "retry_dead_letters", "_selected_action": selected, "index": "0"}, follow=True)
    page = response.content.decode()
    assert "2 dead letter(s) due again" in page and "oldest pending: " in page and "- s" not in page
    for name in ("dead", "bravo_dead"):
        row = outbox_row(events[name])
        assert row.dead_lettered_at is None and row.attempt_count == 0 and row.next_attempt_at <= timezone.now()
    assert outbox_row(events["pending"]).attempt_count == 0  # not a dead letter: left alone
    alpha_id, bravo_id = outbox_row(events["dead"]).tenant_id, outbox_row(events["bravo_dead"]).tenant_id
    assert audit_rows(alpha_id)[-1] == ("outbox_event.retried", "outbox_event", events["dead"], "operator:ops")
    assert audit_rows(bravo_id)[-1] == ("outbox_event.retried", "outbox_event", events["bravo_dead"], "operator:ops")
    assert not [row for row in audit_rows(alpha_id) if row[2] == events["pending"]]


def test_platform_outbox__retry_with_no_dead_letter_selected__nothing_happens(client, operator, events):
    pending = outbox_row(events["pending"])
    response = client.post("/platform/publishing/outboxevent/",
                           {"action": "retry_dead_letters", "_selected_action": [pending.pk], "index": "0"}, follow=True)
    assert "nothing to retry" in response.content.decode()
    assert outbox_row(events["pending"]).next_attempt_at == pending.next_attempt_at


def test_platform_outbox__payload__read_only(client, operator, events):
    row = outbox_row(events["dead"])
    page = client.get(f"/platform/publishing/outboxevent/{row.pk}/change/").content.decode()
    assert "endpoint answered 503" in page and "test.happened.v1" in page and 'name="_save"' not in page
    assert client.post(f"/platform/publishing/outboxevent/{row.pk}/change/", {"last_error": "x"}).status_code == 403
    assert client.post(f"/platform/publishing/outboxevent/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/platform/publishing/outboxevent/add/").status_code == 403
    assert outbox_row(events["dead"]).last_error == "endpoint answered 503"


def test_platform_outbox__tenant_staff__no_retry(client, tenants, events):
    alpha, _ = tenants
    with tenant_context(alpha.id):
        staff = MembershipFactory(role="owner").user
    client.force_login(staff)
    row = outbox_row(events["dead"])
    response = client.post("/platform/publishing/outboxevent/",
                           {"action": "retry_dead_letters", "_selected_action": [row.pk], "index": "0"})
    assert response.status_code == 302 and response["Location"].startswith("/platform/login/")
    assert outbox_row(events["dead"]).dead_lettered_at is not None


# --- publish jobs: read-only -----------------------------------------------------------------------

@pytest.fixture
def failed_job(tenants):
    alpha, _ = tenants
    with tenant_context(alpha.id):
        version = ThemeVersionFactory()
        return PublishJob.objects.create(
            tenant_id=alpha.id, theme=version.theme, theme_version=version, kind="publish", status="failed",
            expected_theme_version=1, requested_by="user:1", principal={}, attempts=3,
            error_code="MELMASTOON.PUBLISH.UPLOAD_FAILED", error_message="storage said no",
            trace={"steps": [{"step": "upload", "ms": 12}]}, started_at=timezone.now(), finished_at=timezone.now(),
        )


def test_platform_publish_jobs__status_error_code_trace_attempts_shown(client, operator, failed_job):
    listing = client.get("/platform/publishing/publishjob/", {"status__exact": "failed"}).content.decode()
    assert failed_job.pk in listing and "MELMASTOON.PUBLISH.UPLOAD_FAILED" in listing
    page = client.get(f"/platform/publishing/publishjob/{failed_job.pk}/change/").content.decode()
    assert "storage said no" in page and "&quot;upload&quot;" in page and ">3<" in page
    assert 'name="_save"' not in page


def test_platform_publish_jobs__never_edited(client, operator, failed_job):
    assert client.post(f"/platform/publishing/publishjob/{failed_job.pk}/change/", {"status": "succeeded"}).status_code == 403
    assert client.post(f"/platform/publishing/publishjob/{failed_job.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/platform/publishing/publishjob/add/").status_code == 403
    assert in_tenant(failed_job.tenant_id, lambda: PublishJob.objects.get(pk=failed_job.pk).status) == "failed"
