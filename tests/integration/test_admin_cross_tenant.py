"""Tenant staff's admin, driven by its own URL conf: staff of tenant A (an owner, so no permission
check stands in the way) opening any URL of a tenant-B object gets 404, sees none of B's data, and
changes none of B's rows.

Everything comes from `admin.site.get_urls()`: every registered ModelAdmin's object URLs (change,
delete, history, the legacy redirect, and any custom URL a ModelAdmin adds), `?_to_field=` lookups
on each field the admin allows as one, every action, every autocomplete source field, and the
site's view-on-site URL. A newly registered ModelAdmin fails here until `ARRANGE` says how to make
a tenant-B row of its model, and a route with a parameter the suite does not know fails until
`ROUTE_PARAMETERS` covers it.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.forms.models import model_to_dict
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver

from tests.factories.tenancy import MembershipFactory, TenantFactory, UserFactory
from tests.shared_rows import shared_rows
from themeconfig import services
from themeconfig.models import HostListing, Tenant
from themeconfig.platform.middleware import SESSION_TENANT_KEY
from themeconfig.platform.principal import Principal
from themeconfig.platform.tenant_context import tenant_context
from themeconfig.services.routing_flags import routing_flag_create

pytestmark = pytest.mark.django_db

# Every text of tenant B's rows carries this, so a page that shows any of them is caught.
MARKER = "bravosecret"
COLORS = [{"name": f"{MARKER} blue", "value": "#0b3d91", "role": "primary"}, {"name": "Sand", "value": "#f4e9d8"}]
FONTS = [{"name": "Body", "family": "Inter", "role": "body"}]


def model_admins() -> dict[str, tuple[type[models.Model], admin.ModelAdmin, str, list[URLPattern]]]:
    """label → (model, its ModelAdmin, its URL prefix, its URL patterns), from admin.site.get_urls()."""
    found = {}
    for entry in admin.site.get_urls():
        if not isinstance(entry, URLResolver):
            continue
        patterns = [p for p in entry.url_patterns if isinstance(p, URLPattern)]
        model_admin = next((p.callback.model_admin for p in patterns if hasattr(p.callback, "model_admin")), None)
        if model_admin is not None:
            found[model_admin.model._meta.label_lower] = (model_admin.model, model_admin, str(entry.pattern), patterns)
    return found


def site_object_patterns() -> list[URLPattern]:
    """The site's own routes that take an object (view on site)."""
    return [p for p in admin.site.get_urls() if isinstance(p, URLPattern) and "object_id" in p.pattern.converters]


@dataclass
class World:
    a: Tenant
    b: Tenant
    b_owner: Principal
    staff: object = None  # tenant A's owner, signed in on the client
    rows: dict[str, models.Model] = field(default_factory=dict)  # label → tenant B's row


def _publish_request(w: World) -> models.Model:
    """A request waiting for approval: B has four-eyes on, and its owner asked to publish a version."""
    from publishing.services import publish

    lodge = services.property_create(principal=w.b_owner, name=f"{MARKER} Annex")
    theme = services.theme_create(principal=w.b_owner, name=f"{MARKER} approval theme", scope="property",
                                  property_id=lodge.pk)
    version = services.version_create(principal=w.b_owner, theme_id=theme.pk)
    services.locale_pack_put(principal=w.b_owner, version_id=version.pk, locale="en", entries={"a.b": MARKER})
    services.tenant_update(principal=w.b_owner, name=w.b.name, settings={"four_eyes_publish": True})
    return publish.version_publish(principal=w.b_owner, version_id=version.pk, expected_theme_version=1)


# label → how to make a tenant-B row of that model (inside B's context, through the use cases
# where there is one). A new ModelAdmin needs an entry here.
ARRANGE: dict[str, Callable[[World], models.Model]] = {
    "themeconfig.tenant": lambda w: w.b,
    "themeconfig.property": lambda w: services.property_create(principal=w.b_owner, name=f"{MARKER} Lodge"),
    "themeconfig.hostlisting": lambda w: HostListing.objects.get(host=services.host_add(
        principal=w.b_owner, host=f"{MARKER}.example.com", property_id=w.rows["themeconfig.property"].pk)[0].host),
    "themeconfig.membership": lambda w: MembershipFactory(
        user=UserFactory(username=f"{MARKER}_member", email=f"{MARKER}.member@example.com"), role="member"),
    "themeconfig.invitation": lambda w: services.membership_invite(
        principal=w.b_owner, email=f"{MARKER}@example.com", role="viewer")[0],
    "themeconfig.apiclient": lambda w: services.api_key_create(
        principal=w.b_owner, name=f"{MARKER} key", role="viewer")[0],
    "themeconfig.brandkit": lambda w: services.brand_kit_create(
        principal=w.b_owner, name=f"{MARKER} kit", colors=COLORS, fonts=FONTS),
    "themeconfig.theme": lambda w: services.theme_create(principal=w.b_owner, name=f"{MARKER} theme"),
    # A version of B's property theme, so it does not depend on the order rows are arranged in.
    "themeconfig.themeversion": lambda w: services.version_create(
        principal=w.b_owner, release_notes=f"{MARKER} notes", theme_id=services.theme_create(
            principal=w.b_owner, name=f"{MARKER} lodge theme", scope="property",
            property_id=w.rows["themeconfig.property"].pk).pk),
    "publishing.publishrequest": _publish_request,
    "themeconfig.routingflag": lambda w: routing_flag_create(
        principal=w.b_owner, flag_key="theme.route", scope_type="user", scope_id=f"{MARKER}-guest",
        route_mode="candidate", reason=f"{MARKER} canary"),
}

# A route parameter other than `object_id` → its value for tenant B's row of that model.
ROUTE_PARAMETERS: dict[str, Callable[[models.Model], str]] = {
    "object_id": lambda row: quote(row.pk),
    "content_type_id": lambda row: str(ContentType.objects.get_for_model(type(row)).pk),
}


def _build_world() -> tuple[World, SimpleCookie]:
    a, b = TenantFactory(name="Alpha Hotels"), TenantFactory(name=f"{MARKER} Inns")
    with tenant_context(a.id):
        staff = MembershipFactory(role="owner").user
    with tenant_context(b.id):
        b_owner = MembershipFactory(role="owner")
    world = World(a=a, b=b, b_owner=Principal.for_user(tenant_id=b.id, user_id=b_owner.user_id, role="owner"))
    world.staff = staff
    with tenant_context(b.id):
        world.rows["themeconfig.property"] = ARRANGE["themeconfig.property"](world)  # hosts point at it
        for label in ARRANGE.keys() - world.rows.keys():
            world.rows[label] = ARRANGE[label](world)
    signed_in = Client()
    signed_in.force_login(staff)
    session = signed_in.session
    session[SESSION_TENANT_KEY] = a.id
    session.save()
    return world, signed_in.cookies


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker) -> Iterator[tuple[World, SimpleCookie]]:
    """Both tenants and every tenant-B row, built once for the module (tests/shared_rows.py); each
    test runs in a savepoint of its own, so a request that did change a row changes it for no other."""
    yield from shared_rows(django_db_blocker, _build_world)


@pytest.fixture
def world(client, shared_world) -> World:
    """The shared world, with A's owner signed in on this test's client."""
    world, cookies = shared_world
    client.cookies.update(cookies)
    return world


def owner_request(world: World, path: str = "/admin/"):
    """What the middleware would hand a view of A's owner (for asking a ModelAdmin what it offers)."""
    request = RequestFactory().get(path)
    request.user = world.staff
    request.principal = Principal.for_user(tenant_id=world.a.id, user_id=world.staff.pk, role="owner")
    return request


def url_of(prefix: str, pattern: URLPattern, row: models.Model) -> str:
    route = str(pattern.pattern)
    missing = [name for name in pattern.pattern.converters if name not in ROUTE_PARAMETERS]
    assert not missing, f"route {prefix}{route} has parameters the suite does not know: {missing}; add them"
    return "/admin/" + prefix + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: ROUTE_PARAMETERS[m.group(1)](row), route)


def b_row_state(world: World, row: models.Model) -> dict:
    with tenant_context(world.b.id):
        return model_to_dict(type(row)._base_manager.get(pk=row.pk))


def assert_not_shown(response, row: models.Model, what: str) -> None:
    """No 5xx, and nothing of tenant B's in the page: not its texts, not the row's id."""
    text = response.content.decode()
    assert response.status_code < 500, (what, response.status_code)
    assert MARKER not in text.lower(), f"{what}: tenant B's data in the page"
    assert str(row.pk) not in text, f"{what}: tenant B's id in the page"


REGISTERED = sorted(model_admins())


def test_cross_tenant_suite__every_registered_model_admin__has_a_tenant_b_row():
    uncovered = [label for label in REGISTERED if label not in ARRANGE]
    assert not uncovered, f"ModelAdmins without a tenant-B arrangement in ARRANGE: {uncovered}"
    assert REGISTERED, "no ModelAdmin found in admin.site.get_urls()"


@pytest.mark.parametrize("label", REGISTERED)
def test_admin_object_urls__tenant_b_object__404_nothing_shown_nothing_changed(client, world, label):
    assert label in ARRANGE, f"{label}: add how to make a tenant-B row to ARRANGE"
    model, model_admin, prefix, patterns = model_admins()[label]
    row = world.rows[label]
    before = b_row_state(world, row)
    object_patterns = [p for p in patterns if p.pattern.converters]
    assert object_patterns, f"{label}: no object URLs found"
    urls = [url_of(prefix, p, row) for p in object_patterns] + [url_of("", p, row) for p in site_object_patterns()]
    failures = []
    for url in urls:
        for method in ("get", "post"):
            response = getattr(client, method)(url, {"post": "yes", "name": "hijacked"}, follow=True)
            if response.status_code != 404:
                failures.append(f"{method.upper()} {url}: {response.status_code}")
            assert_not_shown(response, row, f"{method.upper()} {url}")
    assert not failures, failures
    assert b_row_state(world, row) == before


@pytest.mark.parametrize("label", REGISTERED)
def test_admin_to_field_lookups__tenant_b_object__404_and_not_in_the_popup_list(client, world, label):
    model, model_admin, prefix, patterns = model_admins()[label]
    row = world.rows[label]
    request = owner_request(world)
    to_fields = [f for f in model._meta.concrete_fields if model_admin.to_field_allowed(request, f.name)]
    assert to_fields, f"{label}: not even its primary key may be a to_field?"
    for to_field in to_fields:
        value = quote(str(getattr(row, to_field.attname)))
        for view in ("change", "delete", "history"):
            response = client.get(f"/admin/{prefix}{value}/{view}/", {"_to_field": to_field.name})
            assert response.status_code == 404, (label, to_field.name, view, response.status_code)
            assert_not_shown(response, row, f"{view} ?_to_field={to_field.name}")
        popup = client.get(f"/admin/{prefix}", {"_to_field": to_field.name, "_popup": "1"})
        assert popup.status_code in (200, 403), (label, to_field.name, popup.status_code)
        assert_not_shown(popup, row, f"changelist ?_to_field={to_field.name}")


@pytest.mark.parametrize("label", REGISTERED)
def test_admin_actions__on_a_tenant_b_object__404_nothing_changed(client, world, label):
    model, model_admin, prefix, patterns = model_admins()[label]
    row = world.rows[label]
    before = b_row_state(world, row)
    for action in model_admin.get_actions(owner_request(world, f"/admin/{prefix}")):
        response = client.post(f"/admin/{prefix}", {"action": action, "_selected_action": [str(row.pk)], "index": "0"})
        assert response.status_code == 404, (label, action, response.status_code)
        assert_not_shown(response, row, f"action {action}")
    assert b_row_state(world, row) == before


@pytest.mark.parametrize("label", REGISTERED)
def test_admin_autocomplete__every_source_field__no_tenant_b_row_offered(client, world, label):
    model, model_admin, prefix, patterns = model_admins()[label]
    b_pks = {label_of: str(b_row.pk) for label_of, b_row in world.rows.items()}
    for source in model._meta.get_fields():
        if not (source.concrete and (source.many_to_one or source.many_to_many)):
            continue
        if not admin.site.is_registered(source.related_model):
            continue  # Django answers 403 for it; nothing to offer
        for term in ("", MARKER):
            response = client.get("/admin/autocomplete/", {
                "app_label": model._meta.app_label, "model_name": model._meta.model_name,
                "field_name": source.name, "term": term})
            assert response.status_code in (200, 403, 404), (label, source.name, response.status_code)
            if response.status_code == 200:
                ids = {result["id"] for result in response.json()["results"]}
                assert b_pks.get(source.related_model._meta.label_lower) not in ids, (label, source.name)
                assert MARKER not in response.content.decode().lower(), (label, source.name)


def test_admin_autocomplete__a_field_with_choices__own_rows_offered(client, world, property_factory):
    """The autocomplete door does answer (so the suite above is not vacuous): A's own rows."""
    with tenant_context(world.a.id):
        mine = property_factory(name="Alpha Seaside")
    response = client.get("/admin/autocomplete/", {"app_label": "themeconfig", "model_name": "hostlisting",
                                                   "field_name": "property", "term": ""})
    assert response.status_code == 200 and {r["id"] for r in response.json()["results"]} == {mine.pk}


def test_admin_object_urls__own_object__open(client, world, property_factory):
    """The same URLs answer 200 for tenant A's own row (so the 404s above are about the tenant)."""
    with tenant_context(world.a.id):
        mine = property_factory(name="Alpha Seaside")
    for view in ("change", "delete", "history"):
        response = client.get(f"/admin/themeconfig/property/{mine.pk}/{view}/")
        assert response.status_code in (200, 403), (view, response.status_code)  # properties are never deleted
        if response.status_code == 200:
            assert "Alpha Seaside" in response.content.decode()
